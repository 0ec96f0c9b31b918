// A panel on the SPI bus: runs a driver's steps over a Transport in its vendor's framing (DC and
// chip selects around each command and data run), with BUSY waits and their timeouts.
import { PanelBusyTimeoutError, PanelError } from '../src/core/errors.js';
import { frameBytes, type ChipSelect, type LineRole, type Panel, type PanelDriver, type Step } from './driver.js';
import type { Level, PinMap, Transport } from './transports/transport.js';

/** Everything one update puts on the wire, in order: wake, frame and refresh, sleep. */
export function updateSteps(driver: PanelDriver, frame: Uint8Array): Step[] {
  return [...driver.wake(), ...driver.show(frame), ...driver.sleep()];
}

export function clearSteps(driver: PanelDriver): Step[] {
  return [...driver.wake(), ...driver.clear(), ...driver.sleep()];
}

type WaitStep = Extract<Step, { op: 'waitBusy' }>;
type CommandStep = Extract<Step, { op: 'command' }>;

function busyTimeoutMessage(step: WaitStep): string {
  const s = Math.round(step.timeoutMs / 1000);
  return `panel did not become ready in ${s} s after ${step.after}: check the HAT's wiring and its switches`;
}

/** The BCM pin of a line role, or undefined where the HAT has no such line. */
function linePin(pins: PinMap, role: LineRole): number | undefined {
  return role === 'cs0' ? pins.cs : pins[role];
}

function chipSelectPins(pins: PinMap, to: readonly ChipSelect[]): number[] {
  const out: number[] = [];
  for (const cs of to) {
    const p = cs === 'cs0' ? pins.cs : pins.cs1;
    if (p === undefined) throw new PanelError(`this panel needs a second chip select (cs1) and the pin map has none`);
    out.push(p);
  }
  return out;
}

export class StepRunner {
  constructor(
    private readonly t: Transport,
    private readonly pins: PinMap,
    private readonly driver: PanelDriver,
  ) {}

  async run(steps: Step[]): Promise<void> {
    for (const step of steps) {
      switch (step.op) {
        case 'pin': {
          const p = linePin(this.pins, step.role);
          if (p !== undefined) await this.t.writePin(p, step.level);
          break;
        }
        case 'delay':
          await this.t.delay(step.ms);
          break;
        case 'command':
          await this.command(step);
          break;
        case 'waitBusy':
          await this.waitBusy(step);
          break;
      }
    }
  }

  private async waitBusy(step: WaitStep): Promise<void> {
    const sample = async (): Promise<Level> => {
      if (step.pollCommand !== undefined)
        await this.command({ op: 'command', command: step.pollCommand, data: new Uint8Array() });
      return this.t.readPin(this.pins.busy, step.level);
    };
    if ((await sample()) === step.level) {
      if (step.heldReady === 'sleep') await this.t.delay(step.timeoutMs);
      return;
    }
    if (step.busyAtFirst === 'return') return;
    let waited = 0;
    for (;;) {
      if (waited >= step.timeoutMs) {
        if (step.onTimeout === 'continue') return;
        throw new PanelBusyTimeoutError(busyTimeoutMessage(step));
      }
      await this.t.delay(step.pollMs);
      waited += step.pollMs;
      if ((await sample()) === step.level) return;
    }
  }

  private async command(step: CommandStep): Promise<void> {
    const { t, pins } = this;
    const { command, data } = step;
    const framing = this.driver.framing;
    switch (framing.kind) {
      case 'waveshare': {
        await t.writePin(pins.dc, 0);
        await t.writePin(pins.cs, 0);
        await t.spiWrite(Uint8Array.of(command));
        await t.writePin(pins.cs, 1);
        const runs = step.block ? [data] : Array.from(data, (b) => Uint8Array.of(b));
        for (const run of runs) {
          if (run.length === 0) continue;
          await t.writePin(pins.dc, 1);
          await t.writePin(pins.cs, 0);
          await t.spiWrite(run);
          await t.writePin(pins.cs, 1);
        }
        return;
      }
      case 'pimoroni':
        await t.writePin(pins.cs, 0);
        await t.writePin(pins.dc, 0);
        await t.spiWrite(Uint8Array.of(command));
        await t.writePin(pins.cs, 1);
        if (data.length === 0) return;
        await t.writePin(pins.cs, 0);
        await t.writePin(pins.dc, 1);
        await t.spiWrite(data);
        await t.writePin(pins.cs, 1);
        return;
      case 'pimoroni-spectra': {
        const selected = chipSelectPins(pins, step.to ?? ['cs0']);
        for (const p of selected) await t.writePin(p, 0);
        await t.writePin(pins.dc, 0);
        await t.delay(framing.pauseBeforeCommandMs);
        await t.spiWrite(Uint8Array.of(command));
        if (data.length > 0) {
          await t.writePin(pins.dc, 1);
          await t.spiWrite(data);
        }
        await this.releaseChipSelects();
        await t.writePin(pins.dc, 0);
        return;
      }
      case 'cs-only': {
        for (const p of chipSelectPins(pins, step.to ?? ['cs0'])) await t.writePin(p, 0);
        await t.spiWrite(Uint8Array.of(command));
        if (data.length > 0) await t.spiWrite(data);
        await this.releaseChipSelects();
        return;
      }
    }
  }

  private async releaseChipSelects(): Promise<void> {
    await this.t.writePin(this.pins.cs, 1);
    if (this.pins.cs1 !== undefined) await this.t.writePin(this.pins.cs1, 1);
  }
}

export async function runSteps(t: Transport, pins: PinMap, driver: PanelDriver, steps: Step[]): Promise<void> {
  await new StepRunner(t, pins, driver).run(steps);
}

export class SpiPanel implements Panel {
  /** An update started and has not finished its sleep steps (an error stopped it halfway). */
  private midUpdate = false;

  constructor(
    readonly driver: PanelDriver,
    private readonly transport: Transport,
    readonly pins: PinMap,
  ) {}

  private async update(steps: Step[]): Promise<void> {
    this.midUpdate = true;
    await runSteps(this.transport, this.pins, this.driver, steps);
    this.midUpdate = false;
  }

  async show(frame: Uint8Array): Promise<void> {
    const expected = frameBytes(this.driver);
    if (frame.length !== expected) {
      throw new PanelError(
        `the frame is ${frame.length} bytes but ${this.driver.name} takes ${expected}: render it for this panel`,
      );
    }
    await this.update(updateSteps(this.driver, frame));
  }

  async clear(): Promise<void> {
    await this.update(clearSteps(this.driver));
  }

  /**
   * After a failed update, drop reset, DC and the HAT's power switch (Waveshare's module_exit)
   * so the panel is not left powered; a finished update already did what its vendor does.
   */
  async close(): Promise<void> {
    try {
      if (this.midUpdate) {
        await this.transport.writePin(this.pins.rst, 0);
        await this.transport.writePin(this.pins.dc, 0);
        if (this.pins.pwr !== undefined) await this.transport.writePin(this.pins.pwr, 0);
      }
    } finally {
      this.midUpdate = false;
      await this.transport.close();
    }
  }
}
