// The Pi's GPIO pins without root, set up once for the whole process and shared by the panel's
// transport and the buttons. The backend is chosen by board (drivers/board.ts): the kernel's GPIO
// character device on a Pi 5 (gpio/chardev.ts), rpio on /dev/gpiomem on the Pi Zero, 1-4
// (gpio/rpio.ts). Both need the group gpio.
//
// The API (stable; the service's buttons use it):
//   const gpio = openGpio();                  // TransportError off a Pi or without access
//   gpio.openOutput(pin, level);              // BCM pin as an output, at `level` from the start
//   gpio.write(pin, level);  gpio.read(pin);  // levels are 0 | 1
//   gpio.openInput(pin, pull);                // pull: 'up' | 'down' | 'off'
//   const unwatch = gpio.watch(pin, (level) => { ... });  // both edges; the level after the edge
//   gpio.close(pin);                          // back to an input; also ends a watch on it
// A button wired from a pin to GND: openInput(pin, 'up'), then watch(); pressed reads 0. Edges
// arrive within a few milliseconds and bounce shows up as a burst of calls: debounce on the
// levels (src/frame/button-input.ts does).
import { TransportError } from '../src/core/errors.js';
import { MODEL_PATH, readBoard, type Board, type GpioBackend } from './board.js';
import { findPinctrlChip, openChardevGpio, systemGpioSys, type GpioSys } from './gpio/chardev.js';
import { gpiomemAccessCode, gpiomemError, GPIOMEM_PATH, openRpioGpio, type Rpio } from './gpio/rpio.js';

export type { Gpio, Pull } from './gpio/contract.js';
import type { Gpio } from './gpio/contract.js';

export { gpiomemError };

/** The one-line refusal where no backend of ours fits the board. */
export function notAPiError(board: Board, modelPath = MODEL_PATH): TransportError {
  const what = board.model ? `"${board.model}"` : 'none';
  return new TransportError(
    `not a Raspberry Pi (${modelPath}: ${what}), so there is no GPIO to drive: use --transport serial:PATH, or --dry-run`,
  );
}

export interface GpioChoice {
  board: Board;
  backend: GpioBackend;
  gpio: Gpio;
}

export interface GpioSeams {
  /** /proc/device-tree/model, or a fixture. */
  modelPath?: string;
  /** The character device's system calls (a simulated chip in tests). */
  chardev?: GpioSys;
  /** The rpio module (an in-memory one in tests). */
  rpio?: Rpio;
  /** Why /dev/gpiomem cannot be opened, when rpio's init fails. */
  gpiomemCode?: () => string | undefined;
}

/**
 * Open the backend that fits the board. The native addons (ioctl, rpio) load only here, and only
 * the one the board needs.
 */
export function openGpioFor(seams: GpioSeams = {}): GpioChoice {
  const modelPath = seams.modelPath ?? MODEL_PATH;
  const board = readBoard(modelPath);
  if (board.gpio === 'chardev') return { board, backend: 'chardev', gpio: openChardevGpio(seams.chardev) };
  if (board.gpio === 'rpio') return { board, backend: 'rpio', gpio: openRpioGpio(seams.rpio, seams.gpiomemCode) };
  throw notAPiError(board, modelPath);
}

/**
 * Set up once: rpio.init maps the registers again and adds another exit handler on every call,
 * and a claimed GPIO line cannot be claimed twice. A failure is kept too: group membership is
 * fixed when the process starts, so retrying cannot help.
 */
let shared: { gpio: Gpio } | { error: unknown } | undefined;

export function openGpio(): Gpio {
  if (!shared) {
    try {
      shared = { gpio: openGpioFor().gpio };
    } catch (error) {
      shared = { error };
    }
  }
  if ('error' in shared) throw shared.error;
  return shared.gpio;
}

export interface GpioProbe {
  backend: GpioBackend | undefined;
  /** The device the backend would use: "/dev/gpiochip0 (pinctrl-rp1)", "/dev/gpiomem". */
  device: string | undefined;
  /** Why it cannot be used, in one line. */
  problem: string | undefined;
}

/**
 * What `panels --detect` reports: the backend the board calls for and whether its device opens,
 * without claiming a pin (the chip is opened and closed again; rpio is not initialised).
 */
export function probeGpio(board: Board, seams: GpioSeams = {}): GpioProbe {
  if (board.gpio === 'chardev') {
    const sys = seams.chardev ?? systemGpioSys();
    try {
      const chip = findPinctrlChip(sys);
      sys.close(chip.fd);
      return { backend: 'chardev', device: `${chip.path} (${chip.label})`, problem: undefined };
    } catch (err) {
      return { backend: 'chardev', device: undefined, problem: (err as Error).message };
    }
  }
  if (board.gpio === 'rpio') {
    const code = (seams.gpiomemCode ?? gpiomemAccessCode)();
    return { backend: 'rpio', device: GPIOMEM_PATH, problem: code ? gpiomemError(code).message : undefined };
  }
  return { backend: undefined, device: undefined, problem: undefined };
}
