// The plane-to-plane projective map (homography) between the swatch as drawn and the swatch as
// photographed: four point pairs fix it. Pure arithmetic; a 3x3 matrix, row-major, h[8] = 1.
import type { Point } from './swatch.js';

export type Homography = Float64Array;

/**
 * The homography taking each `from[i]` to `to[i]` (four pairs, no three points on a line), by
 * solving the 8x8 linear system of the direct linear transform. Null when the points are degenerate.
 */
export function homographyFrom(from: readonly Point[], to: readonly Point[]): Homography | null {
  if (from.length !== 4 || to.length !== 4) throw new RangeError('a homography takes exactly four point pairs');
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i]!;
    const { x: u, y: v } = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting on the augmented 8x9 matrix.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-12) return null;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      if (f !== 0) for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const h = new Float64Array(9);
  for (let i = 0; i < 8; i++) h[i] = a[i]![8]! / a[i]![i]!;
  h[8] = 1;
  return h;
}

/** Where `p` lands under `h`. */
export function project(h: Homography, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

/** The inverse map (the adjugate, scaled so its last entry is 1). */
export function invert(h: Homography): Homography {
  const [a, b, c, d, e, f, g, k, l] = h as unknown as number[];
  const inv = new Float64Array([
    e! * l! - f! * k!,
    c! * k! - b! * l!,
    b! * f! - c! * e!,
    f! * g! - d! * l!,
    a! * l! - c! * g!,
    c! * d! - a! * f!,
    d! * k! - e! * g!,
    b! * g! - a! * k!,
    a! * e! - b! * d!,
  ]);
  const s = inv[8]!;
  for (let i = 0; i < 9; i++) inv[i] = inv[i]! / s;
  return inv;
}
