// Gamut mapping: brings a photo's colours inside what the inks can mix (the convex hull of the
// inks in linear light) before dithering. Error diffusion only gets the average right for
// colours the inks can reach; a colour outside (a light sky blue, when the blue ink is dark)
// piles up error the inks cannot pay back, and its area comes out in the wrong hue.
import { linearToOklab, linearToSrgb, oklabToLinear, srgbToLinear } from './colour.js';
import type { RgbImage } from './dither.js';
import { paperInks } from './palette.js';
import type { InkPalette, ToneMap } from './palette.js';

/** Grid points a channel of the mapping table: 17 is enough for a mapping this smooth. */
const GRID = 17;

/**
 * The faces of the inks' convex hull as planes [nx, ny, nz, d], oriented so n.p + d >= 0
 * inside. Brute force over triples: a palette has at most a handful of inks. Empty when the inks
 * do not span a volume (a black and white panel).
 */
export function hullPlanes(p: InkPalette): Float64Array {
  const pts = p.linear;
  const n = p.size;
  const planes: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = j + 1; k < n; k++) {
        const ux = pts[j * 3]! - pts[i * 3]!,
          uy = pts[j * 3 + 1]! - pts[i * 3 + 1]!,
          uz = pts[j * 3 + 2]! - pts[i * 3 + 2]!;
        const vx = pts[k * 3]! - pts[i * 3]!,
          vy = pts[k * 3 + 1]! - pts[i * 3 + 1]!,
          vz = pts[k * 3 + 2]! - pts[i * 3 + 2]!;
        let nx = uy * vz - uz * vy;
        let ny = uz * vx - ux * vz;
        let nz = ux * vy - uy * vx;
        const len = Math.hypot(nx, ny, nz);
        if (len < 1e-12) continue;
        nx /= len;
        ny /= len;
        nz /= len;
        let d = -(nx * pts[i * 3]! + ny * pts[i * 3 + 1]! + nz * pts[i * 3 + 2]!);
        let above = 0;
        let below = 0;
        for (let m = 0; m < n; m++) {
          const s = nx * pts[m * 3]! + ny * pts[m * 3 + 1]! + nz * pts[m * 3 + 2]! + d;
          if (s > 1e-9) above++;
          else if (s < -1e-9) below++;
        }
        if (above > 0 && below > 0) continue;
        if (above === 0 && below === 0) continue; // all inks on one plane: no volume here
        if (below > 0) {
          nx = -nx;
          ny = -ny;
          nz = -nz;
          d = -d;
        }
        planes.push(nx, ny, nz, d);
      }
    }
  }
  return Float64Array.from(planes);
}

function inside(planes: Float64Array, r: number, g: number, b: number): boolean {
  for (let i = 0; i < planes.length; i += 4) {
    if (planes[i]! * r + planes[i + 1]! * g + planes[i + 2]! * b + planes[i + 3]! < -1e-7) return false;
  }
  return true;
}

/**
 * The mapping of one colour (linear light, already toned) into the hull: keep its OKLab
 * lightness (within the paper's black..white) and hue, give up chroma until the inks can mix it.
 * Chroma shrinks towards the point of the black-white ink line with that lightness.
 */
const scratch = {
  lab: new Float64Array(3),
  grey: new Float64Array(3),
  greyLab: new Float64Array(3),
  cand: new Float64Array(3),
};

function mapIntoHull(
  planes: Float64Array,
  black: readonly number[],
  white: readonly number[],
  lBlack: number,
  lWhite: number,
  rgb: Float64Array,
): void {
  if (inside(planes, rgb[0]!, rgb[1]!, rgb[2]!)) return;
  const { lab, grey, greyLab, cand } = scratch;
  linearToOklab(rgb[0]!, rgb[1]!, rgb[2]!, lab);
  const L = Math.min(lWhite, Math.max(lBlack, lab[0]!));
  // The grey of the ink line at lightness L (lightness grows along the line). Shrinking towards
  // it keeps the colour's lightness: the quality bench tried pulling towards mid-grey instead,
  // which trades lightness for chroma, and every photo came out further from the original.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 20; i++) {
    const t = (lo + hi) / 2;
    for (let c = 0; c < 3; c++) grey[c] = black[c]! + t * (white[c]! - black[c]!);
    linearToOklab(grey[0]!, grey[1]!, grey[2]!, greyLab);
    if (greyLab[0]! < L) lo = t;
    else hi = t;
  }
  // The largest share of the colour's chroma that the inks can still mix.
  let keep = 0;
  let drop = 1;
  for (let i = 0; i < 14; i++) {
    const s = (keep + drop) / 2;
    oklabToLinear(
      greyLab[0]! + s * (L - greyLab[0]!),
      greyLab[1]! + s * (lab[1]! - greyLab[1]!),
      greyLab[2]! + s * (lab[2]! - greyLab[2]!),
      cand,
    );
    if (inside(planes, cand[0]!, cand[1]!, cand[2]!)) keep = s;
    else drop = s;
  }
  oklabToLinear(
    greyLab[0]! + keep * (L - greyLab[0]!),
    greyLab[1]! + keep * (lab[1]! - greyLab[1]!),
    greyLab[2]! + keep * (lab[2]! - greyLab[2]!),
    rgb,
  );
  if (!inside(planes, rgb[0]!, rgb[1]!, rgb[2]!)) rgb.set(grey);
}

/**
 * The table behind gamutMap: for a GRID^3 lattice of sRGB colours, the toned, hull-mapped colour
 * in linear light. Null when the inks span no volume (black and white panels need no mapping).
 */
export function gamutTable(p: InkPalette, tone: ToneMap): Float32Array | null {
  const planes = hullPlanes(p);
  if (planes.length === 0) return null;
  const { black, white } = paperInks(p);
  const bl = [0, 1, 2].map((c) => (tone === 'paper' ? p.linear[black * 3 + c]! : 0));
  const wh = [0, 1, 2].map((c) => (tone === 'paper' ? p.linear[white * 3 + c]! : 1));
  const lBlack = p.oklab[black * 3]!;
  const lWhite = p.oklab[white * 3]!;
  const table = new Float32Array(GRID * GRID * GRID * 3);
  const rgb = new Float64Array(3);
  const level = (i: number) => srgbToLinear(i / (GRID - 1));
  for (let ri = 0; ri < GRID; ri++) {
    for (let gi = 0; gi < GRID; gi++) {
      for (let bi = 0; bi < GRID; bi++) {
        rgb[0] = bl[0]! + level(ri) * (wh[0]! - bl[0]!);
        rgb[1] = bl[1]! + level(gi) * (wh[1]! - bl[1]!);
        rgb[2] = bl[2]! + level(bi) * (wh[2]! - bl[2]!);
        mapIntoHull(planes, bl, wh, lBlack, lWhite, rgb);
        table.set(rgb, ((ri * GRID + gi) * GRID + bi) * 3);
      }
    }
  }
  return table;
}

/** linear light 0..1 in 4096 steps to an sRGB byte. */
const LINEAR_TO_SRGB_BYTE: Uint8Array = (() => {
  const t = new Uint8Array(4097);
  for (let i = 0; i <= 4096; i++) t[i] = Math.round(linearToSrgb(i / 4096) * 255);
  return t;
})();

/**
 * The photo with every colour toned and brought inside the inks' hull, as sRGB bytes (dither it
 * with the plain `none` tone table). Trilinear in the table; a pixel exactly on a lattice point
 * (black, white) gets the lattice value itself, so bare-ink whites stay bare ink.
 */
export function gamutMap(image: RgbImage, table: Float32Array): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) gamutMapRow(data, y * width * 3, width, table, out, y * width * 3);
  return { width, height, data: out };
}

/**
 * gamutMap of `width` pixels of `data` from byte `from`, written to `out` from byte `at`: the
 * quantizer maps a row at a time just before it dithers it, so no photo-sized copy is made.
 */
export function gamutMapRow(
  data: Uint8Array,
  from: number,
  width: number,
  table: Float32Array,
  out: Uint8Array,
  at: number,
): void {
  const { base, frac } = LATTICE;
  // Offsets of the 8 lattice corners around a point, from its lowest corner.
  const dB = 3;
  const dG = GRID * 3;
  const dR = GRID * GRID * 3;
  const toByte = LINEAR_TO_SRGB_BYTE;
  for (let i = 0, n = width * 3; i < n; i += 3) {
    const q = from + i;
    const vr = data[q]!;
    const vg = data[q + 1]!;
    const vb = data[q + 2]!;
    const tr = frac[vr]!;
    const tg = frac[vg]!;
    const tb = frac[vb]!;
    const o0 = base[vr]! * dR + base[vg]! * dG + base[vb]! * dB;
    // The three channels written out: the same sums, in the same order, as one loop over c.
    out[at + i] = toByte[lerp8(table, o0, dR, dG, dB, tr, tg, tb)]!;
    out[at + i + 1] = toByte[lerp8(table, o0 + 1, dR, dG, dB, tr, tg, tb)]!;
    out[at + i + 2] = toByte[lerp8(table, o0 + 2, dR, dG, dB, tr, tg, tb)]!;
  }
}

/** Per sRGB byte: the lattice cell below it and how far into the cell it is (the trilinear weights). */
const LATTICE = (() => {
  const base = new Int32Array(256);
  const frac = new Float64Array(256);
  const scale = (GRID - 1) / 255;
  for (let v = 0; v < 256; v++) {
    const f = v * scale;
    const i = f >= GRID - 1 ? GRID - 2 : f | 0;
    base[v] = i;
    frac[v] = f - i;
  }
  return { base, frac };
})();

/** Trilinear in the table from corner `o`, as an index into LINEAR_TO_SRGB_BYTE. */
function lerp8(
  table: Float32Array,
  o: number,
  dR: number,
  dG: number,
  dB: number,
  tr: number,
  tg: number,
  tb: number,
): number {
  const a0 = table[o]!;
  const a1 = table[o + dB]!;
  const b0 = table[o + dG]!;
  const b1 = table[o + dG + dB]!;
  const c0 = table[o + dR]!;
  const c1 = table[o + dR + dB]!;
  const d0 = table[o + dR + dG]!;
  const d1 = table[o + dR + dG + dB]!;
  const lowR = a0 + (a1 - a0) * tb + (b0 + (b1 - b0) * tb - a0 - (a1 - a0) * tb) * tg;
  const highR = c0 + (c1 - c0) * tb + (d0 + (d1 - d0) * tb - c0 - (c1 - c0) * tb) * tg;
  const v = lowR + (highR - lowR) * tr;
  return v <= 0 ? 0 : v >= 1 ? 4096 : (v * 4096 + 0.5) | 0;
}
