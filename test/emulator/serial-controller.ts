// A simulated serial panel controller (the ESP32/RP2040 side of hardware/serial-protocol.md),
// written from the document rather than from the host's codec: it parses frames, checks their
// CRC, answers ACK/NAK, reassembles the frame buffer, and can drop or corrupt frames on purpose.
import { crc32 } from 'node:zlib';

/** Bit by bit, as the document states it: poly 0x1021, init 0xFFFF, MSB first, no final xor. */
function crc16Bitwise(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function frame(type: number, seq: number, payload: number[]): Buffer {
  const body = Buffer.from([1, type, seq >> 8, seq & 0xff, payload.length >> 8, payload.length & 0xff, ...payload]);
  const crc = crc16Bitwise(body);
  return Buffer.concat([Buffer.from([0xa5, 0x5a]), body, Buffer.from([crc >> 8, crc & 0xff])]);
}

const be16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

export interface ControllerFaults {
  /** Ordinals (0-based) of host frames to lose on the way in. */
  dropIncoming?: Set<number>;
  /** Ordinals of host frames to arrive with one byte flipped. */
  corruptIncoming?: Set<number>;
  /** Ordinals of the controller's replies to lose on the way out. */
  dropReplies?: Set<number>;
  /** Ordinals of replies to send with one byte flipped. */
  corruptReplies?: Set<number>;
  /** The refresh's DONE frame is lost (the host must ask with STATUS). */
  dropDone?: boolean;
  /** The panel's BUSY never releases: DONE reports result 1. */
  busyTimeout?: boolean;
  /** Never answer anything. */
  silent?: boolean;
}

export class SimulatedController {
  private rx = Buffer.alloc(0);
  private incoming = 0;
  private replies = 0;
  private txSeq = 0;
  private buffer: Buffer | undefined;
  private received = 0;
  private lastSeq = -1;
  private lastReply: Buffer | undefined;
  private lastDoneSeq = 0;
  private lastResult = 0;
  /** Frame buffers shown by each refresh. */
  readonly shown: Buffer[] = [];
  readonly stats = { badCrc: 0, duplicates: 0, dropped: 0, refreshes: 0, clears: 0, sleeps: 0 };

  constructor(
    private readonly send: (bytes: Buffer) => void,
    private readonly panelId: string,
    private readonly maxChunk = 1024,
    private readonly faults: ControllerFaults = {},
  ) {}

  /** Bytes from the host. Each host write is one frame, which is what the faults count. */
  receive(bytes: Buffer): void {
    if (this.faults.silent) return;
    const n = this.incoming++;
    if (this.faults.dropIncoming?.has(n)) {
      this.stats.dropped++;
      return;
    }
    let data = bytes;
    if (this.faults.corruptIncoming?.has(n)) {
      data = Buffer.from(bytes);
      data[data.length >> 1]! ^= 0x40;
    }
    this.rx = Buffer.concat([this.rx, data]);
    this.parse();
  }

  private parse(): void {
    for (;;) {
      const start = this.rx.indexOf(Buffer.from([0xa5, 0x5a]));
      if (start < 0) {
        this.rx = this.rx.subarray(Math.max(0, this.rx.length - 1));
        return;
      }
      this.rx = this.rx.subarray(start);
      if (this.rx.length < 8) return;
      const len = this.rx.readUInt16BE(6);
      if (this.rx[2] !== 1 || len > 4100) {
        this.rx = this.rx.subarray(1);
        continue;
      }
      if (this.rx.length < 8 + len + 2) return;
      const type = this.rx[3]!;
      const seq = this.rx.readUInt16BE(4);
      const payload = Buffer.from(this.rx.subarray(8, 8 + len));
      const ok = crc16Bitwise(this.rx.subarray(2, 8 + len)) === this.rx.readUInt16BE(8 + len);
      this.rx = ok ? this.rx.subarray(8 + len + 2) : this.rx.subarray(1);
      if (!ok) {
        this.stats.badCrc++;
        this.reply(frame(0x81, this.txSeq++, [...be16(seq), 1]));
        continue;
      }
      this.handle(type, seq, payload);
    }
  }

  private reply(bytes: Buffer): void {
    const n = this.replies++;
    if (this.faults.dropReplies?.has(n)) return;
    if (this.faults.corruptReplies?.has(n)) {
      const copy = Buffer.from(bytes);
      copy[copy.length - 3]! ^= 0x01;
      this.send(copy);
      return;
    }
    this.send(bytes);
  }

  private handle(type: number, seq: number, p: Buffer): void {
    // A request seen before (its reply was lost): answer again, do not act again.
    if (seq === this.lastSeq && this.lastReply) {
      this.stats.duplicates++;
      this.reply(this.lastReply);
      return;
    }
    const ack = frame(0x80, this.txSeq++, be16(seq));
    const nak = (reason: number) => frame(0x81, this.txSeq++, [...be16(seq), reason]);
    let answer: Buffer;
    let after: (() => void) | undefined;
    switch (type) {
      case 0x01: {
        const id = [...Buffer.from(this.panelId, 'ascii')];
        answer = frame(0x82, this.txSeq++, [...be16(seq), 1, ...be16(this.maxChunk), ...id]);
        break;
      }
      case 0x02: {
        const total = p.readUInt32BE(0);
        const id = p.subarray(9).toString('ascii');
        if (id !== this.panelId) answer = nak(5);
        else {
          this.buffer = Buffer.alloc(total);
          this.received = 0;
          answer = ack;
        }
        break;
      }
      case 0x03: {
        const offset = p.readUInt32BE(0);
        const data = p.subarray(4);
        if (!this.buffer || offset !== this.received || offset + data.length > this.buffer.length) answer = nak(3);
        else {
          data.copy(this.buffer, offset);
          this.received += data.length;
          answer = ack;
        }
        break;
      }
      case 0x04: {
        const complete =
          this.buffer && this.received === this.buffer.length && crc32(this.buffer) === p.readUInt32BE(0);
        answer = complete ? ack : nak(7);
        break;
      }
      case 0x05:
      case 0x07: {
        const isClear = type === 0x07;
        if (!isClear && !(this.buffer && this.received === this.buffer.length)) {
          answer = nak(2);
          break;
        }
        answer = ack;
        after = () => {
          if (isClear) this.stats.clears++;
          else {
            this.stats.refreshes++;
            this.shown.push(Buffer.from(this.buffer!));
          }
          this.lastDoneSeq = seq;
          this.lastResult = this.faults.busyTimeout ? 1 : 0;
          if (!this.faults.dropDone)
            this.send(frame(0x84, this.txSeq++, [...be16(seq), this.lastResult, ...be32(1234)]));
        };
        break;
      }
      case 0x06:
        this.stats.sleeps++;
        answer = ack;
        break;
      case 0x08:
        answer = frame(0x83, this.txSeq++, [
          ...be16(seq),
          0,
          1,
          ...be32(this.received),
          ...be16(this.lastDoneSeq),
          this.lastResult,
        ]);
        break;
      default:
        answer = nak(8);
    }
    this.lastSeq = seq;
    this.lastReply = answer;
    this.reply(answer);
    // The refresh runs after the ACK, as on the real board: DONE comes later.
    if (after) setTimeout(after, 5);
  }
}
