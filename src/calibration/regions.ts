// Connected regions of a mask (4-connected), with what the calibration asks of each: its size,
// its centroid sums and its box. One labelling pass with an explicit stack: no recursion, and
// nothing allocated a pixel.

export interface Region {
  /** The value of its pixels in `labels` (1-based). */
  label: number;
  area: number;
  sumX: number;
  sumY: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Every region of the set pixels of `mask` (width x height, row-major). */
export function labelRegions(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; regions: Region[] } {
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const regions: Region[] = [];
  const push = (q: number, label: number, top: number): number => {
    if (!mask[q] || labels[q]) return top;
    labels[q] = label;
    stack[top] = q;
    return top + 1;
  };
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const r: Region = { label: regions.length + 1, area: 0, sumX: 0, sumY: 0, x0: width, y0: height, x1: 0, y1: 0 };
    let top = push(start, r.label, 0);
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      r.area++;
      r.sumX += x;
      r.sumY += y;
      if (x < r.x0) r.x0 = x;
      if (x > r.x1) r.x1 = x;
      if (y < r.y0) r.y0 = y;
      if (y > r.y1) r.y1 = y;
      if (x > 0) top = push(p - 1, r.label, top);
      if (x < width - 1) top = push(p + 1, r.label, top);
      if (y > 0) top = push(p - width, r.label, top);
      if (y < height - 1) top = push(p + width, r.label, top);
    }
    regions.push(r);
  }
  return { labels, regions };
}
