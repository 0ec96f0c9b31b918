// The GPIO backend for the Pi Zero, 1-4: rpio mapping /dev/gpiomem (group gpio), the BCM2835
// family's GPIO registers. It cannot reach a Pi 5's pins (behind the RP1): gpio/chardev.ts does.
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { TransportError } from '../../src/core/errors.js';
import type { Gpio, Pull } from './contract.js';
import type { Level } from '../transports/transport.js';

/** The part of rpio's API used here (rpio ships no types); tests pass an in-memory one. */
export interface Rpio {
  INPUT: number;
  OUTPUT: number;
  LOW: number;
  HIGH: number;
  PULL_OFF: number;
  PULL_DOWN: number;
  PULL_UP: number;
  POLL_BOTH: number;
  init(options: { gpiomem?: boolean; mapping?: 'gpio' | 'physical'; close_on_exit?: boolean }): void;
  on(event: 'warn', listener: (message: string) => void): void;
  removeListener(event: 'warn', listener: (message: string) => void): void;
  open(pin: number, mode: number, init?: number): void;
  write(pin: number, value: number): void;
  read(pin: number): number;
  poll(pin: number, callback: ((pin: number) => void) | null, direction?: number): void;
  close(pin: number): void;
}

export const GPIOMEM_PATH = '/dev/gpiomem';

export const RPIO_NO_PI =
  'rpio found no Raspberry Pi GPIO here (a Pi 5 uses the GPIO character device instead): use --transport serial:PATH, or --dry-run';

/** The one-line error for rpio failing to map /dev/gpiomem, by why the device cannot be opened. */
export function gpiomemError(code: string | undefined, user = os.userInfo().username): TransportError {
  switch (code) {
    case 'ENOENT':
      return new TransportError(
        `${GPIOMEM_PATH} does not exist (Raspberry Pi OS's kernel provides it): run Raspberry Pi OS, or use --transport serial:PATH`,
      );
    case 'EACCES':
    case 'EPERM':
      return new TransportError(
        `no permission to open ${GPIOMEM_PATH}: add the user to the gpio group (sudo usermod -aG gpio ${user}) and log in again`,
      );
    default:
      return new TransportError(
        `rpio could not map ${GPIOMEM_PATH}${code ? ` (${code})` : ''}: check that it is the Pi's GPIO device (ls -l ${GPIOMEM_PATH})`,
      );
  }
}

export function loadRpio(): Rpio {
  try {
    return createRequire(import.meta.url)('rpio') as Rpio;
  } catch (err) {
    throw new TransportError(
      `the rpio module is not installed (${(err as Error).message.split('\n')[0]}): run "npm install rpio" in the app's directory on the Pi, or use --transport serial:PATH or trace:FILE`,
    );
  }
}

/** Why /dev/gpiomem cannot be opened for reading and writing; undefined when it can. */
export function gpiomemAccessCode(path: string = GPIOMEM_PATH): string | undefined {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}

class RpioGpio implements Gpio {
  /** One token a watched pin, so a stale unwatch cannot end a newer watch on the same pin. */
  private readonly watches = new Map<number, object>();
  private readonly pulls: Record<Pull, number>;

  constructor(private readonly rpio: Rpio) {
    this.pulls = { up: rpio.PULL_UP, down: rpio.PULL_DOWN, off: rpio.PULL_OFF };
  }

  openOutput(pin: number, level: Level): void {
    this.rpio.open(pin, this.rpio.OUTPUT, level ? this.rpio.HIGH : this.rpio.LOW);
  }

  write(pin: number, level: Level): void {
    this.rpio.write(pin, level ? this.rpio.HIGH : this.rpio.LOW);
  }

  read(pin: number): Level {
    return this.rpio.read(pin) ? 1 : 0;
  }

  openInput(pin: number, pull: Pull): void {
    this.rpio.open(pin, this.rpio.INPUT, this.pulls[pull]);
  }

  watch(pin: number, onEdge: (level: Level) => void): () => void {
    if (this.watches.has(pin)) throw new TransportError(`GPIO ${pin} is already watched: stop that watch first`);
    // rpio's event detection says only that an edge happened, not which: read the level now.
    this.rpio.poll(pin, () => onEdge(this.read(pin)), this.rpio.POLL_BOTH);
    const token = {};
    this.watches.set(pin, token);
    return () => {
      if (this.watches.get(pin) !== token) return;
      this.watches.delete(pin);
      this.rpio.poll(pin, null);
    };
  }

  close(pin: number): void {
    // rpio.close ends a poll on the pin itself.
    this.watches.delete(pin);
    this.rpio.close(pin);
  }
}

/**
 * Map /dev/gpiomem through rpio. `gpiomemCode` says why the device cannot be opened (tests pass
 * one; by default it is asked of the file system when rpio's init fails).
 */
export function openRpioGpio(
  rpio: Rpio = loadRpio(),
  gpiomemCode: () => string | undefined = () => gpiomemAccessCode(),
): Gpio {
  const warnings: string[] = [];
  const onWarn = (m: string) => void warnings.push(m);
  rpio.on('warn', onWarn);
  try {
    rpio.init({ gpiomem: true, mapping: 'gpio', close_on_exit: true });
  } catch {
    // rpio's own error is only "Could not initialize bcm2835": find out why from the device.
    throw gpiomemError(gpiomemCode());
  } finally {
    rpio.removeListener('warn', onWarn);
  }
  // Off a Pi, rpio falls back to a silent mock that accepts every write: refuse to pretend.
  if (warnings.some((w) => /mock/i.test(w))) throw new TransportError(RPIO_NO_PI);
  return new RpioGpio(rpio);
}
