// Colour spaces of the render stage: sRGB bytes to linear light, and linear light to OKLab,
// the perceptual space in which the quantizer measures how far a pixel is from an ink.

/** sRGB transfer function (IEC 61966-2-1), one channel 0..1 to linear light 0..1. */
export function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

export function linearToSrgb(c: number): number {
  const v = c <= 0.0031308 ? c * 12.92 : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Linear light of every sRGB byte: the decode in the hot loop is one table read. */
export const SRGB_TO_LINEAR: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = srgbToLinear(i / 255);
  return t;
})();

/**
 * OKLab (Björn Ottosson, 2020) of a linear-light sRGB colour, written into `out` at `at` so a
 * caller converting many colours allocates nothing.
 */
export function linearToOklab(
  r: number,
  g: number,
  b: number,
  out: Float64Array | Float32Array | number[],
  at = 0,
): void {
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  out[at] = 0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s;
  out[at + 1] = 1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s;
  out[at + 2] = 0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s;
}

/** OKLab of an sRGB byte triple. */
export function srgbToOklab(rgb: readonly [number, number, number]): [number, number, number] {
  const out = [0, 0, 0];
  linearToOklab(SRGB_TO_LINEAR[rgb[0]]!, SRGB_TO_LINEAR[rgb[1]]!, SRGB_TO_LINEAR[rgb[2]]!, out);
  return out as [number, number, number];
}

/** Linear-light sRGB of an OKLab colour (the inverse of linearToOklab), written into `out`. */
export function oklabToLinear(
  L: number,
  a: number,
  b: number,
  out: Float64Array | Float32Array | number[],
  at = 0,
): void {
  const l = L + 0.3963377774 * a + 0.2158037573 * b;
  const m = L - 0.1055613458 * a - 0.0638541728 * b;
  const s = L - 0.0894841775 * a - 1.291485548 * b;
  const l3 = l * l * l;
  const m3 = m * m * m;
  const s3 = s * s * s;
  out[at] = 4.0767416621 * l3 - 3.3077115913 * m3 + 0.2309699292 * s3;
  out[at + 1] = -1.2684380046 * l3 + 2.6097574011 * m3 - 0.3413193965 * s3;
  out[at + 2] = -0.0041960863 * l3 - 0.7034186147 * m3 + 1.707614701 * s3;
}
