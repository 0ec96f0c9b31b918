// From a photo of the calibration swatch to the inks of this very panel, or a refusal with the
// reason. The markers fix the perspective; the white ink around the patches maps the light over
// the glass (a gradient, a colour cast), so each patch is read relative to the white ink next to
// it; the sheet of white paper in the photo says what that white ink is. Pure: bytes in, numbers out.
import type { PanelProfile, RGB } from '../../drivers/panels.js';
import { SRGB_TO_LINEAR, linearToOklab, linearToSrgb } from '../render/colour.js';
import type { RgbImage } from '../render/dither.js';
import type { Rotation } from '../render/options.js';
import { linearToLab } from './cielab.js';
import type { Lab } from './cielab.js';
import { homographyFrom, project } from './homography.js';
import type { Homography } from './homography.js';
import { darkMask, orderMarkers, pickFive, ringCandidates } from './markers.js';
import type { GreyImage } from './markers.js';
import { findPaper } from './paper.js';
import { bytePercentile, median, trimmedMean } from './sample-stats.js';
import { swatchLayout } from './swatch.js';
import type { Point, SwatchLayout } from './swatch.js';

/** Why a photo was refused: stable words a page or a script branches on. */
export const REFUSAL_REASONS = [
  'unreadable',
  'too-dark',
  'overexposed',
  'markers-not-found',
  'glare',
  'no-paper',
  'patches-out-of-order',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface Refusal {
  ok: false;
  reason: RefusalReason;
  /** One line for the person: what is wrong and what to do. */
  message: string;
}

export interface MeasuredInk {
  name: string;
  index: number;
  /** The ink as the render works with it: sRGB bytes, the paper's white being 255, 255, 255. */
  rgb: RGB;
  /** CIELAB (D65) of the same colour. */
  lab: Lab;
}

export interface SwatchReading {
  ok: true;
  panelId: string;
  inks: MeasuredInk[];
  /** Where the markers were found (photo pixels): top-left, top-right, bottom-right, bottom-left, the mark. */
  markers: Point[];
  /** The paper as photographed (sRGB bytes): how much light and which cast the photo had. */
  paper: RGB;
}

export type CalibrationResult = SwatchReading | Refusal;

const NO_PAPER =
  'no sheet of white paper beside the frame: hold one next to it in the same light, all of it in the picture';

const refuse = (reason: RefusalReason, message: string): Refusal => ({ ok: false, reason, message });

/** A sample's channels this bright (of 255) are clipped: the camera saw more light than it can say. */
const CLIPPED = 250;
/** Patches are read in their middle, away from edges that bleed in a photo: this share cut off each side. */
const PATCH_INSET = 0.2;
/** Samples a patch side. */
const GRID = 16;

/** Rec. 709 luma of sRGB bytes, for finding things (not for measuring them). */
export function lumaImage(photo: RgbImage): GreyImage {
  const { width, height, data } = photo;
  const out = new Uint8Array(width * height);
  for (let i = 0, q = 0; i < out.length; i++, q += 3)
    out[i] = Math.round(0.2126 * data[q]! + 0.7152 * data[q + 1]! + 0.0722 * data[q + 2]!);
  return { width, height, data: out };
}

/** Read the inks of `panel` from a photo of its swatch (drawn for the panel hung `rotate`). */
export function readSwatch(photo: RgbImage, panel: PanelProfile, rotate: Rotation = 0): CalibrationResult {
  const grey = lumaImage(photo);
  const top = bytePercentile(grey.data, 0.99);
  if (top < 60) {
    return refuse(
      'too-dark',
      `the photo is too dark to read (its brightest parts reach ${top} of 255): take it in daylight or with more light`,
    );
  }
  const candidates = ringCandidates(darkMask(grey), photo.width, photo.height);
  const five = pickFive(candidates);
  if (!five) {
    return refuse(
      'markers-not-found',
      `found ${Math.min(candidates.length, 4)} of the swatch's 5 ring markers: get the whole frame in the picture, nothing covering its corners`,
    );
  }
  const found = orderMarkers(five.map((c) => c.centre));
  const layout = swatchLayout(panel, rotate);
  const h = found && homographyFrom(layout.corners, found.corners);
  const size = Math.sqrt(five[2]!.filled);
  if (!found || !h || distance(project(h, layout.mark), found.mark) > 0.5 * size) {
    return refuse(
      'markers-not-found',
      "the ring markers found do not sit where the swatch's do: is the frame showing this panel's calibration swatch?",
    );
  }

  const light = lightField(photo, layout, h);
  if (light.stray > 0.08) {
    return refuse(
      'patches-out-of-order',
      `the patches are not where the ${panel.id}'s swatch${rotate ? ` hung at rotate ${rotate}` : ''} has them: is the frame showing this panel's swatch, and are panel and rotate right?`,
    );
  }
  const read = layout.patches.map((p) => readPatch(photo, p.rect, h, light.field));
  const paper = findPaper(photo, grey, swatchOutline(layout, h));
  if (!paper) return refuse('no-paper', NO_PAPER);
  if (paper.clipped > 0.1) {
    return refuse(
      'overexposed',
      'the paper is overexposed (pure white): tap the paper on the phone screen to expose for it',
    );
  }
  if (light.glare > 0.05 || light.clipped > 0.02) {
    return refuse('glare', 'glare on the glass: turn the frame or the phone so no light is reflected into the lens');
  }
  const glared = read.findIndex((r) => r.clipped > 0.02 || r.veiled > 0.1);
  if (glared >= 0) {
    return refuse(
      'glare',
      `glare on the ${layout.patches[glared]!.name} patch: turn the frame or the phone so no light is reflected into the lens`,
    );
  }
  // Paper is whiter than any ink: a brightest thing beside the frame that is not (a wall) is no paper.
  const there = evalField(light.field, paper.centre);
  const whiteInk = [0, 1, 2].map((c) => there[c]! / paper.linear[c]!);
  const lumOf = (v: ArrayLike<number>) => 0.2126 * v[0]! + 0.7152 * v[1]! + 0.0722 * v[2]!;
  const brightest = Math.max(...read.map((r) => lumOf(r.ratio.map((v, c) => v * whiteInk[c]!))));
  if (brightest > 1 / 1.02) return refuse('no-paper', NO_PAPER);
  const paperLuma = Math.round(255 * linearToSrgb(lumOf(paper.linear)));
  if (paperLuma < 70) {
    return refuse(
      'too-dark',
      `the paper reaches only ${paperLuma} of 255: take the photo in more light, or tap the paper to expose for it`,
    );
  }

  // Each ink against the paper: against the white ink in its own light, times the white ink
  // against the paper in the light where the paper lies (whiteInk, above).
  const inks = read.map((r, k): MeasuredInk => {
    const lin = r.ratio.map((v, c) => Math.min(1, Math.max(0, v * whiteInk[c]!))) as [number, number, number];
    return {
      name: layout.patches[k]!.name,
      index: layout.patches[k]!.index,
      rgb: lin.map((v) => Math.round(255 * linearToSrgb(v))) as unknown as RGB,
      lab: linearToLab(lin[0], lin[1], lin[2]).map((v) => Math.round(v * 100) / 100) as Lab,
    };
  });

  const order = misplacedPatch(
    read.map((r) => r.ratio),
    panel,
    layout,
  );
  if (order) return refuse('patches-out-of-order', order);

  const p = paper.linear.map((v) => Math.round(255 * linearToSrgb(v))) as unknown as RGB;
  return { ok: true, panelId: panel.id, inks, markers: [...found.corners, found.mark], paper: p };
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Linear light of the photo at (x, y), bilinear; `clipped` when the nearest pixel is clipped. */
function sample(photo: RgbImage, p: Point, out: Float64Array): boolean {
  const { width: w, height: h, data } = photo;
  const x = Math.min(w - 1.001, Math.max(0, p.x));
  const y = Math.min(h - 1.001, Math.max(0, p.y));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const i00 = (y0 * w + x0) * 3;
  const i10 = i00 + 3;
  const i01 = i00 + w * 3;
  const i11 = i01 + 3;
  for (let c = 0; c < 3; c++) {
    const top = SRGB_TO_LINEAR[data[i00 + c]!]! * (1 - fx) + SRGB_TO_LINEAR[data[i10 + c]!]! * fx;
    const bottom = SRGB_TO_LINEAR[data[i01 + c]!]! * (1 - fx) + SRGB_TO_LINEAR[data[i11 + c]!]! * fx;
    out[c] = top * (1 - fy) + bottom * fy;
  }
  const n = (Math.round(y) * w + Math.round(x)) * 3;
  return data[n]! >= CLIPPED || data[n + 1]! >= CLIPPED || data[n + 2]! >= CLIPPED;
}

/** The light over the photo, channel by channel: a + b x + c y (photo pixels), fitted to the white ink. */
type LightField = [Float64Array, Float64Array, Float64Array];

function evalField(field: LightField, p: Point): number[] {
  return field.map((f) => f[0]! + f[1]! * p.x + f[2]! * p.y);
}

/**
 * The light field, fitted to the white ink between the patches (least squares, then again without
 * the samples furthest off: noise, a speck, a stray reflection), and how much of the white ink is
 * far brighter than the fit (glare) or clipped.
 */
function lightField(
  photo: RgbImage,
  layout: SwatchLayout,
  h: Homography,
): { field: LightField; glare: number; clipped: number; stray: number } {
  const pts = layout.whitePoints.map((p) => project(h, p));
  const values = pts.map(() => new Float64Array(3));
  let clipped = 0;
  pts.forEach((p, i) => {
    if (sample(photo, p, values[i]!)) clipped++;
  });
  let keep = pts.map(() => true);
  let field = fitField(pts, values, keep);
  const lum = (v: ArrayLike<number>) => 0.2126 * v[0]! + 0.7152 * v[1]! + 0.0722 * v[2]!;
  const off = pts.map((p, i) => lum(values[i]!) / lum(evalField(field, p)) - 1);
  const spread = median(off.map(Math.abs));
  keep = off.map((o) => Math.abs(o) <= Math.max(0.03, 3 * spread));
  field = fitField(pts, values, keep);
  const rel = pts.map((p, i) => lum(values[i]!) / lum(evalField(field, p)));
  const glare = rel.filter((r) => r > 1.25).length;
  // White ink that reads far darker: an ink patch where this swatch has white ink.
  const stray = rel.filter((r) => r < 0.6).length;
  return { field, glare: glare / pts.length, clipped: clipped / pts.length, stray: stray / pts.length };
}

function fitField(pts: Point[], values: Float64Array[], keep: boolean[]): LightField {
  // Normal equations of a + b x + c y, one 3x3 system shared by the three channels.
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const rhs = [new Float64Array(3), new Float64Array(3), new Float64Array(3)];
  pts.forEach((p, i) => {
    if (!keep[i]) return;
    const row = [1, p.x, p.y];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) m[r * 3 + c]! += row[r]! * row[c]!;
      for (let ch = 0; ch < 3; ch++) rhs[ch]![r]! += row[r]! * values[i]![ch]!;
    }
  });
  return rhs.map((b) => solve3(m, b)) as LightField;
}

/** Cramer's rule: the 3x3 system is small and well conditioned once the points spread over the glass. */
function solve3(m: number[], b: Float64Array): Float64Array {
  const det = (a: number[]) =>
    a[0]! * (a[4]! * a[8]! - a[5]! * a[7]!) -
    a[1]! * (a[3]! * a[8]! - a[5]! * a[6]!) +
    a[2]! * (a[3]! * a[7]! - a[4]! * a[6]!);
  const d = det(m);
  const out = new Float64Array(3);
  for (let k = 0; k < 3; k++) {
    const a = [...m];
    for (let r = 0; r < 3; r++) a[r * 3 + k] = b[r]!;
    out[k] = det(a) / d;
  }
  return out;
}

interface PatchRead {
  /** The patch against the white ink in the same light, channel by channel. */
  ratio: [number, number, number];
  /** Share of samples clipped, and share lit well above the rest of the patch (a reflection). */
  clipped: number;
  veiled: number;
}

function readPatch(
  photo: RgbImage,
  rect: SwatchLayout['patches'][number]['rect'],
  h: Homography,
  field: LightField,
): PatchRead {
  const v = new Float64Array(3);
  const channels: number[][] = [[], [], []];
  const lum: number[] = [];
  let clipped = 0;
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      const p = project(h, {
        x: rect.x + rect.width * (PATCH_INSET + ((1 - 2 * PATCH_INSET) * (i + 0.5)) / GRID),
        y: rect.y + rect.height * (PATCH_INSET + ((1 - 2 * PATCH_INSET) * (j + 0.5)) / GRID),
      });
      if (sample(photo, p, v)) clipped++;
      const light = evalField(field, p);
      for (let c = 0; c < 3; c++) channels[c]!.push(v[c]! / light[c]!);
      lum.push(0.2126 * (v[0]! / light[0]!) + 0.7152 * (v[1]! / light[1]!) + 0.0722 * (v[2]! / light[2]!));
    }
  }
  const mid = median(lum);
  const veiled = lum.filter((l) => l > mid + 0.12).length;
  const n = GRID * GRID;
  return {
    ratio: channels.map(trimmedMean) as [number, number, number],
    clipped: clipped / n,
    veiled: veiled / n,
  };
}

/** The glass's outline in the photo, a little wider than the swatch, where the paper cannot be. */
function swatchOutline(layout: SwatchLayout, h: Homography): Point[] {
  const mx = layout.view.width * 0.05;
  const my = layout.view.height * 0.05;
  return [
    { x: -mx, y: -my },
    { x: layout.view.width + mx, y: -my },
    { x: layout.view.width + mx, y: layout.view.height + my },
    { x: -mx, y: layout.view.height + my },
  ].map((p) => project(h, p));
}

/**
 * Whether the patches are where the swatch puts them: each patch (against the white ink) is
 * matched with the catalogue ink (against its white) it looks most like, all at once; a unit
 * differs from the catalogue, but not so much that another order fits clearly better. A sentence
 * naming the first misplaced patch, or null.
 */
function misplacedPatch(ratios: number[][], panel: PanelProfile, layout: SwatchLayout): string | null {
  const n = ratios.length;
  const white = panel.colours.find((c) => c.name === 'white')!.measured;
  const ok = (lin: number[]) => {
    const out = [0, 0, 0];
    linearToOklab(lin[0]!, lin[1]!, lin[2]!, out);
    return out;
  };
  const measured = ratios.map(ok);
  const catalogue = layout.patches.map((p) => {
    const c = panel.colours.find((k) => k.name === p.name)!.measured;
    return ok([0, 1, 2].map((i) => SRGB_TO_LINEAR[c[i]!]! / Math.max(1e-3, SRGB_TO_LINEAR[white[i]!]!)));
  });
  const cost = measured.map((m) => catalogue.map((c) => Math.hypot(m[0]! - c[0]!, m[1]! - c[1]!, m[2]! - c[2]!)));
  // The cheapest one-to-one matching, by exhaustive search (at most 7 inks: 5040 orders).
  let best = { total: Infinity, perm: [] as number[] };
  const perm: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  const search = (i: number, total: number) => {
    if (total >= best.total) return;
    if (i === n) {
      best = { total, perm: [...perm] };
      return;
    }
    for (let j = 0; j < n; j++) {
      if (used[j]) continue;
      used[j] = true;
      perm.push(j);
      search(i + 1, total + cost[i]![j]!);
      perm.pop();
      used[j] = false;
    }
  };
  search(0, 0);
  const identity = cost.reduce((s, row, i) => s + row[i]!, 0);
  if (identity - best.total < 0.06) return null;
  const i = best.perm.findIndex((j, k) => j !== k);
  return `the ${layout.patches[i]!.name} patch looks like ${layout.patches[best.perm[i]!]!.name}: is the frame showing this panel's calibration swatch, or the right panel configured?`;
}
