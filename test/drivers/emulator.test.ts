// Every driver against the panel emulator: the emulator accepts the real byte streams, gives
// back the pixels that were packed, and each of its protocol checks rejects a stream that
// breaks it (so a pass means something). Delays are the emulator's virtual clock: no waiting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Step } from '../../drivers/driver.js';
import { HATS } from '../../drivers/hats.js';
import { PANELS, type PanelProfile } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { runSteps, SpiPanel, updateSteps } from '../../drivers/spi-panel.js';
import type { Level, PinMap, Transport } from '../../drivers/transports/transport.js';
import { parseTrace, TraceTransport } from '../../drivers/transports/trace.js';
import { PanelBusyTimeoutError, PanelError } from '../../src/core/errors.js';
import { packFrame } from '../../drivers/frame-format.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { packIndices, randomIndices, whiteIndex } from '../emulator/frames.js';
import { PanelEmulator, replayTrace } from '../emulator/panel-emulator.js';

function setup(profile: PanelProfile, options: ConstructorParameters<typeof PanelEmulator>[2] = {}) {
  const driver = driverFor(profile);
  const pins = HATS[driver.hat].pins;
  const emulator = new PanelEmulator(CONTROLLERS[driver.name]!, pins, options);
  return { driver, pins, emulator, panel: new SpiPanel(driver, emulator, pins) };
}

const byId = (id: string) => PANELS.find((p) => p.id === id)!;

describe.each(PANELS.map((p) => [p.id, p] as const))('%s on the emulator', (_id, profile) => {
  it('an update is accepted and shows exactly the packed pixels', async () => {
    const { panel, emulator } = setup(profile);
    const indices = randomIndices(profile, 1);
    await panel.show(packIndices(indices, profile));
    expect(emulator.shown).toHaveLength(1);
    expect(Buffer.from(emulator.shown[0]!).equals(Buffer.from(indices))).toBe(true);
  });

  it('an update leaves the controller powered off in deep sleep', async () => {
    const { panel, emulator } = setup(profile);
    await panel.show(packIndices(randomIndices(profile, 2), profile));
    expect(emulator.isAsleep).toBe(true);
    expect(emulator.isPowered).toBe(false);
  });

  it('a second update after deep sleep wakes the controller with a reset', async () => {
    const { panel, emulator } = setup(profile);
    await panel.show(packIndices(randomIndices(profile, 3), profile));
    const second = randomIndices(profile, 4);
    await panel.show(packIndices(second, profile));
    expect(emulator.shown).toHaveLength(2);
    expect(Buffer.from(emulator.shown[1]!).equals(Buffer.from(second))).toBe(true);
  });

  it('clear shows every pixel white', async () => {
    const { panel, emulator } = setup(profile);
    await panel.clear();
    expect(emulator.shown.at(-1)!.every((i) => i === whiteIndex(profile))).toBe(true);
  });

  it("the render stage's packing round-trips through driver and emulator", async () => {
    const { panel, emulator } = setup(profile);
    const indices = randomIndices(profile, 5);
    await panel.show(packFrame(indices, profile));
    expect(Buffer.from(emulator.shown[0]!).equals(Buffer.from(indices))).toBe(true);
  });

  it('a dry-run trace replays into the emulator with the same pixels', async () => {
    const driver = driverFor(profile);
    const pins = HATS[driver.hat].pins;
    const lines: string[] = [];
    const trace = new TraceTransport((l) => void lines.push(l), pins, {
      idleLevels: new Map([[pins.busy, (1 - driver.busyLevel) as Level]]),
    });
    const indices = randomIndices(profile, 6);
    await new SpiPanel(driver, trace, pins).show(packIndices(indices, profile));
    const emu = await replayTrace(parseTrace(lines.join('\n')), CONTROLLERS[driver.name]!, pins);
    expect(Buffer.from(emu.shown[0]!).equals(Buffer.from(indices))).toBe(true);
  });
});

describe('the emulator rejects streams that break the protocol', () => {
  const profile = byId('waveshare-7in3e');
  const frame = packIndices(randomIndices(profile, 9), profile);

  /** Run a driver whose steps were edited, straight over the emulator. */
  async function runEdited(edit: (steps: Step[]) => Step[], transport?: (t: Transport, pins: PinMap) => Transport) {
    const { driver, pins, emulator } = setup(profile);
    const t = transport ? transport(emulator, pins) : emulator;
    await emulator.writePin(pins.cs, 1);
    await runSteps(t, pins, driver, edit(updateSteps(driver, frame)));
    await emulator.close();
  }

  it('the unedited stream is accepted (the baseline of the cases below)', async () => {
    await expect(runEdited((s) => s)).resolves.toBeUndefined();
  });

  it('refresh without power on is rejected', async () => {
    // Drop every power-on: the refresh then finds the charge pumps off.
    const edit = (s: Step[]) => s.filter((x) => !(x.op === 'command' && x.command === 0x04));
    await expect(runEdited(edit)).rejects.toThrow('refresh (0x12) without power on (0x04) first');
  });

  it('bytes sent while BUSY says busy are rejected', async () => {
    const edit = (s: Step[]) => s.filter((x) => x.op !== 'waitReady');
    await expect(runEdited(edit)).rejects.toThrow(/sent while BUSY says busy/);
  });

  it('data bytes with DC low (a DC line stuck low) are rejected', async () => {
    const stuckDc = (t: Transport, pins: PinMap): Transport => ({
      ...bind(t),
      writePin: (pin, level) => t.writePin(pin, pin === pins.dc ? 0 : level),
    });
    await expect(runEdited((s) => s, stuckDc)).rejects.toThrow(/unknown command|takes 6 data byte\(s\), got 0/);
  });

  it('bytes clocked out with CS high (a CS line stuck high) are rejected', async () => {
    const stuckCs = (t: Transport, pins: PinMap): Transport => ({
      ...bind(t),
      writePin: (pin, level) => t.writePin(pin, pin === pins.cs ? 1 : level),
    });
    await expect(runEdited((s) => s, stuckCs)).rejects.toThrow(/with CS high/);
  });

  it('a frame one row short is rejected', async () => {
    const short = (s: Step[]) =>
      s.map((x) => (x.op === 'command' && x.command === 0x10 ? { ...x, data: x.data.subarray(400) } : x));
    await expect(runEdited(short)).rejects.toThrow('command 0x10 takes a frame of 192000 bytes, got 191600');
  });

  it('a command with one data byte too many is rejected', async () => {
    const extra = (s: Step[]) =>
      s.map((x) => (x.op === 'command' && x.command === 0x61 ? { ...x, data: Uint8Array.from([...x.data, 0]) } : x));
    await expect(runEdited(extra)).rejects.toThrow('command 0x61 takes 4 data byte(s), got 5');
  });

  it('a resolution other than the glass is rejected', async () => {
    const wrong = (s: Step[]) =>
      s.map((x) =>
        x.op === 'command' && x.command === 0x61 ? { ...x, data: Uint8Array.of(0x02, 0x58, 0x01, 0xc0) } : x,
      );
    await expect(runEdited(wrong)).rejects.toThrow('resolution set to 600x448, the glass is 800x480');
  });

  it('commands to a controller in deep sleep are rejected until a reset', async () => {
    const { driver } = setup(profile);
    const noReset = (s: Step[]) => [...s, ...driver.show(frame).filter((x) => x.op !== 'reset')];
    await expect(runEdited(noReset)).rejects.toThrow('sent to a controller in deep sleep: reset it first');
  });

  it('a replayed trace whose driver never looked at BUSY is rejected', async () => {
    const { driver, pins } = setup(profile);
    const lines: string[] = [];
    const trace = new TraceTransport((l) => void lines.push(l), pins, { idleLevels: new Map([[pins.busy, 1]]) });
    await new SpiPanel(driver, trace, pins).show(frame);
    const withoutReads = parseTrace(lines.join('\n')).filter((r) => r.op !== 'read');
    await expect(replayTrace(withoutReads, CONTROLLERS[driver.name]!, pins)).rejects.toThrow(/while BUSY says busy/);
  });
});

describe('busy waits', () => {
  it('a BUSY line that never releases ends in PanelBusyTimeoutError with what to check', async () => {
    const { panel } = setup(byId('waveshare-7in3e'), { stuckBusy: true });
    const frame = packIndices(randomIndices(byId('waveshare-7in3e'), 1), byId('waveshare-7in3e'));
    const err = await panel.show(frame).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PanelBusyTimeoutError);
    expect((err as Error).message).toBe(
      "panel did not become ready in 40 s after reset: check the HAT's wiring and its switches",
    );
  });

  it('the 7-colour Inky allows its refresh 60 s (the reference measured 41 s)', async () => {
    const driver = driverFor(byId('inky-impression-7in3'));
    const waits = updateSteps(driver, new Uint8Array(192000)).filter((s) => s.op === 'waitReady');
    expect(waits.find((s) => s.op === 'waitReady' && s.after === 'refresh')).toMatchObject({ timeoutMs: 60_000 });
  });

  it('waiting polls BUSY through the transport clock only', async () => {
    const { panel, emulator } = setup(byId('waveshare-7in3f'));
    const started = performance.now();
    await panel.show(packIndices(randomIndices(byId('waveshare-7in3f'), 2), byId('waveshare-7in3f')));
    // The emulated refresh holds BUSY for 1.5 virtual seconds; real time stays far below it.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(emulator.shown).toHaveLength(1);
  });
});

describe('frames', () => {
  it('a frame of the wrong size is refused before anything reaches the wire', async () => {
    const { panel, emulator } = setup(byId('waveshare-7in5-v2'));
    await expect(panel.show(new Uint8Array(100))).rejects.toBeInstanceOf(PanelError);
    await expect(panel.show(new Uint8Array(100))).rejects.toThrow(
      'the frame is 100 bytes but waveshare-7in5-v2 takes 48000: render it for this panel',
    );
    expect(emulator.commands).toHaveLength(0);
  });

  it('any frame of indices comes back from the emulator unchanged (property)', async () => {
    const profile = byId('waveshare-5in65f');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), async (seed) => {
        const { panel, emulator } = setup(profile);
        const indices = randomIndices(profile, seed);
        await panel.show(packIndices(indices, profile));
        return Buffer.from(emulator.shown[0]!).equals(Buffer.from(indices));
      }),
      { numRuns: 5 },
    );
  });
});

function bind(t: Transport): Transport {
  return {
    writePin: (p, l) => t.writePin(p, l),
    readPin: (p) => t.readPin(p),
    spiWrite: (b) => t.spiWrite(b),
    delay: (ms) => t.delay(ms),
    close: () => t.close(),
  };
}
