// The battery wake cycle's decisions, pure: what the battery allows (sync, "charge me"), when the
// one alarm goes (the next refresh, or a relay wake where the board's alarm cannot reach that far),
// and whether this wake is such a relay (back to sleep at once) or a refresh.
import type { BatteryReading } from './board.js';
import type { BatteryConfig } from './config.js';

export interface BatteryVerdict {
  sync: boolean;
  chargeMe: boolean;
  why: string;
}

/** No reading (the kernel RTC) or a charger: everything is allowed. */
export function batteryVerdict(
  reading: BatteryReading | null,
  c: Pick<BatteryConfig, 'no_sync_below_pct' | 'charge_me_below_pct'>,
): BatteryVerdict {
  if (!reading) return { sync: true, chargeMe: false, why: 'no battery reading' };
  if (reading.charging) return { sync: true, chargeMe: false, why: `charging at ${reading.level_pct}%` };
  const pct = reading.level_pct;
  if (pct < c.charge_me_below_pct)
    return { sync: false, chargeMe: true, why: `battery at ${pct}%, under ${c.charge_me_below_pct}%: charge me` };
  if (pct < c.no_sync_below_pct)
    return { sync: false, chargeMe: false, why: `battery at ${pct}%, under ${c.no_sync_below_pct}%: no sync` };
  return { sync: true, chargeMe: false, why: `battery at ${pct}%` };
}

/** A wake this close to the due refresh is that refresh (an RTC counts in seconds; boot takes some). */
export const WAKE_SLACK_MS = 5 * 60_000;

/**
 * The alarm for a refresh due at `due`: the due time itself when the board reaches it, else a
 * relay wake at due - n x horizon (the smallest n that is within reach), which goes back to sleep.
 */
export function alarmFor(due: Date, now: Date, horizonMs: number): { at: Date; relay: boolean } {
  const ahead = due.getTime() - now.getTime();
  if (ahead <= horizonMs) return { at: due, relay: false };
  const steps = Math.ceil(ahead / horizonMs) - 1;
  return { at: new Date(due.getTime() - steps * horizonMs), relay: true };
}

/** This wake is a relay set by alarmFor (a whole number of horizons before the due refresh). */
export function isRelayWake(due: Date, now: Date, horizonMs: number): boolean {
  const ahead = due.getTime() - now.getTime();
  if (ahead <= horizonMs - WAKE_SLACK_MS) return false;
  const off = ahead % horizonMs;
  return off < WAKE_SLACK_MS || horizonMs - off < WAKE_SLACK_MS;
}
