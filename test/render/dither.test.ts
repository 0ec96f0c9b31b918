import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PANELS, findPanel } from '../../drivers/panels.js';
import { SRGB_TO_LINEAR, linearToSrgb, srgbToOklab } from '../../src/render/colour.js';
import { DITHER_ALGORITHMS, ditherToPalette, nearestInk } from '../../src/render/dither.js';
import type { RgbImage } from '../../src/render/dither.js';
import { gamutMap, gamutTable } from '../../src/render/gamut.js';
import { DIFFUSION_ALGORITHMS } from '../../src/render/kernels.js';
import { inkPalette, paletteFromInks, toneTable } from '../../src/render/palette.js';

function flat(width: number, height: number, rgb: readonly number[]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

const blackWhite = paletteFromInks([
  { name: 'black', index: 0, rgb: [0, 0, 0] },
  { name: 'white', index: 1, rgb: [255, 255, 255] },
]);
const count = (a: Uint8Array, v: number) => a.reduce((n, x) => n + (x === v ? 1 : 0), 0);
/** The sRGB byte whose linear light is closest to `linear`. */
const byteFor = (linear: number) => Math.round(linearToSrgb(linear) * 255);

describe('quantizer', () => {
  it('OKLab of sRGB white is L=1 with no chroma, and of black L=0', () => {
    const w = srgbToOklab([255, 255, 255]);
    expect(w[0]).toBeCloseTo(1, 4);
    expect(Math.hypot(w[1], w[2])).toBeLessThan(1e-4);
    expect(srgbToOklab([0, 0, 0])).toEqual([0, 0, 0]);
  });

  it('every measured ink is its own nearest ink', () => {
    for (const panel of PANELS) {
      const p = inkPalette(panel);
      for (let k = 0; k < p.size; k++) {
        expect(
          nearestInk(p, p.linear[k * 3]!, p.linear[k * 3 + 1]!, p.linear[k * 3 + 2]!),
          `${panel.id} ${p.names[k]}`,
        ).toBe(k);
      }
    }
  });

  it('picks the ink nearest in OKLab, for any colour and any panel', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PANELS), fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)), (panel, rgb) => {
        const p = inkPalette(panel);
        const lab = srgbToOklab(rgb);
        const dist = panel.colours.map((c) => {
          const ink = srgbToOklab(c.measured);
          return Math.hypot(lab[0] - ink[0], lab[1] - ink[1], lab[2] - ink[2]);
        });
        const k = nearestInk(p, SRGB_TO_LINEAR[rgb[0]]!, SRGB_TO_LINEAR[rgb[1]]!, SRGB_TO_LINEAR[rgb[2]]!);
        expect(dist[k]! - Math.min(...dist)).toBeLessThan(1e-6);
      }),
    );
  });

  it('OKLab and RGB distance disagree: on Spectra 6 a dark grey is nearer the dark blue ink in lightness than black', () => {
    const p = inkPalette(findPanel('waveshare-7in3e'));
    const grey = SRGB_TO_LINEAR[30]!;
    expect(p.names[nearestInk(p, grey, grey, grey)]).toBe('blue');
    const rgbDist = (k: number) => Math.hypot(30 - p.rgb[k * 3]!, 30 - p.rgb[k * 3 + 1]!, 30 - p.rgb[k * 3 + 2]!);
    expect(rgbDist(p.names.indexOf('black'))).toBeLessThan(rgbDist(p.names.indexOf('blue')));
  });

  it('emits the controller indices, not palette positions (Spectra 6 blue is 5, green 6)', () => {
    const panel = findPanel('waveshare-7in3e');
    const p = inkPalette(panel);
    for (const ink of panel.colours) {
      const out = ditherToPalette(flat(4, 4, ink.measured), p, 'none');
      expect(new Set(out)).toEqual(new Set([ink.index]));
    }
  });

  it.each(DITHER_ALGORITHMS.map((a) => [a]))(
    '%s: a flat colour that is an ink renders as that ink alone, no dithering noise',
    (algorithm) => {
      for (const panel of PANELS) {
        const p = inkPalette(panel);
        for (const ink of panel.colours) {
          const out = ditherToPalette(flat(24, 16, ink.measured), p, algorithm);
          expect(count(out, ink.index), `${panel.id} ${ink.name}`).toBe(out.length);
        }
      }
    },
  );

  it('with the paper tone map, flat black and flat white photos come out as bare black and white ink', () => {
    for (const panel of PANELS) {
      const p = inkPalette(panel);
      const tone = toneTable(p, 'paper');
      const ink = (name: string) => panel.colours.find((c) => c.name === name)!.index;
      for (const [rgb, name] of [
        [[255, 255, 255], 'white'],
        [[0, 0, 0], 'black'],
      ] as const) {
        const out = ditherToPalette(flat(24, 16, rgb), p, 'floyd-steinberg', { tone });
        expect(count(out, ink(name)), `${panel.id} ${name}`).toBe(out.length);
      }
    }
  });

  it.each(DIFFUSION_ALGORITHMS.filter((a) => a !== 'atkinson').map((a) => [a]))(
    '%s keeps the tone in linear light: a grey of linear 0.25 is a quarter white dots',
    (algorithm) => {
      const out = ditherToPalette(flat(96, 96, [byteFor(0.25), byteFor(0.25), byteFor(0.25)]), blackWhite, algorithm);
      expect(Math.abs(count(out, 1) / out.length - 0.25)).toBeLessThan(0.01);
    },
  );

  it('Atkinson drops a quarter of the error: a light grey clips towards bare white where Floyd-Steinberg keeps its dots', () => {
    const light = flat(96, 96, Array(3).fill(byteFor(0.9)));
    const white = (a: 'atkinson' | 'floyd-steinberg') => count(ditherToPalette(light, blackWhite, a), 1) / (96 * 96);
    expect(Math.abs(white('floyd-steinberg') - 0.9)).toBeLessThan(0.01);
    expect(white('atkinson')).toBeGreaterThan(0.97);
  });

  it('bayer-8 renders linear mid-grey as exactly half white dots in every 8x8 tile', () => {
    const out = ditherToPalette(flat(32, 16, Array(3).fill(byteFor(0.5))), blackWhite, 'bayer-8');
    for (let ty = 0; ty < 16; ty += 8) {
      for (let tx = 0; tx < 32; tx += 8) {
        let white = 0;
        for (let y = ty; y < ty + 8; y++) for (let x = tx; x < tx + 8; x++) white += out[y * 32 + x]!;
        expect(white).toBe(32);
      }
    }
  });

  it('bayer-4 repeats with a period of 4 pixels', () => {
    const out = ditherToPalette(flat(16, 8, Array(3).fill(byteFor(0.3))), blackWhite, 'bayer-4');
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 12; x++) expect(out[y * 16 + x]).toBe(out[((y + 4) % 8) * 16 + x + 4]);
  });

  it('none picks the nearest ink for every pixel, so a grey ramp becomes two flat halves', () => {
    const w = 64;
    const data = new Uint8Array(w * 3);
    for (let x = 0; x < w; x++) data.fill(Math.round((x / (w - 1)) * 255), x * 3, x * 3 + 3);
    const out = ditherToPalette({ width: w, height: 1, data }, blackWhite, 'none');
    const firstWhite = out.indexOf(1);
    expect(firstWhite).toBeGreaterThan(0);
    expect([...out.subarray(0, firstWhite)].every((v) => v === 0)).toBe(true);
    expect([...out.subarray(firstWhite)].every((v) => v === 1)).toBe(true);
  });

  it('serpentine scans odd rows right to left: the row after a clean row is the mirror of a left-to-right scan', () => {
    const w = 10;
    const img = flat(w, 2, Array(3).fill(byteFor(1 / 3)));
    img.data.fill(255, 0, w * 3); // row 0 white: it passes no error down
    const serp = ditherToPalette(img, blackWhite, 'floyd-steinberg', { serpentine: true }).subarray(w);
    const ltr = ditherToPalette(img, blackWhite, 'floyd-steinberg', { serpentine: false }).subarray(w);
    expect([...serp]).toEqual([...ltr].reverse());
    expect([...ltr]).not.toEqual([...ltr].reverse());
  });

  it('out-of-gamut colours do not bleed: a saturated blue block leaves the white beside it untouched', () => {
    const p = inkPalette(findPanel('waveshare-7in3e'));
    const w = 64;
    const img = flat(w, 32, [255, 255, 255]);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) img.data.set([0, 0, 255], (y * w + x) * 3);
    const out = ditherToPalette(img, p, 'floyd-steinberg', { tone: toneTable(p, 'paper') });
    const white = findPanel('waveshare-7in3e').colours.find((c) => c.name === 'white')!.index;
    // Two columns of spill at most: the kernel's own reach.
    for (let y = 0; y < 32; y++) for (let x = 34; x < w; x++) expect(out[y * w + x]).toBe(white);
  });

  it('with a gamut table, maps each row as it goes: the same frame as dithering gamutMap of the photo', () => {
    // Hue and lightness sweeps with grain: colours inside and far outside every panel's hull.
    const w = 72;
    const h = 40;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        const grain = ((x * 7919 + y * 104729) % 23) - 11;
        data[o] = Math.max(0, Math.min(255, ((x * 255) / (w - 1) + grain) | 0));
        data[o + 1] = Math.max(0, Math.min(255, ((y * 255) / (h - 1) - grain) | 0));
        data[o + 2] = Math.max(0, Math.min(255, (((x + y) * 255) / (w + h - 2) + 2 * grain) | 0));
      }
    }
    const image = { width: w, height: h, data };
    const before = Uint8Array.from(data);
    for (const panel of PANELS.filter((p) => p.colours.length > 2)) {
      for (const palette of ['measured', 'nominal'] as const) {
        const p = inkPalette(panel, palette);
        const table = gamutTable(p, 'paper')!;
        const tone = toneTable(p, 'none');
        const mapped = gamutMap(image, table);
        for (const algorithm of DITHER_ALGORITHMS) {
          const whole = ditherToPalette(mapped, p, algorithm, { tone });
          const byRow = ditherToPalette(image, p, algorithm, { tone, gamut: table });
          expect(Buffer.from(byRow).equals(Buffer.from(whole)), `${panel.id} ${palette} ${algorithm}`).toBe(true);
        }
      }
    }
    // The photo itself is left as it was.
    expect(Buffer.from(image.data).equals(Buffer.from(before))).toBe(true);
  });

  it('refuses image data shorter than width x height x 3', () => {
    expect(() => ditherToPalette({ width: 4, height: 4, data: new Uint8Array(10) }, blackWhite, 'none')).toThrow(
      RangeError,
    );
  });
});
