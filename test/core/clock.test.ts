// The real clock's timer (issue 12, point 7) on an injected host: it follows the wall clock when
// NTP moves it back or forward, and cancel() leaves no timer armed, so a stopped service exits.
import { describe, expect, it } from 'vitest';
import { wallClockTimer, type TimerHost } from '../../src/core/clock.js';

/** A host whose time and pending timeouts the test moves by hand. */
class HandHost implements TimerHost {
  wall = Date.parse('2026-01-01T00:00:00Z');
  /** Only elapse() moves it: setting the wall clock does not. */
  mono = 1_000;
  pending = new Map<number, { fn: () => void; ms: number }>();
  private seq = 0;
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.pending.set(++this.seq, { fn, ms });
    return this.seq;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Let the one pending timeout elapse: wall time moves by its delay, then it fires. */
  elapse(): void {
    const [id, t] = [...this.pending][0]!;
    this.pending.delete(id);
    this.wall += t.ms;
    this.mono += t.ms;
    t.fn();
  }
}

describe('wallClockTimer', () => {
  it('fires at the wall-clock time, waiting in steps', () => {
    const host = new HandHost();
    let fired = 0;
    wallClockTimer(new Date(host.wall + 150_000), () => fired++, host, 60_000);
    host.elapse();
    host.elapse();
    expect(fired).toBe(0);
    host.elapse();
    expect(fired).toBe(1);
    expect(host.pending.size).toBe(0);
  });

  it('a clock set back a day fires when the wait it meant has passed (monotonic), not a day later', () => {
    const host = new HandHost();
    const when = host.wall + 120_000;
    let fired = 0;
    wallClockTimer(new Date(when), () => fired++, host, 60_000);
    host.wall -= 24 * 3_600_000;
    host.elapse();
    expect(fired).toBe(0);
    expect(host.pending.size).toBe(1);
    host.elapse();
    expect(fired).toBe(1);
    expect(host.pending.size).toBe(0);
  });

  it('a clock set back 400 days or by a minute alike: the planned wait, never more', () => {
    for (const back of [400 * 24 * 3_600_000, 60_000]) {
      const host = new HandHost();
      let fired = 0;
      wallClockTimer(new Date(host.wall + 180_000), () => fired++, host, 60_000);
      host.wall -= back;
      for (let i = 0; i < 3; i++) host.elapse();
      expect(fired).toBe(1);
    }
  });

  it('a clock set forward fires at the next step', () => {
    const host = new HandHost();
    let fired = 0;
    wallClockTimer(new Date(host.wall + 3_600_000), () => fired++, host, 60_000);
    host.wall += 2 * 3_600_000;
    host.elapse();
    expect(fired).toBe(1);
  });

  it('cancel() after a jump leaves nothing armed', () => {
    const host = new HandHost();
    let fired = 0;
    const t = wallClockTimer(new Date(host.wall + 600_000), () => fired++, host, 60_000);
    host.wall -= 3_600_000;
    host.elapse();
    expect(host.pending.size).toBe(1);
    t.cancel();
    expect(host.pending.size).toBe(0);
    expect(fired).toBe(0);
  });

  it('with the real host, a cancelled timer does not keep Node alive', () => {
    const t = wallClockTimer(new Date(Date.now() + 3_600_000), () => {});
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    t.cancel();
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBe(before - 1);
  });
});
