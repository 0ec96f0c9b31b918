// The dithering kernels: error-diffusion weights (where a pixel's error goes, and how much) and
// the Bayer threshold maps of ordered dithering. Weights are the published ones of each method.

export interface DiffusionKernel {
  name: string;
  /** [dx, dy, weight]: dx to the right of the current pixel (mirrored on right-to-left rows), dy below. */
  taps: readonly (readonly [number, number, number])[];
  divisor: number;
}

export const DIFFUSION_KERNELS = {
  'floyd-steinberg': {
    name: 'Floyd-Steinberg (1976)',
    taps: [
      [1, 0, 7],
      [-1, 1, 3],
      [0, 1, 5],
      [1, 1, 1],
    ],
    divisor: 16,
  },
  // Atkinson spreads only 6/8 of the error: highlights and shadows clip instead of smearing,
  // which keeps the crisp look of the original Macintosh at the cost of tone accuracy.
  atkinson: {
    name: 'Atkinson',
    taps: [
      [1, 0, 1],
      [2, 0, 1],
      [-1, 1, 1],
      [0, 1, 1],
      [1, 1, 1],
      [0, 2, 1],
    ],
    divisor: 8,
  },
  'jarvis-judice-ninke': {
    name: 'Jarvis, Judice and Ninke (1976)',
    taps: [
      [1, 0, 7],
      [2, 0, 5],
      [-2, 1, 3],
      [-1, 1, 5],
      [0, 1, 7],
      [1, 1, 5],
      [2, 1, 3],
      [-2, 2, 1],
      [-1, 2, 3],
      [0, 2, 5],
      [1, 2, 3],
      [2, 2, 1],
    ],
    divisor: 48,
  },
  stucki: {
    name: 'Stucki (1981)',
    taps: [
      [1, 0, 8],
      [2, 0, 4],
      [-2, 1, 2],
      [-1, 1, 4],
      [0, 1, 8],
      [1, 1, 4],
      [2, 1, 2],
      [-2, 2, 1],
      [-1, 2, 2],
      [0, 2, 4],
      [1, 2, 2],
      [2, 2, 1],
    ],
    divisor: 42,
  },
  sierra: {
    name: 'Sierra (three-row, 1989)',
    taps: [
      [1, 0, 5],
      [2, 0, 3],
      [-2, 1, 2],
      [-1, 1, 4],
      [0, 1, 5],
      [1, 1, 4],
      [2, 1, 2],
      [-1, 2, 2],
      [0, 2, 3],
      [1, 2, 2],
    ],
    divisor: 32,
  },
  'sierra-lite': {
    name: 'Sierra Lite (two taps below)',
    taps: [
      [1, 0, 2],
      [-1, 1, 1],
      [0, 1, 1],
    ],
    divisor: 4,
  },
} as const satisfies Record<string, DiffusionKernel>;

export type DiffusionAlgorithm = keyof typeof DIFFUSION_KERNELS;
export const DIFFUSION_ALGORITHMS = Object.keys(DIFFUSION_KERNELS) as DiffusionAlgorithm[];

export const BAYER_SIZES = { 'bayer-4': 4, 'bayer-8': 8 } as const;
export type OrderedAlgorithm = keyof typeof BAYER_SIZES;

/** Every dither a render can ask for: here with the kernels (data only), not in dither.ts, so the
 * config's validation names them without loading the quantizer. */
export const DITHER_ALGORITHMS = [...DIFFUSION_ALGORITHMS, 'bayer-4', 'bayer-8', 'none'] as const;
export type DitherAlgorithm = DiffusionAlgorithm | OrderedAlgorithm | 'none';

/**
 * The n x n Bayer index matrix (n a power of two), row-major, values 0..n*n-1: built by the
 * recursion M(2n) = [[4M, 4M+2], [4M+3, 4M+1]], so each threshold is as far as possible from
 * the ones before it and any constant tone becomes an evenly spread pattern.
 */
export function bayerMatrix(n: number): Uint8Array {
  if (n < 1 || (n & (n - 1)) !== 0 || n > 16)
    throw new RangeError(`Bayer size must be a power of two up to 16, not ${n}`);
  let size = 1;
  let m = new Uint8Array([0]);
  while (size < n) {
    const next = new Uint8Array(size * 2 * size * 2);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = 4 * m[y * size + x]!;
        next[y * 2 * size + x] = v;
        next[y * 2 * size + x + size] = v + 2;
        next[(y + size) * 2 * size + x] = v + 3;
        next[(y + size) * 2 * size + x + size] = v + 1;
      }
    }
    m = next;
    size *= 2;
  }
  return m;
}
