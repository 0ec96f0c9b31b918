// The panel emulator: a controller on the other end of the wires. As a Transport it drives BUSY
// like the glass does and checks every pin change and byte against the controller's protocol;
// fed a trace, it checks the same rules from the recorded side. It decodes what a refresh shows.
import type { Level, PinMap, Transport } from '../../drivers/transports/transport.js';
import type { TraceRecord } from '../../drivers/transports/trace.js';
import type { ControllerModel } from './controllers.js';

export class ProtocolViolation extends Error {}

interface OpenCommand {
  command: number;
  /** The most data bytes it takes, and the fewest. */
  expected: number;
  min: number;
  data: number[];
  /** Accepted while busy (a status read, deep sleep during power off): so are its data. */
  letIn: boolean;
}

const hex = (b: number) => '0x' + b.toString(16).padStart(2, '0');

export interface EmulatorOptions {
  /** BUSY never releases: a HAT with a loose cable or the wrong switch setting. */
  stuckBusy?: boolean;
  /** The chip select this controller listens on (a two-controller glass: `pins.cs1` for the second). */
  csPin?: number;
  /** A name for messages (which controller of two). */
  label?: string;
}

export class PanelEmulator implements Transport {
  readonly frameBytes: number;
  private level = new Map<number, Level>();
  private clock = 0;
  private busyUntil = 0;
  /** What the current busy time is for: a power-off still lets deep sleep in (Waveshare 4.01" F, 13.3" E). */
  private busyFor: 'reset' | 'powerOn' | 'powerOff' | 'refresh' = 'reset';
  /** CS framing: CS fell since the last byte, so the next byte is a command. */
  private csFell = false;
  private readonly cs: number;
  /** Set by anything that makes the controller busy; cleared once the host reads BUSY idle. */
  private mustObserveIdle = false;
  private powered = false;
  private asleep = false;
  private open: OpenCommand | undefined;
  private ram = new Map<number, Uint8Array>();
  /** Every image a refresh put on the glass, decoded to colour indices, row by row. */
  readonly shown: Uint8Array[] = [];
  /** Every command byte received, in order (for reading a failure). */
  readonly commands: number[] = [];
  closed = false;

  constructor(
    readonly model: ControllerModel,
    readonly pins: PinMap,
    private readonly options: EmulatorOptions = {},
  ) {
    this.frameBytes = (model.width * model.height * model.bitsPerPixel) / 8;
    this.cs = options.csPin ?? pins.cs;
    // Pulled-up idle levels before the host drives anything.
    this.level.set(this.cs, 1).set(pins.rst, 1).set(pins.dc, 0);
  }

  private fail(message: string): never {
    const who = this.options.label ? `${this.model.name} (${this.options.label})` : this.model.name;
    throw new ProtocolViolation(`${who}: ${message}`);
  }

  /** Whether this controller's chip select is low (the host is talking to it). */
  get selected(): boolean {
    return this.level.get(this.cs) === 0;
  }

  /** What the BUSY pin shows: the controller's own timing. */
  private get pinBusy(): boolean {
    return Boolean(this.options.stuckBusy) || this.clock < this.busyUntil;
  }

  /**
   * Whether a byte now would arrive while the controller works: during its busy time, or after a
   * command with an untimed busy period (power, refresh) that the host has not yet seen end.
   */
  private get busy(): boolean {
    return this.pinBusy || this.mustObserveIdle;
  }

  /** Reset is timed (drivers may just wait it out); power and refresh must be seen to end on BUSY. */
  private holdBusy(ms: number, mustObserve = true): void {
    this.busyUntil = this.clock + ms;
    if (mustObserve) this.mustObserveIdle = true;
  }

  async writePin(pin: number, level: Level): Promise<void> {
    const before = this.level.get(pin);
    this.level.set(pin, level);
    if (pin === this.cs && level === 0) this.csFell = true;
    if (pin === this.pins.rst && before === 0 && level === 1) this.reset();
  }

  /** A rising edge on RST: registers and frame RAM are gone, the controller boots (BUSY). */
  private reset(): void {
    this.open = undefined;
    this.powered = false;
    this.asleep = false;
    this.ram.clear();
    this.busyFor = 'reset';
    this.holdBusy(this.model.busyMs.reset, false);
  }

  /** Whether BUSY shows busy right now (for a glass whose controllers share one BUSY line). */
  get busyNow(): boolean {
    return this.pinBusy;
  }

  /** The host saw BUSY idle on a shared line. */
  sawIdle(): void {
    if (!this.pinBusy) this.mustObserveIdle = false;
  }

  async readPin(pin: number, _awaited?: Level): Promise<Level> {
    if (pin !== this.pins.busy) this.fail(`read of GPIO ${pin}, which is not BUSY`);
    const busy = this.pinBusy;
    if (!busy) this.mustObserveIdle = false;
    return busy ? this.model.busyLevel : ((1 - this.model.busyLevel) as Level);
  }

  /** Replay: the host saw this level on BUSY. */
  observeRead(pin: number, level: Level): void {
    if (pin !== this.pins.busy) this.fail(`read of GPIO ${pin}, which is not BUSY`);
    // A recorded read is what the panel really said: idle ends the busy time there and then.
    if (level !== this.model.busyLevel) {
      this.mustObserveIdle = false;
      this.busyUntil = this.clock;
    }
  }

  async delay(ms: number): Promise<void> {
    this.clock += ms;
  }

  async spiWrite(bytes: Uint8Array): Promise<void> {
    if (this.level.get(this.cs) !== 0)
      this.fail(`${bytes.length} byte(s) clocked out with CS high: the controller ignores them`);
    if (this.level.get(this.pins.rst) === 0) this.fail('bytes sent while RST holds the controller in reset');
    if (this.model.commandBy === 'cs') {
      // DC means nothing here: the first byte after CS fell is the command.
      let rest = bytes;
      if (this.csFell && rest.length > 0) {
        this.csFell = false;
        this.command(rest[0]!);
        rest = rest.subarray(1);
      }
      if (rest.length > 0) this.data(rest);
    } else if (this.level.get(this.pins.dc) === 0) {
      for (const b of bytes) this.command(b);
    } else {
      this.data(bytes);
    }
  }

  private command(byte: number): void {
    this.finishCommand();
    if (this.asleep) this.fail(`command ${hex(byte)} sent to a controller in deep sleep: reset it first`);
    const letIn =
      this.model.statusCommands?.includes(byte) ||
      (byte === this.model.deepSleep && this.busyFor === 'powerOff' && !this.mustObserveIdle);
    if (this.busy && !letIn) {
      if (!this.model.holdsCommandsWhileBusy) this.fail(`command ${hex(byte)} sent while BUSY says busy`);
      // Taken once the work in hand is done: the controller's time moves on to then.
      this.clock = Math.max(this.clock, this.busyUntil);
      this.mustObserveIdle = false;
    }
    const expected = this.model.dataBytes[byte];
    if (expected === undefined) this.fail(`unknown command ${hex(byte)}`);
    this.commands.push(byte);
    const [min, max] =
      expected === 'frame'
        ? [this.frameBytes, this.frameBytes]
        : typeof expected === 'number'
          ? [expected, expected]
          : expected;
    this.open = { command: byte, expected: max, min, data: [], letIn: Boolean(letIn) };
    if (this.open.expected === 0) this.complete();
  }

  private data(bytes: Uint8Array): void {
    const open = this.open;
    if (!open) this.fail(`${bytes.length} data byte(s) with no command before them (DC high where a command belongs?)`);
    if (this.busy && !open.letIn) this.fail(`data for ${hex(open.command)} sent while BUSY says busy`);
    if (open.data.length + bytes.length > open.expected) {
      this.fail(
        `command ${hex(open.command)} takes ${open.expected} data byte(s), got ${open.data.length + bytes.length}`,
      );
    }
    for (const b of bytes) open.data.push(b);
    if (open.data.length === open.expected) this.complete();
  }

  /** A command followed by fewer data bytes than it takes. */
  private finishCommand(): void {
    const open = this.open;
    if (open && open.data.length >= open.min && open.data.length < open.expected) {
      this.complete();
      return;
    }
    if (open && open.data.length < open.expected) {
      const what =
        this.model.dataBytes[open.command] === 'frame'
          ? `a frame of ${open.expected} bytes`
          : `${open.expected} data byte(s)`;
      this.fail(`command ${hex(open.command)} takes ${what}, got ${open.data.length}`);
    }
    this.open = undefined;
  }

  /** The controller acts once a command has all its bytes. */
  private complete(): void {
    const { command, data } = this.open!;
    const m = this.model;
    if (m.dataBytes[command] === 'frame') this.ram.set(command, Uint8Array.from(data));
    if (command === 0x61) {
      const w = (data[0]! << 8) | data[1]!;
      const h = (data[2]! << 8) | data[3]!;
      const [rw, rh] = m.resolution ?? [m.width, m.height];
      if (w !== rw || h !== rh) this.fail(`resolution set to ${w}x${h}, the glass is ${rw}x${rh}`);
    }
    if (command === m.powerOn) {
      this.powered = true;
      this.busyFor = 'powerOn';
      this.holdBusy(m.busyMs.powerOn);
    } else if (command === m.powerOff) {
      this.powered = false;
      // Timed only: two vendors go on without seeing a power-off end (ReadBusyLow waits for BUSY
      // to fall, the 13.3" (E) does not wait at all).
      this.busyFor = 'powerOff';
      this.holdBusy(m.busyMs.powerOff, false);
    } else if (command === m.refresh) {
      if (!this.powered) this.fail('refresh (0x12) without power on (0x04) first');
      const image = this.ram.get(m.imageCommand);
      if (!image) this.fail(`refresh with no frame written to ${hex(m.imageCommand)} since reset`);
      this.shown.push(decodeFrame(image, m));
      this.busyFor = 'refresh';
      this.holdBusy(m.busyMs.refresh);
    } else if (command === m.deepSleep) {
      if (data[0] !== 0xa5) this.fail(`deep sleep needs the check code 0xa5, got ${hex(data[0]!)}`);
      this.asleep = true;
    }
    this.open = undefined;
  }

  async close(): Promise<void> {
    this.finishCommand();
    this.closed = true;
  }

  get isAsleep(): boolean {
    return this.asleep;
  }
  get isPowered(): boolean {
    return this.powered;
  }
}

/** Unpack a frame buffer into one colour index a pixel: high nibble first, or MSB first. */
export function decodeFrame(
  frame: Uint8Array,
  m: Pick<ControllerModel, 'width' | 'height' | 'bitsPerPixel'>,
): Uint8Array {
  const pixels = new Uint8Array(m.width * m.height);
  for (let i = 0; i < pixels.length; i++) {
    if (m.bitsPerPixel === 4) {
      const b = frame[i >> 1]!;
      pixels[i] = i % 2 === 0 ? b >> 4 : b & 0x0f;
    } else {
      pixels[i] = (frame[i >> 3]! >> (7 - (i % 8))) & 1;
    }
  }
  return pixels;
}

/** Feed a recorded trace to an emulator in replay mode; throws at the first violation. */
export async function replayTrace(
  records: TraceRecord[],
  model: ControllerModel,
  pins: PinMap,
): Promise<PanelEmulator> {
  const emu = new PanelEmulator(model, pins);
  for (const r of records) {
    switch (r.op) {
      case 'pin':
        await emu.writePin(r.pin, r.level);
        break;
      case 'read':
        emu.observeRead(r.pin, r.level);
        break;
      case 'delay':
        await emu.delay(r.ms);
        break;
      case 'command':
        await emu.spiWrite(Uint8Array.of(parseInt(r.byte, 16)));
        break;
      case 'data':
        await emu.spiWrite(Uint8Array.from(Buffer.from(r.hex, 'hex')));
        break;
      case 'close':
        await emu.close();
        break;
    }
  }
  return emu;
}
