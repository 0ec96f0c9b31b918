// Where `cover` cuts a photo that has no face boxes when the crop is `attention`: around its most
// interesting part, scored as libvips' smartcrop "attention" scores it (edges, skin tones and
// red-green saturation on a 32x32 summary of the picture, blurred, the peak). Done here on the
// picture sharp already made at the cover size: in libvips the same step makes sharp hold the
// whole resized picture in memory and walk it twice more, ~15% of a frame's CPU.
import { srgbToLinear } from './colour.js';
import type { RgbImage } from './dither.js';
import type { Size } from './framing.js';

// The method, its constants and its order are libvips' vips_smartcrop_attention
// (libvips/libvips, libvips/conversion/smartcrop.c, lines 205-320 at 29fd120; unchanged since
// v8.15 and so in the 8.17 that sharp ships); the colour steps are libvips' sRGB2scRGB,
// scRGB2XYZ (libvips/colour/scRGB2XYZ.c, lines 63-75) and XYZ2Lab with the D65 white.

/** The summary's side: the precision with which the crop is placed (libvips' 32). */
const SUMMARY = 32;
const SKIN = [0.78, 0.57, 0.44] as const;
const D65 = [95.047, 100, 108.8827] as const;

/** Where the `target`-sized window of `image` (target no bigger than it) goes: its top-left corner. */
export function attentionCrop(image: RgbImage, target: Size): { left: number; top: number } {
  const { width: W, height: H } = image;
  const n = SUMMARY;
  const score = interestMap(summary(image), n);
  const sigma = Math.max(Math.hypot((target.width * n) / W, (target.height * n) / H) / 10, 1);
  const blurred = gaussBlur(score, n, sigma);
  let best = 0;
  for (let i = 1; i < n * n; i++) if (blurred[i]! > blurred[best]!) best = i;
  // Back to image pixels, then the window centred there, kept inside the picture.
  const ax = Math.trunc((best % n) / (n / W));
  const ay = Math.trunc(Math.floor(best / n) / (n / H));
  const clip = (v: number, max: number) => Math.max(0, Math.min(max, v));
  return {
    left: clip(ax - Math.trunc(target.width / 2), W - target.width),
    top: clip(ay - Math.trunc(target.height / 2), H - target.height),
  };
}

/**
 * The picture resized to n x n as libvips' vips_resize does it for smartcrop (lanczos3, its
 * default; libvips/resample/reducev.cpp, reduceh.cpp, shrinkv.c, v8.17.3): along each axis a box
 * shrink by floor(in / out / 2) (the last box padded with copies of the edge, bytes rounded) and
 * a lanczos3 reduce by the rest, sampled at (i + 0.5) * rest - 0.5 less the offset that centres a
 * rounded size, its weights in 12-bit fixed point at 1/64 pixel steps. libvips shrinks the
 * columns after it reduces the rows; both box shrinks are done here first, in the one pass over
 * the picture (the same sums, rounded in another order).
 */
function summary(image: RgbImage, n = SUMMARY): Float64Array {
  const { width: W, height: H, data } = image;
  const bv = Math.max(1, Math.floor(H / n / 2));
  const bh = Math.max(1, Math.floor(W / n / 2));
  const rows = Math.ceil(H / bv);
  const cols = Math.ceil(W / bh);
  const stride = W * 3;
  const column = new Float64Array(stride);
  const boxes = new Float64Array(rows * cols * 3);
  for (let i = 0; i < rows; i++) {
    column.fill(0);
    for (let k = 0; k < bv; k++) {
      const from = Math.min(H - 1, i * bv + k) * stride;
      for (let x = 0; x < stride; x++) column[x] = column[x]! + data[from + x]!;
    }
    for (let x = 0; x < stride; x++) column[x] = Math.floor((column[x]! + (bv >> 1)) / bv);
    for (let j = 0; j < cols; j++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < bh; k++) sum += column[Math.min(W - 1, j * bh + k) * 3 + c]!;
        boxes[(i * cols + j) * 3 + c] = Math.floor((sum + (bh >> 1)) / bh);
      }
    }
  }
  const tall = lanczosRows(boxes, cols, rows, n, H / n / bv, (n * (H / n) - H) / bv);
  return transpose(lanczosRows(transpose(tall, cols, n), n, cols, n, W / n / bh, (n * (W / n) - W) / bh), n, n);
}

/** An image of w x h pixels (3 channels) turned on its diagonal: h x w. */
function transpose(src: Float64Array, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) out[(x * h + y) * 3 + c] = src[(y * w + x) * 3 + c]!;
    }
  }
  return out;
}

/** The h rows of a w-wide image (3 channels, bytes) reduced to n by lanczos3, `rest` rows an output row. */
function lanczosRows(src: Float64Array, w: number, h: number, n: number, rest: number, extra: number): Float64Array {
  const stride = w * 3;
  const offset = (1 + extra) / 2 - 1;
  const points = 2 * Math.round(3 * rest) + 1;
  const weights = new Float64Array(points);
  const out = new Float64Array(n * stride);
  for (let i = 0; i < n; i++) {
    const Y = (i + 0.5) * rest - 0.5 - offset;
    const iy = Math.trunc(Y);
    // The sample's fraction of a row in 64ths, as libvips picks its precomputed mask.
    const phase = ((Math.trunc(Y * 128) & 127) + 1) >> 1;
    const half = phase / 64 + points / 2 - 1;
    let total = 0;
    for (let t = 0; t < points; t++) total += weights[t] = lanczos3((t - half) / rest);
    for (let t = 0; t < points; t++) weights[t] = Math.trunc((weights[t]! / total) * 4096);
    const first = iy - (Math.ceil(points / 2) - 1);
    const o = i * stride;
    for (let t = 0; t < points; t++) {
      const weight = weights[t]!;
      const row = Math.min(h - 1, Math.max(0, first + t)) * stride;
      for (let x = 0; x < stride; x++) out[o + x] = out[o + x]! + weight * src[row + x]!;
    }
    for (let x = 0; x < stride; x++) out[o + x] = Math.min(255, Math.max(0, (out[o + x]! + 2048) >> 12));
  }
  return out;
}

function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  return (3 * Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / 3)) / (Math.PI * Math.PI * x * x);
}

const labF = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);

/** Per cell: edges (Laplacian of Y, x5, absolute) + skin likeness + Lab a*, the last two only where Y > 5. */
function interestMap(rgb: Float64Array, n: number): Float64Array {
  const X = new Float64Array(n * n);
  const Y = new Float64Array(n * n);
  const Z = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    const r = srgbToLinear(rgb[i * 3]! / 255) * 100;
    const g = srgbToLinear(rgb[i * 3 + 1]! / 255) * 100;
    const b = srgbToLinear(rgb[i * 3 + 2]! / 255) * 100;
    X[i] = 0.4124 * r + 0.3576 * g + 0.1805 * b;
    Y[i] = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    Z[i] = 0.0193 * r + 0.1192 * g + 0.9505 * b;
  }
  const at = (x: number, y: number) => Y[Math.min(n - 1, Math.max(0, y)) * n + Math.min(n - 1, Math.max(0, x))]!;
  const score = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      const edge = Math.abs(5 * (4 * Y[i]! - at(x - 1, y) - at(x + 1, y) - at(x, y - 1) - at(x, y + 1)));
      let skin = 0;
      let red = 0;
      if (Y[i]! > 5) {
        const len = Math.hypot(X[i]!, Y[i]!, Z[i]!);
        skin = 100 - 100 * Math.hypot(X[i]! / len - SKIN[0], Y[i]! / len - SKIN[1], Z[i]! / len - SKIN[2]);
        red = 500 * (labF(X[i]! / D65[0]) - labF(Y[i]! / D65[1]));
      }
      score[i] = edge + skin + red;
    }
  }
  return score;
}

/**
 * A separable Gaussian blur, edges extended, as libvips' gaussblur makes it at its default
 * integer precision (libvips/create/gaussmat.c, v8.17.3): the mask runs out where exp(-x^2 /
 * 2 sigma^2) falls below 0.2, each weight is rint(20 * that), and they are divided by their sum.
 */
function gaussBlur(src: Float64Array, n: number, sigma: number): Float64Array {
  const sig2 = 2 * sigma * sigma;
  let reach = 0;
  while (reach < 8 * sigma && Math.exp(-(reach * reach) / sig2) >= 0.2) reach++;
  const radius = Math.max(reach - 1, 0);
  const mask = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += mask[i + radius] = Math.round(20 * Math.exp(-(i * i) / sig2));
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! / total;
  const pass = (from: Float64Array, horizontal: boolean) => {
    const to = new Float64Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        let acc = 0;
        for (let i = -radius; i <= radius; i++) {
          const xx = horizontal ? Math.min(n - 1, Math.max(0, x + i)) : x;
          const yy = horizontal ? y : Math.min(n - 1, Math.max(0, y + i));
          acc += mask[i + radius]! * from[yy * n + xx]!;
        }
        to[y * n + x] = acc;
      }
    }
    return to;
  };
  return pass(pass(src, true), false);
}
