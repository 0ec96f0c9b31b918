import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import {
  packBits,
  packFrame,
  packNibbles,
  unpackBits,
  unpackFrame,
  unpackNibbles,
} from '../../drivers/frame-format.js';

const u8 = (...v: number[]) => new Uint8Array(v);

describe('frame packing', () => {
  it('nibble4 puts the left pixel in the high nibble', () => {
    expect(packNibbles(u8(0, 1, 2, 3, 5, 6), 6, 1)).toEqual(u8(0x01, 0x23, 0x56));
  });

  it('nibble4 starts every row on a byte boundary (an odd width leaves a low nibble of 0)', () => {
    expect(packNibbles(u8(1, 2, 3, 4, 5, 6), 3, 2)).toEqual(u8(0x12, 0x30, 0x45, 0x60));
  });

  it('mono1 puts the leftmost pixel in the most significant bit and pads rows to whole bytes', () => {
    expect(packBits(u8(1, 0, 0, 0, 0, 0, 0, 1, 1, 1), 10, 1)).toEqual(u8(0x81, 0xc0));
    expect(packBits(u8(0, 1, 1, 0), 2, 2)).toEqual(u8(0x40, 0x80));
  });

  const frames = (maxIndex: number) =>
    fc.record({ w: fc.integer({ min: 1, max: 40 }), h: fc.integer({ min: 1, max: 12 }) }).chain(({ w, h }) =>
      fc.record({
        w: fc.constant(w),
        h: fc.constant(h),
        px: fc.uint8Array({ minLength: w * h, maxLength: w * h, max: maxIndex }),
      }),
    );

  it('unpack(pack(indices)) gives the indices back, any size (nibble4)', () => {
    fc.assert(
      fc.property(frames(15), ({ w, h, px }) => {
        expect(unpackNibbles(packNibbles(px, w, h), w, h)).toEqual(px);
      }),
    );
  });

  it('unpack(pack(indices)) gives the indices back, any size (mono1)', () => {
    fc.assert(
      fc.property(frames(1), ({ w, h, px }) => {
        expect(unpackBits(packBits(px, w, h), w, h)).toEqual(px);
      }),
    );
  });

  it('pack(unpack(buffer)) gives the buffer back when rows have no padding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 8 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 255 })),
        (wb, h, s) => {
          const buf = new Uint8Array(wb * h).map(() => s.next().value as number);
          expect(packNibbles(unpackNibbles(buf, wb * 2, h), wb * 2, h)).toEqual(buf);
          expect(packBits(unpackBits(buf, wb * 8, h), wb * 8, h)).toEqual(buf);
        },
      ),
    );
  });

  it('frame buffers have the sizes the controllers take', () => {
    const spectra = findPanel('waveshare-7in3e');
    const mono = findPanel('waveshare-7in5-v2');
    const acep = findPanel('waveshare-5in65f');
    expect(packFrame(new Uint8Array(800 * 480), spectra)).toHaveLength(192000);
    expect(packFrame(new Uint8Array(800 * 480), mono)).toHaveLength(48000);
    expect(packFrame(new Uint8Array(600 * 448), acep)).toHaveLength(134400);
  });

  it('an all-white frame is the bytes the vendors clear their panels with (0x11 colour, 0x00 mono)', () => {
    const spectra = findPanel('waveshare-7in3e');
    const mono = findPanel('waveshare-7in5-v2');
    const white = (p: typeof spectra) =>
      new Uint8Array(p.width * p.height).fill(p.colours.find((c) => c.name === 'white')!.index);
    expect(new Set(packFrame(white(spectra), spectra))).toEqual(new Set([0x11]));
    expect(new Set(packFrame(white(mono), mono))).toEqual(new Set([0x00]));
    expect(Buffer.from(unpackFrame(packFrame(white(mono), mono), mono)).equals(white(mono))).toBe(true);
  });

  it('refuses indices or buffers of the wrong length', () => {
    expect(() => packNibbles(new Uint8Array(5), 3, 2)).toThrow(RangeError);
    expect(() => unpackBits(new Uint8Array(3), 16, 1)).toThrow('a 16x1 frame buffer is 2 bytes, not 3');
  });
});
