import { describe, expect, it } from 'vitest';
import { unpackFrame } from '../../drivers/frame-format.js';
import { PANELS, findPanel } from '../../drivers/panels.js';
import { deltaE2000 } from '../../src/calibration/cielab.js';
import { homographyFrom, invert, project } from '../../src/calibration/homography.js';
import { orderMarkers } from '../../src/calibration/markers.js';
import { MARK_AT, drawSwatch, swatchLayout } from '../../src/calibration/swatch.js';
import type { Rect } from '../../src/render/framing.js';
import { viewPixelToNative } from '../../src/render/layout.js';

const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('calibration swatch', () => {
  it.each(PANELS.map((p) => [p.id]))(
    '%s: one patch an ink, clear of the markers, the label and each other, inside the glass',
    (id) => {
      const panel = findPanel(id);
      const layout = swatchLayout(panel);
      expect(layout.patches.map((p) => p.name)).toEqual(panel.colours.map((c) => c.name));
      const half = layout.marker / 2;
      const markers = [...layout.corners, layout.mark].map((c) => ({
        x: c.x - half,
        y: c.y - half,
        width: layout.marker,
        height: layout.marker,
      }));
      const things = [...layout.patches.map((p) => p.rect), ...markers, layout.label.rect];
      for (const [i, a] of things.entries()) {
        expect(a.x).toBeGreaterThanOrEqual(0);
        expect(a.y).toBeGreaterThanOrEqual(0);
        expect(a.x + a.width).toBeLessThanOrEqual(layout.view.width);
        expect(a.y + a.height).toBeLessThanOrEqual(layout.view.height);
        for (const b of things.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
      }
      // Large: each patch at least a tenth of the short side, whatever the number of inks.
      const short = Math.min(layout.view.width, layout.view.height);
      for (const p of layout.patches) expect(Math.min(p.rect.width, p.rect.height)).toBeGreaterThanOrEqual(short / 10);
      expect(layout.whitePoints.length).toBeGreaterThan(100);
    },
  );

  it.each(PANELS.map((p) => [p.id]))(
    '%s: the frame buffer, in the panel format, shows white ink at every white point and each ink on its patch',
    (id) => {
      const panel = findPanel(id);
      for (const rotate of [0, 90] as const) {
        const { layout, buffer } = drawSwatch(panel, rotate);
        const indices = unpackFrame(buffer, panel);
        const native = { width: panel.width, height: panel.height };
        const at = (x: number, y: number) => indices[viewPixelToNative(x, y, rotate, native)];
        const ink = (name: string) => panel.colours.find((c) => c.name === name)!.index;
        for (const p of layout.whitePoints) expect(at(p.x, p.y)).toBe(ink('white'));
        for (const p of layout.patches) {
          expect(at(p.rect.x + (p.rect.width >> 1), p.rect.y + (p.rect.height >> 1))).toBe(p.index);
        }
        // A ring: black ink round a white hole.
        for (const c of [...layout.corners, layout.mark]) {
          expect(at(c.x, c.y)).toBe(ink('white'));
          expect(at(c.x - layout.marker / 2 + 2, c.y)).toBe(ink('black'));
        }
      }
    },
  );

  it('is laid out as the frame hangs: landscape and portrait views, the mark a third along the top edge', () => {
    const landscape = swatchLayout(findPanel('waveshare-7in3e'));
    expect(landscape.view).toEqual({ width: 800, height: 480 });
    const portrait = swatchLayout(findPanel('waveshare-13in3e'));
    expect(portrait.view).toEqual({ width: 1200, height: 1600 });
    const hung = swatchLayout(findPanel('waveshare-7in3e'), 90);
    expect(hung.view).toEqual({ width: 480, height: 800 });
    for (const l of [landscape, portrait, hung]) {
      const [tl, tr] = l.corners;
      expect((l.mark.x - tl.x) / (tr.x - tl.x)).toBeCloseTo(MARK_AT, 2);
      expect(l.mark.y).toBe(tl.y);
    }
  });
});

describe('homography', () => {
  it('takes four points to four points, and its inverse takes them back', () => {
    const from = [
      { x: 0, y: 0 },
      { x: 800, y: 0 },
      { x: 800, y: 480 },
      { x: 0, y: 480 },
    ];
    const to = [
      { x: 103, y: 87 },
      { x: 910, y: 140 },
      { x: 870, y: 700 },
      { x: 60, y: 610 },
    ];
    const h = homographyFrom(from, to)!;
    const back = invert(h);
    from.forEach((p, i) => {
      expect(project(h, p).x).toBeCloseTo(to[i]!.x, 6);
      expect(project(h, p).y).toBeCloseTo(to[i]!.y, 6);
    });
    const mid = project(back, project(h, { x: 321, y: 123 }));
    expect(mid.x).toBeCloseTo(321, 6);
    expect(mid.y).toBeCloseTo(123, 6);
  });

  it('has none for three points on a line', () => {
    const line = [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
      { x: 2, y: 2 },
      { x: 0, y: 5 },
    ];
    expect(
      homographyFrom(
        line,
        line.map((p) => ({ x: p.x * 2, y: p.y })),
      ),
    ).toBeNull();
  });
});

describe('CIEDE2000', () => {
  // Sharma, Wu, Dalal (2005), table 1: pairs 1, 7, 17, 25.
  it.each([
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 0, 0], [50, -1, 2], 2.3669],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
  ] as const)('%j vs %j is %d', (a, b, expected) => {
    expect(deltaE2000([...a], [...b])).toBeCloseTo(expected, 3);
  });
});

describe('which marker is which', () => {
  const swatch = [
    { x: 100, y: 100 },
    { x: 700, y: 100 },
    { x: 700, y: 400 },
    { x: 100, y: 400 },
  ];
  const mark = { x: 300, y: 100 };

  it('finds the corners in order from five points in any order, the photo turned upside down too', () => {
    const shuffled = [swatch[2]!, mark, swatch[0]!, swatch[3]!, swatch[1]!];
    expect(orderMarkers(shuffled)).toEqual({ corners: swatch, mark });
    const turn = (p: { x: number; y: number }) => ({ x: 800 - p.x, y: 500 - p.y });
    expect(orderMarkers([...swatch, mark].map(turn))).toEqual({ corners: swatch.map(turn), mark: turn(mark) });
  });

  it('a mirrored photo (a selfie camera) still gets each corner right', () => {
    const mirror = (p: { x: number; y: number }) => ({ x: 800 - p.x, y: p.y });
    expect(orderMarkers([...swatch, mark].map(mirror))).toEqual({ corners: swatch.map(mirror), mark: mirror(mark) });
  });

  it('five points with none on an edge are not the swatch', () => {
    expect(orderMarkers([...swatch, { x: 400, y: 250 }])).toBeNull();
  });
});
