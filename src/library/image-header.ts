// The pixel size and EXIF orientation of a JPEG, PNG or WebP from its first bytes, read while a
// download streams by: what refresh-info.ts would otherwise ask sharp for, file by file, after the
// sync (about a hundred system calls a photo). Pure; null whenever the header is not plain enough
// to be sure (sharp reads those files instead).

export interface HeaderSize {
  format: 'jpeg' | 'png' | 'webp';
  /** As stored (before the orientation is applied). */
  width: number;
  height: number;
  /** EXIF orientation 1..8, or null when the file has none. */
  orientation: number | null;
}

/** The most of a file's head kept to read its size: a JPEG's APP segments (EXIF, ICC, XMP) come
 * before its frame header and each is at most 64 KiB; past this, sharp reads the file. */
export const HEADER_BYTES = 256 * 1024;

export function readHeaderSize(head: Buffer): HeaderSize | null {
  if (head.length >= 24 && head.readUInt32BE(0) === 0x89504e47 && head.toString('latin1', 12, 16) === 'IHDR') {
    const width = head.readUInt32BE(16);
    const height = head.readUInt32BE(20);
    return width > 0 && height > 0 ? { format: 'png', width, height, orientation: null } : null;
  }
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) return jpegSize(head);
  if (head.length >= 30 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
    return webpSize(head);
  }
  return null;
}

/** A WebP's size from its first chunk (RFC 9649): the lossy (VP8) and lossless (VP8L) bitstreams
 * start with it, an extended file (VP8X) gives its canvas. An animation, or an EXIF chunk (where an
 * orientation may be), is left to sharp. */
function webpSize(b: Buffer): HeaderSize | null {
  const at = 20; // the first chunk's payload, after RIFF, its size, WEBP, the chunk's name and size
  let width: number;
  let height: number;
  switch (b.toString('latin1', 12, 16)) {
    case 'VP8 ':
      // A key frame's tag (bit 0 clear), the start code 9d 01 2a, then 14-bit width and height.
      if ((b[at]! & 1) !== 0 || b[at + 3] !== 0x9d || b[at + 4] !== 0x01 || b[at + 5] !== 0x2a) return null;
      width = b.readUInt16LE(at + 6) & 0x3fff;
      height = b.readUInt16LE(at + 8) & 0x3fff;
      break;
    case 'VP8L': {
      // The signature 0x2f, then width - 1 and height - 1 in 14 bits each, least significant first.
      if (b[at] !== 0x2f) return null;
      const bits = b.readUInt32LE(at + 1);
      width = (bits & 0x3fff) + 1;
      height = ((bits >>> 14) & 0x3fff) + 1;
      break;
    }
    case 'VP8X':
      // Flags (animation 0x02, EXIF 0x08), three reserved bytes, then width - 1 and height - 1 in 24 bits.
      if ((b[at]! & (0x02 | 0x08)) !== 0) return null;
      width = b.readUIntLE(at + 4, 3) + 1;
      height = b.readUIntLE(at + 7, 3) + 1;
      break;
    default:
      return null;
  }
  return width > 0 && height > 0 ? { format: 'webp', width, height, orientation: null } : null;
}

/** Start-of-frame markers: SOF0-3, 5-7, 9-11, 13-15 (0xC4 is DHT, 0xC8 JPG, 0xCC DAC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Buffer): HeaderSize | null {
  let orientation: number | null = null;
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    // Fill bytes, and the standalone markers that carry no length.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan before any frame header
    const length = b.readUInt16BE(at + 2);
    if (length < 2) return null;
    const body = at + 4;
    if (isStartOfFrame(marker)) {
      if (body + 5 > b.length) return null;
      const height = b.readUInt16BE(body + 1);
      const width = b.readUInt16BE(body + 3);
      // Height 0 means "given by a DNL marker later": rare, and left to sharp.
      return width > 0 && height > 0 ? { format: 'jpeg', width, height, orientation } : null;
    }
    if (marker === 0xe1 && orientation === null && body + length - 2 <= b.length) {
      orientation = exifOrientation(b.subarray(body, body + length - 2));
    }
    at = body + length - 2;
  }
  return null;
}

/** Tag 0x0112 of IFD0 in an APP1 "Exif\0\0" segment; null when absent or not 1..8. */
function exifOrientation(app1: Buffer): number | null {
  if (app1.length < 14 || app1.toString('latin1', 0, 6) !== 'Exif\0\0') return null;
  const tiff = app1.subarray(6);
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return null;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return null;
    if (u16(entry) !== 0x0112) continue;
    // SHORT (type 3), one value, left-justified in the 4-byte value field.
    const value = u16(entry + 8);
    return u16(entry + 2) === 3 && value >= 1 && value <= 8 ? value : null;
  }
  return null;
}
