// The framing of the artframe serial protocol v1 (hardware/serial-protocol.md): frame types,
// encoding, CRC-16/CCITT-FALSE, and a decoder that resynchronises on the magic after garbage.

export const MAGIC_0 = 0xa5;
export const MAGIC_1 = 0x5a;
export const PROTOCOL_VERSION = 1;
/** magic (2), version, type, seq (2), length (2) */
export const HEADER_BYTES = 8;
export const CRC_BYTES = 2;
/** The largest payload either side may send: a chunk's 4-byte offset and 4096 bytes. */
export const MAX_PAYLOAD = 4 + 4096;

export const FrameType = {
  Hello: 0x01,
  BeginFrame: 0x02,
  Chunk: 0x03,
  EndFrame: 0x04,
  Refresh: 0x05,
  Sleep: 0x06,
  Clear: 0x07,
  Status: 0x08,
  Ack: 0x80,
  Nak: 0x81,
  HelloReply: 0x82,
  StatusReply: 0x83,
  Done: 0x84,
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

/** Why a controller refused a frame (the NAK's reason byte). */
export const NakReason: Record<number, string> = {
  1: 'bad CRC',
  2: 'unexpected frame',
  3: 'chunk offset out of order or past the end',
  4: 'frame too large for the controller',
  5: 'the controller drives a different panel',
  6: 'the controller is busy refreshing',
  7: 'frame data incomplete or its CRC-32 does not match',
  8: 'unknown frame type',
};
export const NAK_BAD_CRC = 1;

/** What the DONE frame's result byte says about a refresh or clear. */
export const DoneResult: Record<number, string> = {
  0: 'ok',
  1: 'the panel did not become ready (BUSY timeout)',
  2: 'no complete frame to show',
};

export interface Frame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    table[i] = c;
  }
  return table;
})();

/** CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor. */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

export function encodeFrame(frame: Frame): Uint8Array {
  const n = frame.payload.length;
  if (n > MAX_PAYLOAD) throw new RangeError(`payload of ${n} bytes exceeds ${MAX_PAYLOAD}`);
  const out = new Uint8Array(HEADER_BYTES + n + CRC_BYTES);
  const view = new DataView(out.buffer);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = PROTOCOL_VERSION;
  out[3] = frame.type;
  view.setUint16(4, frame.seq & 0xffff);
  view.setUint16(6, n);
  out.set(frame.payload, HEADER_BYTES);
  view.setUint16(HEADER_BYTES + n, crc16(out, 2, HEADER_BYTES + n));
  return out;
}

export type Decoded = { ok: true; frame: Frame } | { ok: false; seq: number; type: number };

/** Accumulates bytes from the wire and hands back whole frames (or the header of a corrupt one). */
export class FrameDecoder {
  private buf = new Uint8Array(0);

  push(bytes: Uint8Array): Decoded[] {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    this.buf = joined;
    const out: Decoded[] = [];
    let i = 0;
    while (this.buf.length - i >= HEADER_BYTES) {
      if (this.buf[i] !== MAGIC_0 || this.buf[i + 1] !== MAGIC_1 || this.buf[i + 2] !== PROTOCOL_VERSION) {
        i++;
        continue;
      }
      const view = new DataView(this.buf.buffer, this.buf.byteOffset + i);
      const length = view.getUint16(6);
      if (length > MAX_PAYLOAD) {
        i++;
        continue;
      }
      const total = HEADER_BYTES + length + CRC_BYTES;
      if (this.buf.length - i < total) break;
      const type = this.buf[i + 3]!;
      const seq = view.getUint16(4);
      if (view.getUint16(HEADER_BYTES + length) === crc16(this.buf, i + 2, i + HEADER_BYTES + length)) {
        out.push({
          ok: true,
          frame: { type, seq, payload: this.buf.slice(i + HEADER_BYTES, i + HEADER_BYTES + length) },
        });
        i += total;
      } else {
        // A corrupt frame: report it, then hunt for the next magic from the byte after this one,
        // since its length field may be the corrupt part.
        out.push({ ok: false, seq, type });
        i++;
      }
    }
    this.buf = this.buf.slice(i);
    return out;
  }
}
