// The Pi's GPIO pins without root: rpio mapping /dev/gpiomem (group gpio), set up once for the
// whole process and shared by the panel's transport and the buttons.
//
// The API (stable; the service's buttons use it):
//   const gpio = openGpio();                  // TransportError off a Pi, on a Pi 5, or without access
//   gpio.openOutput(pin, level);              // BCM pin as an output, at `level` from the start
//   gpio.write(pin, level);  gpio.read(pin);  // levels are 0 | 1
//   gpio.openInput(pin, pull);                // pull: 'up' | 'down' | 'off'
//   const unwatch = gpio.watch(pin, (level) => { ... });  // both edges; level read after the edge
//   gpio.close(pin);                          // back to an input; also ends a watch on it
// A button wired from a pin to GND: openInput(pin, 'up'), then watch(); pressed reads 0. Edges
// are polled every millisecond and say only that something changed, so bounce shows up as a
// burst of calls: debounce on the levels (src/buttons.ts does).
import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { TransportError } from '../src/core/errors.js';
import type { Level } from './transports/transport.js';

export type Pull = 'up' | 'down' | 'off';

export interface Gpio {
  openOutput(pin: number, level: Level): void;
  write(pin: number, level: Level): void;
  read(pin: number): Level;
  openInput(pin: number, pull: Pull): void;
  /** Call `onEdge` with the pin's level after each change; returns the function that stops it. */
  watch(pin: number, onEdge: (level: Level) => void): () => void;
  close(pin: number): void;
}

/** The part of rpio's API used here (rpio ships no types). */
interface Rpio {
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

const NOT_A_PI =
  'rpio found no Raspberry Pi GPIO here (Pi 5 is not supported by rpio): use --transport serial:PATH, or --dry-run';

/**
 * A Pi 5 (BCM2712) has its GPIO behind the RP1 chip, whose registers are not the BCM2835's that
 * rpio writes: refuse before rpio maps anything. `compatible` is /proc/device-tree/compatible.
 */
export function isPi5(compatible: string): boolean {
  return compatible.split('\0').includes('brcm,bcm2712');
}

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

function loadRpio(): Rpio {
  try {
    return createRequire(import.meta.url)('rpio') as Rpio;
  } catch (err) {
    throw new TransportError(
      `the rpio module is not installed (${(err as Error).message.split('\n')[0]}): run "npm install rpio" in the app's directory on the Pi, or use --transport serial:PATH or trace:FILE`,
    );
  }
}

function accessCode(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}

function readCompatible(): string {
  try {
    return readFileSync('/proc/device-tree/compatible', 'latin1');
  } catch {
    return '';
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

function setUp(): Gpio {
  if (isPi5(readCompatible())) throw new TransportError(NOT_A_PI);
  const rpio = loadRpio();
  const warnings: string[] = [];
  const onWarn = (m: string) => void warnings.push(m);
  rpio.on('warn', onWarn);
  try {
    rpio.init({ gpiomem: true, mapping: 'gpio', close_on_exit: true });
  } catch {
    // rpio's own error is only "Could not initialize bcm2835": find out why from the device.
    throw gpiomemError(accessCode(GPIOMEM_PATH));
  } finally {
    rpio.removeListener('warn', onWarn);
  }
  // Off a Pi, rpio falls back to a silent mock that accepts every write: refuse to pretend.
  if (warnings.some((w) => /mock/i.test(w))) throw new TransportError(NOT_A_PI);
  return new RpioGpio(rpio);
}

/**
 * Set up once: rpio.init maps the registers again and adds another exit handler on every call,
 * and after a refusal it stays in mock mode, so a second init would quietly succeed. A failure
 * is kept too: group membership is fixed when the process starts, so retrying cannot help.
 */
let shared: { gpio: Gpio } | { error: unknown } | undefined;

export function openGpio(): Gpio {
  if (!shared) {
    try {
      shared = { gpio: setUp() };
    } catch (error) {
      shared = { error };
    }
  }
  if ('error' in shared) throw shared.error;
  return shared.gpio;
}
