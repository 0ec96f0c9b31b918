// A clock the test moves by hand: timers fire, in time order, when the test advances past them.
import type { Clock, Timer } from '../../src/core/clock.js';

interface Pending {
  when: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  at(when: Date, fn: () => void): Timer {
    const p: Pending = { when: when.getTime(), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  /** The earliest live timer, if any. */
  nextTimer(): Date | null {
    const live = this.pending.filter((p) => !p.cancelled);
    if (live.length === 0) return null;
    return new Date(Math.min(...live.map((p) => p.when)));
  }

  /** Move time forward to `to`, firing every due timer in order (including ones they set). */
  advanceTo(to: Date): void {
    const target = to.getTime();
    for (;;) {
      const due = this.pending
        .filter((p) => !p.cancelled && p.when <= target)
        .sort((a, b) => a.when - b.when || a.seq - b.seq)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.when);
      due.cancelled = true;
      due.fn();
    }
    this.pending = this.pending.filter((p) => !p.cancelled);
    this.current = Math.max(this.current, target);
  }

  advance(ms: number): void {
    this.advanceTo(new Date(this.current + ms));
  }
}
