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
 * The detail of an image (native orientation) in any rectangle: each pixel's change in luma to its
 * right and lower neighbours, which is the same set of changes whichever way the frame hangs.
 * Summed over the few rectangles asked for, not the whole frame (a caption tries four corners).
 */
export class DetailMap {
  readonly width: number;
  readonly height: number;

  constructor(private readonly image: RgbImage) {
    this.width = image.width;
    this.height = image.height;
  }

  /** Integer luma (Rec. 601 weights, x256) of a row's pixels from x0, n of them. */
  private lumaRow(y: number, x0: number, n: number, out: Int32Array): void {
    const d = this.image.data;
    for (let k = 0; k < n; k++) {
      const o = (y * this.width + x0 + k) * 3;
      out[k] = 77 * d[o]! + 150 * d[o + 1]! + 29 * d[o + 2]!;
    }
  }

  /** Total detail in a native rectangle (in luma x256 units). */
  total(r: Rect): number {
    // One column and one row past the rectangle, where the image has them, for the last changes.
    const n = Math.min(r.width + 1, this.width - r.x);
    const rows = Math.min(r.height + 1, this.height - r.y);
    let row = new Int32Array(n);
    let next = new Int32Array(n);
    this.lumaRow(r.y, r.x, n, row);
    let sum = 0;
    for (let j = 0; j < Math.min(r.height, rows); j++) {
      const hasNext = j + 1 < rows;
      if (hasNext) this.lumaRow(r.y + j + 1, r.x, n, next);
      for (let k = 0; k < Math.min(r.width, n); k++) {
        if (k + 1 < n) sum += Math.abs(row[k + 1]! - row[k]!);
        if (hasNext) sum += Math.abs(next[k]! - row[k]!);
      }
      [row, next] = [next, row];
    }
    return sum;
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
