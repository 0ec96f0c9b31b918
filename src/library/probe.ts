// What a file holds: its SHA-1 (streamed, never read whole) and whether sharp can decode it as
// an image (from its header, without decoding the pixels).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import sharp from 'sharp';

export async function sha1OfFile(file: string): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

export interface ImageProbe {
  format: string;
  width: number;
  height: number;
}

/** The image's format and size, or null when sharp cannot read it as an image. */
export async function probeImage(file: string): Promise<ImageProbe | null> {
  try {
    const m = await sharp(file, { failOn: 'none' }).metadata();
    if (!m.format || !m.width || !m.height) return null;
    return { format: m.format, width: m.width, height: m.height };
  } catch {
    return null;
  }
}
