// The trace transport: every pin change, delay, BUSY sample, command byte and run of data bytes,
// in order, as one JSON object a line. For dry runs, and for tests to replay into the emulator.
import { open } from 'node:fs/promises';
import { TransportError } from '../../src/core/errors.js';
import { pinNames, type Level, type PinMap, type Transport } from './transport.js';

/** One line of a trace. `name` is the pin's role (rst, dc, cs or cs0/cs1, busy, pwr) when it has one. */
export type TraceRecord =
  | { op: 'pin'; pin: number; name?: string; level: Level }
  | { op: 'read'; pin: number; name?: string; level: Level }
  | { op: 'delay'; ms: number }
  /** A command byte: clocked out while DC was low (or, framed by CS, the first after CS fell). */
  | { op: 'command'; byte: string }
  /** Consecutive data bytes, as hex. */
  | { op: 'data'; count: number; hex: string }
  | { op: 'close' };

export interface TraceOptions {
  /** Forward every call to this transport too (a real panel or the emulator) and record its answers. */
  inner?: Transport;
  /**
   * Without an inner transport, what an input pin reads; by default the level the caller waits
   * for (else 1), as the vendors' recordings answered.
   */
  idleLevels?: Map<number, Level>;
  /**
   * How a byte is told to be a command: by DC low (every panel but one), or by CS framing, the
   * first byte after a chip select fell (the Waveshare 13.3" (E) holds DC low throughout).
   */
  commandBy?: 'dc' | 'cs';
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

export class TraceTransport implements Transport {
  private readonly names: Map<number, string>;
  private readonly chipSelects: Set<number>;
  private dc: Level = 0;
  /** CS framing: a chip select fell since the last byte, so the next byte is a command. */
  private csFell = false;
  private pending: Uint8Array[] = [];
  private pendingCount = 0;

  constructor(
    private readonly write: (line: string) => void | Promise<void>,
    private readonly pins: PinMap,
    private readonly options: TraceOptions = {},
  ) {
    this.names = pinNames(pins);
    this.chipSelects = new Set([pins.cs, ...(pins.cs1 === undefined ? [] : [pins.cs1])]);
  }

  private async emit(record: TraceRecord): Promise<void> {
    await this.flushData();
    await this.write(JSON.stringify(record));
  }

  private async flushData(): Promise<void> {
    if (this.pendingCount === 0) return;
    const hex = Buffer.concat(this.pending).toString('hex');
    const record: TraceRecord = { op: 'data', count: this.pendingCount, hex };
    this.pending = [];
    this.pendingCount = 0;
    await this.write(JSON.stringify(record));
  }

  private named(pin: number): { pin: number; name?: string } {
    const name = this.names.get(pin);
    return name === undefined ? { pin } : { pin, name };
  }

  async writePin(pin: number, level: Level): Promise<void> {
    if (pin === this.pins.dc) this.dc = level;
    if (level === 0 && this.chipSelects.has(pin)) this.csFell = true;
    await this.emit({ op: 'pin', ...this.named(pin), level });
    await this.options.inner?.writePin(pin, level);
  }

  async readPin(pin: number, awaited?: Level): Promise<Level> {
    const level = this.options.inner
      ? await this.options.inner.readPin(pin, awaited)
      : (this.options.idleLevels?.get(pin) ?? awaited ?? 1);
    await this.emit({ op: 'read', ...this.named(pin), level });
    return level;
  }

  async spiWrite(bytes: Uint8Array): Promise<void> {
    if (this.options.commandBy === 'cs') {
      let rest = bytes;
      if (this.csFell && rest.length > 0) {
        this.csFell = false;
        await this.emit({ op: 'command', byte: hex2(rest[0]!) });
        rest = rest.subarray(1);
      }
      this.addData(rest);
    } else if (this.dc === 0) {
      for (const b of bytes) await this.emit({ op: 'command', byte: hex2(b) });
    } else {
      this.addData(bytes);
    }
    await this.options.inner?.spiWrite(bytes);
  }

  private addData(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.push(Uint8Array.from(bytes));
    this.pendingCount += bytes.length;
  }

  async delay(ms: number): Promise<void> {
    await this.emit({ op: 'delay', ms });
    await this.options.inner?.delay(ms);
  }

  async close(): Promise<void> {
    await this.emit({ op: 'close' });
    await this.options.inner?.close();
  }
}

/** A trace transport writing to a file (created or truncated); the file is closed with it. */
export async function openTraceFile(file: string, pins: PinMap, options: TraceOptions = {}): Promise<Transport> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'w');
  } catch (err) {
    throw new TransportError(
      `cannot write the trace file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const trace = new TraceTransport((line) => handle.write(line + '\n').then(() => undefined), pins, options);
  return {
    writePin: (p, l) => trace.writePin(p, l),
    readPin: (p, awaited) => trace.readPin(p, awaited),
    spiWrite: (b) => trace.spiWrite(b),
    delay: (ms) => trace.delay(ms),
    close: async () => {
      try {
        await trace.close();
      } finally {
        await handle.close();
      }
    },
  };
}

/** Parse a trace (JSON lines) back into records. */
export function parseTrace(text: string): TraceRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TraceRecord);
}
