// The trace transport's records: in call order, DC deciding command from data, consecutive
// data bytes grouped into one hex record, pins named by role, and files that parse back.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PinMap } from '../../../drivers/transports/transport.js';
import { openTraceFile, parseTrace, TraceTransport } from '../../../drivers/transports/trace.js';
import { spiChunks } from '../../../drivers/transports/transport.js';
import { HATS } from '../../../drivers/hats.js';
import { CONTROLLERS } from '../../emulator/controllers.js';
import { PanelEmulator } from '../../emulator/panel-emulator.js';

const pins: PinMap = HATS.waveshare.pins;

async function record(run: (t: TraceTransport) => Promise<void>, inner?: PanelEmulator): Promise<unknown[]> {
  const lines: string[] = [];
  const t = new TraceTransport((l) => void lines.push(l), pins, inner ? { inner } : {});
  await run(t);
  return lines.map((l) => JSON.parse(l));
}

describe('trace transport', () => {
  it('a byte with DC low is a command record; bytes with DC high are data', async () => {
    const recs = await record(async (t) => {
      await t.writePin(pins.dc, 0);
      await t.spiWrite(Uint8Array.of(0x61));
      await t.writePin(pins.dc, 1);
      await t.spiWrite(Uint8Array.of(0x03, 0x20, 0x01, 0xe0));
      await t.close(); // the last run of data is written when something ends it
    });
    expect(recs).toEqual([
      { op: 'pin', pin: 25, name: 'dc', level: 0 },
      { op: 'command', byte: '61' },
      { op: 'pin', pin: 25, name: 'dc', level: 1 },
      { op: 'data', count: 4, hex: '032001e0' },
      { op: 'close' },
    ]);
  });

  it('consecutive data writes become one record, closed by the next pin change', async () => {
    const recs = await record(async (t) => {
      await t.writePin(pins.dc, 1);
      await t.spiWrite(Uint8Array.of(1, 2));
      await t.spiWrite(Uint8Array.of(3));
      await t.writePin(pins.cs, 1);
    });
    expect(recs.slice(1)).toEqual([
      { op: 'data', count: 3, hex: '010203' },
      { op: 'pin', pin: 8, name: 'cs', level: 1 },
    ]);
  });

  it('without a panel behind it, BUSY reads the idle level it was given and delays take no time', async () => {
    const lines: string[] = [];
    const t = new TraceTransport((l) => void lines.push(l), pins, { idleLevels: new Map([[pins.busy, 1]]) });
    const started = performance.now();
    await t.delay(60_000);
    expect(await t.readPin(pins.busy)).toBe(1);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { op: 'delay', ms: 60000 },
      { op: 'read', pin: 24, name: 'busy', level: 1 },
    ]);
  });

  it('without a panel behind it or an idle level, BUSY reads the level the caller waits for', async () => {
    const lines: string[] = [];
    const t = new TraceTransport((l) => void lines.push(l), pins);
    expect(await t.readPin(pins.busy, 0)).toBe(0);
    expect(await t.readPin(pins.busy, 1)).toBe(1);
    expect(await t.readPin(pins.busy)).toBe(1);
  });

  it('two chip selects are named cs0 and cs1, as the vendor traces name them', async () => {
    const two: PinMap = HATS['inky-13in3'].pins;
    const lines: string[] = [];
    const t = new TraceTransport((l) => void lines.push(l), two);
    await t.writePin(two.cs, 0);
    await t.writePin(two.cs1!, 0);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { op: 'pin', pin: 26, name: 'cs0', level: 0 },
      { op: 'pin', pin: 16, name: 'cs1', level: 0 },
    ]);
  });

  it('framed by CS, the first byte after a chip select fell is the command, whatever DC says', async () => {
    const two: PinMap = HATS['waveshare-13in3e'].pins;
    const lines: string[] = [];
    const t = new TraceTransport((l) => void lines.push(l), two, { commandBy: 'cs' });
    await t.writePin(two.dc, 0);
    await t.writePin(two.cs, 0);
    await t.spiWrite(Uint8Array.of(0x61, 0x04, 0xb0));
    await t.spiWrite(Uint8Array.of(0x03, 0x20));
    await t.writePin(two.cs, 1);
    await t.writePin(two.cs1!, 0);
    await t.spiWrite(Uint8Array.of(0x04));
    expect(lines.slice(2).map((l) => JSON.parse(l))).toEqual([
      { op: 'command', byte: '61' },
      { op: 'data', count: 4, hex: '04b00320' },
      { op: 'pin', pin: 8, name: 'cs0', level: 1 },
      { op: 'pin', pin: 7, name: 'cs1', level: 0 },
      { op: 'command', byte: '04' },
    ]);
  });

  it('with an inner transport, reads record what the panel answered', async () => {
    const emu = new PanelEmulator(CONTROLLERS['waveshare-7in3e']!, pins);
    const recs = await record(async (t) => {
      await t.writePin(pins.rst, 0);
      await t.writePin(pins.rst, 1); // a reset: the emulated controller holds BUSY low
      await t.readPin(pins.busy);
    }, emu);
    expect(recs.at(-1)).toEqual({ op: 'read', pin: 24, name: 'busy', level: 0 });
  });

  it('a trace file parses back into the records written, ending with close', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'trace-')), 't.jsonl');
    const t = await openTraceFile(file, pins);
    await t.writePin(pins.dc, 0);
    await t.spiWrite(Uint8Array.of(0x04));
    await t.close();
    expect(parseTrace(await readFile(file, 'utf8'))).toEqual([
      { op: 'pin', pin: 25, name: 'dc', level: 0 },
      { op: 'command', byte: '04' },
      { op: 'close' },
    ]);
  });

  it('an unwritable trace file is a TransportError naming it', async () => {
    await expect(openTraceFile('/nonexistent-dir/t.jsonl', pins)).rejects.toThrow(
      'cannot write the trace file /nonexistent-dir/t.jsonl: ENOENT',
    );
  });

  it('SPI writes are split into transfers of at most 4096 bytes, in order', () => {
    const bytes = Uint8Array.from({ length: 10000 }, (_, i) => i & 0xff);
    const chunks = [...spiChunks(bytes)];
    expect(chunks.map((c) => c.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(chunks.map((c) => Buffer.from(c))).equals(Buffer.from(bytes))).toBe(true);
  });
});
