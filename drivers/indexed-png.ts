// An indexed PNG of a frame: the panel's ink indices as they are, with the inks' colours as the
// palette. A frame has at most 16 inks, so this holds it exactly without quantising (sharp's palette
// PNG runs libimagequant over a float copy of every pixel: ~16 bytes a pixel, several MB a frame,
// which a frame publishing its glass on every refresh pays each time). Format facts from the PNG
// specification (W3C PNG, 2nd edition): signature, IHDR/PLTE/IDAT/IEND chunks, CRC-32, filter type 0.
import { deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Indices (one byte a pixel, row-major) turned `rotate` degrees clockwise, as sharp's rotate turns a picture. */
export function rotateIndices(
  indices: Uint8Array,
  width: number,
  height: number,
  rotate: number,
): { indices: Uint8Array; width: number; height: number } {
  const turn = ((rotate % 360) + 360) % 360;
  if (turn === 0) return { indices, width, height };
  const out = new Uint8Array(indices.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = indices[y * width + x]!;
      if (turn === 90) out[x * height + (height - 1 - y)] = v;
      else if (turn === 180) out[(height - 1 - y) * width + (width - 1 - x)] = v;
      else out[(width - 1 - x) * height + y] = v;
    }
  }
  return turn === 180 ? { indices: out, width, height } : { indices: out, width: height, height: width };
}

/** A 4-bit indexed PNG (16 palette entries) of the indices; `palette` is 16 RGB triples. */
export function indexedPng(indices: Uint8Array, width: number, height: number, palette: Uint8Array): Buffer {
  if (palette.length !== 16 * 3) throw new Error('an indexed frame PNG has 16 palette entries');
  const rowBytes = Math.ceil(width / 2);
  // Each scanline: filter type 0 (none), then two pixels a byte, high nibble first.
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (rowBytes + 1);
    for (let x = 0; x < width; x++) {
      const v = indices[y * width + x]! & 0x0f;
      const at = row + 1 + (x >> 1);
      raw[at] = raw[at]! | (x & 1 ? v : v << 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 4; // bit depth
  ihdr[9] = 3; // colour type: indexed
  // compression, filter and interlace methods: 0
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('PLTE', palette),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
