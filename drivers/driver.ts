// What a panel driver is: its controller's protocol as plain data. Each driver file turns
// "wake, show this frame, clear, sleep" into a list of steps; drivers/spi-panel.ts runs them.
import type { HatKind } from './hats.js';
import type { Level } from './transports/transport.js';

/** One thing to do on the wire. A driver's sequences are lists of these and nothing else. */
export type Step =
  /** Drive the controller's reset line. */
  | { op: 'reset'; level: Level }
  | { op: 'delay'; ms: number }
  /** A command byte (DC low), then its data bytes (DC high), if any. */
  | { op: 'command'; command: number; data: Uint8Array }
  /** Poll BUSY until it leaves the controller's busy level; `after` names what made it busy. */
  | { op: 'waitReady'; timeoutMs: number; after: string };

export interface PanelDriver {
  /** The name the catalogue's `driver` field uses (and this driver's file name). */
  name: string;
  /** The reference the sequences were transcribed from (repository and path). */
  source: string;
  width: number;
  height: number;
  bitsPerPixel: 1 | 4;
  /** The BUSY level that means "busy". */
  busyLevel: Level;
  /** How often BUSY is sampled while waiting. */
  busyPollMs: number;
  /** Which HAT's pins are the defaults. */
  hat: HatKind;
  /** The SPI clock the reference driver uses. */
  spiHz: number;
  /** Reset and initialise the controller after power-up or deep sleep. */
  wake(): Step[];
  /** Send a packed frame buffer and refresh the glass with it. */
  show(frame: Uint8Array): Step[];
  /** Refresh the glass to plain white. */
  clear(): Step[];
  /** Power down and enter deep sleep; only a reset wakes the controller. */
  sleep(): Step[];
}

/** A panel ready to take frames, whatever carries them (SPI from the Pi, or a serial controller). */
export interface Panel {
  /** Wake the panel, show this packed frame buffer, put it back to deep sleep. */
  show(frame: Uint8Array): Promise<void>;
  /** Wake the panel, refresh it to white, put it back to deep sleep. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export function frameBytes(d: Pick<PanelDriver, 'width' | 'height' | 'bitsPerPixel'>): number {
  return (d.width * d.height * d.bitsPerPixel) / 8;
}

// Small constructors so a transcription reads like the datasheet: cmd(0x61, 0x03, 0x20, ...).
export function cmd(command: number, ...data: number[]): Step {
  return { op: 'command', command, data: Uint8Array.from(data) };
}
export function cmdData(command: number, data: Uint8Array): Step {
  return { op: 'command', command, data };
}
export function reset(level: Level): Step {
  return { op: 'reset', level };
}
export function delay(ms: number): Step {
  return { op: 'delay', ms };
}
export function waitReady(after: string, timeoutMs = 40_000): Step {
  return { op: 'waitReady', timeoutMs, after };
}
