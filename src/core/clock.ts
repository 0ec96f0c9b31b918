// Time for the service: what time it is and "call me at". The real clock schedules with
// node-schedule; tests drive a manual clock (test/support/manual-clock.ts) through the same interface.
import schedule from 'node-schedule';

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): Date;
  /** Call `fn` at `when` (at once, asynchronously, when `when` is not in the future). */
  at(when: Date, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => new Date(),
  at(when, fn) {
    if (when.getTime() <= Date.now()) {
      const t = setTimeout(fn, 0);
      return { cancel: () => clearTimeout(t) };
    }
    // node-schedule keeps long waits exact (no setTimeout overflow past 24.8 days) and follows
    // wall-clock changes, which matters on a Pi that sets its clock by NTP after boot.
    const job = schedule.scheduleJob(when, fn);
    return { cancel: () => job?.cancel() };
  },
};
