// The serial protocol's framing: the CRC is the one the document names, and the decoder gives
// back what was encoded, reports corrupt frames, and finds its way back after garbage.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16, encodeFrame, FrameDecoder, MAX_PAYLOAD } from '../../../drivers/serial/protocol.js';

describe('serial framing', () => {
  it('the CRC is CRC-16/CCITT-FALSE (check value 0x29B1 for "123456789")', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });

  it('decoding what was encoded gives the same frames, however the bytes are split (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.integer({ min: 0, max: 255 }),
            seq: fc.integer({ min: 0, max: 0xffff }),
            payload: fc.uint8Array({ maxLength: 300 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.integer({ min: 1, max: 64 }),
        (frames, split) => {
          const wire = Buffer.concat(frames.map((f) => Buffer.from(encodeFrame(f))));
          const d = new FrameDecoder();
          const out = [];
          for (let i = 0; i < wire.length; i += split) out.push(...d.push(wire.subarray(i, i + split)));
          expect(out.every((x) => x.ok)).toBe(true);
          expect(out.map((x) => (x.ok ? { ...x.frame, payload: Array.from(x.frame.payload) } : x))).toEqual(
            frames.map((f) => ({ ...f, payload: Array.from(f.payload) })),
          );
        },
      ),
    );
  });

  it('a flipped bit is reported as a corrupt frame and the next frame still decodes', () => {
    const a = Buffer.from(encodeFrame({ type: 3, seq: 7, payload: Uint8Array.of(1, 2, 3, 4) }));
    const b = Buffer.from(encodeFrame({ type: 4, seq: 8, payload: Uint8Array.of(9) }));
    a[10]! ^= 0x08;
    const out = new FrameDecoder().push(Buffer.concat([Buffer.from([0x00, 0xa5, 0x13]), a, b]));
    expect(out[0]).toEqual({ ok: false, seq: 7, type: 3 });
    expect(out.at(-1)).toMatchObject({ ok: true, frame: { type: 4, seq: 8 } });
  });

  it('a payload larger than the protocol allows is refused', () => {
    expect(() => encodeFrame({ type: 3, seq: 1, payload: new Uint8Array(MAX_PAYLOAD + 1) })).toThrow(RangeError);
  });
});
