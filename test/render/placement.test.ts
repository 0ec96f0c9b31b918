import { describe, expect, it } from 'vitest';
import { DetailMap, cornerRect, placeCaption } from '../../src/render/placement.js';

/** A small image of seeded random colours. */
function randomImage(width: number, height: number) {
  let seed = 3;
  const data = new Uint8Array(width * height * 3).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
  return { width, height, data };
}

/** Detail by the definition, pixel by pixel: luma change to the right and below, where there is a neighbour. */
function bruteDetail(img: ReturnType<typeof randomImage>, r: { x: number; y: number; width: number; height: number }) {
  const luma = (x: number, y: number) => {
    const o = (y * img.width + x) * 3;
    return 77 * img.data[o]! + 150 * img.data[o + 1]! + 29 * img.data[o + 2]!;
  };
  let sum = 0;
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) {
      if (x + 1 < img.width) sum += Math.abs(luma(x + 1, y) - luma(x, y));
      if (y + 1 < img.height) sum += Math.abs(luma(x, y + 1) - luma(x, y));
    }
  }
  return sum;
}

describe('caption placement', () => {
  it('detail in a rectangle is the sum of its luma changes, at the edges too', () => {
    const img = randomImage(40, 30);
    const map = new DetailMap(img);
    for (const r of [
      { x: 0, y: 0, width: 40, height: 30 },
      { x: 5, y: 7, width: 10, height: 4 },
      { x: 30, y: 20, width: 10, height: 10 },
      { x: 39, y: 29, width: 1, height: 1 },
    ]) {
      expect(map.total(r)).toBe(bruteDetail(img, r));
    }
    const flat = { width: 20, height: 20, data: new Uint8Array(20 * 20 * 3).fill(90) };
    expect(new DetailMap(flat).total({ x: 0, y: 0, width: 20, height: 20 })).toBe(0);
  });

  it('auto takes the corner of least detail; a flat photo keeps bottom-left', () => {
    const img = randomImage(100, 60);
    // Flatten the top-right 40x20.
    for (let y = 0; y < 20; y++) img.data.fill(128, (y * 100 + 60) * 3, (y * 100 + 100) * 3);
    const slot = { x: 0, y: 0, width: 100, height: 60 };
    const box = { width: 30, height: 12 };
    expect(placeCaption(slot, box, 'auto', 2, new DetailMap(img), 0).corner).toBe('top-right');
    const flat = { width: 100, height: 60, data: new Uint8Array(100 * 60 * 3).fill(200) };
    expect(placeCaption(slot, box, 'auto', 2, new DetailMap(flat), 0)).toEqual({
      corner: 'bottom-left',
      rect: cornerRect(slot, box, 'bottom-left', 2),
    });
  });
});
