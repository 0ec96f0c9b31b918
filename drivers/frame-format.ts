// Frame buffer packing: controller colour indices to the bytes a controller takes, and back.
// `nibble4`: two 4-bit indices a byte, the left pixel in the high nibble; `mono1`: one bit a
// pixel, the leftmost in the most significant bit. Rows start on a byte boundary.
import type { PanelProfile, PixelFormat } from './panels.js';

/** Bytes a row takes in this format. */
export function rowBytes(format: PixelFormat, width: number): number {
  return format === 'nibble4' ? Math.ceil(width / 2) : Math.ceil(width / 8);
}

export function packNibbles(indices: Uint8Array, width: number, height: number): Uint8Array {
  checkSize(indices, width, height);
  const stride = rowBytes('nibble4', width);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const src = y * width;
    const dst = y * stride;
    for (let x = 0; x + 1 < width; x += 2) {
      out[dst + (x >> 1)] = ((indices[src + x]! & 0x0f) << 4) | (indices[src + x + 1]! & 0x0f);
    }
    // An odd last pixel leaves the low nibble 0; it is past the glass's edge.
    if (width & 1) out[dst + stride - 1] = (indices[src + width - 1]! & 0x0f) << 4;
  }
  return out;
}

export function unpackNibbles(buffer: Uint8Array, width: number, height: number): Uint8Array {
  const stride = rowBytes('nibble4', width);
  checkBuffer(buffer, stride * height, width, height);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = buffer[y * stride + (x >> 1)]!;
      out[y * width + x] = x & 1 ? byte & 0x0f : byte >> 4;
    }
  }
  return out;
}

/** One bit a pixel: the bit is the pixel's index (0 or 1), as the panel's catalogue entry says. */
export function packBits(indices: Uint8Array, width: number, height: number): Uint8Array {
  checkSize(indices, width, height);
  const stride = rowBytes('mono1', width);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const src = y * width;
    const dst = y * stride;
    for (let x = 0; x < width; x++) {
      if (indices[src + x]! & 1) out[dst + (x >> 3)] = out[dst + (x >> 3)]! | (0x80 >> (x & 7));
    }
  }
  return out;
}

export function unpackBits(buffer: Uint8Array, width: number, height: number): Uint8Array {
  const stride = rowBytes('mono1', width);
  checkBuffer(buffer, stride * height, width, height);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out[y * width + x] = (buffer[y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1;
    }
  }
  return out;
}

/** Pack native-orientation indices into the panel's pixel format. */
export function packFrame(
  indices: Uint8Array,
  panel: Pick<PanelProfile, 'width' | 'height' | 'pixelFormat'>,
): Uint8Array {
  return panel.pixelFormat === 'nibble4'
    ? packNibbles(indices, panel.width, panel.height)
    : packBits(indices, panel.width, panel.height);
}

export function unpackFrame(
  buffer: Uint8Array,
  panel: Pick<PanelProfile, 'width' | 'height' | 'pixelFormat'>,
): Uint8Array {
  return panel.pixelFormat === 'nibble4'
    ? unpackNibbles(buffer, panel.width, panel.height)
    : unpackBits(buffer, panel.width, panel.height);
}

function checkSize(indices: Uint8Array, width: number, height: number): void {
  if (indices.length !== width * height) {
    throw new RangeError(`${indices.length} indices do not make a ${width}x${height} frame`);
  }
}

function checkBuffer(buffer: Uint8Array, expected: number, width: number, height: number): void {
  if (buffer.length !== expected) {
    throw new RangeError(`a ${width}x${height} frame buffer is ${expected} bytes, not ${buffer.length}`);
  }
}
