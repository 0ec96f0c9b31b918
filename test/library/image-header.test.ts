// The size and orientation read from a file's first bytes on the way in (image-header.ts) must be
// what sharp reads from the whole file, or nothing (then sharp is asked).
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { HEADER_BYTES, readHeaderSize } from '../../src/library/image-header.js';
import { generateSamplePhoto } from '../../src/immich-sim/sample-photos.js';

async function sharpSays(bytes: Buffer) {
  const m = await sharp(bytes).metadata();
  return { format: m.format, width: m.width, height: m.height, orientation: m.orientation ?? null };
}

describe('image header', () => {
  it.each([1, 3, 6, 8])('a JPEG with EXIF orientation %i, behind an ICC profile and XMP', async (orientation) => {
    const bytes = await sharp({ create: { width: 301, height: 157, channels: 3, background: '#336699' } })
      .withMetadata({ orientation, icc: 'p3' })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')
      .jpeg({ progressive: orientation % 2 === 0 })
      .toBuffer();
    expect(readHeaderSize(bytes.subarray(0, HEADER_BYTES))).toEqual(await sharpSays(bytes));
  });

  it('a JPEG without EXIF, a PNG, and the simulator photos of every kind agree with sharp', async () => {
    const plain = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    const png = await sharp({ create: { width: 40, height: 90, channels: 4, background: '#0000' } })
      .png()
      .toBuffer();
    for (const bytes of [plain, png]) expect(readHeaderSize(bytes)).toEqual(await sharpSays(bytes));
    for (let i = 0; i < 12; i++) {
      const p = await generateSamplePhoto(i, { seed: 5, sizes: 'mixed' });
      const got = readHeaderSize(p.bytes.subarray(0, HEADER_BYTES));
      if (['image/jpeg', 'image/png', 'image/webp'].includes(p.mimeType)) expect(got).toEqual(await sharpSays(p.bytes));
      else expect(got).toBeNull();
    }
  });

  it('a WebP, lossy, lossless, with alpha or ICC, agrees with sharp; with EXIF or animated, is left to sharp', async () => {
    const image = (width: number, height: number, channels: 3 | 4) =>
      sharp({ create: { width, height, channels, background: channels === 4 ? '#33669980' : '#336699' } });
    const kinds: [string, Buffer][] = [
      ['lossy (VP8)', await image(301, 157, 3).webp().toBuffer()],
      ['lossless (VP8L), at the widest WebP allows', await image(16383, 3, 3).webp({ lossless: true }).toBuffer()],
      ['lossy with alpha (VP8X)', await image(640, 481, 4).webp().toBuffer()],
      ['lossless with alpha', await image(7, 9000, 4).webp({ lossless: true }).toBuffer()],
      ['with an ICC profile (VP8X)', await image(100, 50, 3).withIccProfile('p3').webp().toBuffer()],
    ];
    for (const [what, bytes] of kinds) {
      expect(bytes.toString('latin1', 8, 12), what).toBe('WEBP');
      expect(readHeaderSize(bytes), what).toEqual(await sharpSays(bytes));
    }
    expect(kinds.map(([, b]) => b.toString('latin1', 12, 16))).toEqual(
      expect.arrayContaining(['VP8 ', 'VP8L', 'VP8X']),
    );

    // An orientation in EXIF: sharp reads it (and the size), the header does not guess.
    const rotated = await image(30, 20, 3).withMetadata({ orientation: 6 }).webp().toBuffer();
    expect(rotated.toString('latin1', 12, 16)).toBe('VP8X');
    expect((await sharpSays(rotated)).orientation).toBe(6);
    expect(readHeaderSize(rotated)).toBeNull();
    // An animation's canvas is not one frame's size: the flag alone sends it to sharp.
    const animated = Buffer.from(kinds[2]![1]);
    expect(animated.toString('latin1', 12, 16)).toBe('VP8X');
    animated[20]! |= 0x02;
    expect(readHeaderSize(animated)).toBeNull();
    // Not a key frame, or a broken signature: null, not a guess.
    const lossy = Buffer.from(kinds[0]![1]);
    lossy[20]! |= 1;
    expect(readHeaderSize(lossy)).toBeNull();
    const lossless = Buffer.from(kinds[1]![1]);
    lossless[20] = 0;
    expect(readHeaderSize(lossless)).toBeNull();
    expect(readHeaderSize(kinds[0]![1].subarray(0, 29))).toBeNull();
  });

  it('a head cut before the frame header, or not an image, gives null rather than a guess', async () => {
    const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#000' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    expect(readHeaderSize(bytes.subarray(0, 40))).toBeNull();
    expect(readHeaderSize(Buffer.from('GIF89a....'))).toBeNull();
    expect(readHeaderSize(Buffer.alloc(0))).toBeNull();
  });
});
