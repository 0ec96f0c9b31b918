import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { attentionCrop } from '../../src/render/attention.js';
import { findPanel } from '../../drivers/panels.js';
import { preparePhoto } from '../../src/render/pipeline.js';
import { SCENE_COLOURS, scene } from '../support/attention-scenes.js';

const { skin: SKIN, red: RED, white: WHITE } = SCENE_COLOURS;
const target = { width: 800, height: 480 };

const cases = [
  {
    name: 'skin tones at the bottom of a portrait photo',
    w: 800,
    h: 1200,
    s: { cx: 300, cy: 1000, radius: 90, colour: SKIN },
    bg: [60, 90, 140],
  },
  {
    name: 'skin tones at the top of a portrait photo',
    w: 900,
    h: 1400,
    s: { cx: 500, cy: 150, radius: 70, colour: SKIN },
    bg: [90, 120, 80],
  },
  {
    name: 'a red object at the left of a wide photo',
    w: 2400,
    h: 900,
    s: { cx: 200, cy: 500, radius: 80, colour: RED },
    bg: [120, 140, 150],
  },
  {
    name: 'a busy patch at the right of a wide photo',
    w: 2000,
    h: 800,
    s: { cx: 1800, cy: 300, radius: 120, colour: WHITE, checkered: true },
    bg: [100, 100, 110],
  },
  {
    name: 'a red object low in a landscape photo',
    w: 1500,
    h: 1000,
    s: { cx: 700, cy: 880, radius: 60, colour: RED },
    bg: [150, 160, 120],
  },
];

describe('attention crop', () => {
  for (const c of cases) {
    it(`cuts where sharp's attention strategy cuts: ${c.name}`, async () => {
      const raw = { raw: { width: c.w, height: c.h, channels: 3 as const } };
      const png = await sharp(scene(c.w, c.h, c.s, c.bg), raw)
        .png()
        .toBuffer();
      const cover = await sharp(png)
        .resize(target.width, target.height, { fit: 'outside' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const ours = attentionCrop({ width: cover.info.width, height: cover.info.height, data: cover.data }, target);
      const theirs = await sharp(png)
        .resize(target.width, target.height, { position: sharp.strategy.attention })
        .raw()
        .toBuffer({ resolveWithObject: true });
      // sharp reports the cut as the window's offset, negated.
      expect(ours).toEqual({ left: -theirs.info.cropOffsetLeft! || 0, top: -theirs.info.cropOffsetTop! || 0 });
      // And the subject is in the window.
      const scale = cover.info.width / c.w;
      const [sx, sy] = [c.s.cx * scale, c.s.cy * scale];
      expect(sx).toBeGreaterThanOrEqual(ours.left);
      expect(sx).toBeLessThan(ours.left + target.width);
      expect(sy).toBeGreaterThanOrEqual(ours.top);
      expect(sy).toBeLessThan(ours.top + target.height);
    });
  }

  for (const [what, c] of [
    ['a portrait photo cut to landscape, rows', cases[0]!],
    ['a wide photo cut sideways, columns', cases[2]!],
  ] as const) {
    it(`the prepared photo is sharp's attention cut, pixel for pixel: ${what}`, async () => {
      const png = await sharp(scene(c.w, c.h, c.s, c.bg), { raw: { width: c.w, height: c.h, channels: 3 } })
        .png()
        .toBuffer();
      const panel = findPanel('waveshare-7in3e');
      const prepared = await preparePhoto(png, panel, { crop: 'attention' });
      const viaSharp = await sharp(png)
        .resize(panel.width, panel.height, { position: sharp.strategy.attention })
        .raw()
        .toBuffer();
      expect([prepared.width, prepared.height]).toEqual([panel.width, panel.height]);
      expect(Buffer.from(prepared.data).equals(viaSharp)).toBe(true);
    });
  }
});
