// The quantizer's nearest-ink search made cheap and kept exact. OKLab is a linear map of the cube
// roots of LMS, itself a linear map of linear RGB; the grid cuts LMS into cells, and each cell
// (worked out the first time a colour lands in it) lists the inks that can be nearest in OKLab to
// some colour inside it. Most colours land in a cell of one ink and need no cube root at all; the
// others compare their cell's inks at roots read from a table, and take the cube roots only when
// two inks are too close to call. Same answer as the full search (dither.ts), bit for bit.
import type { InkPalette } from './palette.js';

/** Cells a side, even in the cube roots: 128^3 bytes (2 MiB reserved; a photo touches a few hundred KiB of it). */
const SIDE = 128;
/** Steps a side in which an LMS value finds its cell and its cube root (a table read, not a cube root). */
const STEPS = 8192;

/** Palettes of more inks than a mask holds are searched in full. */
export const MAX_GRID_INKS = 31;

/**
 * A palette's grid over a box of linear RGB. `cells[i]`: 0 not worked out yet; k + 1 when only
 * ink k can be nearest anywhere in the cell; -j when the inks of `lists[j]` can.
 */
export interface InkGrid {
  /** The linear RGB box it serves: a colour outside must be searched in full. */
  rgbLo: Float64Array;
  rgbHi: Float64Array;
  /** Per LMS channel: its low end, and steps per unit. */
  lo: Float64Array;
  step: Float64Array;
  /** Per LMS channel, per step: the step's cell coordinate, pre-multiplied into a cell index. */
  toCell: [Int32Array, Int32Array, Int32Array];
  /**
   * Per LMS channel, per step, two numbers: the middle of the step's cube roots, and how far any
   * difference of two inks' distances can move over the step's roots (half their spread times
   * the most that difference changes with that root).
   */
  roots: [Float64Array, Float64Array, Float64Array];
  /** Per LMS channel, per cell coordinate: the least and the most cube root of its steps. */
  rootLo: [Float64Array, Float64Array, Float64Array];
  rootHi: [Float64Array, Float64Array, Float64Array];
  cells: Int8Array;
  /** The ink sets of cells of more than one ink: as masks (bit k: ink k) and as lists; [0] unused. */
  masks: number[];
  lists: Uint8Array[];
  /** The palette's OKLab, as the full search reads it. */
  oklab: Float32Array;
  size: number;
  /** Per ordered pair (k, j), k * size + j: d_k - d_j = w . (l', m', s') + c (see workOutCell). */
  pairW: Float64Array;
  pairC: Float64Array;
}

// Ottosson's OKLab from the LMS cube roots (M2): the constants of the full search, so each sum
// here is that search's sum. (M1, linear RGB to LMS, is written out where it is used.)
const M2 = [
  [0.2104542553, 0.793617785, -0.0040720468],
  [1.9779984951, -2.428592205, 0.4505937099],
  [0.0259040371, 0.7827717662, -0.808675766],
] as const;

// Slack for rounding: a colour's step, its cube roots and its distances are float sums (relative
// error ~1e-16); roots are widened by ROOT_SLACK, and an ink is left out (or called nearest) only
// by a margin of DIST_SLACK, far more than those sums can be off by.
const ROOT_SLACK = 1e-9;
const DIST_SLACK = 1e-9;

/** LMS of a linear colour, each channel summed as the full search sums it. */
function lms(r: number, g: number, b: number): [number, number, number] {
  return [
    0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
    0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
    0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b,
  ];
}

/**
 * An empty grid for colours in the linear RGB box lo..hi (per channel). Every row of M1 is
 * positive, so LMS over the box runs from its low corner's to its high corner's.
 */
export function inkGrid(p: InkPalette, lo: ArrayLike<number>, hi: ArrayLike<number>): InkGrid {
  if (p.size > MAX_GRID_INKS) throw new RangeError(`an ink grid holds at most ${MAX_GRID_INKS} inks, not ${p.size}`);
  // d_k - d_j = |X - K|^2 - |X - J|^2 = 2 X.(J - K) + |K|^2 - |J|^2, and X = M2 u: linear in the
  // roots u, with weights w = 2 M2^T (J - K).
  const n = p.size;
  const lab = p.oklab;
  const pairW = new Float64Array(n * n * 3);
  const pairC = new Float64Array(n * n);
  const slope = new Float64Array(3);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      let kk = 0;
      let jj = 0;
      for (let t = 0; t < 3; t++) {
        kk += lab[k * 3 + t]! * lab[k * 3 + t]!;
        jj += lab[j * 3 + t]! * lab[j * 3 + t]!;
      }
      pairC[k * n + j] = kk - jj;
      for (let i = 0; i < 3; i++) {
        let w = 0;
        for (let t = 0; t < 3; t++) w += 2 * M2[t]![i]! * (lab[j * 3 + t]! - lab[k * 3 + t]!);
        pairW[(k * n + j) * 3 + i] = w;
        slope[i] = Math.max(slope[i]!, Math.abs(w));
      }
    }
  }

  const low = lms(lo[0]!, lo[1]!, lo[2]!);
  const high = lms(hi[0]!, hi[1]!, hi[2]!);
  const gridLo = new Float64Array(3);
  const step = new Float64Array(3);
  const toCell: Int32Array[] = [];
  const roots: Float64Array[] = [];
  const rootLo: Float64Array[] = [];
  const rootHi: Float64Array[] = [];
  for (let c = 0; c < 3; c++) {
    // A little wider than the box: a colour on its edge still lands in a step.
    const span = high[c]! - low[c]!;
    const a = low[c]! - span * 1e-6;
    const z = high[c]! + span * 1e-6;
    gridLo[c] = a;
    step[c] = STEPS / (z - a);
    // Cells even in the cube root, where OKLab is linear: fine near black, where the root is steep.
    const ua = Math.cbrt(a);
    const du = (Math.cbrt(z) - ua) / SIDE;
    const mult = c === 0 ? SIDE * SIDE : c === 1 ? SIDE : 1;
    const map = new Int32Array(STEPS + 1);
    const root = new Float64Array((STEPS + 1) * 2);
    const rl = new Float64Array(SIDE).fill(Infinity);
    const rh = new Float64Array(SIDE).fill(-Infinity);
    for (let i = 0; i <= STEPS; i++) {
      const u0 = Math.cbrt(a + i / step[c]!);
      const u1 = Math.cbrt(a + (i + 1) / step[c]!);
      const cell = Math.min(SIDE - 1, Math.max(0, Math.floor(((u0 + u1) / 2 - ua) / du)));
      map[i] = cell * mult;
      root[2 * i] = (u0 + u1) / 2;
      root[2 * i + 1] = slope[c]! * ((u1 - u0) / 2 + ROOT_SLACK);
      rl[cell] = Math.min(rl[cell]!, u0);
      rh[cell] = Math.max(rh[cell]!, u1);
    }
    toCell.push(map);
    roots.push(root);
    rootLo.push(rl);
    rootHi.push(rh);
  }
  return {
    rgbLo: Float64Array.from(lo),
    rgbHi: Float64Array.from(hi),
    lo: gridLo,
    step,
    toCell: toCell as InkGrid['toCell'],
    roots: roots as InkGrid['roots'],
    rootLo: rootLo as InkGrid['rootLo'],
    rootHi: rootHi as InkGrid['rootHi'],
    cells: new Int8Array(SIDE * SIDE * SIDE),
    masks: [0],
    lists: [ALL_INKS],
    oklab: p.oklab,
    size: n,
    pairW,
    pairC,
  };
}

/** True when every colour the tone table gives (a quantizer's input before error) is in the grid's box. */
export function gridCoversTone(grid: InkGrid, tone: Float32Array): boolean {
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      const t = tone[c * 256 + v]!;
      if (!(t >= grid.rgbLo[c]! && t <= grid.rgbHi[c]!)) return false;
    }
  }
  return true;
}

/** The ink nearest (OKLab) to a linear colour inside the grid's box: the full search's answer. */
export function nearestInGrid(grid: InkGrid, r: number, g: number, b: number): number {
  const l = 0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b;
  const m = 0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b;
  const s = 0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b;
  const { lo, step, toCell } = grid;
  const il = ((l - lo[0]!) * step[0]!) | 0;
  const im = ((m - lo[1]!) * step[1]!) | 0;
  const is = ((s - lo[2]!) * step[2]!) | 0;
  const cell = toCell[0][il]! + toCell[1][im]! + toCell[2][is]!;
  let v = grid.cells[cell]!;
  if (v === 0) v = workOutCell(grid, cell);
  if (v > 0) return v - 1;
  const inks = grid.lists[-v]!;
  const k = nearestByStep(grid, inks, il, im, is);
  return k >= 0 ? k : nearestOfInks(grid.oklab, inks, inks.length, l, m, s);
}

/** Ink positions 0..255, in order: the list of a full search. */
export const ALL_INKS = Uint8Array.from({ length: 256 }, (_, k) => k);

/**
 * Among `inks`, the nearest to a colour known by its steps: its cube roots are each within half a
 * step's spread of the step's middle, so every difference of two distances is within `reach` of
 * its value at the middles. -1 when the two nearest inks are closer than that.
 */
function nearestByStep(grid: InkGrid, inks: Uint8Array, il: number, im: number, is: number): number {
  const { roots } = grid;
  const reach = roots[0][2 * il + 1]! + roots[1][2 * im + 1]! + roots[2][2 * is + 1]! + DIST_SLACK;
  const k = closestInk(grid.oklab, inks, inks.length, roots[0][2 * il]!, roots[1][2 * im]!, roots[2][2 * is]!);
  return closest.gap > reach ? k : -1;
}

/**
 * The full search of the quantizer (dither.ts), over the first `count` of `inks`: OKLab of the
 * colour from its LMS sums (cube roots, then Ottosson's M2), the nearest ink, the first of equals.
 * Over a cell's inks in the same order it gives the full search's answer: the others are
 * farther everywhere in the cell.
 */
export function nearestOfInks(
  lab: Float32Array,
  inks: Uint8Array,
  count: number,
  l: number,
  m: number,
  s: number,
): number {
  return closestInk(lab, inks, count, Math.cbrt(l), Math.cbrt(m), Math.cbrt(s));
}

/** What closestInk found besides the ink: how much farther the runner-up is. */
const closest = { gap: 0 };

/** The nearest of `inks` to the colour of cube roots (l, m, s); `closest.gap` says by how much. */
function closestInk(lab: Float32Array, inks: Uint8Array, count: number, l: number, m: number, s: number): number {
  const L = 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s;
  const A = 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s;
  const B = 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s;
  let best = 0;
  let bestD = Infinity;
  let nextD = Infinity;
  for (let t = 0; t < count; t++) {
    const k = inks[t]!;
    const o = k * 3;
    const dL = L - lab[o]!;
    const dA = A - lab[o + 1]!;
    const dB = B - lab[o + 2]!;
    const d = dL * dL + dA * dA + dB * dB;
    if (d < bestD) {
      nextD = bestD;
      bestD = d;
      best = k;
    } else if (d < nextD) nextD = d;
  }
  closest.gap = nextD - bestD;
  return best;
}

/**
 * Which inks can be nearest somewhere in the cell. In the cube roots u = (l', m', s') the cell is
 * a box, and d_k - d_j is linear in u: its least value over the box is at the corner each
 * weight's sign picks. Ink k is left out when some ink j is nearer everywhere in the box.
 */
function workOutCell(grid: InkGrid, cell: number): number {
  const x = Math.floor(cell / (SIDE * SIDE));
  const y = Math.floor(cell / SIDE) % SIDE;
  const z = cell % SIDE;
  const { rootLo, rootHi, size: n, pairW, pairC, masks } = grid;
  const lo0 = rootLo[0][x]! - ROOT_SLACK;
  const hi0 = rootHi[0][x]! + ROOT_SLACK;
  const lo1 = rootLo[1][y]! - ROOT_SLACK;
  const hi1 = rootHi[1][y]! + ROOT_SLACK;
  const lo2 = rootLo[2][z]! - ROOT_SLACK;
  const hi2 = rootHi[2][z]! + ROOT_SLACK;
  let mask = 0;
  let count = 0;
  let only = 0;
  for (let k = 0; k < n; k++) {
    let beaten = false;
    for (let j = 0; j < n && !beaten; j++) {
      if (j === k) continue;
      const o = (k * n + j) * 3;
      const w0 = pairW[o]!;
      const w1 = pairW[o + 1]!;
      const w2 = pairW[o + 2]!;
      const least =
        pairC[k * n + j]! +
        (w0 > 0 ? w0 * lo0 : w0 * hi0) +
        (w1 > 0 ? w1 * lo1 : w1 * hi1) +
        (w2 > 0 ? w2 * lo2 : w2 * hi2);
      beaten = least > DIST_SLACK;
    }
    if (!beaten) {
      mask |= 1 << k;
      count++;
      only = k;
    }
  }
  let v: number;
  if (count === 1) v = only + 1;
  else {
    // A cell byte names at most 128 ink sets; past that a set is widened to every ink (still exact).
    const all = n === 31 ? 0x7fffffff : (1 << n) - 1;
    if (masks.indexOf(mask, 1) < 0 && masks.length >= 128) mask = all;
    let j = masks.indexOf(mask, 1);
    if (j < 0) {
      j = masks.push(mask) - 1;
      grid.lists.push(ALL_INKS.filter((k) => k < n && (mask & (1 << k)) !== 0));
    }
    v = -j;
  }
  grid.cells[cell] = v;
  return v;
}
