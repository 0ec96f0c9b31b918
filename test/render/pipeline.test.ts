import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import type { PanelProfile } from '../../drivers/panels.js';
import { frameToRgb } from '../../drivers/virtual-panel.js';
import { ConfigError, RenderError } from '../../src/core/errors.js';
import { packFrame } from '../../drivers/frame-format.js';
import { writeVirtualPanel } from '../../drivers/virtual-panel.js';
import { preparePhoto, renderForPanel } from '../../src/render/pipeline.js';
import type { RenderOptions } from '../../src/render/options.js';

const spectra = findPanel('waveshare-7in3e');
const ink = (panel: PanelProfile, name: string) => panel.colours.find((c) => c.name === name)!;
/** Exact geometry: nearest ink, pure inks, no boost, so a flat red area is red ink and nothing else. */
const plain: Partial<RenderOptions> = {
  dither: 'none',
  tone: 'none',
  palette: 'nominal',
  saturation: 1,
  contrast: 1,
  brightness: 1,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'render-'));
});

type Raster = { width: number; height: number; data: Uint8Array };

/** White, a red block in the top-left corner and a blue one in the top-right: every turn and mirror shows. */
function markedPhoto(width: number, height: number): Raster {
  const data = new Uint8Array(width * height * 3).fill(255);
  const bw = Math.round(width * 0.3);
  const bh = Math.round(height * 0.3);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      data.set([255, 0, 0], (y * width + x) * 3);
      data.set([0, 0, 255], (y * width + (width - 1 - x)) * 3);
    }
  }
  return { width, height, data };
}

/**
 * The stored pixels that a viewer honouring EXIF orientation `tag` shows as `upright`: the
 * display transform of each tag written out by hand (not by sharp), and run backwards.
 */
function storedFor(upright: Raster, tag: number): Raster {
  const { width: w, height: h } = upright;
  const swap = tag >= 5;
  const sw = swap ? h : w;
  const sh = swap ? w : h;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Displayed (x, y) comes from stored (sx, sy).
      const [sx, sy] = (
        {
          1: [x, y],
          2: [sw - 1 - x, y],
          3: [sw - 1 - x, sh - 1 - y],
          4: [x, sh - 1 - y],
          5: [y, x],
          6: [y, sh - 1 - x],
          7: [sw - 1 - y, sh - 1 - x],
          8: [sw - 1 - y, x],
        } as Record<number, [number, number]>
      )[tag]!;
      data.set(upright.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3), (sy * sw + sx) * 3);
    }
  }
  return { width: sw, height: sh, data };
}

const encode = (r: Raster) => sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } });
const at = (indices: Uint8Array, width: number, x: number, y: number) => indices[y * width + x];

async function readPng(file: string): Promise<Raster> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}
const pixel = (r: Raster, x: number, y: number) => [
  ...r.data.subarray((y * r.width + x) * 3, (y * r.width + x) * 3 + 3),
];

describe('render pipeline', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('EXIF orientation %i ends up upright', async (tag) => {
    const stored = storedFor(markedPhoto(150, 90), tag);
    const jpeg = await encode(stored).jpeg({ quality: 95 }).withMetadata({ orientation: tag }).toBuffer();
    const frame = await renderForPanel(jpeg, spectra, { ...plain, fit: 'cover', crop: 'centre' });
    const w = frame.width;
    expect(at(frame.indices, w, 60, 40)).toBe(ink(spectra, 'red').index);
    expect(at(frame.indices, w, 740, 40)).toBe(ink(spectra, 'blue').index);
    expect(at(frame.indices, w, 60, 440)).toBe(ink(spectra, 'white').index);
    expect(at(frame.indices, w, 400, 240)).toBe(ink(spectra, 'white').index);
  });

  it.each([0, 90, 180, 270] as const)(
    'hung turned %i degrees, the virtual panel shows the photo upright',
    async (rotate) => {
      const file = path.join(dir, `turned-${rotate}.png`);
      const photo = await encode(markedPhoto(90, 150)).png().toBuffer();
      const frame = await renderForPanel(photo, spectra, { ...plain, rotate, fit: 'contain', background: '#000000' });
      expect([frame.width, frame.height]).toEqual([800, 480]);
      await writeVirtualPanel(frame.buffer, spectra, file, { rotate: frame.rotate });
      const seen = await readPng(file);
      const portrait = rotate === 90 || rotate === 270;
      expect([seen.width, seen.height]).toEqual(portrait ? [480, 800] : [800, 480]);
      // Where the photo sits in what the viewer sees: all of a portrait hang, the middle of a landscape one.
      const area = portrait ? { x: 0, w: 480 } : { x: 256, w: 288 };
      const p = (fx: number, fy: number) => pixel(seen, Math.round(area.x + fx * area.w), Math.round(fy * seen.height));
      expect(p(0.15, 0.1)).toEqual([...ink(spectra, 'red').measured]);
      expect(p(0.85, 0.1)).toEqual([...ink(spectra, 'blue').measured]);
      expect(p(0.5, 0.9)).toEqual([...ink(spectra, 'white').measured]);
      if (!portrait) expect(pixel(seen, 100, 240)).toEqual([...ink(spectra, 'black').measured]);
    },
  );

  it("rotate 90 means the panel is turned clockwise: the photo's top-left lands at the native bottom-left", async () => {
    const photo = await encode(markedPhoto(90, 150)).png().toBuffer();
    const frame = await renderForPanel(photo, spectra, { ...plain, rotate: 90 });
    // Seen (x, y) on the turned panel is native (y, 479 - x).
    expect(at(frame.indices, 800, 80, 479 - 72)).toBe(ink(spectra, 'red').index);
    expect(at(frame.indices, 800, 80, 479 - 408)).toBe(ink(spectra, 'blue').index);
  });

  it('contain centres the whole photo on the background', async () => {
    const red = await sharp({ create: { width: 300, height: 500, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const frame = await renderForPanel(red, spectra, { ...plain, fit: 'contain', background: 'black' });
    // 300x500 scaled to 480 high is 288 wide: columns 256..543.
    const row = (x: number) => at(frame.indices, 800, x, 240);
    expect([row(0), row(253), row(258), row(400), row(541), row(546), row(799)]).toEqual(
      ['black', 'black', 'red', 'red', 'red', 'black', 'black'].map((n) => ink(spectra, n).index),
    );
  });

  it('cover with the centre crop fills the glass and cuts both sides equally', async () => {
    const stripes = new Uint8Array(1000 * 400 * 3);
    for (let y = 0; y < 400; y++) {
      for (let x = 0; x < 1000; x++)
        stripes.set(x < 333 ? [255, 0, 0] : x < 667 ? [0, 255, 0] : [0, 0, 255], (y * 1000 + x) * 3);
    }
    const photo = await encode({ width: 1000, height: 400, data: stripes }).png().toBuffer();
    const frame = await renderForPanel(photo, spectra, { ...plain, fit: 'cover', crop: 'centre' });
    // Scaled to 1200x480, the middle 800 columns: red to 200, green to 600, blue after.
    const row = (x: number) => at(frame.indices, 800, x, 240);
    expect([row(5), row(190), row(210), row(590), row(610), row(795)]).toEqual(
      ['red', 'red', 'green', 'green', 'blue', 'blue'].map((n) => ink(spectra, n).index),
    );
  });

  it('cover with the attention crop keeps the busy part of a photo that the centre crop would cut', async () => {
    const grey = await sharp({ create: { width: 1200, height: 480, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const busy = await sharp({
      create: {
        width: 400,
        height: 480,
        channels: 3,
        background: '#000000',
        noise: { type: 'gaussian', mean: 128, sigma: 120 },
      },
    })
      .png()
      .toBuffer();
    const photo = await sharp({ create: { width: 1600, height: 480, channels: 3, background: '#808080' } })
      .composite([
        { input: grey, left: 0, top: 0 },
        { input: busy, left: 1200, top: 0 },
      ])
      .png()
      .toBuffer();
    const inksRight = (indices: Uint8Array) => {
      const seen = new Set<number>();
      for (let y = 0; y < 480; y += 4) for (let x = 700; x < 800; x++) seen.add(indices[y * 800 + x]!);
      return seen.size;
    };
    const centre = await renderForPanel(photo, spectra, { ...plain, crop: 'centre' });
    const attention = await renderForPanel(photo, spectra, { ...plain, crop: 'attention' });
    expect(inksRight(centre.indices)).toBe(1);
    expect(inksRight(attention.indices)).toBeGreaterThanOrEqual(4);
  });

  it('transparency is laid on the background colour', async () => {
    const clear = await sharp({
      create: { width: 100, height: 60, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    for (const [background, name] of [
      ['#000000', 'black'],
      ['#ffffff', 'white'],
    ] as const) {
      const frame = await renderForPanel(clear, spectra, { background });
      expect(new Set(frame.indices), background).toEqual(new Set([ink(spectra, name).index]));
    }
  });

  it('greyscale and 16-bit photos render like any other', async () => {
    const grey = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777777' } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const deep = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3366cc' } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    for (const photo of [grey, deep]) {
      const frame = await renderForPanel(photo, spectra);
      expect(frame.buffer).toHaveLength(192000);
    }
  });

  it('the frame buffer is the packed indices, and the virtual panel shows each index in its measured ink', async () => {
    const photo = await sharp({
      create: {
        width: 400,
        height: 300,
        channels: 3,
        background: '#000000',
        noise: { type: 'gaussian', mean: 128, sigma: 90 },
      },
    })
      .blur(3)
      .png()
      .toBuffer();
    for (const panel of [spectra, findPanel('waveshare-7in5-v2'), findPanel('waveshare-5in65f')]) {
      const frame = await renderForPanel(photo, panel);
      expect(Buffer.from(frame.buffer).equals(packFrame(frame.indices, panel))).toBe(true);
      const file = path.join(dir, `${panel.id}.png`);
      await writeVirtualPanel(frame.buffer, panel, file, { rotate: frame.rotate });
      const seen = await readPng(file);
      expect(Buffer.from(seen.data).equals(frameToRgb(frame.buffer, panel))).toBe(true);
      const inks = new Set(panel.colours.map((c) => c.index));
      for (const i of new Set(frame.indices)) expect(inks.has(i), `${panel.id} index ${i}`).toBe(true);
    }
  });

  describe('colour boost', () => {
    const small = { width: 40, height: 24 };
    const solid = (hex: string) =>
      sharp({ create: { width: 40, height: 24, channels: 3, background: hex } })
        .png()
        .toBuffer();
    const first = async (photo: Buffer, o: Partial<RenderOptions>) => [
      ...(await preparePhoto(photo, small, o)).data.subarray(0, 3),
    ];

    it("saturation 0 leaves only greys, and keeps each colour's luma", async () => {
      const [r, g, b] = await first(await solid('#d04020'), { saturation: 0, contrast: 1, brightness: 1 });
      expect(Math.max(r!, g!, b!) - Math.min(r!, g!, b!)).toBeLessThanOrEqual(1);
      expect(Math.abs(r! - (0.2126 * 0xd0 + 0.7152 * 0x40 + 0.0722 * 0x20))).toBeLessThanOrEqual(1);
    });

    it('saturation above 1 moves a colour away from its grey; greys stay put', async () => {
      const [r, , b] = await first(await solid('#a06050'), { saturation: 1.5, contrast: 1, brightness: 1 });
      expect(r! - b!).toBeGreaterThan(0xa0 - 0x50);
      expect(await first(await solid('#646464'), { saturation: 1.5, contrast: 1, brightness: 1 })).toEqual([
        100, 100, 100,
      ]);
    });

    it('contrast pivots on mid-grey and brightness scales', async () => {
      expect(await first(await solid('#646464'), { saturation: 1, contrast: 2, brightness: 1 })).toEqual([72, 72, 72]);
      expect(await first(await solid('#808080'), { saturation: 1, contrast: 2, brightness: 1 })).toEqual([
        128, 128, 128,
      ]);
      expect(await first(await solid('#c8c8c8'), { saturation: 1, contrast: 1, brightness: 0.5 })).toEqual([
        100, 100, 100,
      ]);
    });

    it('exposure scales the light in linear light: +1 stop doubles it, -1 halves it, white clips', async () => {
      // sRGB 100 is 0.1274 linear: doubled 0.2549 is sRGB 138; halved 0.0637 is sRGB 71.
      expect(await first(await solid('#646464'), { exposure: 1 })).toEqual([138, 138, 138]);
      expect(await first(await solid('#646464'), { exposure: -1 })).toEqual([71, 71, 71]);
      expect(await first(await solid('#c8c8c8'), { exposure: 2 })).toEqual([255, 255, 255]);
      expect(await first(await solid('#646464'), { exposure: 0 })).toEqual([100, 100, 100]);
    });
  });

  describe('unreadable photos are a RenderError naming the file', () => {
    it('not an image', async () => {
      const file = path.join(dir, 'notes.jpg');
      await writeFile(file, 'shopping list: milk, eggs\n');
      await expect(renderForPanel(file, spectra)).rejects.toThrow(RenderError);
      await expect(renderForPanel(file, spectra)).rejects.toThrow(`cannot render ${file}: not an image`);
    });

    it('a truncated JPEG', async () => {
      const file = path.join(dir, 'truncated.jpg');
      const whole = await sharp({
        create: {
          width: 640,
          height: 480,
          channels: 3,
          background: '#000000',
          noise: { type: 'gaussian', mean: 128, sigma: 60 },
        },
      })
        .jpeg()
        .toBuffer();
      await writeFile(file, whole.subarray(0, whole.length >> 1));
      const err = await renderForPanel(file, spectra).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RenderError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message.split('\n')).toHaveLength(1);
    });

    it("a HEIC photo (sharp's prebuilt libvips has no HEVC decoder)", async () => {
      const file = path.join(dir, 'IMG_0001.HEIC');
      const ftyp = Buffer.alloc(24);
      ftyp.writeUInt32BE(24, 0);
      ftyp.write('ftypheic', 4, 'latin1');
      ftyp.write('mif1heic', 16, 'latin1');
      await writeFile(file, Buffer.concat([ftyp, Buffer.alloc(512, 7)]));
      await expect(renderForPanel(file, spectra)).rejects.toThrow(RenderError);
      await expect(renderForPanel(file, spectra)).rejects.toThrow(file);
    });

    it('a 23-byte JPEG with a corrupt header is a damaged image, never "file not found" (issue 21)', async () => {
      const file = path.join(dir, 'tiny.jpg');
      await writeFile(file, Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb00', 'hex'));
      const err = await renderForPanel(file, spectra).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RenderError);
      expect((err as Error).message).toMatch(
        new RegExp(
          `^cannot render ${file}: a damaged image: its header cannot be read \\(premature end of JPEG image\\)$`,
        ),
      );
      expect((err as Error).message).not.toMatch(/not found/);
    });

    it('a missing file', async () => {
      const file = path.join(dir, 'gone.jpg');
      await expect(renderForPanel(file, spectra)).rejects.toThrow(`cannot render ${file}: file not found`);
    });

    it('an empty buffer, named by the caller', async () => {
      await expect(renderForPanel(Buffer.alloc(0), spectra, { name: 'asset 42' })).rejects.toThrow(
        /cannot render asset 42: /,
      );
    });
  });

  it('a render option out of range is a ConfigError naming it', async () => {
    const photo = await readFile(path.join(dir, 'waveshare-7in3e.png')).catch(() => Buffer.alloc(1));
    await expect(renderForPanel(photo, spectra, { rotate: 45 as 90 })).rejects.toThrow(ConfigError);
    await expect(renderForPanel(photo, spectra, { saturation: 9 })).rejects.toThrow('render option saturation = 9');
  });
});
