// The glass as a PNG without sharp's quantiser: every panel's frame, turned each way the frame can
// hang, decodes (by sharp, an independent PNG reader) to exactly the colours the inks show, turned
// as sharp's own rotate turns them.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { packFrame } from '../../drivers/frame-format.js';
import { PANELS } from '../../drivers/panels.js';
import { framePng, frameToRgb } from '../../drivers/virtual-panel.js';

/** A frame of every ink in stripes and noise, so a swapped row, column or nibble shows. */
function someIndices(width: number, height: number, inks: number[]): Uint8Array {
  const out = new Uint8Array(width * height);
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const x = i % width;
    out[i] = inks[(x < 7 ? x : seed >> 16) % inks.length]!;
  }
  return out;
}

describe('framePng', () => {
  for (const panel of PANELS.filter(
    (p, i, all) => all.findIndex((q) => q.pixelFormat === p.pixelFormat && q.width === p.width) === i,
  )) {
    it(`${panel.id}: decodes to the inks' colours at 0, 90, 180 and 270 degrees`, async () => {
      const buffer = packFrame(
        someIndices(
          panel.width,
          panel.height,
          panel.colours.map((c) => c.index),
        ),
        panel,
      );
      const rgb = frameToRgb(buffer, panel);
      for (const rotate of [0, 90, 180, 270]) {
        const png = await framePng(buffer, panel, { rotate });
        const got = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const want = await sharp(rgb, { raw: { width: panel.width, height: panel.height, channels: 3 } })
          .rotate(rotate)
          .raw()
          .toBuffer({ resolveWithObject: true });
        expect([got.info.width, got.info.height]).toEqual([want.info.width, want.info.height]);
        expect(got.data.equals(want.data), `${panel.id} at ${rotate}`).toBe(true);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(png[25]).toBe(3); // IHDR colour type: indexed
      }
    });
  }
});
