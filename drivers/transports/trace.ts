// The trace transport: every pin change, delay, BUSY sample, command byte and run of data bytes,
// in order, as one JSON object a line. For dry runs, and for tests to replay into the emulator.
import { open } from 'node:fs/promises';
import { TransportError } from '../../src/core/errors.js';
import { pinNames, type Level, type PinMap, type Transport } from './transport.js';

/** One line of a trace. `name` is the pin's role (rst, dc, cs, busy, pwr) when it has one. */
export type TraceRecord =
  | { op: 'pin'; pin: number; name?: string; level: Level }
  | { op: 'read'; pin: number; name?: string; level: Level }
  | { op: 'delay'; ms: number }
  /** A byte clocked out while DC was low. */
  | { op: 'command'; byte: string }
  /** Consecutive bytes clocked out while DC was high, as hex. */
  | { op: 'data'; count: number; hex: string }
  | { op: 'close' };

export interface TraceOptions {
  /** Forward every call to this transport too (a real panel or the emulator) and record its answers. */
  inner?: Transport;
  /** Without an inner transport, what each input pin reads (BUSY: its idle level). Default 1. */
  idleLevels?: Map<number, Level>;
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

export class TraceTransport implements Transport {
  private readonly names: Map<number, string>;
  private dc: Level = 0;
  private pending: number[][] = [];
  private pendingCount = 0;

  constructor(
    private readonly write: (line: string) => void | Promise<void>,
    private readonly pins: PinMap,
    private readonly options: TraceOptions = {},
  ) {
    this.names = pinNames(pins);
  }

  private async emit(record: TraceRecord): Promise<void> {
    await this.flushData();
    await this.write(JSON.stringify(record));
  }

  private async flushData(): Promise<void> {
    if (this.pendingCount === 0) return;
    const hex = this.pending.map((chunk) => chunk.map(hex2).join('')).join('');
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
    await this.emit({ op: 'pin', ...this.named(pin), level });
    await this.options.inner?.writePin(pin, level);
  }

  async readPin(pin: number): Promise<Level> {
    const level = this.options.inner ? await this.options.inner.readPin(pin) : (this.options.idleLevels?.get(pin) ?? 1);
    await this.emit({ op: 'read', ...this.named(pin), level });
    return level;
  }

  async spiWrite(bytes: Uint8Array): Promise<void> {
    if (this.dc === 0) {
      for (const b of bytes) await this.emit({ op: 'command', byte: hex2(b) });
    } else {
      this.pending.push(Array.from(bytes));
      this.pendingCount += bytes.length;
    }
    await this.options.inner?.spiWrite(bytes);
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
    readPin: (p) => trace.readPin(p),
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
