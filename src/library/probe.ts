// What a file holds: its SHA-1 (read in pieces, never whole) and whether sharp can decode it as
// an image (from its header, without decoding the pixels).
import { lazyCrypto } from '../core/crypto-on-demand.js';
import { FdFile } from '../core/fs-async.js';

/** Read through one reused 256 KiB buffer, not a read stream: `next` checks the photo it picks,
 * and a stream's first use loads Node's stream modules (~5 ms of its start). */
export async function sha1OfFile(file: string): Promise<string> {
  const hash = lazyCrypto().createHash('sha1');
  const fh = await FdFile.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(256 * 1024);
    for (;;) {
      const bytesRead = await fh.read(buf, 0, buf.length);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('base64');
}

/**
 * The image format from a file's first bytes (its magic number), in sharp's names; null when
 * unknown. Enough to name a verified original without asking sharp to open it.
 */
export function sniffImageFormat(head: Uint8Array): string | null {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return 'gif';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && (b.toString('latin1', 0, 4) === 'II*\0' || b.toString('latin1', 0, 4) === 'MM\0*'))
    return 'tiff';
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp') {
    const brand = b.toString('latin1', 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heif';
  }
  return null;
}

export interface ImageProbe {
  format: string;
  width: number;
  height: number;
}

/** The image's format and size, or null when sharp cannot read it as an image. */
export async function probeImage(file: string): Promise<ImageProbe | null> {
  try {
    // Loaded on first use: a sync of verified originals never needs it.
    const { default: sharp } = await import('sharp');
    const m = await sharp(file, { failOn: 'none' }).metadata();
    if (!m.format || !m.width || !m.height) return null;
    return { format: m.format, width: m.width, height: m.height };
  } catch {
    return null;
  }
}
