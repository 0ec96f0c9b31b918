// Exposure, the picture control a camera would call it: every pixel's light scaled by 2^stops in
// linear light, so one stop is the same step in the shadows as in the highlights (brightness
// scales sRGB values, which darkens the shadows far more than a stop). One table read a channel.
import { linearToSrgb, SRGB_TO_LINEAR } from './colour.js';

/** sRGB byte to sRGB byte after `stops` of exposure; light above white clips to white. */
export function exposureTable(stops: number): Uint8Array {
  const gain = Math.pow(2, stops);
  const t = new Uint8Array(256);
  for (let v = 0; v < 256; v++) t[v] = Math.round(linearToSrgb(Math.min(1, SRGB_TO_LINEAR[v]! * gain)) * 255);
  return t;
}

/** Apply `stops` of exposure to interleaved sRGB bytes, in place. */
export function applyExposure(data: Uint8Array, stops: number): void {
  if (stops === 0) return;
  const t = exposureTable(stops);
  for (let i = 0; i < data.length; i++) data[i] = t[data[i]!]!;
}
