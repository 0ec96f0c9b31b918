// A notice on the glass instead of a photo (the page's pairing code): a blank sheet with the text
// set by the caption stage in the panel's solid inks, so it reads on every panel the frame drives.
import type { PanelProfile } from '../../drivers/panels.js';
import type { ComposedFrame } from '../render/frame.js';
import type { ResolvedRenderOptions } from '../render/options.js';

/** The frame of a notice: `text` in the top-left corner of a blank sheet, turned as the frame hangs. */
export async function renderNotice(
  text: string,
  panel: PanelProfile,
  options: Pick<ResolvedRenderOptions, 'rotate'>,
): Promise<ComposedFrame> {
  // Loaded here, not at the service's start: a notice is rare, and sharp with the render modules
  // cost the service's start ~0.1 s of CPU and ~13 MB on our VM, which it otherwise never uses
  // (its photos are rendered in the render child).
  const [{ default: sharp }, { renderFrame }] = await Promise.all([import('sharp'), import('../render/frame.js')]);
  const sheet = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  return renderFrame({
    photos: [{ source: sheet, name: 'notice', description: text }],
    panel,
    options: { rotate: options.rotate, fit: 'cover', caption: ['description'], captionPosition: 'top-left' },
  });
}
