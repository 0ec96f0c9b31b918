// The I/O edge of calibration: a phone photo (any format sharp reads, from a file or an upload's
// bytes) decoded upright at a size the reading needs, then read by the pure core (measure.ts).
import sharp from 'sharp';
import type { PanelProfile } from '../../drivers/panels.js';
import type { Rotation } from '../render/options.js';
import { MAX_INPUT_PIXELS } from '../render/render-limits.js';
import { readSwatch } from './measure.js';
import type { CalibrationResult } from './measure.js';

/** The long side a photo is read at: markers stay tens of pixels wide, and a 12 MP photo reads in a blink. */
export const READ_SIDE = 1600;

/** Read the inks of `panel` from a photo of its swatch; an undecodable photo is refused as `unreadable`. */
export async function readSwatchPhoto(
  input: string | Buffer,
  panel: PanelProfile,
  rotate: Rotation = 0,
): Promise<CalibrationResult> {
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
      .autoOrient()
      .resize(READ_SIDE, READ_SIDE, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return { ok: false, reason: 'unreadable', message: `not a photo this frame can read (${first})` };
  }
  const { data, info } = decoded;
  const image = {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
  return readSwatch(image, panel, rotate);
}
