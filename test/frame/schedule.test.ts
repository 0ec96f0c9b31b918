import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import {
  earliestManualRefresh,
  endOfQuiet,
  isQuiet,
  MAX_CRON_LOOKS,
  nextRefreshAt,
  nextRefreshTimes,
  parseQuietHours,
  scheduleProblem,
  syncRetryDelayMs,
  validateCron,
  type RefreshPolicy,
} from '../../src/frame/schedule.js';

// Local-time dates, so the tests hold in any time zone.
const at = (h: number, m = 0, day = 10) => new Date(2026, 10, day, h, m, 0, 0);
const MIN = 60_000;

const hourly: RefreshPolicy = { intervalMinutes: 60, cron: null, quietHours: null, minIntervalMs: 3 * MIN };

describe('refresh schedule', () => {
  it('the first refresh is now', () => {
    expect(nextRefreshAt(hourly, null, at(9, 12))).toEqual(at(9, 12));
  });

  it('ticks every refresh_interval_minutes after the last refresh', () => {
    expect(nextRefreshAt(hourly, at(9, 0), at(9, 5))).toEqual(at(10, 0));
  });

  it('a tick that is overdue (the frame was off) is due now', () => {
    expect(nextRefreshAt(hourly, at(6, 0), at(9, 5))).toEqual(at(9, 5));
  });

  it('never refreshes sooner than the panel allows, even when the interval is shorter', () => {
    const fast = { ...hourly, intervalMinutes: 1 };
    expect(nextRefreshAt(fast, at(9, 0), at(9, 0))).toEqual(at(9, 3));
  });

  it('a cron expression replaces the interval', () => {
    const cron = { ...hourly, cron: '30 8,18 * * *' };
    expect(nextRefreshAt(cron, at(8, 30), at(8, 31))).toEqual(at(18, 30));
    expect(nextRefreshAt(cron, at(18, 30), at(18, 31))).toEqual(at(8, 30, 11));
  });

  it('a cron time exactly at the earliest allowed moment counts', () => {
    const cron = { ...hourly, cron: '0 * * * *' };
    expect(nextRefreshAt(cron, at(8, 57), at(8, 58))).toEqual(at(9, 0));
  });

  it('a cron time inside the panel minimum interval is skipped', () => {
    const cron = { ...hourly, cron: '*/2 * * * *', minIntervalMs: 5 * MIN };
    expect(nextRefreshAt(cron, at(9, 0), at(9, 1))).toEqual(at(9, 6));
  });

  it('quiet hours across midnight hold the tick until they end', () => {
    const q = { ...hourly, quietHours: parseQuietHours('22:00-07:00') };
    expect(nextRefreshAt(q, at(21, 30), at(21, 31))).toEqual(at(7, 0, 11));
    expect(nextRefreshAt(q, at(6, 0), at(6, 10))).toEqual(at(7, 0));
    expect(nextRefreshAt(q, at(7, 30), at(7, 31))).toEqual(at(8, 30));
  });

  it('quiet hours skip cron times inside them', () => {
    const q = { ...hourly, cron: '0 * * * *', quietHours: parseQuietHours('12:00-14:30') };
    expect(nextRefreshAt(q, at(11, 0), at(11, 1))).toEqual(at(15, 0));
  });

  it('quiet hours within one day', () => {
    const q = parseQuietHours('12:00-14:30');
    expect(isQuiet(q, at(11, 59))).toBe(false);
    expect(isQuiet(q, at(12, 0))).toBe(true);
    expect(isQuiet(q, at(14, 29))).toBe(true);
    expect(isQuiet(q, at(14, 30))).toBe(false);
    expect(endOfQuiet(q, at(13, 0))).toEqual(at(14, 30));
  });

  it('rejects malformed quiet hours and cron expressions with the reason', () => {
    expect(parseQuietHours('')).toBeNull();
    expect(() => parseQuietHours('22-7')).toThrow('HH:MM-HH:MM');
    expect(() => parseQuietHours('25:00-07:00')).toThrow('above 23');
    expect(() => parseQuietHours('07:00-07:00')).toThrow('same time');
    expect(() => validateCron('61 * * * *')).toThrow();
    expect(() => validateCron('0 8 * * *')).not.toThrow();
  });

  it('a cron whose every time is quiet costs a bounded number of cron steps and falls back to the end of the quiet hours', () => {
    // The class whose next() schedule.ts calls: count every cron step it takes.
    const expression = createRequire(import.meta.url)('cron-parser/lib/expression') as {
      prototype: { next(): unknown };
    };
    const parse = vi.spyOn(expression.prototype, 'next');
    try {
      const never = { ...hourly, cron: '0 23 * * *', quietHours: parseQuietHours('22:00-23:30') };
      expect(nextRefreshAt(never, at(23, 0), at(23, 1))).toEqual(at(23, 30));
      expect(parse.mock.calls.length).toBeLessThanOrEqual(MAX_CRON_LOOKS);
      // Quiet times are skipped a whole quiet period at a time: a time just after them is found at once.
      parse.mockClear();
      const minutely = { ...hourly, minIntervalMs: 0, cron: '* * * * *', quietHours: parseQuietHours('22:00-07:00') };
      expect(nextRefreshAt(minutely, at(22, 0), at(22, 1))).toEqual(at(7, 0, 11));
      expect(parse.mock.calls.length).toBe(2);
    } finally {
      parse.mockRestore();
    }
  });

  it('scheduleProblem says when no cron time is outside the quiet hours, from the hours and minutes alone', () => {
    const q = parseQuietHours('22:00-23:30');
    expect(scheduleProblem('0 23 * * *', q)).toMatch(/inside quiet_hours/);
    expect(scheduleProblem('0 23 * * *', null)).toBeNull();
    expect(scheduleProblem('0 23,8 * * *', q)).toBeNull();
    expect(scheduleProblem('45 23 29 2 *', q)).toBeNull();
    expect(scheduleProblem('*/10 22-23 * * *', q)).toBeNull(); // 23:30, 23:40, 23:50
    expect(scheduleProblem('0-29 23 * * *', q)).toMatch(/inside/);
  });

  it('nextRefreshTimes lists the next refreshes as the frame makes them (a schedule editor shows five)', () => {
    const cron = { ...hourly, cron: '30 8,18 * * *', quietHours: parseQuietHours('22:00-07:00') };
    expect(nextRefreshTimes(cron, at(9, 0), 5)).toEqual([
      at(18, 30),
      at(8, 30, 11),
      at(18, 30, 11),
      at(8, 30, 12),
      at(18, 30, 12),
    ]);
    const interval = { ...hourly, intervalMinutes: 90, quietHours: parseQuietHours('22:00-07:00') };
    expect(nextRefreshTimes(interval, at(19, 0), 4)).toEqual([at(20, 30), at(7, 0, 11), at(8, 30, 11), at(10, 0, 11)]);
    expect(nextRefreshTimes(hourly, at(9, 0), 0)).toEqual([]);
  });

  it('a button press waits out the panel minimum interval', () => {
    expect(earliestManualRefresh(3 * MIN, null, at(9, 0))).toEqual(at(9, 0));
    expect(earliestManualRefresh(3 * MIN, at(9, 0), at(9, 1))).toEqual(at(9, 3));
    expect(earliestManualRefresh(3 * MIN, at(9, 0), at(9, 4))).toEqual(at(9, 4));
  });
});

describe('sync schedule', () => {
  it('after failures it backs off 1, 2, 4 ... minutes with jitter, capped at an hour', () => {
    const mid = () => 0.5; // jitter factor 0.75
    expect(syncRetryDelayMs(1, 6, mid)).toBe(0.75 * MIN);
    expect(syncRetryDelayMs(3, 6, mid)).toBe(3 * MIN);
    expect(syncRetryDelayMs(20, 6, mid)).toBe(45 * MIN);
    expect(syncRetryDelayMs(20, 6, () => 0.999999)).toBeLessThanOrEqual(60 * MIN);
    expect(syncRetryDelayMs(20, 1, () => 0)).toBe(30 * MIN);
  });
});
