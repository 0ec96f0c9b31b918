// Frame rearrangements some vendors make between the buffer they take and the bytes they send:
// Pimoroni's numpy.rot90(buf, -1) (a quarter turn clockwise) and the 13.3" glass's split into
// the halves its two controllers take. `nibble4` buffers: two pixels a byte, left in the high nibble.

/**
 * Turn a `nibble4` frame a quarter clockwise: the result is `height` wide and `width` tall, and
 * its pixel (column c, row r) is the source's (x = r, y = height - 1 - c). Indices are masked
 * to 3 bits as Pimoroni's set_pixel does (`v & 0x07`).
 */
export function turnClockwise(frame: Uint8Array, width: number, height: number): Uint8Array {
  const outW = height;
  const outH = width;
  const srcStride = width / 2;
  const out = new Uint8Array((outW * outH) / 2);
  for (let r = 0; r < outH; r++) {
    const x = r;
    const shift = x & 1 ? 0 : 4;
    const col = x >> 1;
    const row = r * (outW / 2);
    for (let c = 0; c < outW; c += 2) {
      const a = (frame[(height - 1 - c) * srcStride + col]! >> shift) & 0x07;
      const b = (frame[(height - 2 - c) * srcStride + col]! >> shift) & 0x07;
      out[row + (c >> 1)] = (a << 4) | b;
    }
  }
  return out;
}

/**
 * Split a `nibble4` frame into its left and right halves, row by row: what the 13.3" glass's
 * two controllers take (cs0 the left `width / 2` pixels of every row, cs1 the rest).
 */
export function splitHalves(frame: Uint8Array, width: number, height: number): [Uint8Array, Uint8Array] {
  const stride = width / 2;
  const half = stride / 2;
  const left = new Uint8Array(half * height);
  const right = new Uint8Array(half * height);
  for (let r = 0; r < height; r++) {
    left.set(frame.subarray(r * stride, r * stride + half), r * half);
    right.set(frame.subarray(r * stride + half, (r + 1) * stride), r * half);
  }
  return [left, right];
}
