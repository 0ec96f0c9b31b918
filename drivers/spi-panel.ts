// A panel on the SPI bus: runs a driver's steps over a Transport (DC/CS framing of commands and
// data, BUSY polling with a timeout) and powers the HAT up and down around them.
import { PanelBusyTimeoutError, PanelError } from '../src/core/errors.js';
import { frameBytes, type Panel, type PanelDriver, type Step } from './driver.js';
import type { PinMap, Transport } from './transports/transport.js';

/** Everything one update puts on the wire, in order: wake, frame and refresh, deep sleep. */
export function updateSteps(driver: PanelDriver, frame: Uint8Array): Step[] {
  return [...driver.wake(), ...driver.show(frame), ...driver.sleep()];
}

export function clearSteps(driver: PanelDriver): Step[] {
  return [...driver.wake(), ...driver.clear(), ...driver.sleep()];
}

function busyTimeoutMessage(step: Extract<Step, { op: 'waitReady' }>): string {
  const s = Math.round(step.timeoutMs / 1000);
  return `panel did not become ready in ${s} s after ${step.after}: check the HAT's wiring and its switches`;
}

async function waitReady(t: Transport, pins: PinMap, driver: PanelDriver, step: Extract<Step, { op: 'waitReady' }>) {
  let waited = 0;
  while ((await t.readPin(pins.busy)) === driver.busyLevel) {
    if (waited >= step.timeoutMs) throw new PanelBusyTimeoutError(busyTimeoutMessage(step));
    await t.delay(driver.busyPollMs);
    waited += driver.busyPollMs;
  }
}

/**
 * The command byte goes alone between CS low and CS high with DC low, then its data in one CS
 * frame with DC high: the framing of the reference drivers' send_command / send_data2.
 */
async function sendCommand(t: Transport, pins: PinMap, command: number, data: Uint8Array) {
  await t.writePin(pins.dc, 0);
  await t.writePin(pins.cs, 0);
  await t.spiWrite(Uint8Array.of(command));
  await t.writePin(pins.cs, 1);
  if (data.length === 0) return;
  await t.writePin(pins.dc, 1);
  await t.writePin(pins.cs, 0);
  await t.spiWrite(data);
  await t.writePin(pins.cs, 1);
}

export async function runSteps(t: Transport, pins: PinMap, driver: PanelDriver, steps: Step[]): Promise<void> {
  for (const step of steps) {
    switch (step.op) {
      case 'reset':
        await t.writePin(pins.rst, step.level);
        break;
      case 'delay':
        await t.delay(step.ms);
        break;
      case 'command':
        await sendCommand(t, pins, step.command, step.data);
        break;
      case 'waitReady':
        await waitReady(t, pins, driver, step);
        break;
    }
  }
}

export class SpiPanel implements Panel {
  private poweredUp = false;

  constructor(
    readonly driver: PanelDriver,
    private readonly transport: Transport,
    readonly pins: PinMap,
  ) {}

  /** Idle levels first (CS released, DC low), then the HAT's power switch if it has one. */
  private async powerUp(): Promise<void> {
    if (this.poweredUp) return;
    await this.transport.writePin(this.pins.cs, 1);
    await this.transport.writePin(this.pins.dc, 0);
    if (this.pins.pwr !== undefined) await this.transport.writePin(this.pins.pwr, 1);
    this.poweredUp = true;
  }

  async show(frame: Uint8Array): Promise<void> {
    const expected = frameBytes(this.driver);
    if (frame.length !== expected) {
      throw new PanelError(
        `the frame is ${frame.length} bytes but ${this.driver.name} takes ${expected}: render it for this panel`,
      );
    }
    await this.powerUp();
    await runSteps(this.transport, this.pins, this.driver, updateSteps(this.driver, frame));
  }

  async clear(): Promise<void> {
    await this.powerUp();
    await runSteps(this.transport, this.pins, this.driver, clearSteps(this.driver));
  }

  /** Release the lines as Waveshare's module_exit does, cutting the HAT's power where it can. */
  async close(): Promise<void> {
    try {
      if (this.poweredUp && this.pins.pwr !== undefined) {
        await this.transport.writePin(this.pins.rst, 0);
        await this.transport.writePin(this.pins.dc, 0);
        await this.transport.writePin(this.pins.pwr, 0);
      }
    } finally {
      this.poweredUp = false;
      await this.transport.close();
    }
  }
}
