// What a panel driver is: its controller's protocol as plain data. Each driver file turns
// "wake, show this frame, clear, sleep" into a list of steps; drivers/spi-panel.ts runs them
// over a transport in the framing the driver's vendor uses, so the wire matches theirs.
import type { HatKind } from './hats.js';
import type { Level } from './transports/transport.js';

/** A controller on a two-controller glass (13.3"): cs0 gets the left half of each row, cs1 the right. */
export type ChipSelect = 'cs0' | 'cs1';

/** Output lines a step may drive directly (the vendors' set-up and power-down levels). */
export type LineRole = 'rst' | 'dc' | 'pwr' | 'cs0' | 'cs1';

/** One thing to do on the wire. A driver's sequences are lists of these and nothing else. */
export type Step =
  /** Drive an output line; `pwr` is skipped on a HAT without a power switch, `cs1` on one CS. */
  | { op: 'pin'; role: LineRole; level: Level }
  | { op: 'delay'; ms: number }
  /**
   * A command byte and its data bytes, framed as the driver's `framing` says. `to`: the chip
   * selects lowered for it (default cs0 alone). `block`: the data goes as one run (Waveshare's
   * send_data2) rather than a byte at a time (send_data).
   */
  | { op: 'command'; command: number; data: Uint8Array; to?: readonly ChipSelect[]; block?: boolean }
  /**
   * Sample BUSY until it reads `level`, every `pollMs`. `pollCommand`: a command byte sent
   * before every sample (the 7.5" V2's GET_STATUS). `heldReady: 'sleep'`: a line already at
   * `level` at the first sample is taken for an unwired BUSY and the whole timeout is slept
   * (Pimoroni's _busy_wait). `onTimeout`: fail with PanelBusyTimeoutError, or go on.
   */
  | {
      op: 'waitBusy';
      level: Level;
      pollMs: number;
      timeoutMs: number;
      after: string;
      pollCommand?: number;
      heldReady?: 'sleep';
      /** `return`: a line busy at the first sample ends the wait at once (Pimoroni's el133uf1). */
      busyAtFirst?: 'return';
      onTimeout: 'fail' | 'continue';
    };

/**
 * How a vendor frames commands and data on the wire (see spi-panel.ts):
 * - `waveshare`: DC low, CS low, command, CS high; each data byte DC high, CS low, byte, CS high
 *   (a `block` in one such frame). epdconfig-based drivers' send_command / send_data / send_data2.
 * - `pimoroni`: CS low, DC low, command, CS high; then CS low, DC high, data, CS high (inky_uc8159,
 *   inky_ac073tc1a `_spi_write`).
 * - `pimoroni-spectra`: the selected CS low, DC low, a pause, command, DC high, data, every CS
 *   high, DC low (inky_e673 / e640 / el133uf1 `_send_command`).
 * - `cs-only`: DC untouched (held low); the selected CS low, command, data, every CS high: the
 *   controller takes the first byte after CS falls as the command (Waveshare 13.3" (E)).
 */
export type Framing =
  | { kind: 'waveshare' }
  | { kind: 'pimoroni' }
  | { kind: 'pimoroni-spectra'; pauseBeforeCommandMs: number }
  | { kind: 'cs-only' };

export interface PanelDriver {
  /** The name the catalogue's `driver` field uses (its file in controllers/, less any size suffix). */
  name: string;
  /** The vendor file whose wire trace this driver reproduces (repository, commit, path). */
  source: string;
  /** The frame buffer the driver takes (the catalogue entry's size). */
  width: number;
  height: number;
  bitsPerPixel: 1 | 4;
  /** The BUSY level that means "busy" (what the emulator drives while the controller works). */
  busyLevel: Level;
  /** Which HAT's pins are the defaults. */
  hat: HatKind;
  /** The SPI clock the reference driver uses. */
  spiHz: number;
  framing: Framing;
  /** Reset and initialise the controller after power-up or deep sleep. */
  wake(): Step[];
  /** Send a packed frame buffer and refresh the glass with it. */
  show(frame: Uint8Array): Step[];
  /** Refresh the glass to plain white. */
  clear(): Step[];
  /** Power down (and deep sleep where the vendor does), releasing the lines as the vendor does. */
  sleep(): Step[];
}

/** A panel ready to take frames, whatever carries them (SPI from the Pi, or a serial controller). */
export interface Panel {
  /** Wake the panel, show this packed frame buffer, put it back to sleep. */
  show(frame: Uint8Array): Promise<void>;
  /** Wake the panel, refresh it to white, put it back to sleep. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export function frameBytes(d: Pick<PanelDriver, 'width' | 'height' | 'bitsPerPixel'>): number {
  return (d.width * d.height * d.bitsPerPixel) / 8;
}

// Small constructors so a transcription reads like the vendor's code: cmd(0x61, 0x03, 0x20, ...).
export function cmd(command: number, ...data: number[]): Step {
  return { op: 'command', command, data: Uint8Array.from(data) };
}
/** A command to the named controllers (13.3" panels). */
export function cmdTo(to: readonly ChipSelect[], command: number, ...data: number[]): Step {
  return { op: 'command', command, data: Uint8Array.from(data), to };
}
/** A command whose data goes as one block (a frame buffer). */
export function cmdData(command: number, data: Uint8Array, to?: readonly ChipSelect[]): Step {
  return to ? { op: 'command', command, data, block: true, to } : { op: 'command', command, data, block: true };
}
export function pin(role: LineRole, level: Level): Step {
  return { op: 'pin', role, level };
}
export function reset(level: Level): Step {
  return pin('rst', level);
}
export function delay(ms: number): Step {
  return { op: 'delay', ms };
}

/** Waveshare's ReadBusy loops: sample until BUSY reads `level`, every `pollMs`, no time limit of theirs. */
export function waitFor(level: Level, after: string, pollMs: number, timeoutMs = 40_000): Step {
  return { op: 'waitBusy', level, pollMs, timeoutMs, after, onTimeout: 'fail' };
}

/**
 * Pimoroni's _busy_wait(timeout): BUSY high means ready; already high at the first sample, it
 * sleeps the whole timeout; otherwise it polls every 100 ms and, past the timeout, warns and
 * goes on (inky_e673.py:227-241, inky_uc8159.py:325-342).
 */
export function inkyBusyWait(after: string, timeoutMs: number): Step {
  return { op: 'waitBusy', level: 1, pollMs: 100, timeoutMs, after, heldReady: 'sleep', onTimeout: 'continue' };
}

/**
 * Pimoroni's _busy_wait(timeout) for the 13.3" (pimoroni/inky @07035b3 inky/inky_el133uf1.py:266-280):
 * already high at the first sample, it sleeps the whole timeout (:271-273), like the others; but
 * its loop (:276) waits while BUSY is *high*, which that check has just ruled out, so a busy (low)
 * line ends the wait at once and the next command goes out without waiting. We do as it does.
 */
export function inkyEl133uf1BusyWait(after: string, timeoutMs: number): Step {
  return { ...inkyBusyWait(after, timeoutMs), busyAtFirst: 'return' } as Step;
}

/** A white frame in `nibble4` (index 1 is white on every colour panel here: 0x11 a byte). */
export function whiteNibbles(width: number, height: number): Uint8Array {
  return new Uint8Array((width * height) / 2).fill(0x11);
}
