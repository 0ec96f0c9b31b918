// The far side of the wires for a whole panel: one emulated controller, or the 13.3" glass's
// two (cs0 the left 600 columns, cs1 the right, one shared BUSY line). Shows what a refresh put
// on the glass in its scan order, and turns that back into the frame the driver was given.
import type { PanelProfile } from '../../drivers/panels.js';
import type { TraceRecord } from '../../drivers/transports/trace.js';
import type { Level, PinMap, Transport } from '../../drivers/transports/transport.js';
import { CONTROLLERS, DUAL_CONTROLLERS, type ControllerModel } from './controllers.js';
import { PanelEmulator, ProtocolViolation, type EmulatorOptions } from './panel-emulator.js';

export interface Glass extends Transport {
  /** Every image a refresh put on the glass: colour indices in scan order, the whole glass. */
  readonly shown: Uint8Array[];
  readonly scanWidth: number;
  readonly scanHeight: number;
  /** Command bytes the (first) controller received. */
  readonly commands: number[];
  readonly isAsleep: boolean;
  readonly isPowered: boolean;
  /** Replay: the host saw this level on BUSY. */
  observeRead(pin: number, level: Level): void;
}

class SingleGlass implements Glass {
  constructor(readonly emu: PanelEmulator) {}
  get shown() {
    return this.emu.shown;
  }
  get scanWidth() {
    return this.emu.model.width;
  }
  get scanHeight() {
    return this.emu.model.height;
  }
  get commands() {
    return this.emu.commands;
  }
  get isAsleep() {
    return this.emu.isAsleep;
  }
  get isPowered() {
    return this.emu.isPowered;
  }
  observeRead(pin: number, level: Level) {
    this.emu.observeRead(pin, level);
  }
  writePin(pin: number, level: Level) {
    return this.emu.writePin(pin, level);
  }
  readPin(pin: number) {
    return this.emu.readPin(pin);
  }
  spiWrite(bytes: Uint8Array) {
    return this.emu.spiWrite(bytes);
  }
  delay(ms: number) {
    return this.emu.delay(ms);
  }
  close() {
    return this.emu.close();
  }
}

/** Two controllers side by side; bytes reach those whose chip select is low. */
export class DualGlass implements Glass {
  readonly left: PanelEmulator;
  readonly right: PanelEmulator;

  constructor(models: readonly [ControllerModel, ControllerModel], pins: PinMap, options: EmulatorOptions = {}) {
    if (pins.cs1 === undefined) throw new Error('a two-controller glass needs cs1 in the pin map');
    this.left = new PanelEmulator(models[0], pins, { ...options, label: 'cs0' });
    this.right = new PanelEmulator(models[1], pins, { ...options, csPin: pins.cs1, label: 'cs1' });
  }

  get scanWidth() {
    return this.left.model.width + this.right.model.width;
  }
  get scanHeight() {
    return this.left.model.height;
  }

  /** Each refresh's two halves joined row by row. */
  get shown(): Uint8Array[] {
    const n = Math.min(this.left.shown.length, this.right.shown.length);
    const lw = this.left.model.width;
    const rw = this.right.model.width;
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const glass = new Uint8Array((lw + rw) * this.scanHeight);
      const [a, b] = [this.left.shown[i]!, this.right.shown[i]!];
      for (let r = 0; r < this.scanHeight; r++) {
        glass.set(a.subarray(r * lw, (r + 1) * lw), r * (lw + rw));
        glass.set(b.subarray(r * rw, (r + 1) * rw), r * (lw + rw) + lw);
      }
      out.push(glass);
    }
    return out;
  }
  get commands() {
    return this.left.commands;
  }
  get isAsleep() {
    return this.left.isAsleep && this.right.isAsleep;
  }
  get isPowered() {
    return this.left.isPowered || this.right.isPowered;
  }

  observeRead(pin: number, level: Level) {
    this.left.observeRead(pin, level);
    this.right.observeRead(pin, level);
  }
  async writePin(pin: number, level: Level) {
    await this.left.writePin(pin, level);
    await this.right.writePin(pin, level);
  }
  /** One BUSY line for both: busy while either works. */
  async readPin(pin: number): Promise<Level> {
    const a = await this.left.readPin(pin);
    const b = await this.right.readPin(pin);
    return a === this.left.model.busyLevel || b === this.right.model.busyLevel ? this.left.model.busyLevel : a;
  }
  async spiWrite(bytes: Uint8Array) {
    const targets = [this.left, this.right].filter((c) => c.selected);
    if (targets.length === 0)
      throw new ProtocolViolation(`${bytes.length} byte(s) clocked out with both chip selects high`);
    for (const c of targets) await c.spiWrite(bytes);
  }
  async delay(ms: number) {
    await this.left.delay(ms);
    await this.right.delay(ms);
  }
  async close() {
    await this.left.close();
    await this.right.close();
  }
}

/** The emulated glass behind a driver of the catalogue. */
export function createGlass(driverName: string, pins: PinMap, options: EmulatorOptions = {}): Glass {
  const single = CONTROLLERS[driverName];
  if (single) return new SingleGlass(new PanelEmulator(single, pins, options));
  const dual = DUAL_CONTROLLERS[driverName];
  if (dual) return new DualGlass(dual, pins, options);
  throw new Error(`no emulated controller for driver ${driverName}`);
}

/**
 * The frame the driver was given, read back from the glass's scan: undo the quarter turn a
 * driver with `scanTurn` 90 makes (sent pixel (c, r) = frame pixel (x = r, y = H - 1 - c)).
 */
export function frameFromGlass(
  scan: Uint8Array,
  profile: Pick<PanelProfile, 'width' | 'height' | 'scanTurn'>,
): Uint8Array {
  if (profile.scanTurn === 0) return scan;
  const { width: W, height: H } = profile;
  const out = new Uint8Array(W * H);
  // The scan is H wide and W tall.
  for (let r = 0; r < W; r++) {
    for (let c = 0; c < H; c++) out[(H - 1 - c) * W + r] = scan[r * H + c]!;
  }
  return out;
}

/** Feed a recorded trace to a glass in replay mode; throws at the first violation. */
export async function replayInto(records: TraceRecord[], glass: Glass): Promise<Glass> {
  for (const r of records) {
    switch (r.op) {
      case 'pin':
        await glass.writePin(r.pin, r.level);
        break;
      case 'read':
        glass.observeRead(r.pin, r.level);
        break;
      case 'delay':
        await glass.delay(r.ms);
        break;
      case 'command':
        await glass.spiWrite(Uint8Array.of(parseInt(r.byte, 16)));
        break;
      case 'data':
        await glass.spiWrite(Uint8Array.from(Buffer.from(r.hex, 'hex')));
        break;
      case 'close':
        await glass.close();
        break;
    }
  }
  return glass;
}
