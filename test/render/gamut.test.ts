import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PANELS, findPanel } from '../../drivers/panels.js';
import { SRGB_TO_LINEAR, linearToSrgb, srgbToOklab } from '../../src/render/colour.js';
import { gamutMap, gamutTable, hullPlanes } from '../../src/render/gamut.js';
import { inkPalette, toneTable } from '../../src/render/palette.js';
import type { InkPalette } from '../../src/render/palette.js';

const colourPanels = PANELS.filter((p) => p.colours.length > 2);
const palettes = colourPanels.map((panel) => inkPalette(panel));

/** How far outside the hull a linear colour is (0 inside). */
function outside(planes: Float64Array, r: number, g: number, b: number): number {
  let worst = 0;
  for (let i = 0; i < planes.length; i += 4)
    worst = Math.max(worst, -(planes[i]! * r + planes[i + 1]! * g + planes[i + 2]! * b + planes[i + 3]!));
  return worst;
}

const tables = new Map<InkPalette, Float32Array>();
function mapOne(p: InkPalette, rgb: [number, number, number]): [number, number, number] {
  if (!tables.has(p)) tables.set(p, gamutTable(p, 'paper')!);
  const out = gamutMap({ width: 1, height: 1, data: Uint8Array.from(rgb) }, tables.get(p)!);
  return [out.data[0]!, out.data[1]!, out.data[2]!];
}

/** The table read the plain way (trilinear, one channel at a time, from the byte's own position),
 * rounded to a byte as gamutMap rounds: the definition its per-byte tables must reproduce exactly. */
function plainMap(table: Float32Array, rgb: readonly number[]): number[] {
  const GRID = 17;
  const f = rgb.map((v) => (v * (GRID - 1)) / 255);
  const i0 = f.map((v) => (v >= GRID - 1 ? GRID - 2 : Math.floor(v)));
  const t = f.map((v, c) => v - i0[c]!);
  const at = (r: number, g: number, b: number, c: number) =>
    table[(((i0[0]! + r) * GRID + i0[1]! + g) * GRID + i0[2]! + b) * 3 + c]!;
  return [0, 1, 2].map((c) => {
    const lerp = (a: number, b: number, w: number) => a + (b - a) * w;
    const low = lerp(lerp(at(0, 0, 0, c), at(0, 0, 1, c), t[2]!), lerp(at(0, 1, 0, c), at(0, 1, 1, c), t[2]!), t[1]!);
    const high = lerp(lerp(at(1, 0, 0, c), at(1, 0, 1, c), t[2]!), lerp(at(1, 1, 0, c), at(1, 1, 1, c), t[2]!), t[1]!);
    const v = lerp(low, high, t[0]!);
    const linear = v <= 0 ? 0 : v >= 1 ? 1 : Math.round(v * 4096) / 4096;
    return Math.round(linearToSrgb(linear) * 255);
  });
}

describe('gamut mapping', () => {
  it('the map is the trilinear read of its table, for any colour and panel', () => {
    fc.assert(
      fc.property(fc.constantFrom(...palettes), fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), (p, rgb) => {
        if (!tables.has(p)) tables.set(p, gamutTable(p, 'paper')!);
        expect(mapOne(p, rgb)).toEqual(plainMap(tables.get(p)!, rgb));
      }),
      { numRuns: 2000 },
    );
  });

  it('every ink lies on the hull of the inks, and colour panels have a hull with volume', () => {
    for (const panel of colourPanels) {
      const p = inkPalette(panel);
      const planes = hullPlanes(p);
      expect(planes.length / 4, panel.id).toBeGreaterThanOrEqual(4);
      for (let k = 0; k < p.size; k++)
        expect(outside(planes, p.linear[k * 3]!, p.linear[k * 3 + 1]!, p.linear[k * 3 + 2]!)).toBeLessThan(1e-9);
    }
  });

  it('a black and white panel has no volume to map into, so it gets no table', () => {
    expect(gamutTable(inkPalette(findPanel('waveshare-7in5-v2')), 'paper')).toBeNull();
  });

  it('every mapped colour is one the inks can mix', () => {
    fc.assert(
      fc.property(fc.constantFrom(...palettes), fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), (p, rgb) => {
        const [r, g, b] = mapOne(p, rgb);
        // 8-bit output: allow the rounding of one sRGB step.
        expect(outside(hullPlanes(p), SRGB_TO_LINEAR[r]!, SRGB_TO_LINEAR[g]!, SRGB_TO_LINEAR[b]!)).toBeLessThan(0.006);
      }),
    );
  });

  it('photo white and black become the white and black inks exactly', () => {
    for (const panel of colourPanels) {
      const p = inkPalette(panel);
      const ink = (name: string) => [...panel.colours.find((c) => c.name === name)!.measured];
      expect(mapOne(p, [255, 255, 255]), panel.id).toEqual(ink('white'));
      expect(mapOne(p, [0, 0, 0]), panel.id).toEqual(ink('black'));
    }
  });

  it('a colour the inks can mix is left as the paper tone map puts it', () => {
    const panel = findPanel('waveshare-7in3e');
    const p = inkPalette(panel);
    const tone = toneTable(p, 'paper');
    // A muted brown: after toning, well inside the Spectra 6 hull.
    const rgb: [number, number, number] = [150, 110, 80];
    const toned = rgb.map((v, c) => tone[c * 256 + v]!);
    expect(outside(hullPlanes(p), toned[0]!, toned[1]!, toned[2]!)).toBe(0);
    const mapped = mapOne(p, rgb).map((v) => SRGB_TO_LINEAR[v]!);
    for (let c = 0; c < 3; c++) expect(Math.abs(mapped[c]! - toned[c]!)).toBeLessThan(0.004);
  });

  it('a sky blue the inks cannot reach keeps its lightness and hue and gives up chroma', () => {
    const panel = findPanel('waveshare-7in3e');
    const p = inkPalette(panel);
    const tone = toneTable(p, 'paper');
    const sky: [number, number, number] = [120, 170, 235];
    const toned = sky.map((v, c) => tone[c * 256 + v]!);
    expect(outside(hullPlanes(p), toned[0]!, toned[1]!, toned[2]!)).toBeGreaterThan(0.01);
    const before = srgbToOklab(toned.map((v) => Math.round(255 * linearToSrgb(v))) as [number, number, number]);
    const after = srgbToOklab(mapOne(p, sky));
    expect(Math.abs(after[0] - before[0])).toBeLessThan(0.03);
    expect(Math.hypot(after[1], after[2])).toBeLessThan(Math.hypot(before[1], before[2]));
    // Still blue: the hue angle within 25 degrees.
    const hue = (l: number[]) => Math.atan2(l[2]!, l[1]!);
    expect(Math.abs(hue(after) - hue(before))).toBeLessThan((25 * Math.PI) / 180);
  });
});
