// Finding the swatch's five ring markers in a photo: dark squares with a light square hole, told
// apart from the solid ink patches (no hole), the letters of the label (far smaller) and a dark
// bezel around the glass (its hole is most of it). Then which is which: the one on an edge of the
// other four is the orientation mark, a third of the way along the top edge. Pure: bytes in.
import { MARK_AT } from './swatch.js';
import type { Point } from './swatch.js';
import { labelRegions } from './regions.js';

/** A grey (luma) image, one byte a pixel. */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface RingCandidate {
  centre: Point;
  /** Pixels of the ring and its hole together. */
  filled: number;
}

export interface FoundMarkers {
  /** Photo pixels of the swatch's top-left, top-right, bottom-right and bottom-left markers. */
  corners: [Point, Point, Point, Point];
  mark: Point;
}

/**
 * Dark pixels: darker than a third of the local white (a dull e-paper white next to the bright
 * paper, or a reflection, is still well above it; black ink is far below). The local white is the brightest block mean
 * within a quarter of the image's short side, so a lighting gradient moves the threshold with it
 * and the middle of a large dark patch (the swatch keeps patches under 0.4 of its short side)
 * still sees white ink nearby.
 */
export function darkMask(grey: GreyImage): Uint8Array {
  const { width: w, height: h, data } = grey;
  const b = Math.max(4, Math.ceil(Math.min(w, h) / 64));
  const gw = Math.ceil(w / b);
  const gh = Math.ceil(h / b);
  const mean = new Float32Array(gw * gh);
  const count = new Float32Array(gw * gh);
  for (let y = 0; y < h; y++) {
    const row = Math.floor(y / b) * gw;
    for (let x = 0; x < w; x++) {
      const k = row + Math.floor(x / b);
      mean[k] = mean[k]! + data[y * w + x]!;
      count[k] = count[k]! + 1;
    }
  }
  for (let k = 0; k < mean.length; k++) mean[k] = mean[k]! / count[k]!;
  const r = Math.ceil(Math.min(gw, gh) / 4);
  const white = maxWithin(maxWithin(mean, gw, gh, r, 1, gw), gw, gh, r, gw, gh);
  const dark = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = Math.floor(y / b) * gw;
    for (let x = 0; x < w; x++) if (data[y * w + x]! < 0.35 * white[row + Math.floor(x / b)]!) dark[y * w + x] = 1;
  }
  return dark;
}

/**
 * The largest value within `r` cells along one axis of a gw x gh grid: `step` 1 along rows (`n`
 * = gw cells), `step` gw along columns (`n` = gh). Twice, once an axis, is the max over a square.
 */
function maxWithin(src: Float32Array, gw: number, gh: number, r: number, step: number, n: number): Float32Array {
  const out = new Float32Array(gw * gh);
  for (let k = 0; k < src.length; k++) {
    const at = step === 1 ? k % gw : Math.floor(k / gw);
    let m = 0;
    for (let i = Math.max(0, at - r); i <= Math.min(n - 1, at + r); i++) m = Math.max(m, src[k + (i - at) * step]!);
    out[k] = m;
  }
  return out;
}

/** Every dark component with a clean light square hole at its middle. */
export function ringCandidates(dark: Uint8Array, width: number, height: number): RingCandidate[] {
  const { regions } = labelRegions(dark, width, height);
  const stack = new Int32Array(width * height);
  const seen = new Int32Array(width * height);
  const out: RingCandidate[] = [];
  for (const { label: next, area, sumX: sx, sumY: sy, x0, x1, y0, y1 } of regions) {
    const bw = x1 - x0 + 1;
    const bh = y1 - y0 + 1;
    if (area < 20 || bw < 6 || bh < 6 || bw > 3 * bh || bh > 3 * bw) continue;
    const mid = Math.round((y0 + y1) / 2) * width + Math.round((x0 + x1) / 2);
    if (dark[mid]) continue;
    // The hole: the light region at the middle, which must stay inside the ring's box.
    let top = 0;
    stack[top++] = mid;
    seen[mid] = next;
    let hole = 0;
    let hx = 0;
    let hy = 0;
    let closed = true;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      if (x <= x0 || x >= x1 || y <= y0 || y >= y1) {
        closed = false;
        break;
      }
      hole++;
      hx += x;
      hy += y;
      for (const q of [p - 1, p + 1, p - width, p + width]) {
        if (dark[q] || seen[q] === next) continue;
        seen[q] = next;
        stack[top++] = q;
      }
    }
    if (!closed) continue;
    const filled = area + hole;
    if (hole < 0.1 * filled || hole > 0.45 * filled || filled < 0.45 * bw * bh) continue;
    out.push({ centre: { x: (sx + hx) / filled, y: (sy + hy) / filled }, filled });
  }
  return out;
}

/** The five candidates most alike in size (the markers are one size; perspective changes it by at most 3x). */
export function pickFive(candidates: readonly RingCandidate[]): RingCandidate[] | null {
  const sorted = [...candidates].sort((a, b) => b.filled - a.filled);
  let best: RingCandidate[] | null = null;
  let bestRatio = 3;
  for (let i = 0; i + 5 <= sorted.length; i++) {
    const ratio = sorted[i]!.filled / sorted[i + 4]!.filled;
    if (ratio <= bestRatio) {
      bestRatio = ratio;
      best = sorted.slice(i, i + 5);
    }
  }
  return best;
}

/**
 * Which of five points is which: the mark is the one lying on an edge of the quadrilateral of the
 * other four, MARK_AT of the way from one end (the top-left) to the other (the top-right). The
 * corners then follow round the quadrilateral. Null when no point sits on an edge like that.
 */
export function orderMarkers(points: readonly Point[]): FoundMarkers | null {
  let best: { score: number; found: FoundMarkers } | null = null;
  for (let k = 0; k < points.length; k++) {
    const mark = points[k]!;
    const rest = points.filter((_, i) => i !== k);
    const cx = rest.reduce((s, p) => s + p.x, 0) / 4;
    const cy = rest.reduce((s, p) => s + p.y, 0) / 4;
    const quad = rest.sort((a, b) => Math.atan2(a.y - cy, a.x - cx) - Math.atan2(b.y - cy, b.x - cx));
    for (let e = 0; e < 4; e++) {
      const a = quad[e]!;
      const b = quad[(e + 1) % 4]!;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len2 = dx * dx + dy * dy;
      const t = ((mark.x - a.x) * dx + (mark.y - a.y) * dy) / len2;
      const off = Math.abs((mark.x - a.x) * dy - (mark.y - a.y) * dx) / len2;
      for (const forward of [true, false]) {
        // Forward: a is the top-left; backward: b is (a mirrored photo, or the quad's order reversed).
        const score = off + Math.abs((forward ? t : 1 - t) - MARK_AT);
        if (best && score >= best.score) continue;
        const corners: FoundMarkers['corners'] = forward
          ? [a, b, quad[(e + 2) % 4]!, quad[(e + 3) % 4]!]
          : [b, a, quad[(e + 3) % 4]!, quad[(e + 2) % 4]!];
        best = { score, found: { corners, mark } };
      }
    }
  }
  return best && best.score < 0.12 ? best.found : null;
}
