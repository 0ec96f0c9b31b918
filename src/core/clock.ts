// Time for the service: what time it is and "call me at". The real clock waits in steps of at most
// a minute and looks at the wall clock after each, so a clock set forward (NTP on a Pi without an
// RTC) fires it early; and it never waits longer than it meant to on the monotonic clock, so a
// clock set back cannot hold it for the size of the jump. cancel() always clears the one pending
// timer: a stopped service leaves nothing armed. Tests drive a manual clock
// (test/support/manual-clock.ts).

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): Date;
  /** Call `fn` at `when` (at once, asynchronously, when `when` is not in the future). */
  at(when: Date, fn: () => void): Timer;
}

/** What a wall-clock timer runs on (injectable: tests move time and fire timers by hand). */
export interface TimerHost {
  now(): number;
  /** Milliseconds on a clock that only moves forward (performance.now()). */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The longest single wait: a clock change is noticed within this. */
export const MAX_WAIT_STEP_MS = 60_000;

const realHost: TimerHost = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Call `fn` once the wall clock reads `when` or later, checking at least every `stepMs`, or
 * once the wait it meant (`when` less the time at arming) has passed on the monotonic clock,
 * whichever comes first. */
export function wallClockTimer(
  when: Date,
  fn: () => void,
  host: TimerHost = realHost,
  stepMs = MAX_WAIT_STEP_MS,
): Timer {
  const target = when.getTime();
  const deadline = host.monotonic() + Math.max(0, target - host.now());
  let handle: unknown = null;
  let cancelled = false;
  const check = () => {
    handle = null;
    if (cancelled) return;
    const remaining = Math.min(target - host.now(), deadline - host.monotonic());
    if (remaining <= 0) {
      cancelled = true;
      fn();
      return;
    }
    handle = host.setTimeout(check, Math.min(remaining, stepMs));
  };
  handle = host.setTimeout(check, Math.max(0, Math.min(target - host.now(), stepMs)));
  return {
    cancel() {
      cancelled = true;
      if (handle !== null) host.clearTimeout(handle);
      handle = null;
    },
  };
}

export const systemClock: Clock = {
  now: () => new Date(),
  at: (when, fn) => wallClockTimer(when, fn),
};
