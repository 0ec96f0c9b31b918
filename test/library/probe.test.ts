import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sniffImageFormat } from '../../src/library/probe.js';

const image = () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#3a6' } });

describe('image format from the first bytes', () => {
  it.each(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const)(
    'a %s made by sharp is recognised as sharp names it',
    async (format) => {
      const bytes = await image().toFormat(format).toBuffer();
      const sharpSays = (await sharp(bytes).metadata()).format;
      expect(sniffImageFormat(bytes.subarray(0, 32))).toBe(sharpSays === 'heif' ? 'avif' : sharpSays);
    },
  );

  it('text, an MP4 and too few bytes are not images', () => {
    expect(sniffImageFormat(Buffer.from('<!doctype html><title>502</title>'))).toBeNull();
    expect(sniffImageFormat(Buffer.from('000000206674797069736f6d00000200', 'hex'))).toBeNull();
    expect(sniffImageFormat(Buffer.from([0xff, 0xd8]))).toBeNull();
  });
});
