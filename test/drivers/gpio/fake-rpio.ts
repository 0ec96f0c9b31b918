// An in-memory rpio module: the calls drivers/gpio/rpio.ts makes, over pins with modes, pulls and
// levels; inputs are driven from outside and a polled pin's callback fires on each change, as
// rpio's event detection does (it says only which pin, not the level).
import type { Rpio } from '../../../drivers/gpio/rpio.js';
import type { Level } from '../../../drivers/transports/transport.js';

export interface FakeRpioPin {
  mode: 'in' | 'out';
  pull: 'up' | 'down' | 'off';
  level: Level;
}

export class FakeRpio implements Rpio {
  readonly INPUT = 0;
  readonly OUTPUT = 1;
  readonly LOW = 0;
  readonly HIGH = 1;
  readonly PULL_OFF = 0;
  readonly PULL_DOWN = 1;
  readonly PULL_UP = 2;
  readonly POLL_BOTH = 3;
  readonly pins = new Map<number, FakeRpioPin>();
  private readonly polls = new Map<number, (pin: number) => void>();
  private readonly warnListeners: Array<(m: string) => void> = [];

  constructor(private readonly options: { init?: 'fails' | 'mock' } = {}) {}

  init(): void {
    if (this.options.init === 'fails') throw new Error('Could not initialize bcm2835');
    if (this.options.init === 'mock')
      for (const l of this.warnListeners) l('Hardware auto-detect failed, running in mock mode');
  }
  on(_event: 'warn', listener: (m: string) => void): void {
    this.warnListeners.push(listener);
  }
  removeListener(_event: 'warn', listener: (m: string) => void): void {
    this.warnListeners.splice(this.warnListeners.indexOf(listener), 1);
  }
  open(pin: number, mode: number, init?: number): void {
    if (mode === this.OUTPUT) {
      this.pins.set(pin, { mode: 'out', pull: 'off', level: init === this.HIGH ? 1 : 0 });
    } else {
      const pull = init === this.PULL_UP ? 'up' : init === this.PULL_DOWN ? 'down' : 'off';
      const old = this.pins.get(pin);
      const level: Level = pull === 'up' ? 1 : pull === 'down' ? 0 : (old?.level ?? 0);
      this.pins.set(pin, { mode: 'in', pull, level });
    }
  }
  write(pin: number, value: number): void {
    const p = this.pins.get(pin);
    // rpio writes the register whatever the mode; only an output shows it on the wire.
    if (p?.mode === 'out') p.level = value ? 1 : 0;
  }
  read(pin: number): number {
    return this.pins.get(pin)?.level ?? 0;
  }
  poll(pin: number, callback: ((pin: number) => void) | null): void {
    if (callback) this.polls.set(pin, callback);
    else this.polls.delete(pin);
  }
  close(pin: number): void {
    this.polls.delete(pin);
    const p = this.pins.get(pin);
    if (p) p.mode = 'in';
  }

  /** Drive an input from outside. */
  drive(pin: number, level: Level): void {
    const p = this.pins.get(pin) ?? { mode: 'in', pull: 'off', level: 0 };
    this.pins.set(pin, p);
    if (p.mode === 'out' || p.level === level) return;
    p.level = level;
    this.polls.get(pin)?.(pin);
  }
}
