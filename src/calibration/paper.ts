// Finding the sheet of white paper beside the frame in a calibration photo: the largest bright
// region outside the glass, read in its middle (away from its edges and whatever lies on them).
// It is the white the inks are measured against: what the eye takes for white in that light.
import { SRGB_TO_LINEAR } from '../render/colour.js';
import type { RgbImage } from '../render/dither.js';
import type { GreyImage } from './markers.js';
import type { Point } from './swatch.js';
import { labelRegions } from './regions.js';
import type { Region } from './regions.js';
import { bytePercentile, trimmedMean } from './sample-stats.js';

export interface PaperReading {
  /** Linear light of the paper, channel by channel (trimmed mean of its middle). */
  linear: [number, number, number];
  /** Its middle, in photo pixels. */
  centre: Point;
  /** Share of its pixels with a clipped channel. */
  clipped: number;
}

/** Bright: at least this share of the photo's near-brightest luma. */
const BRIGHT = 0.8;
/** The paper must take at least this share of the photo. */
const MIN_SHARE = 0.003;

/** The paper outside `outline` (a convex quadrilateral, photo pixels), or null when there is none. */
export function findPaper(photo: RgbImage, grey: GreyImage, outline: readonly Point[]): PaperReading | null {
  const { width: w, height: h } = grey;
  const top = bytePercentile(grey.data, 0.995);
  const bright = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (grey.data[y * w + x]! >= BRIGHT * top && !insideConvex(outline, x, y)) bright[y * w + x] = 1;

  // The largest bright region.
  const { labels: label, regions } = labelRegions(bright, w, h);
  const largest = regions.reduce<Region | null>((m, r) => (!m || r.area > m.area ? r : m), null);
  const bestArea = largest?.area ?? 0;
  const bestLabel = largest?.label ?? 0;
  if (bestArea < MIN_SHARE * w * h) return null;

  // Its middle: pixels with the region `d` away on all four sides.
  const d = Math.max(2, Math.round(0.15 * Math.sqrt(bestArea)));
  const stride = Math.max(1, Math.floor(Math.sqrt(bestArea / 4000)));
  const inner: number[] = [];
  const all: number[] = [];
  const at = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && label[y * w + x] === bestLabel;
  for (let y = 0; y < h; y += stride) {
    for (let x = 0; x < w; x += stride) {
      if (!at(x, y)) continue;
      all.push(y * w + x);
      if (at(x - d, y) && at(x + d, y) && at(x, y - d) && at(x, y + d)) inner.push(y * w + x);
    }
  }
  const pixels = inner.length >= 50 ? inner : all;
  const channels: number[][] = [[], [], []];
  let sx = 0;
  let sy = 0;
  let clipped = 0;
  for (const p of pixels) {
    const q = p * 3;
    let clip = false;
    for (let c = 0; c < 3; c++) {
      channels[c]!.push(SRGB_TO_LINEAR[photo.data[q + c]!]!);
      if (photo.data[q + c]! >= 250) clip = true;
    }
    if (clip) clipped++;
    sx += p % w;
    sy += Math.floor(p / w);
  }
  const linear = channels.map(trimmedMean) as [number, number, number];
  return {
    linear,
    centre: { x: sx / pixels.length, y: sy / pixels.length },
    clipped: clipped / pixels.length,
  };
}

/** Whether (x, y) is inside a convex polygon (either winding). */
function insideConvex(poly: readonly Point[], x: number, y: number): boolean {
  let sign = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i]!;
    const b = poly[(i + 1) % poly.length]!;
    const cross = (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
    if (cross === 0) continue;
    const s = cross > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}
