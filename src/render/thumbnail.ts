// The page's thumbnail of one photo: a small square WebP. Made in the render child (isolated.ts),
// beside the frames, so the frame's own process never loads sharp for its page.
import sharp from 'sharp';
import { MAX_INPUT_PIXELS } from './render-limits.js';
import type { ThumbnailRequest } from './isolated.js';

export function makeThumbnail(t: ThumbnailRequest): Promise<Buffer> {
  return sharp(t.source, { sequentialRead: true, limitInputPixels: MAX_INPUT_PIXELS })
    .autoOrient()
    .resize(t.px, t.px, { fit: 'cover', fastShrinkOnLoad: true })
    .webp({ quality: 60, effort: 0 })
    .toBuffer();
}
