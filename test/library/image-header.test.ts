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
      if (p.mimeType === 'image/jpeg' || p.mimeType === 'image/png') expect(got).toEqual(await sharpSays(p.bytes));
      else expect(got).toBeNull();
    }
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
