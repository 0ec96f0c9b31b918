// Statistics of photographed samples that a few wild ones cannot move: sensor noise averages
// out, a speck of dust or the edge of a reflection is left out; and where the brightest of a photo lie.

/** The middle value. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[s.length >> 1]!;
}

/** The mean of the middle half (a trimmed median): robust as a median, and it still averages the noise away. */
export function trimmedMean(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const lo = Math.floor(s.length / 4);
  const hi = Math.max(lo + 1, Math.ceil((s.length * 3) / 4));
  let sum = 0;
  for (let i = lo; i < hi; i++) sum += s[i]!;
  return sum / (hi - lo);
}

/** The byte value below which a share `q` of `data` lies (a histogram: one pass, no sort). */
export function bytePercentile(data: Uint8Array, q: number): number {
  const hist = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) hist[data[i]!]!++;
  const want = q * data.length;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += hist[v]!;
    if (seen >= want) return v;
  }
  return 255;
}
