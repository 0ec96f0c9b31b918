// Where a caption hides the least: the detail of the photo (how much its lightness changes from
// pixel to pixel) summed over each corner a caption box could take, the quietest corner winning.
import type { RgbImage } from './dither.js';
import type { Rect, Size } from './framing.js';
import { viewRectToNative } from './layout.js';
import type { CaptionPosition, Rotation } from './options.js';

export type Corner = Exclude<CaptionPosition, 'auto'>;
/** Tried in this order; the first of equal detail wins (bottom-left is where people look for a caption). */
export const CORNERS: readonly Corner[] = ['bottom-left', 'bottom-right', 'top-left', 'top-right'];

/**
 * Summed-area table of the image's detail (native orientation): each pixel's detail is the change
 * in luma to its right and lower neighbours, which is the same set of changes whichever way the
 * frame hangs.
 */
export class DetailMap {
  private readonly sums: Float64Array;
  readonly width: number;
  readonly height: number;

  constructor(image: RgbImage) {
    const { width: w, height: h, data } = image;
    this.width = w;
    this.height = h;
    const luma = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++)
      luma[i] = 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
    const sums = new Float64Array((w + 1) * (h + 1));
    for (let y = 0; y < h; y++) {
      let row = 0;
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const dx = x + 1 < w ? Math.abs(luma[i + 1]! - luma[i]!) : 0;
        const dy = y + 1 < h ? Math.abs(luma[i + w]! - luma[i]!) : 0;
        row += dx + dy;
        sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1]! + row;
      }
    }
    this.sums = sums;
  }

  /** Total detail in a native rectangle. */
  total(r: Rect): number {
    const W = this.width + 1;
    const x2 = r.x + r.width;
    const y2 = r.y + r.height;
    return this.sums[y2 * W + x2]! - this.sums[r.y * W + x2]! - this.sums[y2 * W + r.x]! + this.sums[r.y * W + r.x]!;
  }
}

/** The box of size `box` in a corner of `slot`, `margin` pixels in from its edges (view pixels). */
export function cornerRect(slot: Rect, box: Size, corner: Corner, margin: number): Rect {
  const left = corner.endsWith('left');
  const top = corner.startsWith('top');
  return {
    x: left ? slot.x + margin : slot.x + slot.width - margin - box.width,
    y: top ? slot.y + margin : slot.y + slot.height - margin - box.height,
    width: box.width,
    height: box.height,
  };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The corner the caption takes: the one asked for, or under `auto` the one that covers the least
 * of the people's faces (`faces`, view pixels), and of those the one of least detail.
 */
export function placeCaption(
  slot: Rect,
  box: Size,
  position: CaptionPosition,
  margin: number,
  detail: DetailMap,
  rotate: Rotation,
  faces: readonly Rect[] = [],
): { corner: Corner; rect: Rect } {
  if (position !== 'auto') return { corner: position, rect: cornerRect(slot, box, position, margin) };
  const native = { width: detail.width, height: detail.height };
  let best: { corner: Corner; rect: Rect; covered: number; score: number } | undefined;
  for (const corner of CORNERS) {
    const rect = cornerRect(slot, box, corner, margin);
    const covered = faces.reduce((sum, f) => sum + overlap(rect, f), 0);
    const score = detail.total(viewRectToNative(rect, rotate, native));
    if (!best || covered < best.covered || (covered === best.covered && score < best.score)) {
      best = { corner, rect, covered, score };
    }
  }
  return { corner: best!.corner, rect: best!.rect };
}
