// A board that wakes a powered-off Pi at a set time and, where it has one, reads the battery:
// the kernel RTC (rtc.ts), a PiSugar 2/3 (pisugar.ts) or a Witty Pi 4 (witty-pi.ts). The wake
// cycle (cycle.ts) sets its one alarm before every power-off and asks it for the battery.
import type { BatteryReading } from '../frame/health.js';

export type { BatteryReading };

export interface WakeBoard {
  /** rtc, pisugar or witty-pi: for the logs and `status`. */
  readonly name: string;
  /** How far ahead the board's one alarm reaches: a later wake is reached by waking at this
   * horizon first and going back to sleep (cycle.ts, relayWake). */
  readonly horizonMs: number;
  /** The battery, or null where the board cannot tell (the kernel RTC). */
  battery(): Promise<BatteryReading | null>;
  /** Arm the one wake alarm for `at` (system time); the board's own clock may be off, so `now`
   * (system time) lets it translate. Returns the alarm in the board's clock, for the logs. */
  setWakeAlarm(at: Date, now: Date): Promise<string>;
  /** Clear the alarm (the frame stays on: a wake nobody wants must not come). */
  clearWakeAlarm(): Promise<void>;
}

/** Two-digit BCD (the Witty Pi's RTC registers): 0x59 is 59. */
export function toBcd(n: number): number {
  return (Math.floor(n / 10) % 10 << 4) | n % 10;
}
export function fromBcd(b: number): number {
  return (b >> 4) * 10 + (b & 0x0f);
}

/** A board's clock reads `boardNow` when the system reads `now`: `at` in the board's clock. An RTC
 * running behind the system clock would otherwise wake the frame that much late. */
export function inBoardClock(at: Date, now: Date, boardNow: Date): Date {
  return new Date(at.getTime() + (boardNow.getTime() - now.getTime()));
}
