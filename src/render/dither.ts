// The fixed-palette quantizer: turns an sRGB raster into one controller colour index a pixel,
// by error diffusion (serpentine), ordered (Bayer) dithering, or plain nearest ink. Pure: typed
// arrays in, typed arrays out, nothing allocated per pixel.
import { ALL_INKS, MAX_GRID_INKS, gridCoversTone, inkGrid, nearestInGrid, nearestOfInks } from './ink-grid.js';
import type { InkGrid } from './ink-grid.js';
import { gamutMapRow } from './gamut.js';
import { BAYER_SIZES, DIFFUSION_KERNELS, bayerMatrix } from './kernels.js';
import type { DitherAlgorithm } from './kernels.js';
import { toneTable } from './palette.js';
import type { InkPalette } from './palette.js';

export { DITHER_ALGORITHMS, type DitherAlgorithm } from './kernels.js';

/** Interleaved 8-bit sRGB, 3 bytes a pixel, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface DitherOptions {
  /** Alternate the scan direction every row (error diffusion only); default true. */
  serpentine?: boolean;
  /** Decode table from toneTable(); default the plain sRGB decode (`none`). */
  tone?: Float32Array;
  /**
   * The nearest-ink grid of these very inks (ditherGrid(palette)), kept by a caller that
   * quantizes often; null for the full search. Default: a fresh one (it fills in as it goes) for
   * a frame-sized image, the full search for a small one, which would not pay for its tables.
   */
  grid?: InkGrid | null;
  /**
   * A gamut table (gamut.ts gamutTable) to bring each colour inside the inks' hull first, as
   * gamutMap would (then `tone` is the plain `none` table): a row at a time, just before the row
   * is dithered, so the photo is not copied whole (1.1 MB at 800x480).
   */
  gamut?: Float32Array | null;
}

/**
 * Quantize `image` to the inks of `palette`; returns the controller index of the chosen ink for
 * every pixel (row-major). Error diffusion works in linear light (what the eye averages over
 * neighbouring dots) and picks the ink nearest in OKLab (what the eye judges as close).
 */
export function ditherToPalette(
  image: RgbImage,
  palette: InkPalette,
  algorithm: DitherAlgorithm,
  options: DitherOptions = {},
): Uint8Array {
  const { width, height, data } = image;
  if (data.length < width * height * 3) {
    throw new RangeError(`image data holds ${data.length} bytes, ${width}x${height} RGB needs ${width * height * 3}`);
  }
  const tone = options.tone ?? toneTable(palette, 'none');
  const out = new Uint8Array(width * height);
  const grid =
    options.grid !== undefined ? options.grid : width * height >= FRESH_GRID_PIXELS ? ditherGrid(palette) : null;
  // Every colour searched is a tone table entry (clamped into the ink box after error): a table
  // reaching outside the grid (none of toneTable's does) is searched in full.
  const usable = grid && gridCoversTone(grid, tone) ? grid : null;
  const rows = new RowReader(image, options.gamut ?? null);
  if (algorithm === 'none') {
    nearestOnly(rows, palette, tone, usable, out);
  } else if (algorithm === 'bayer-4' || algorithm === 'bayer-8') {
    ordered(rows, palette, tone, BAYER_SIZES[algorithm], usable, out);
  } else {
    const kernel = DIFFUSION_KERNELS[algorithm];
    if (!kernel) throw new RangeError(`unknown dither algorithm "${String(algorithm)}"`);
    diffuse(rows, palette, tone, kernel, options.serpentine ?? true, usable, out);
  }
  return out;
}

/**
 * The photo's rows as the quantizer reads them: `row(y)` is where row y starts in `data`, which
 * is the photo's own bytes, or with a gamut table one scratch row it has just been mapped into.
 */
class RowReader {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  private readonly image: Uint8Array;
  private readonly gamut: Float32Array | null;
  constructor(image: RgbImage, gamut: Float32Array | null) {
    this.width = image.width;
    this.height = image.height;
    this.image = image.data;
    this.gamut = gamut;
    this.data = gamut ? new Uint8Array(image.width * 3) : image.data;
  }
  row(y: number): number {
    if (!this.gamut) return y * this.width * 3;
    gamutMapRow(this.image, y * this.width * 3, this.width, this.gamut, this.data, 0);
    return 0;
  }
}

/**
 * The nearest-ink grid of a palette for ditherToPalette: over the ink box (where error diffusion
 * clamps its colours) and all of 0..1 (what the tone tables give). Null for a palette too big
 * for one (searched in full).
 */
export function ditherGrid(palette: InkPalette): InkGrid | null {
  if (palette.size > MAX_GRID_INKS) return null;
  const box = inkBox(palette);
  return inkGrid(
    palette,
    [0, 1, 2].map((c) => Math.min(0, box[c]!)),
    [0, 1, 2].map((c) => Math.max(1, box[3 + c]!)),
  );
}

const CLAMP_MARGIN = 0.5;
/** From this many pixels a fresh grid (~3 ms of tables) pays for itself. */
const FRESH_GRID_PIXELS = 100_000;

/** The ink of `palette` nearest in OKLab to a linear-light colour (for tests and tools). */
export function nearestInk(palette: InkPalette, r: number, g: number, b: number): number {
  return nearestOklab(palette.oklab, palette.size, r, g, b);
}

// The nearest palette entry in OKLab to (r, g, b) linear: every ink searched, in order.
function nearestOklab(lab: Float32Array, n: number, r: number, g: number, b: number): number {
  return nearestOfInks(
    lab,
    ALL_INKS,
    n,
    0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
    0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
    0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b,
  );
}

/**
 * Per-channel bounds in linear light that wanted colours are clamped into: the inks' own range,
 * widened by MARGIN of it on each side. Clamping to the bare range would throw away error that
 * the inks can pay back (a flat grey would come out a few percent off); no clamp at all lets
 * error that no ink can pay back (a blue bluer than the blue ink) pile up and streak.
 */
function inkBox(p: InkPalette): Float32Array {
  const box = new Float32Array([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]);
  for (let k = 0; k < p.size; k++) {
    for (let c = 0; c < 3; c++) {
      const v = p.linear[k * 3 + c]!;
      if (v < box[c]!) box[c] = v;
      if (v > box[3 + c]!) box[3 + c] = v;
    }
  }
  for (let c = 0; c < 3; c++) {
    const span = box[3 + c]! - box[c]!;
    box[c] = box[c]! - CLAMP_MARGIN * span;
    box[3 + c] = box[3 + c]! + CLAMP_MARGIN * span;
  }
  return box;
}

function nearestOnly(rows: RowReader, p: InkPalette, tone: Float32Array, grid: InkGrid | null, out: Uint8Array): void {
  const { width: w, height: h, data } = rows;
  for (let y = 0; y < h; y++) {
    for (let x = 0, q = rows.row(y); x < w; x++, q += 3) {
      const r = tone[data[q]!]!;
      const g = tone[256 + data[q + 1]!]!;
      const b = tone[512 + data[q + 2]!]!;
      const k = grid ? nearestInGrid(grid, r, g, b) : nearestOklab(p.oklab, p.size, r, g, b);
      out[y * w + x] = p.index[k]!;
    }
  }
}

function diffuse(
  rows: RowReader,
  p: InkPalette,
  tone: Float32Array,
  kernel: { taps: readonly (readonly [number, number, number])[]; divisor: number },
  serpentine: boolean,
  grid: InkGrid | null,
  out: Uint8Array,
): void {
  const { width: w, height: h, data } = rows;
  const nTaps = kernel.taps.length;
  const tdx = new Int32Array(nTaps);
  const tdy = new Int32Array(nTaps);
  const tw = new Float32Array(nTaps);
  // Plain loops, not closures: a variable a closure writes lives in a heap context, and the hot
  // loop below would reload it for every pixel.
  let pad = 0;
  let ring = 1;
  for (let j = 0; j < nTaps; j++) {
    const [dx, dy, weight] = kernel.taps[j]!;
    tdx[j] = dx;
    tdy[j] = dy;
    tw[j] = weight / kernel.divisor;
    if (Math.abs(dx) > pad) pad = Math.abs(dx);
    if (dy + 1 > ring) ring = dy + 1;
  }
  // A ring of `ring` error rows, padded on both sides so taps past the edge need no test; the
  // error that falls off the picture is dropped, as in the published methods.
  const stride = (w + 2 * pad) * 3;
  const err = new Float32Array(ring * stride);
  // Where each tap lands relative to the current pixel's cell, for the row being scanned.
  const off = new Int32Array(nTaps);
  const box = inkBox(p);
  const loR = box[0]!,
    loG = box[1]!,
    loB = box[2]!,
    hiR = box[3]!,
    hiG = box[4]!,
    hiB = box[5]!;
  const { oklab, linear, index, size } = p;
  // A kernel of four taps (Floyd-Steinberg, the default) is written out below: ~2 ms of its ~23.
  const fs = nTaps === 4;
  const w0 = tw[0]!;
  const w1 = tw[1]!;
  const w2 = tw[2]!;
  const w3 = tw[3]!;

  for (let y = 0; y < h; y++) {
    const rtl = serpentine && (y & 1) === 1;
    const rowOff = (y % ring) * stride;
    const row = rows.row(y);
    for (let j = 0; j < nTaps; j++) off[j] = ((y + tdy[j]!) % ring) * stride + (rtl ? -tdx[j]! : tdx[j]!) * 3;
    const off0 = off[0]!;
    const off1 = off[1]!;
    const off2 = off[2]!;
    const off3 = off[3]!;
    for (let i = 0; i < w; i++) {
      const x = rtl ? w - 1 - i : i;
      const q = row + x * 3;
      const cell = (x + pad) * 3;
      const e = rowOff + cell;
      // Clamping the wanted colour to near what the inks can reach stops error that no ink can
      // pay back from piling up and bleeding across the picture as streaks.
      let r = tone[data[q]!]! + err[e]!;
      let g = tone[256 + data[q + 1]!]! + err[e + 1]!;
      let b = tone[512 + data[q + 2]!]! + err[e + 2]!;
      err[e] = 0;
      err[e + 1] = 0;
      err[e + 2] = 0;
      r = r < loR ? loR : r > hiR ? hiR : r;
      g = g < loG ? loG : g > hiG ? hiG : g;
      b = b < loB ? loB : b > hiB ? hiB : b;
      const k = grid ? nearestInGrid(grid, r, g, b) : nearestOklab(oklab, size, r, g, b);
      out[y * w + x] = index[k]!;
      const er = r - linear[k * 3]!;
      const eg = g - linear[k * 3 + 1]!;
      const eb = b - linear[k * 3 + 2]!;
      if (er === 0 && eg === 0 && eb === 0) continue;
      if (fs) {
        // The same sums into the same cells as the loop over taps.
        const t0 = off0 + cell;
        const t1 = off1 + cell;
        const t2 = off2 + cell;
        const t3 = off3 + cell;
        err[t0] = err[t0]! + er * w0;
        err[t0 + 1] = err[t0 + 1]! + eg * w0;
        err[t0 + 2] = err[t0 + 2]! + eb * w0;
        err[t1] = err[t1]! + er * w1;
        err[t1 + 1] = err[t1 + 1]! + eg * w1;
        err[t1 + 2] = err[t1 + 2]! + eb * w1;
        err[t2] = err[t2]! + er * w2;
        err[t2 + 1] = err[t2 + 1]! + eg * w2;
        err[t2 + 2] = err[t2 + 2]! + eb * w2;
        err[t3] = err[t3]! + er * w3;
        err[t3 + 1] = err[t3 + 1]! + eg * w3;
        err[t3 + 2] = err[t3 + 2]! + eb * w3;
        continue;
      }
      for (let j = 0; j < nTaps; j++) {
        const t = off[j]! + cell;
        const wj = tw[j]!;
        err[t] = err[t]! + er * wj;
        err[t + 1] = err[t + 1]! + eg * wj;
        err[t + 2] = err[t + 2]! + eb * wj;
      }
    }
  }
}

/**
 * Ordered dithering between two inks. Each pixel takes its nearest ink A (OKLab) and the ink B
 * whose mix with A comes closest to it; `f`, the share of B in that mix, is measured in linear
 * light, and the Bayer threshold at the pixel picks B when it falls below `f`. Linear light
 * because with no error feedback the average only comes out right when the mix is the one the
 * eye integrates; two inks because a pixel's neighbours must not depend on each other. A colour
 * that is an ink has f = 0 and stays bare ink.
 */
function ordered(
  rows: RowReader,
  p: InkPalette,
  tone: Float32Array,
  n: number,
  grid: InkGrid | null,
  out: Uint8Array,
): void {
  const { width: w, height: h, data } = rows;
  const matrix = bayerMatrix(n);
  const thresholds = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) thresholds[i] = (matrix[i]! + 0.5) / (n * n);
  const { oklab, linear, index, size } = p;
  for (let y = 0; y < h; y++) {
    const trow = (y % n) * n;
    const row = rows.row(y);
    for (let x = 0; x < w; x++) {
      const q = row + x * 3;
      const r = tone[data[q]!]!;
      const g = tone[256 + data[q + 1]!]!;
      const b = tone[512 + data[q + 2]!]!;
      const a = grid ? nearestInGrid(grid, r, g, b) : nearestOklab(oklab, size, r, g, b);
      const ar = linear[a * 3]!,
        ag = linear[a * 3 + 1]!,
        ab = linear[a * 3 + 2]!;
      const cr = r - ar,
        cg = g - ag,
        cb = b - ab;
      let mate = a;
      let share = 0;
      let bestD = cr * cr + cg * cg + cb * cb;
      for (let k = 0, o = 0; k < size; k++, o += 3) {
        if (k === a) continue;
        const dr = linear[o]! - ar,
          dg = linear[o + 1]! - ag,
          db = linear[o + 2]! - ab;
        const len = dr * dr + dg * dg + db * db;
        if (len === 0) continue;
        let f = (cr * dr + cg * dg + cb * db) / len;
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        const er = cr - f * dr,
          eg = cg - f * dg,
          eb = cb - f * db;
        const d = er * er + eg * eg + eb * eb;
        if (d < bestD) {
          bestD = d;
          mate = k;
          share = f;
        }
      }
      out[y * w + x] = index[thresholds[trow + (x % n)]! < share ? mate : a]!;
    }
  }
}
