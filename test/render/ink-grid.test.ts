import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PANELS, findPanel } from '../../drivers/panels.js';
import { DITHER_ALGORITHMS, ditherGrid, ditherToPalette, nearestInk } from '../../src/render/dither.js';
import type { RgbImage } from '../../src/render/dither.js';
import { nearestInGrid } from '../../src/render/ink-grid.js';
import { inkPalette, paletteFromInks, toneTable } from '../../src/render/palette.js';
import type { InkPalette } from '../../src/render/palette.js';

const palettes: [string, InkPalette][] = PANELS.flatMap((panel) => [
  [`${panel.id} measured`, inkPalette(panel, 'measured')],
  [`${panel.id} nominal`, inkPalette(panel, 'nominal')],
]);

/** A photo-like test image: smooth colour fields with grain, every byte value visited somewhere. */
function photo(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const grain = ((s >>> 24) - 128) / 4;
      const o = (y * width + x) * 3;
      data[o] = Math.max(0, Math.min(255, 128 + 127 * Math.sin(x / 13 + seed) + grain));
      data[o + 1] = Math.max(0, Math.min(255, 128 + 127 * Math.cos(y / 9) + grain));
      data[o + 2] = Math.max(0, Math.min(255, (x * 3 + y * 5 + seed * 40) % 256));
    }
  }
  return { width, height, data };
}

describe('nearest-ink grid', () => {
  it('answers as the full search for any colour in its box, on every panel and palette', () => {
    for (const [name, p] of palettes) {
      const grid = ditherGrid(p)!;
      fc.assert(
        fc.property(
          fc.tuple(fc.double({ min: 0, max: 1 }), fc.double({ min: 0, max: 1 }), fc.double({ min: 0, max: 1 })),
          ([a, b, c]) => {
            const r = grid.rgbLo[0]! + a * (grid.rgbHi[0]! - grid.rgbLo[0]!);
            const g = grid.rgbLo[1]! + b * (grid.rgbHi[1]! - grid.rgbLo[1]!);
            const bl = grid.rgbLo[2]! + c * (grid.rgbHi[2]! - grid.rgbLo[2]!);
            expect(nearestInGrid(grid, r, g, bl), name).toBe(nearestInk(p, r, g, bl));
          },
        ),
        { numRuns: 300 },
      );
    }
  });

  it('answers as the full search on the boundary between two inks, where a cell holds both', () => {
    // Bisect the line between each pair of inks down to the last bit: the colours either side of
    // where the nearest ink changes, the hardest for any shortcut.
    let close = 0;
    for (const [name, p] of palettes) {
      const grid = ditherGrid(p)!;
      for (let i = 0; i < p.size; i++) {
        for (let j = i + 1; j < p.size; j++) {
          const at = (t: number) =>
            [0, 1, 2].map((c) => p.linear[i * 3 + c]! + t * (p.linear[j * 3 + c]! - p.linear[i * 3 + c]!));
          const near = (t: number) => nearestInk(p, ...(at(t) as [number, number, number]));
          let lo = 0;
          let hi = 1;
          if (near(lo) === near(hi)) continue;
          for (let n = 0; n < 60 && hi - lo > 0; n++) {
            const mid = (lo + hi) / 2;
            if (near(mid) === near(lo)) lo = mid;
            else hi = mid;
          }
          for (const t of [lo, hi, lo - 1e-12, hi + 1e-12]) {
            const [r, g, b] = at(t) as [number, number, number];
            expect(nearestInGrid(grid, r, g, b), `${name} ${p.names[i]}/${p.names[j]} at ${t}`).toBe(
              nearestInk(p, r, g, b),
            );
            close++;
          }
        }
      }
    }
    expect(close).toBeGreaterThan(100);
  });

  it('dithers every frame as the full search does, with every algorithm and tone, on every panel', () => {
    const image = photo(48, 40, 3);
    for (const [name, p] of palettes) {
      const grid = ditherGrid(p)!;
      for (const tone of ['paper', 'none'] as const) {
        for (const algorithm of DITHER_ALGORITHMS) {
          const t = toneTable(p, tone);
          const full = ditherToPalette(image, p, algorithm, { tone: t, grid: null });
          expect(
            Buffer.from(ditherToPalette(image, p, algorithm, { tone: t, grid })).equals(full),
            `${name} ${tone} ${algorithm}`,
          ).toBe(true);
        }
      }
    }
  });

  it('a grid kept across photos gives each the frame a fresh one does', () => {
    const p = inkPalette(findPanel('waveshare-7in3e'));
    const kept = ditherGrid(p)!;
    for (let seed = 0; seed < 4; seed++) {
      const image = photo(64, 48, seed);
      const fresh = ditherToPalette(image, p, 'floyd-steinberg', { grid: ditherGrid(p)! });
      expect(Buffer.from(ditherToPalette(image, p, 'floyd-steinberg', { grid: kept })).equals(fresh)).toBe(true);
    }
  });

  it('a tone table reaching outside the grid is searched in full', () => {
    const p = inkPalette(findPanel('waveshare-7in3e'));
    const tone = toneTable(p, 'none').map((v) => v * 3);
    const image = photo(32, 32, 1);
    const full = ditherToPalette(image, p, 'floyd-steinberg', { tone, grid: null });
    expect(Buffer.from(ditherToPalette(image, p, 'floyd-steinberg', { tone })).equals(full)).toBe(true);
  });

  it('a palette of more inks than a grid holds is searched in full', () => {
    const inks = Array.from({ length: 40 }, (_, i) => ({
      name: `ink${i}`,
      index: i,
      rgb: [(i * 53) % 256, (i * 97) % 256, (i * 151) % 256] as const,
    }));
    const p = paletteFromInks(inks);
    expect(ditherGrid(p)).toBeNull();
    const image = photo(32, 24, 2);
    expect(ditherToPalette(image, p, 'floyd-steinberg')).toEqual(
      ditherToPalette(image, p, 'floyd-steinberg', { grid: null }),
    );
  });
});
