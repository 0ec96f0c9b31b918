import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import type { PanelProfile } from '../../drivers/panels.js';
import { writeVirtualPanel } from '../../drivers/virtual-panel.js';
import { RenderError } from '../../src/core/errors.js';
import { renderFrame } from '../../src/render/frame.js';
import type { ComposedFrame, PlacedCaption } from '../../src/render/frame.js';
import type { FramePhoto } from '../../src/render/frame-input.js';
import type { Rect } from '../../src/render/framing.js';
import { viewPixelToNative } from '../../src/render/layout.js';
import type { Rotation } from '../../src/render/options.js';
import { rasterText } from '../../src/render/text.js';

const spectra = findPanel('waveshare-7in3e');
const mono = findPanel('waveshare-7in5-v2');
const inkOf = (panel: PanelProfile, name: string) => panel.colours.find((c) => c.name === name)!;
const NOW = new Date('2026-12-02T12:00:00Z');
const captioned = { caption: ['date', 'place'] as const, locale: 'en-GB', timeZone: 'UTC', now: NOW };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'frame-'));
});

type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** A busy photo (smooth colour waves and noise) with one corner quarter flat grey: the quiet place for a caption. */
async function photoQuietAt(corner: Corner, width = 1200, height = 720): Promise<Buffer> {
  const data = new Uint8Array(width * height * 3);
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0x3f;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const quiet =
        (corner.endsWith('left') ? x < width / 2 : x >= width / 2) &&
        (corner.startsWith('top') ? y < height / 2 : y >= height / 2);
      const o = (y * width + x) * 3;
      if (quiet) data.set([150, 150, 150], o);
      else {
        data[o] = 100 + 80 * Math.sin(x / 9) + random();
        data[o + 1] = 100 + 80 * Math.cos(y / 7) + random();
        data[o + 2] = 100 + 60 * Math.sin((x + y) / 5) + random();
      }
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

const paris: Omit<FramePhoto, 'source'> = {
  takenAt: '2019-04-01T10:00:00Z',
  timeZone: 'Europe/Paris',
  city: 'Paris',
  country: 'France',
};

/** Every view pixel of a rectangle: its native index. */
function* viewPixels(r: Rect, rotate: Rotation, panel: PanelProfile) {
  for (let y = r.y; y < r.y + r.height; y++) {
    for (let x = r.x; x < r.x + r.width; x++) yield { x, y, i: viewPixelToNative(x, y, rotate, panel) };
  }
}

/** The caption is exactly its mask in two inks: glyph pixels the text ink, every other box pixel the paper ink. */
function expectSolidCaption(frame: ComposedFrame, panel: PanelProfile, c: PlacedCaption) {
  const rotate = frame.rotate;
  let glyph = 0;
  const wrong: string[] = [];
  for (const { x, y, i } of viewPixels(c.rect, rotate, panel)) {
    const mx = x - c.rect.x - c.padding;
    const my = y - c.rect.y - c.padding;
    const inText = mx >= 0 && my >= 0 && mx < c.mask.width && my < c.mask.height && c.mask.data[my * c.mask.width + mx];
    if (frame.indices[i] !== (inText ? c.ink : c.paper)) wrong.push(`(${x}, ${y})`);
    if (inText) glyph++;
  }
  expect(wrong.slice(0, 5)).toEqual([]);
  expect(glyph).toBeGreaterThan(200);
}

/**
 * Through the packed buffer and the virtual panel's PNG (turned by sharp as the frame hangs): the
 * caption's text is where the layout says, upright, each pixel the measured text or paper ink.
 */
async function expectUprightOnGlass(frame: ComposedFrame, panel: PanelProfile, c: PlacedCaption) {
  const file = path.join(dir, `${panel.id}-${frame.rotate}.png`);
  await writeVirtualPanel(frame.buffer, panel, file, { rotate: frame.rotate });
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([frame.layout.view.width, frame.layout.view.height]);
  const colour = (index: number) => panel.colours.find((k) => k.index === index)!.measured;
  const wrong: string[] = [];
  for (let my = 0; my < c.mask.height; my++) {
    for (let mx = 0; mx < c.mask.width; mx++) {
      const o = ((c.rect.y + c.padding + my) * info.width + c.rect.x + c.padding + mx) * info.channels;
      const want = colour(c.mask.data[my * c.mask.width + mx] ? c.ink : c.paper);
      if (want.some((v, k) => data[o + k] !== v)) wrong.push(`(${mx}, ${my})`);
    }
  }
  expect(wrong.slice(0, 5)).toEqual([]);
}

describe('captions, set in solid inks after dithering', () => {
  it('known text: its box, its lines, two inks only, and nothing else on the frame changes', async () => {
    const source = await photoQuietAt('bottom-left');
    const bare = await renderFrame({ photos: [{ source, ...paris }], panel: spectra });
    const frame = await renderFrame({ photos: [{ source, ...paris }], panel: spectra, options: captioned });
    const c = frame.layout.captions[0]!;
    expect(c.lines).toEqual(['1 April 2019 \u00b7 Paris, France']);
    expect([c.ink, c.paper]).toEqual([inkOf(spectra, 'black').index, inkOf(spectra, 'white').index]);
    // The text is the font's: the same lines set again give the same pixels.
    expect(Buffer.from(c.mask.data).equals(Buffer.from(rasterText(c.lines, 2).data))).toBe(true);
    // Box: text plus padding, 8 pixels in from the bottom-left corner.
    expect(c.rect).toEqual({ x: 8, y: 480 - 8 - c.rect.height, width: c.mask.width + 12, height: c.mask.height + 12 });
    expectSolidCaption(frame, spectra, c);
    // Outside the box the frame is the photo's dither untouched.
    const inBox = new Set([...viewPixels(c.rect, 0, spectra)].map((p) => p.i));
    let changed = 0;
    for (let i = 0; i < bare.indices.length; i++) if (!inBox.has(i) && frame.indices[i] !== bare.indices[i]) changed++;
    expect(changed).toBe(0);
    expect(inBox.size).toBe(c.rect.width * c.rect.height);
    // The two inks contrast: black on the measured Spectra white, a luminance ratio of 7 and more.
    const lum = (rgb: readonly number[]) =>
      rgb.map((v) => (v / 255) ** 2.2 * [0.2126, 0.7152, 0.0722][rgb.indexOf(v)]!).reduce((a, b) => a + b);
    expect(
      (lum(inkOf(spectra, 'white').measured) + 0.05) / (lum(inkOf(spectra, 'black').measured) + 0.05),
    ).toBeGreaterThan(7);
  });

  it.each(['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const)(
    'auto placement finds the quiet corner: %s',
    async (corner) => {
      const frame = await renderFrame({
        photos: [{ source: await photoQuietAt(corner), ...paris }],
        panel: spectra,
        options: captioned,
      });
      expect(frame.layout.captions[0]!.corner).toBe(corner);
    },
  );

  it.each([
    { rotate: 0, fit: 'cover' },
    { rotate: 90, fit: 'cover' },
    { rotate: 0, fit: 'contain' },
  ] as const)(
    'hung turned $rotate, fit $fit: the caption keeps off the faces, even in the quietest corner',
    async ({ rotate, fit }) => {
      // The photo as the frame hangs: its quiet corner bottom-left, and a face in it.
      const [w, h] = rotate === 0 ? [1200, 720] : [720, 1200];
      const source = await photoQuietAt('bottom-left', w, h);
      const face = { x1: 40, y1: h - 300, x2: 300, y2: h - 60 };
      const render = (faces: FramePhoto['faces']) =>
        renderFrame({ photos: [{ source, faces, ...paris }], panel: spectra, options: { ...captioned, rotate, fit } });
      expect((await render([])).layout.captions[0]!.corner).toBe('bottom-left');
      const c = (await render([face])).layout.captions[0]!;
      expect(c.corner).not.toBe('bottom-left');
      // The whole photo is shown at 2/3 scale (its shape is the frame's): the face's box in the view, clear of the caption.
      const f = { x1: (face.x1 * 2) / 3, y1: (face.y1 * 2) / 3, x2: (face.x2 * 2) / 3, y2: (face.y2 * 2) / 3 };
      const apart =
        c.rect.x >= f.x2 || c.rect.x + c.rect.width <= f.x1 || c.rect.y >= f.y2 || c.rect.y + c.rect.height <= f.y1;
      expect(apart).toBe(true);
    },
  );

  it('a position asked for is kept, whatever the photo', async () => {
    const frame = await renderFrame({
      photos: [{ source: await photoQuietAt('bottom-left'), ...paris }],
      panel: spectra,
      options: { ...captioned, captionPosition: 'top-right' },
    });
    const c = frame.layout.captions[0]!;
    expect(c.corner).toBe('top-right');
    expect([c.rect.x + c.rect.width, c.rect.y]).toEqual([800 - 8, 8]);
  });

  it('on the 1-bit 7.5" V2, hung turned 90 degrees: solid, and upright on the virtual panel', async () => {
    // The quiet corner is the view's top-right: the photo is made as the frame hangs (portrait).
    const source = await photoQuietAt('top-right', 720, 1200);
    const frame = await renderFrame({
      photos: [{ source, ...paris }],
      panel: mono,
      options: { ...captioned, rotate: 90, dither: 'atkinson' },
    });
    const c = frame.layout.captions[0]!;
    expect(frame.layout.view).toEqual({ width: 480, height: 800 });
    expect(c.corner).toBe('top-right');
    expect([c.ink, c.paper]).toEqual([1, 0]);
    expectSolidCaption(frame, mono, c);
    await expectUprightOnGlass(frame, mono, c);
  });

  it.each([180, 270] as const)('hung turned %i degrees, the caption is upright in the view', async (rotate) => {
    const frame = await renderFrame({
      photos: [{ source: await photoQuietAt('bottom-right'), ...paris }],
      panel: spectra,
      options: { ...captioned, rotate },
    });
    const c = frame.layout.captions[0]!;
    expectSolidCaption(frame, spectra, c);
    await expectUprightOnGlass(frame, spectra, c);
  });

  it('every field, in French: description, people, date, years ago and place, wrapped in the box', async () => {
    const frame = await renderFrame({
      photos: [
        {
          source: await photoQuietAt('top-left'),
          ...paris,
          description: 'Pique-nique au bord du lac avec toute la famille, un dimanche de printemps ensoleillé',
          people: ['Alice', 'Chloé', 'Zoë'],
        },
      ],
      panel: spectra,
      options: { ...captioned, locale: 'fr-FR', caption: ['date', 'place', 'years_ago', 'description', 'people'] },
    });
    const c = frame.layout.captions[0]!;
    expect(c.lines.join('\n')).toContain('Alice, Chloé et Zoë');
    expect(c.lines.at(-1)).toBe('1 avril 2019 \u00b7 il y a 7 ans \u00b7 Paris, France');
    expect(c.lines[0]!.startsWith('Pique-nique au bord du lac')).toBe(true);
    expect(c.rect.width).toBeLessThanOrEqual(Math.max(Math.round((800 * 2) / 3), 360));
    expectSolidCaption(frame, spectra, c);
  });

  it('no caption when none is asked for, or the photo has nothing to say', async () => {
    const source = await photoQuietAt('top-left');
    const off = await renderFrame({ photos: [{ source, ...paris }], panel: spectra });
    expect(off.layout.captions).toEqual([]);
    const empty = await renderFrame({ photos: [{ source }], panel: spectra, options: captioned });
    expect(empty.layout.captions).toEqual([undefined]);
    expect(Buffer.from(empty.buffer).equals(off.buffer)).toBe(true);
  });
});

/** A flat photo of one colour. */
const flat = (width: number, height: number, hex: string) =>
  sharp({ create: { width, height, channels: 3, background: hex } })
    .png()
    .toBuffer();
const exact = { dither: 'none', tone: 'none', palette: 'nominal', gamut: 'none' } as const;

describe('portrait pairs', () => {
  it('two portrait photos side by side on a landscape frame, a paper gutter between', async () => {
    const frame = await renderFrame({
      photos: [{ source: await flat(600, 900, '#ff0000') }, { source: await flat(600, 900, '#0000ff') }],
      panel: spectra,
      options: exact,
    });
    expect(frame.layout.slots).toEqual([
      { x: 0, y: 0, width: 396, height: 480 },
      { x: 404, y: 0, width: 396, height: 480 },
    ]);
    expect(frame.layout.gutters).toEqual([{ x: 396, y: 0, width: 8, height: 480 }]);
    const { red, blue, white } = { red: 3, blue: 5, white: 1 };
    expect([inkOf(spectra, 'red').index, inkOf(spectra, 'blue').index, inkOf(spectra, 'white').index]).toEqual([
      red,
      blue,
      white,
    ]);
    const wrong: string[] = [];
    for (let y = 0; y < 480; y++) {
      for (let x = 0; x < 800; x++) {
        if (frame.indices[y * 800 + x] !== (x < 396 ? red : x < 404 ? white : blue)) wrong.push(`(${x}, ${y})`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it.each([
    { panel: spectra, inks: 6 },
    { panel: mono, inks: 2 },
  ])('dithered as one frame on $panel.id, the gutter stays pure paper next to busy photos', async ({ panel, inks }) => {
    const busy = await photoQuietAt('top-left', 600, 900);
    const frame = await renderFrame({ photos: [{ source: busy }, { source: busy }], panel });
    const g = frame.layout.gutters[0]!;
    const gutter = new Set([...viewPixels(g, 0, panel)].map((p) => frame.indices[p.i]));
    expect(gutter).toEqual(new Set([inkOf(panel, 'white').index]));
    const left = new Set([...viewPixels(frame.layout.slots[0]!, 0, panel)].map((p) => frame.indices[p.i]));
    expect(left.size).toBe(inks);
  });

  it('on a portrait frame (hung turned 90 degrees), two landscape photos stacked, upright', async () => {
    const frame = await renderFrame({
      photos: [{ source: await flat(900, 600, '#ff0000') }, { source: await flat(900, 600, '#0000ff') }],
      panel: spectra,
      options: { ...exact, rotate: 90 },
    });
    expect(frame.layout.view).toEqual({ width: 480, height: 800 });
    expect(frame.layout.gutters).toEqual([{ x: 0, y: 396, width: 480, height: 8 }]);
    const file = path.join(dir, 'pair-90.png');
    await writeVirtualPanel(frame.buffer, spectra, file, { rotate: frame.rotate });
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    expect(at(240, 100)).toEqual([...inkOf(spectra, 'red').measured]);
    expect(at(240, 399)).toEqual([...inkOf(spectra, 'white').measured]);
    expect(at(240, 700)).toEqual([...inkOf(spectra, 'blue').measured]);
  });

  it('each half is face-cropped in its own place, and captioned in its own corner', async () => {
    // A portrait photo with a black "face" near its bottom edge: the half keeps it whole.
    const width = 600;
    const height = 1200;
    const data = new Uint8Array(width * height * 3).fill(255);
    for (let y = 1050; y < 1150; y++) data.fill(0, (y * width + 250) * 3, (y * width + 350) * 3);
    const face = await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    const frame = await renderFrame({
      photos: [
        { source: face, faces: [{ x1: 250, y1: 1050, x2: 350, y2: 1150 }], ...paris },
        { source: await flat(600, 900, '#ffffff'), ...paris, takenAt: '2020-05-01T10:00:00Z' },
      ],
      panel: spectra,
      options: { ...exact, crop: 'centre', caption: ['date'], locale: 'en-GB', timeZone: 'UTC', now: NOW },
    });
    // 600x1200 covering a 396x480 half: scale 396/600 = 0.66, the face 66x66, clear of the edges.
    let n = 0;
    let y1 = 480;
    let y2 = 0;
    for (let y = 0; y < 480; y++) {
      for (let x = 0; x < 396; x++) {
        if (frame.indices[y * 800 + x] !== inkOf(spectra, 'black').index) continue;
        n++;
        y1 = Math.min(y1, y);
        y2 = Math.max(y2, y);
      }
    }
    const captionPixels = frame.layout.captions[0]!.mask.data.reduce((a, b) => a + b, 0);
    expect(Math.abs(n - captionPixels - 66 * 66)).toBeLessThanOrEqual(4 * 66);
    const [c1, c2] = frame.layout.captions;
    expect(c1!.lines).toEqual(['1 April 2019']);
    expect(c2!.lines).toEqual(['1 May 2020']);
    expect(c1!.rect.x + c1!.rect.width).toBeLessThanOrEqual(396);
    expect(c2!.rect.x).toBeGreaterThanOrEqual(404);
    expect(y2).toBeLessThan(479);
  });

  it('one photo of a pair unreadable: the other is shown alone, and the failure named', async () => {
    const good = await flat(600, 900, '#ff0000');
    const frame = await renderFrame({
      photos: [{ source: Buffer.from('not a photo'), name: 'asset 7f3a' }, { source: good }],
      panel: spectra,
      options: exact,
    });
    expect(frame.shown).toEqual([1]);
    expect(frame.failed).toHaveLength(1);
    expect(frame.failed[0]!.index).toBe(0);
    expect(frame.failed[0]!.error).toBeInstanceOf(RenderError);
    expect(frame.failed[0]!.error.message).toContain('asset 7f3a');
    expect(frame.layout.gutters).toEqual([]);
    expect(new Set(frame.indices)).toEqual(new Set([inkOf(spectra, 'red').index]));
  });

  it('no photo readable: a RenderError naming the first', async () => {
    const err = await renderFrame({
      photos: [
        { source: Buffer.from('not a photo'), name: 'asset 7f3a' },
        { source: Buffer.alloc(0), name: 'asset 9b1c' },
      ],
      panel: spectra,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenderError);
    expect((err as Error).message).toContain('asset 7f3a');
    await expect(renderFrame({ photos: [], panel: spectra })).rejects.toThrow(RenderError);
  });
});
