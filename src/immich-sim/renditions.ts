// The simulated server's own renderings, made with sharp the way Immich makes them: `preview` a
// JPEG with the short side at 1440 px, `thumbnail` a WEBP with the short side at 250 px, both
// without upscaling and with the EXIF orientation applied. Made once per asset version, cached.
import sharp from 'sharp';
import { readSource, type SimAsset, type SimEdit } from './library.js';

export type RenderedSize = 'preview' | 'thumbnail';

export interface Rendering {
  bytes: Buffer;
  contentType: string;
  /** e.g. "_preview.jpeg": appended to the original's base name in content-disposition. */
  suffix: string;
  generatedAt: Date;
}

const SPEC: Record<RenderedSize, { edge: number; contentType: string; suffix: string }> = {
  preview: { edge: 1440, contentType: 'image/jpeg', suffix: '_preview.jpeg' },
  thumbnail: { edge: 250, contentType: 'image/webp', suffix: '_thumbnail.webp' },
};

/** The rendering's size: the short side scaled to `edge` (never up), the long side rounded. */
export function renderedSize(width: number, height: number, edge: number): { width: number; height: number } {
  const scale = Math.min(1, edge / Math.min(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The edited image at full size: the upright original with its edits applied in order (crop,
 * rotate, mirror), as a JPEG (v3.1.0 fixture original-edited-edited-true: 1920x1080 cropped to
 * 1000x1080 then turned 90 degrees gives 1080x1000). */
export async function applyEdits(input: Buffer, edits: readonly SimEdit[]): Promise<Buffer> {
  let image = await sharp(input, { failOn: 'error' }).rotate().toBuffer();
  for (const e of edits) {
    const step = sharp(image);
    if (e.action === 'crop') {
      const p = e.parameters;
      image = await step.extract({ left: p.x, top: p.y, width: p.width, height: p.height }).toBuffer();
    } else if (e.action === 'rotate') image = await step.rotate(e.parameters.angle).toBuffer();
    else image = await (e.parameters.axis === 'horizontal' ? step.flop() : step.flip()).toBuffer();
  }
  return sharp(image).jpeg({ quality: 85 }).toBuffer();
}

/** The display size after edits, from the upright size (what `width`/`height` say of an edited
 * asset: fixture asset-get-edited). */
export function editedSize(
  width: number,
  height: number,
  edits: readonly SimEdit[],
): { width: number; height: number } {
  let w = width;
  let h = height;
  for (const e of edits) {
    if (e.action === 'crop') [w, h] = [e.parameters.width, e.parameters.height];
    else if (e.action === 'rotate' && e.parameters.angle !== 180) [w, h] = [h, w];
  }
  return { width: w, height: h };
}

export async function renderAsset(input: Buffer, size: RenderedSize): Promise<Buffer> {
  const { edge } = SPEC[size];
  const meta = await sharp(input).metadata();
  if (!meta.width || !meta.height) throw new Error('no image size');
  const swap = (meta.orientation ?? 1) >= 5;
  const target = renderedSize(swap ? meta.height : meta.width, swap ? meta.width : meta.height, edge);
  const pipeline = sharp(input, { failOn: 'error' })
    .rotate()
    .resize({ ...target, fit: 'fill' });
  return size === 'preview' ? pipeline.jpeg({ quality: 80 }).toBuffer() : pipeline.webp({ quality: 80 }).toBuffer();
}

/** Width and height as displayed (EXIF orientation 5-8 swaps them); null if sharp cannot tell. */
export async function probeDimensions(bytes: Buffer): Promise<{ width: number; height: number } | null> {
  try {
    const m = await sharp(bytes).metadata();
    if (!m.width || !m.height) return null;
    const swap = (m.orientation ?? 1) >= 5;
    return swap ? { width: m.height, height: m.width } : { width: m.width, height: m.height };
  } catch {
    return null;
  }
}

// What sharp's prebuilt binaries cannot decode (HEVC HEIC, camera RAW): the real server has its
// own decoders; the simulator needs a renderSource for these.
const UNDECODABLE =
  /^image\/(heic|heif|x-adobe-dng|x-canon-cr[23]|x-nikon-nef|x-sony-arw|x-olympus-orf|x-panasonic-rw2|x-fuji-raf)$/;

/** Whether the server has (or could make) renderings of this asset: drives `thumbhash` and
 * `resized` in listings. Cheap: no decoding. */
export function hasRenderings(asset: SimAsset): boolean {
  if (asset.renderSource) return true;
  return asset.type === 'IMAGE' && !UNDECODABLE.test(asset.originalMimeType);
}

export class RenditionCache {
  private readonly cache = new Map<string, Promise<Rendering | null>>();

  constructor(private readonly now: () => Date) {}

  /** null when the server could not have made one (nothing sharp can decode): the real server
   * then answers 404 "Asset media not found". */
  get(asset: SimAsset, size: RenderedSize | 'full', edited = false): Promise<Rendering | null> {
    const edits = edited ? asset.edits : [];
    const key = `${asset.id}:${asset.checksum ?? ''}:${size}:${JSON.stringify(edits)}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.make(asset, size, edits);
      this.cache.set(key, found);
    }
    return found;
  }

  /** `full` exists only for edited assets (the edited full-size JPEG). */
  private async make(
    asset: SimAsset,
    size: RenderedSize | 'full',
    edits: readonly SimEdit[],
  ): Promise<Rendering | null> {
    if (!hasRenderings(asset)) return null;
    const source = asset.renderSource ?? asset.source;
    try {
      let input = await readSource(source);
      if (edits.length > 0) input = await applyEdits(input, edits);
      if (size === 'full') return { bytes: input, contentType: 'image/jpeg', suffix: '.jpeg', generatedAt: this.now() };
      const bytes = await renderAsset(input, size);
      const { contentType, suffix } = SPEC[size];
      return { bytes, contentType, suffix, generatedAt: this.now() };
    } catch {
      return null;
    }
  }
}
