// The simulated server's own renderings, made with sharp the way Immich makes them: `preview` a
// JPEG with the short side at 1440 px, `thumbnail` a WEBP with the short side at 250 px, both
// without upscaling and with the EXIF orientation applied. Made once per asset version, cached.
import sharp from 'sharp';
import { readSource, type SimAsset } from './library.js';

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
  get(asset: SimAsset, size: RenderedSize): Promise<Rendering | null> {
    const key = `${asset.id}:${asset.checksum ?? ''}:${size}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.make(asset, size);
      this.cache.set(key, found);
    }
    return found;
  }

  private async make(asset: SimAsset, size: RenderedSize): Promise<Rendering | null> {
    if (!hasRenderings(asset)) return null;
    const source = asset.renderSource ?? asset.source;
    try {
      const bytes = await renderAsset(await readSource(source), size);
      const { contentType, suffix } = SPEC[size];
      return { bytes, contentType, suffix, generatedAt: this.now() };
    } catch {
      return null;
    }
  }
}
