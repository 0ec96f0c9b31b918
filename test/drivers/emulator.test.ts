// Every driver against the panel emulator: the emulator accepts the real byte streams, gives
// back the pixels that were packed (read off the glass as the driver put them there), accepts
// the vendors' own recorded streams too, and each of its protocol checks rejects a stream that
// breaks it (so a pass means something). Delays are the emulator's virtual clock: no waiting.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmd, type Step } from '../../drivers/driver.js';
import { HATS } from '../../drivers/hats.js';
import { findPanel, PANELS, type PanelProfile } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { runSteps, SpiPanel, updateSteps } from '../../drivers/spi-panel.js';
import type { PinMap, Transport } from '../../drivers/transports/transport.js';
import { parseTrace, TraceTransport } from '../../drivers/transports/trace.js';
import { PanelBusyTimeoutError, PanelError } from '../../src/core/errors.js';
import { packFrame, unpackFrame } from '../../drivers/frame-format.js';
import { packIndices, randomIndices, whiteIndex } from '../emulator/frames.js';
import type { EmulatorOptions } from '../emulator/panel-emulator.js';
import { createGlass, frameFromGlass, replayInto } from '../emulator/glass.js';

function setup(profile: PanelProfile, options: EmulatorOptions = {}) {
  const driver = driverFor(profile);
  const pins = HATS[driver.hat].pins;
  const glass = createGlass(driver.name, pins, options);
  return { driver, pins, glass, panel: new SpiPanel(driver, glass, pins) };
}

/** What the last refresh put on the glass, as the frame the driver was given. */
const lastFrame = (glass: ReturnType<typeof createGlass>, profile: PanelProfile) =>
  Buffer.from(frameFromGlass(glass.shown.at(-1)!, profile));

const sendsDeepSleep = (profile: PanelProfile) =>
  driverFor(profile)
    .sleep()
    .some((s) => s.op === 'command' && s.command === 0x07);

describe.each(PANELS.map((p) => [p.id, p] as const))('%s on the emulator', (_id, profile) => {
  it('an update is accepted and shows exactly the packed pixels', async () => {
    const { panel, glass } = setup(profile);
    const indices = randomIndices(profile, 1);
    await panel.show(packIndices(indices, profile));
    expect(glass.shown).toHaveLength(1);
    expect(lastFrame(glass, profile).equals(Buffer.from(indices))).toBe(true);
  });

  it('an update leaves the controller powered off (and in deep sleep where its vendor sends one)', async () => {
    const { panel, glass } = setup(profile);
    await panel.show(packIndices(randomIndices(profile, 2), profile));
    expect(glass.isPowered).toBe(false);
    // Waveshare's drivers end in deep sleep; Pimoroni's never send one (fixtures README).
    expect(glass.isAsleep).toBe(sendsDeepSleep(profile));
    expect(sendsDeepSleep(profile)).toBe(profile.vendor === 'Waveshare');
  });

  it('a second update wakes the controller with a reset', async () => {
    const { panel, glass } = setup(profile);
    await panel.show(packIndices(randomIndices(profile, 3), profile));
    const second = randomIndices(profile, 4);
    await panel.show(packIndices(second, profile));
    expect(glass.shown).toHaveLength(2);
    expect(lastFrame(glass, profile).equals(Buffer.from(second))).toBe(true);
  });

  it('clear shows every pixel white', async () => {
    const { panel, glass } = setup(profile);
    await panel.clear();
    expect(glass.shown.at(-1)!.every((i) => i === whiteIndex(profile))).toBe(true);
  });

  it("the render stage's packing round-trips through driver and emulator", async () => {
    const { panel, glass } = setup(profile);
    const indices = randomIndices(profile, 5);
    await panel.show(packFrame(indices, profile));
    expect(lastFrame(glass, profile).equals(Buffer.from(indices))).toBe(true);
  });

  it('a dry-run trace replays into the emulator with the same pixels', async () => {
    const driver = driverFor(profile);
    const pins = HATS[driver.hat].pins;
    const lines: string[] = [];
    const trace = new TraceTransport((l) => void lines.push(l), pins, {
      commandBy: driver.framing.kind === 'cs-only' ? 'cs' : 'dc',
    });
    const indices = randomIndices(profile, 6);
    await new SpiPanel(driver, trace, pins).show(packIndices(indices, profile));
    const glass = await replayInto(parseTrace(lines.join('\n')), createGlass(driver.name, pins));
    expect(lastFrame(glass, profile).equals(Buffer.from(indices))).toBe(true);
  });
});

describe("the vendors' own streams on the emulator", () => {
  const DIR = fileURLToPath(new URL('../fixtures/vendor-traces/', import.meta.url));
  const manifest = JSON.parse(readFileSync(DIR + 'manifest.json', 'utf8')) as {
    panels: Record<
      string,
      {
        project_panel: string | null;
        suggested_panel_id?: string;
        traces: Record<string, { buffer?: string; trace?: string }>;
      }
    >;
  };
  const cases = Object.values(manifest.panels).map(
    (p) => [p.project_panel ?? p.suggested_panel_id!, p.traces.random!] as const,
  );

  // The emulator and the glass view were written from the fixtures README, not from our
  // drivers: the vendor's recorded random-buffer stream must show that buffer on the glass.
  it.each(cases)('%s: the recorded random stream shows the random buffer', async (id, t) => {
    const profile = findPanel(id);
    const driver = driverFor(profile);
    const pins = HATS[driver.hat].pins;
    const records = parseTrace(gunzipSync(readFileSync(DIR + t.trace!)).toString('utf8'));
    const glass = await replayInto(records, createGlass(driver.name, pins));
    const buffer = gunzipSync(readFileSync(DIR + t.buffer!));
    expect(glass.shown).toHaveLength(1);
    expect(lastFrame(glass, profile).equals(Buffer.from(unpackFrame(buffer, profile)))).toBe(true);
  });
});

describe('the emulator rejects streams that break the protocol', () => {
  const profile = findPanel('waveshare-7in3e');
  const frame = packIndices(randomIndices(profile, 9), profile);

  /** Run a driver whose steps were edited, straight over the emulator. */
  async function runEdited(edit: (steps: Step[]) => Step[], transport?: (t: Transport, pins: PinMap) => Transport) {
    const { driver, pins, glass } = setup(profile);
    const t = transport ? transport(glass, pins) : glass;
    await runSteps(t, pins, driver, edit(updateSteps(driver, frame)));
    await glass.close();
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
    const edit = (s: Step[]) => s.filter((x) => x.op !== 'waitBusy');
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
    // Waveshare sends init data a byte a frame: the fifth byte arrives after 0x61 is complete.
    await expect(runEdited(extra)).rejects.toThrow('1 data byte(s) with no command before them');
  });

  it('a resolution other than the glass is rejected', async () => {
    const wrong = (s: Step[]) =>
      s.map((x) =>
        x.op === 'command' && x.command === 0x61 ? { ...x, data: Uint8Array.of(0x02, 0x58, 0x01, 0xc0) } : x,
      );
    await expect(runEdited(wrong)).rejects.toThrow('resolution set to 600x448, the glass is 800x480');
  });

  it('commands to a controller in deep sleep are rejected until a reset', async () => {
    // A command straight after deep sleep (0x07), with no reset in between.
    const afterSleep = (s: Step[]) => {
      const i = s.findIndex((x) => x.op === 'command' && x.command === 0x07);
      return [...s.slice(0, i + 1), cmd(0x00, 0x5f, 0x69), ...s.slice(i + 1)];
    };
    await expect(runEdited(afterSleep)).rejects.toThrow('sent to a controller in deep sleep: reset it first');
  });

  it('a replayed trace whose driver never looked at BUSY is rejected', async () => {
    const { driver, pins } = setup(profile);
    const lines: string[] = [];
    const trace = new TraceTransport((l) => void lines.push(l), pins);
    await new SpiPanel(driver, trace, pins).show(frame);
    const withoutReads = parseTrace(lines.join('\n')).filter((r) => r.op !== 'read');
    await expect(replayInto(withoutReads, createGlass(driver.name, pins))).rejects.toThrow(/while BUSY says busy/);
  });
});

describe('the two-controller glass', () => {
  for (const id of ['waveshare-13in3e', 'inky-impression-13in3-spectra6']) {
    const profile = findPanel(id);
    it(`${id}: each half of every row reaches its own controller only`, async () => {
      const indices = packIndices(randomIndices(profile, 11), profile);
      const straight = setup(profile);
      await straight.panel.show(indices);
      // The same driver with the two chip select pins swapped: the halves change sides.
      const swapped = setup(profile);
      const pins = { ...swapped.pins, cs: swapped.pins.cs1!, cs1: swapped.pins.cs };
      await new SpiPanel(swapped.driver, swapped.glass, pins).show(indices);
      const [a, b] = [straight.glass.shown[0]!, swapped.glass.shown[0]!];
      expect(a.length).toBe(1200 * 1600);
      let halvesSwapped = true;
      for (let r = 0; r < 1600 && halvesSwapped; r++) {
        const row = (img: Uint8Array, from: number) =>
          Buffer.from(img.subarray(r * 1200 + from, r * 1200 + from + 600));
        halvesSwapped = row(a, 0).equals(row(b, 600)) && row(a, 600).equals(row(b, 0));
      }
      expect(halvesSwapped).toBe(true);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    });
  }

  it('the Waveshare 13.3" (E) holds DC low throughout: its commands are told by CS framing alone', async () => {
    const profile = findPanel('waveshare-13in3e');
    const { driver, pins } = setup(profile);
    const lines: string[] = [];
    const trace = new TraceTransport((l) => void lines.push(l), pins, { commandBy: 'cs' });
    await new SpiPanel(driver, trace, pins).show(packIndices(randomIndices(profile, 12), profile));
    const dcLevels = parseTrace(lines.join('\n')).flatMap((r) =>
      r.op === 'pin' && r.pin === pins.dc ? [r.level] : [],
    );
    expect(dcLevels.length).toBeGreaterThan(0);
    expect(new Set(dcLevels)).toEqual(new Set([0]));
  });
});

describe('busy waits', () => {
  it('a BUSY line that never releases ends in PanelBusyTimeoutError with what to check', async () => {
    const profile = findPanel('waveshare-7in3e');
    const { panel } = setup(profile, { stuckBusy: true });
    const err = await panel.show(packIndices(randomIndices(profile, 1), profile)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PanelBusyTimeoutError);
    expect((err as Error).message).toBe(
      "panel did not become ready in 40 s after reset: check the HAT's wiring and its switches",
    );
  });

  it('the 7.5" V2 polls with GET_STATUS (0x71): one per BUSY sample, as many as the panel is busy', async () => {
    const profile = findPanel('waveshare-7in5-v2');
    const { driver, pins, glass } = setup(profile);
    const lines: string[] = [];
    const trace = new TraceTransport((l) => void lines.push(l), pins, { inner: glass });
    await new SpiPanel(driver, trace, pins).show(packIndices(randomIndices(profile, 3), profile));
    const records = parseTrace(lines.join('\n'));
    const polls = records.filter((r) => r.op === 'command' && r.byte === '71').length;
    const reads = records.filter((r) => r.op === 'read').length;
    expect(polls).toBe(reads);
    // Three waits (power on, refresh, power off), each busy for a while on the emulator.
    expect(polls).toBeGreaterThan(3);
  });

  it('waiting polls BUSY through the transport clock only', async () => {
    const profile = findPanel('waveshare-7in3f');
    const { panel, glass } = setup(profile);
    const started = performance.now();
    await panel.show(packIndices(randomIndices(profile, 2), profile));
    // The emulated refresh holds BUSY for 1.5 virtual seconds; real time stays far below it.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(glass.shown).toHaveLength(1);
  });
});

describe('frames', () => {
  it('a frame of the wrong size is refused before anything reaches the wire', async () => {
    const { panel, glass } = setup(findPanel('waveshare-7in5-v2'));
    await expect(panel.show(new Uint8Array(100))).rejects.toBeInstanceOf(PanelError);
    await expect(panel.show(new Uint8Array(100))).rejects.toThrow(
      'the frame is 100 bytes but waveshare-7in5-v2 takes 48000: render it for this panel',
    );
    expect(glass.commands).toHaveLength(0);
  });

  it('any frame of indices comes back from the emulator unchanged (property)', async () => {
    const profile = findPanel('inky-impression-4in-spectra6');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), async (seed) => {
        const { panel, glass } = setup(profile);
        const indices = randomIndices(profile, seed);
        await panel.show(packIndices(indices, profile));
        return lastFrame(glass, profile).equals(Buffer.from(indices));
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
