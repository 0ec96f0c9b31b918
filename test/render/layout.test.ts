import { describe, expect, it } from 'vitest';
import {
  frameLayout,
  isPairShape,
  nativeRectToView,
  viewPixelToNative,
  viewRectToNative,
} from '../../src/render/layout.js';
import { ROTATIONS } from '../../src/render/options.js';

const panel = { width: 800, height: 480 };

describe('frame layout', () => {
  it.each(ROTATIONS)('turned %i: every pixel of a view rectangle lands inside its native rectangle', (rotate) => {
    const r = { x: 13, y: 29, width: 57, height: 31 };
    const n = viewRectToNative(r, rotate, panel);
    const seen = new Set<number>();
    for (let y = r.y; y < r.y + r.height; y++) {
      for (let x = r.x; x < r.x + r.width; x++) {
        const i = viewPixelToNative(x, y, rotate, panel);
        const [nx, ny] = [i % panel.width, Math.floor(i / panel.width)];
        expect(nx >= n.x && nx < n.x + n.width && ny >= n.y && ny < n.y + n.height).toBe(true);
        seen.add(i);
      }
    }
    expect(seen.size).toBe(n.width * n.height);
    expect(nativeRectToView(n, rotate, panel)).toEqual(r);
  });

  it('a pair splits the long side of the view, the gutter between, nothing left over', () => {
    for (const rotate of ROTATIONS) {
      const { view, slots, gutters } = frameLayout(panel, rotate, 2);
      const long = view.width >= view.height ? 'width' : 'height';
      expect(slots[0]![long] + gutters[0]![long] + slots[1]![long]).toBe(view[long]);
      expect(Math.abs(slots[0]![long] - slots[1]![long])).toBeLessThanOrEqual(1);
    }
  });

  it('which photos pair: portrait ones on a landscape frame, landscape ones on a portrait frame', () => {
    expect(isPairShape({ width: 3000, height: 4000 }, panel, 0)).toBe(true);
    expect(isPairShape({ width: 4000, height: 3000 }, panel, 0)).toBe(false);
    expect(isPairShape({ width: 4000, height: 3000 }, panel, 90)).toBe(true);
    expect(isPairShape({ width: 3000, height: 4000 }, panel, 270)).toBe(false);
    expect(isPairShape({ width: 3000, height: 3000 }, panel, 0)).toBe(false);
  });
});
