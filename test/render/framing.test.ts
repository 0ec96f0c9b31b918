import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { renderFrame } from '../../src/render/frame.js';
import type { FaceBox, FramePhoto } from '../../src/render/frame-input.js';
import { faceWindow, facesInImage, turnRects } from '../../src/render/framing.js';
import type { RenderOptions } from '../../src/render/options.js';
import { viewPixelToNative } from '../../src/render/layout.js';

const spectra = findPanel('waveshare-7in3e');
// A face is a black box: plain and dark, what sharp's attention crop (which seeks saturation and
// skin) looks past, unlike the busy patch of saturated noise (never black) elsewhere.
const FACE = spectra.colours.find((c) => c.name === 'black')!.index;
/**
 * Exact colours: nearest nominal ink, no dither, so a face is black ink and nothing else. The
 * centre crop is what cover falls back to without faces here: the controls know where it cuts.
 */
const plain: Partial<RenderOptions> = {
  dither: 'none',
  tone: 'none',
  palette: 'nominal',
  gamut: 'none',
  fit: 'cover',
  crop: 'centre',
};

/**
 * A white photo with a black rectangle for each face box (upright pixels), and a busy patch of
 * saturated yellow-green noise (nearest inks yellow, green, white; never black) around a bigger
 * black decoy that is no face: where sharp's attention crop would rather look.
 */
async function photoWithFaces(width: number, height: number, faces: FaceBox[], busy?: FaceBox): Promise<Buffer> {
  const data = new Uint8Array(width * height * 3).fill(255);
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  if (busy) {
    for (let y = busy.y1; y < busy.y2; y++) {
      for (let x = busy.x1; x < busy.x2; x++)
        data.set([random() | 0x80, 200 + (random() % 56), random() % 100], (y * width + x) * 3);
    }
    const [w, h] = [busy.x2 - busy.x1, busy.y2 - busy.y1];
    for (let y = busy.y1 + Math.round(h / 6); y < busy.y2 - Math.round(h / 6); y++) {
      const row = (y * width + busy.x1 + Math.round(w / 4)) * 3;
      data.fill(0, row, row + Math.round(w / 2) * 3);
    }
  }
  for (const f of faces) {
    for (let y = f.y1; y < f.y2; y++) for (let x = f.x1; x < f.x2; x++) data.set([0, 0, 0], (y * width + x) * 3);
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Face (black) pixels of a frame, in view pixels (as the frame hangs): their count and bounding box. */
function faceIn(indices: Uint8Array, view: { width: number; height: number }, rotate: 0 | 90 | 180 | 270) {
  let count = 0;
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < view.height; y++) {
    for (let x = 0; x < view.width; x++) {
      if (indices[viewPixelToNative(x, y, rotate, spectra)] !== FACE) continue;
      count++;
      x1 = Math.min(x1, x);
      y1 = Math.min(y1, y);
      x2 = Math.max(x2, x);
      y2 = Math.max(y2, y);
    }
  }
  return { count, x1, y1, x2, y2, width: x2 - x1 + 1, height: y2 - y1 + 1 };
}

/** The face is whole in the frame: its box is clear of every edge and as big as the photo's scale makes it. */
function expectWholeFace(
  seen: ReturnType<typeof faceIn>,
  view: { width: number; height: number },
  size: { width: number; height: number },
) {
  expect(seen.x1).toBeGreaterThan(0);
  expect(seen.y1).toBeGreaterThan(0);
  expect(seen.x2).toBeLessThan(view.width - 1);
  expect(seen.y2).toBeLessThan(view.height - 1);
  expect(Math.abs(seen.width - size.width)).toBeLessThanOrEqual(2);
  expect(Math.abs(seen.height - size.height)).toBeLessThanOrEqual(2);
}

/** The face is not whole in the frame (cut, or another black thing shown instead). */
function expectFaceLost(seen: ReturnType<typeof faceIn>, size: { width: number; height: number }) {
  const whole = Math.abs(seen.width - size.width) <= 2 && Math.abs(seen.height - size.height) <= 2;
  expect(whole).toBe(false);
}

const landscape = { width: 800, height: 480 };
/** Busy patches at the ends of an 800x1200 photo, away from the faces. */
const BUSY_TOP = { x1: 0, y1: 0, x2: 800, y2: 300 };
const BUSY_BOTTOM = { x1: 0, y1: 900, x2: 800, y2: 1200 };

async function render(photo: FramePhoto, options: Partial<RenderOptions> = {}) {
  return renderFrame({ photos: [photo], panel: spectra, options: { ...plain, ...options } });
}

describe('face-aware framing (fit: cover)', () => {
  it('a face at the top edge of a portrait photo stays in a landscape frame; the attention and centre crops lose it', async () => {
    const face = { x1: 300, y1: 20, x2: 460, y2: 180 };
    const source = await photoWithFaces(800, 1200, [face], BUSY_BOTTOM);
    const framed = faceIn((await render({ source, faces: [face] })).indices, landscape, 0);
    expectWholeFace(framed, landscape, { width: 160, height: 160 });
    expectFaceLost(faceIn((await render({ source }, { crop: 'attention' })).indices, landscape, 0), {
      width: 160,
      height: 160,
    });
    expectFaceLost(faceIn((await render({ source })).indices, landscape, 0), {
      width: 160,
      height: 160,
    });
  });

  it('a face at the bottom edge stays in', async () => {
    const face = { x1: 100, y1: 1000, x2: 250, y2: 1180 };
    const source = await photoWithFaces(800, 1200, [face], BUSY_TOP);
    expectWholeFace(faceIn((await render({ source, faces: [face] })).indices, landscape, 0), landscape, {
      width: 150,
      height: 180,
    });
    expectFaceLost(faceIn((await render({ source })).indices, landscape, 0), { width: 150, height: 180 });
  });

  it('several faces that fit together are all kept', async () => {
    const faces = [
      { x1: 100, y1: 100, x2: 200, y2: 200 },
      { x1: 600, y1: 470, x2: 700, y2: 560 },
    ];
    const source = await photoWithFaces(800, 1200, faces, BUSY_BOTTOM);
    // Their union (rows 100..560) fits the 480-row window: each face whole, in its own half.
    const both = (indices: Uint8Array) => {
      const halves = [0, 400].map((x0) => {
        const cols = new Uint8Array(800 * 480).fill(0xff);
        for (let y = 0; y < 480; y++) for (let x = x0; x < x0 + 400; x++) cols[y * 800 + x] = indices[y * 800 + x]!;
        return faceIn(cols, landscape, 0);
      });
      return { halves };
    };
    const framed = both((await render({ source, faces })).indices);
    expectWholeFace(framed.halves[0]!, landscape, { width: 100, height: 100 });
    expectWholeFace(framed.halves[1]!, landscape, { width: 100, height: 90 });
    expect(framed.halves[1]!.y1 - framed.halves[0]!.y1).toBe(370);
    const unframed = both((await render({ source })).indices);
    expectFaceLost(unframed.halves[0]!, { width: 100, height: 100 });
  });

  it('faces too far apart to fit together: the largest is kept whole', async () => {
    const small = { x1: 100, y1: 30, x2: 160, y2: 90 };
    const large = { x1: 500, y1: 900, x2: 700, y2: 1150 };
    const source = await photoWithFaces(800, 1200, [small, large], BUSY_TOP);
    const seen = faceIn((await render({ source, faces: [small, large] })).indices, landscape, 0);
    expectWholeFace(seen, landscape, { width: 200, height: 250 });
    expect(seen.count).toBeGreaterThan(190 * 240);
    expectFaceLost(faceIn((await render({ source })).indices, landscape, 0), { width: 200, height: 250 });
  });

  it('a face bigger than the whole frame in pixels is scaled down whole with the photo', async () => {
    // 2400x3600 shown 800 wide: a third; the 1200x1200 face becomes 400x400 of the 480 rows.
    const face = { x1: 1000, y1: 100, x2: 2200, y2: 1300 };
    const source = await photoWithFaces(2400, 3600, [face], { x1: 0, y1: 2000, x2: 2400, y2: 3600 });
    expectWholeFace(faceIn((await render({ source, faces: [face] })).indices, landscape, 0), landscape, {
      width: 400,
      height: 400,
    });
    expectFaceLost(faceIn((await render({ source })).indices, landscape, 0), { width: 400, height: 400 });
  });

  it('a face taller than the window keeps its middle: it fills the frame from top to bottom', async () => {
    const face = { x1: 200, y1: 100, x2: 500, y2: 800 };
    const source = await photoWithFaces(800, 1200, [face], { x1: 0, y1: 1050, x2: 800, y2: 1200 });
    const seen = faceIn((await render({ source, faces: [face] })).indices, landscape, 0);
    expect([seen.y1, seen.y2]).toEqual([0, 479]);
    expect(Math.abs(seen.width - 300)).toBeLessThanOrEqual(2);
    const unframed = faceIn((await render({ source })).indices, landscape, 0);
    expect([unframed.y1, unframed.y2]).not.toEqual([0, 479]);
  });

  it('EXIF orientation 6: boxes are in the upright photo, and the face stays in', async () => {
    const face = { x1: 500, y1: 40, x2: 700, y2: 240 };
    const upright = await photoWithFaces(800, 1200, [face], BUSY_BOTTOM);
    // Orientation 6 shows the stored pixels turned 90 degrees clockwise: store them turned back.
    const stored = await sharp(upright).rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(stored).metadata()).width).toBe(1200);
    const seen = faceIn(
      (await render({ source: stored, faces: [face], width: 800, height: 1200 })).indices,
      landscape,
      0,
    );
    expectWholeFace(seen, landscape, { width: 200, height: 200 });
    // Upright, the face is at the right: it lands at the right of the frame too.
    expect(seen.x1).toBeGreaterThan(450);
    expectFaceLost(faceIn((await render({ source: stored })).indices, landscape, 0), { width: 200, height: 200 });
  });

  it('EXIF orientation 6 on a frame hung turned 90 degrees: both turns, and the face stays in the view', async () => {
    const face = { x1: 1000, y1: 300, x2: 1150, y2: 450 };
    const upright = await photoWithFaces(1200, 800, [face], { x1: 0, y1: 0, x2: 400, y2: 800 });
    const stored = await sharp(upright).rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const view = { width: 480, height: 800 };
    const photo = { source: stored, faces: [face], width: 1200, height: 800 };
    const seen = faceIn((await render(photo, { rotate: 90 })).indices, view, 90);
    expectWholeFace(seen, view, { width: 150, height: 150 });
    expect(seen.x2).toBeGreaterThan(400);
    expectFaceLost(faceIn((await render({ source: stored }, { rotate: 90 })).indices, view, 90), {
      width: 150,
      height: 150,
    });
  });

  it('boxes given in a smaller space (the preview Immich drew them on) are scaled to the file', async () => {
    const face = { x1: 300, y1: 700, x2: 460, y2: 860 };
    const source = await photoWithFaces(800, 1200, [face], BUSY_TOP);
    const half = { x1: 150, y1: 350, x2: 230, y2: 430 };
    const seen = faceIn((await render({ source, faces: [half], width: 400, height: 600 })).indices, landscape, 0);
    expectWholeFace(seen, landscape, { width: 160, height: 160 });
    // The same boxes read as file pixels point elsewhere, and the face is cut.
    const misread = faceIn((await render({ source, faces: [half] })).indices, landscape, 0);
    expectFaceLost(misread, { width: 160, height: 160 });
    // Each box may carry its own space (Immich's imageWidth/imageHeight), over the photo's.
    const own = { ...half, imageWidth: 400, imageHeight: 600 };
    const perFace = faceIn((await render({ source, faces: [own], width: 800, height: 1200 })).indices, landscape, 0);
    expectWholeFace(perFace, landscape, { width: 160, height: 160 });
  });

  it.each([90, 270] as const)('on a frame hung turned %i degrees the face stays in the view', async (rotate) => {
    // A landscape photo on a portrait view: the 480x800 window of a 1200x800 photo.
    const face = { x1: 1000, y1: 300, x2: 1150, y2: 450 };
    const source = await photoWithFaces(1200, 800, [face], { x1: 0, y1: 0, x2: 400, y2: 800 });
    const view = { width: 480, height: 800 };
    const seen = faceIn((await render({ source, faces: [face] }, { rotate })).indices, view, rotate);
    expectWholeFace(seen, view, { width: 150, height: 150 });
    // Upright in the view: the face is near the view's right edge, as in the photo.
    expect(seen.x2).toBeGreaterThan(400);
    expectFaceLost(faceIn((await render({ source }, { rotate })).indices, view, rotate), { width: 150, height: 150 });
  });

  it('without faces, cover keeps the attention crop; contain ignores the faces', async () => {
    const face = { x1: 300, y1: 20, x2: 460, y2: 180 };
    const source = await photoWithFaces(800, 1200, [face]);
    const attention = await render({ source, faces: [] }, { crop: 'attention' });
    const direct = await renderFrame({
      photos: [{ source }],
      panel: spectra,
      options: { ...plain, crop: 'attention' },
    });
    expect(Buffer.from(attention.buffer).equals(direct.buffer)).toBe(true);
    const contain = faceIn((await render({ source, faces: [face] }, { fit: 'contain' })).indices, landscape, 0);
    // 800x1200 contained in 480 rows: 320 wide, the face 64x64.
    expect(Math.abs(contain.width - 64)).toBeLessThanOrEqual(2);
  });
});

describe('face window geometry', () => {
  it('boxes outside the image or degenerate are dropped, others clipped', () => {
    const image = { width: 100, height: 100 };
    const boxes = facesInImage(
      [
        { x1: 10, y1: 10, x2: 5, y2: 20 },
        { x1: 50, y1: 50, x2: 50, y2: 60 },
        { x1: Number.NaN, y1: 0, x2: 1, y2: 1 },
        { x1: 90, y1: 90, x2: 130, y2: 120 },
      ],
      undefined,
      image,
    );
    expect(boxes).toEqual([
      { x: 5, y: 10, width: 5, height: 10 },
      { x: 90, y: 90, width: 10, height: 10 },
    ]);
  });

  it('turning boxes four quarter turns gives them back', () => {
    const rects = [{ x: 10, y: 20, width: 30, height: 5 }];
    let image = { width: 200, height: 100 };
    let r = rects;
    for (let i = 0; i < 4; i++) {
      r = turnRects(r, image, 90);
      image = { width: image.height, height: image.width };
    }
    expect(r).toEqual(rects);
    expect(turnRects(rects, { width: 200, height: 100 }, 90)).toEqual([{ x: 75, y: 10, width: 5, height: 30 }]);
  });

  it('the window has the target aspect and never leaves the image', () => {
    const w = faceWindow({ width: 1000, height: 500 }, { width: 300, height: 400 }, [
      { x: 980, y: 0, width: 20, height: 20 },
    ])!;
    expect(w.x + w.width).toBeCloseTo(1000);
    expect(w.width / w.height).toBeCloseTo(0.75);
    expect(faceWindow({ width: 10, height: 10 }, { width: 5, height: 5 }, [])).toBeUndefined();
  });
});
