import { describe, expect, it } from 'vitest';
import { DIFFUSION_ALGORITHMS, DIFFUSION_KERNELS, bayerMatrix } from '../../src/render/kernels.js';

describe('dither kernels', () => {
  it('every diffusion kernel sends error only forward: to the right on its row, or to rows below', () => {
    for (const name of DIFFUSION_ALGORITHMS) {
      for (const [dx, dy] of DIFFUSION_KERNELS[name].taps)
        expect(dy > 0 || (dy === 0 && dx > 0), `${name} ${dx},${dy}`).toBe(true);
    }
  });

  it('every diffusion kernel except Atkinson passes on all of the error; Atkinson passes 6/8', () => {
    for (const name of DIFFUSION_ALGORITHMS) {
      const k = DIFFUSION_KERNELS[name];
      const sum = k.taps.reduce((s, [, , w]) => s + w, 0);
      expect(sum / k.divisor, name).toBe(name === 'atkinson' ? 6 / 8 : 1);
    }
  });

  it('Floyd-Steinberg: 7/16 right, 3/16 below left, 5/16 below, 1/16 below right', () => {
    const k = DIFFUSION_KERNELS['floyd-steinberg'];
    const at = Object.fromEntries(k.taps.map(([dx, dy, w]) => [`${dx},${dy}`, w / k.divisor]));
    expect(at).toEqual({ '1,0': 7 / 16, '-1,1': 3 / 16, '0,1': 5 / 16, '1,1': 1 / 16 });
  });

  it('the wide kernels are left-right symmetric on the rows below and reach two pixels and two rows', () => {
    for (const name of ['jarvis-judice-ninke', 'stucki', 'sierra'] as const) {
      const k = DIFFUSION_KERNELS[name];
      const w = new Map(k.taps.map(([dx, dy, v]) => [`${dx},${dy}`, v]));
      for (const [dx, dy, v] of k.taps) if (dy > 0) expect(w.get(`${-dx},${dy}`), `${name} ${dx},${dy}`).toBe(v);
      expect(Math.max(...k.taps.map(([dx]) => dx))).toBe(2);
      expect(Math.max(...k.taps.map(([, dy]) => dy))).toBe(2);
      // The heaviest weights sit next to the pixel: right and straight below.
      const max = Math.max(...k.taps.map(([, , v]) => v));
      expect(w.get('1,0')).toBe(max);
      expect(w.get('0,1')).toBe(max);
    }
  });

  it('Atkinson spreads 1/8 to six neighbours, two to the right and two rows down', () => {
    const k = DIFFUSION_KERNELS.atkinson;
    expect(k.taps.map(([dx, dy, w]) => `${dx},${dy}:${w / k.divisor}`).sort()).toEqual(
      ['1,0', '2,0', '-1,1', '0,1', '1,1', '0,2'].map((p) => `${p}:0.125`).sort(),
    );
  });

  it.each([2, 4, 8])('the %i x %i Bayer matrix holds every threshold once', (n) => {
    const m = bayerMatrix(n);
    expect([...m].sort((a, b) => a - b)).toEqual(Array.from({ length: n * n }, (_, i) => i));
  });

  it('Bayer thresholds are spread: every 2x2 block of the 8x8 matrix holds one from each quarter', () => {
    const m = bayerMatrix(8);
    for (let by = 0; by < 8; by += 2) {
      for (let bx = 0; bx < 8; bx += 2) {
        const quarters = [m[by * 8 + bx]!, m[by * 8 + bx + 1]!, m[(by + 1) * 8 + bx]!, m[(by + 1) * 8 + bx + 1]!].map(
          (v) => Math.floor(v / 16),
        );
        expect(quarters.sort()).toEqual([0, 1, 2, 3]);
      }
    }
    expect([...bayerMatrix(2)]).toEqual([0, 2, 3, 1]);
  });
});
