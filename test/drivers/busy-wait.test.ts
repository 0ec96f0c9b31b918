// The BUSY waits as each vendor's _busy_wait does them, run by the real step runner over a
// transport whose BUSY line is held at one level: how many samples and how long each waits.
import { describe, expect, it } from 'vitest';
import { inkyBusyWait, inkyEl133uf1BusyWait, type PanelDriver, type Step } from '../../drivers/driver.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { StepRunner } from '../../drivers/spi-panel.js';
import type { Level, PinMap, Transport } from '../../drivers/transports/transport.js';

const pins: PinMap = { rst: 27, dc: 22, cs: 8, busy: 17 };

/** A BUSY line held at `level`; counts samples and adds up the waits. */
function heldBusy(level: Level) {
  const seen = { reads: 0, waitedMs: 0 };
  const t: Transport = {
    writePin: async () => {},
    readPin: async () => {
      seen.reads++;
      return level;
    },
    spiWrite: async () => {},
    delay: async (ms) => void (seen.waitedMs += ms),
    close: async () => {},
  };
  return { t, seen };
}

async function run(step: Step, level: Level) {
  const { t, seen } = heldBusy(level);
  const driver = driverFor(findPanel('inky-impression-13in3-spectra6')) as PanelDriver;
  await new StepRunner(t, pins, driver).run([step]);
  return seen;
}

describe("Pimoroni's BUSY waits", () => {
  it('the 13.3" (el133uf1) goes on at once on a busy (low) line, as inky_el133uf1.py:266-280 does', async () => {
    expect(await run(inkyEl133uf1BusyWait('refresh', 32_000), 0)).toEqual({ reads: 1, waitedMs: 0 });
  });

  it('a line high at the first sample sleeps the whole timeout, on the 13.3" as on the others', async () => {
    expect(await run(inkyEl133uf1BusyWait('refresh', 32_000), 1)).toEqual({ reads: 1, waitedMs: 32_000 });
    expect(await run(inkyBusyWait('refresh', 32_000), 1)).toEqual({ reads: 1, waitedMs: 32_000 });
  });

  it('the e673 / e640 wait polls a busy line every 100 ms until its timeout, then goes on', async () => {
    expect(await run(inkyBusyWait('refresh', 1_000), 0)).toEqual({ reads: 11, waitedMs: 1_000 });
  });

  it('the 13.3" driver\'s refresh uses the el133uf1 wait, the 7.3" Spectra 6\'s the polling one', () => {
    const waits = (id: string) =>
      driverFor(findPanel(id))
        .show(new Uint8Array(0))
        .filter((s) => s.op === 'waitBusy');
    expect(
      waits('inky-impression-13in3-spectra6').every((s) => s.op === 'waitBusy' && s.busyAtFirst === 'return'),
    ).toBe(true);
    expect(waits('inky-impression-7in3-spectra6').some((s) => s.op === 'waitBusy' && s.busyAtFirst)).toBe(false);
  });
});
