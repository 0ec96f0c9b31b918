// The serial transport: a panel driven by its own controller board (ESP32, RP2040, ...) on a
// serial line, fed frame buffers with the artframe serial protocol v1 (hardware/serial-protocol.md).
import { crc32 } from 'node:zlib';
import { SerialPortStream } from '@serialport/stream';
import { PanelBusyTimeoutError, TransportError } from '../../src/core/errors.js';
import type { Panel } from '../driver.js';
import { DoneResult, encodeFrame, FrameDecoder, FrameType, NAK_BAD_CRC, NakReason, type Frame } from './protocol.js';

/** A serialport binding (how bytes reach the OS); @serialport/bindings-interface's type has no ESM export of its types. */
export type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

export interface SerialPanelOptions {
  /** The panel the frames are rendered for; the controller must report the same id. */
  panelId: string;
  width: number;
  height: number;
  bitsPerPixel: number;
  /** How long to wait for a frame's ACK before sending it again. */
  ackTimeoutMs?: number;
  /** How many times a frame is sent again before giving up. */
  maxRetries?: number;
  /** How long a refresh may take before the panel is declared stuck. */
  refreshTimeoutMs?: number;
  /** How long to wait for DONE before asking for STATUS (a DONE can be lost on the line). */
  statusPollMs?: number;
}

const u16 = (p: Uint8Array, at: number) => new DataView(p.buffer, p.byteOffset).getUint16(at);

interface Waiter {
  accept: (f: Frame) => boolean;
  resolve: (f: Frame | undefined) => void;
  timer: NodeJS.Timeout;
}

export class SerialPanel implements Panel {
  private seq = 0;
  private readonly decoder = new FrameDecoder();
  private readonly inbox: Frame[] = [];
  private waiters: Waiter[] = [];
  private maxChunk = 0;
  private readonly ackTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly refreshTimeoutMs: number;
  private readonly statusPollMs: number;
  private failure: Error | undefined;

  constructor(
    private readonly port: SerialPortStream,
    private readonly path: string,
    private readonly options: SerialPanelOptions,
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1000;
    this.maxRetries = options.maxRetries ?? 5;
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 90_000;
    this.statusPollMs = options.statusPollMs ?? 5000;
    port.on('data', (chunk: Buffer) => this.onBytes(chunk));
    port.on('error', (err: Error) => (this.failure = err));
  }

  /** Open PATH with the given binding (tests: @serialport/binding-mock; a Pi: bindings-cpp). */
  static async open(
    path: string,
    options: SerialPanelOptions & { baudRate?: number; binding?: SerialBinding },
  ): Promise<SerialPanel> {
    const binding = options.binding ?? (await loadNativeBinding());
    const port = await new Promise<SerialPortStream>((resolve, reject) => {
      const p: SerialPortStream = new SerialPortStream(
        { binding, path, baudRate: options.baudRate ?? 115_200 },
        (err) => (err ? reject(err) : resolve(p)),
      );
    }).catch((err: Error) => {
      throw new TransportError(`cannot open the serial port ${path}: ${err.message} (check the cable and the path)`);
    });
    return new SerialPanel(port, path, options);
  }

  private onBytes(chunk: Uint8Array): void {
    for (const d of this.decoder.push(chunk)) {
      // A corrupt reply is dropped: the request it answered times out and goes again.
      if (!d.ok) continue;
      const i = this.waiters.findIndex((w) => w.accept(d.frame));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        clearTimeout(w!.timer);
        w!.resolve(d.frame);
      } else {
        this.inbox.push(d.frame);
      }
    }
  }

  private waitFor(accept: (f: Frame) => boolean, ms: number): Promise<Frame | undefined> {
    const i = this.inbox.findIndex(accept);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        accept,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(undefined);
        }, ms),
      };
      this.waiters.push(waiter);
    });
  }

  private async writeFrame(frame: Frame): Promise<void> {
    if (this.failure) throw new TransportError(`serial port ${this.path} failed: ${this.failure.message}`);
    const bytes = encodeFrame(frame);
    await new Promise<void>((resolve, reject) =>
      this.port.write(Buffer.from(bytes), (err) => (err ? reject(err) : resolve())),
    ).catch((err: Error) => {
      throw new TransportError(`cannot write to the serial port ${this.path}: ${err.message}`);
    });
  }

  /**
   * Send one request and return its reply (ACK, HELLO_REPLY or STATUS_REPLY; all start with the
   * request's seq). A timeout or a NAK for a bad CRC sends the same frame again, same seq, so a
   * controller that did act on it but whose reply was lost answers again without acting twice.
   */
  private async request(type: number, payload: Uint8Array = new Uint8Array(0)): Promise<Frame> {
    this.seq = (this.seq + 1) & 0xffff;
    const seq = this.seq;
    const isReply = (f: Frame) =>
      (f.type === FrameType.Ack ||
        f.type === FrameType.Nak ||
        f.type === FrameType.HelloReply ||
        f.type === FrameType.StatusReply) &&
      f.payload.length >= 2 &&
      u16(f.payload, 0) === seq;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      await this.writeFrame({ type, seq, payload });
      const reply = await this.waitFor(isReply, this.ackTimeoutMs);
      if (!reply) continue;
      if (reply.type !== FrameType.Nak) return reply;
      const reason = reply.payload[2] ?? 0;
      if (reason === NAK_BAD_CRC) continue;
      throw new TransportError(
        `the panel controller on ${this.path} refused a frame: ${NakReason[reason] ?? `reason ${reason}`}`,
      );
    }
    throw new TransportError(
      `the panel controller on ${this.path} did not answer after ${this.maxRetries + 1} tries: check the cable and that it runs firmware for artframe serial protocol v1`,
    );
  }

  private async hello(): Promise<void> {
    if (this.maxChunk > 0) return;
    const reply = await this.request(FrameType.Hello);
    const p = reply.payload;
    if (reply.type !== FrameType.HelloReply || p.length < 5) {
      throw new TransportError(`the device on ${this.path} does not speak artframe serial protocol v1`);
    }
    const panel = new TextDecoder().decode(p.subarray(5));
    if (panel !== this.options.panelId) {
      throw new TransportError(
        `the panel controller on ${this.path} drives "${panel}", not "${this.options.panelId}": set --panel ${panel}`,
      );
    }
    this.maxChunk = Math.max(1, Math.min(4096, u16(p, 3)));
  }

  private async sendFrame(frame: Uint8Array): Promise<void> {
    const { panelId, width, height, bitsPerPixel } = this.options;
    const id = new TextEncoder().encode(panelId);
    const begin = new Uint8Array(9 + id.length);
    const bv = new DataView(begin.buffer);
    bv.setUint32(0, frame.length);
    bv.setUint16(4, width);
    bv.setUint16(6, height);
    begin[8] = bitsPerPixel;
    begin.set(id, 9);
    await this.request(FrameType.BeginFrame, begin);
    for (let off = 0; off < frame.length; off += this.maxChunk) {
      const data = frame.subarray(off, off + this.maxChunk);
      const chunk = new Uint8Array(4 + data.length);
      new DataView(chunk.buffer).setUint32(0, off);
      chunk.set(data, 4);
      await this.request(FrameType.Chunk, chunk);
    }
    const end = new Uint8Array(4);
    new DataView(end.buffer).setUint32(0, crc32(frame));
    await this.request(FrameType.EndFrame, end);
  }

  /** Start a refresh or clear, then wait for DONE, asking for STATUS when the line stays quiet. */
  private async refresh(type: number): Promise<void> {
    await this.request(type);
    const seq = this.seq;
    const started = Date.now();
    while (Date.now() - started < this.refreshTimeoutMs) {
      const done = await this.waitFor(
        (f) => f.type === FrameType.Done && f.payload.length >= 3 && u16(f.payload, 0) === seq,
        Math.min(this.statusPollMs, Math.max(1, this.refreshTimeoutMs - (Date.now() - started))),
      );
      if (done) return this.checkResult(done.payload[2]!);
      const status = await this.request(FrameType.Status);
      const p = status.payload;
      // STATUS_REPLY: seq, state, busy, bytes received (4), last done seq, last result.
      if (p.length >= 11 && p[2] !== 2 && u16(p, 8) === seq) return this.checkResult(p[10]!);
    }
    throw new PanelBusyTimeoutError(
      `panel did not finish refreshing in ${Math.round(this.refreshTimeoutMs / 1000)} s: check the panel's cable to its controller on ${this.path}`,
    );
  }

  private checkResult(result: number): void {
    if (result === 0) return;
    const text = DoneResult[result] ?? `result ${result}`;
    if (result === 1) {
      throw new PanelBusyTimeoutError(
        `the panel controller on ${this.path} reports: ${text}; check the panel's cable to it`,
      );
    }
    throw new TransportError(`the panel controller on ${this.path} reports: ${text}`);
  }

  async show(frame: Uint8Array): Promise<void> {
    const { width, height, bitsPerPixel } = this.options;
    const expected = (width * height * bitsPerPixel) / 8;
    if (frame.length !== expected) {
      throw new TransportError(`the frame is ${frame.length} bytes but ${this.options.panelId} takes ${expected}`);
    }
    await this.hello();
    await this.sendFrame(frame);
    await this.refresh(FrameType.Refresh);
    await this.request(FrameType.Sleep);
  }

  async clear(): Promise<void> {
    await this.hello();
    await this.refresh(FrameType.Clear);
    await this.request(FrameType.Sleep);
  }

  async close(): Promise<void> {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(undefined);
    }
    this.waiters = [];
    if (!this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

async function loadNativeBinding(): Promise<SerialBinding> {
  try {
    const mod = (await import('@serialport/bindings-cpp')) as { autoDetect: () => SerialBinding };
    return mod.autoDetect();
  } catch (err) {
    throw new TransportError(
      `the serial port module is not installed (${(err as Error).message.split('\n')[0]}): run "npm install @serialport/bindings-cpp"`,
    );
  }
}
