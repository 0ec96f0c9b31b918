// When the frame acts: the next refresh tick (interval or cron, quiet hours, the panel's minimum
// interval) and the backoff after failed syncs (when a sync is due is library/due.ts). Pure.
import type CronParser from 'cron-parser';

/** cron-parser (and the date library under it) loads only when a cron expression is in use: most
 * frames refresh on an interval, and `status` or `next` should not pay for it (nor for node:module,
 * asked for here only when the package is). */
let cronModule: typeof CronParser | undefined;
function cronParser(): typeof CronParser {
  cronModule ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)(
    'cron-parser',
  ) as typeof CronParser;
  return cronModule;
}

/** Quiet hours as minutes after local midnight; start > end spans midnight (22:00-07:00). */
export interface QuietHours {
  start: number;
  end: number;
}

export interface RefreshPolicy {
  intervalMinutes: number;
  /** A 5-field cron expression; when set it replaces the interval. */
  cron: string | null;
  quietHours: QuietHours | null;
  /** The panel's minimum time between full refreshes. */
  minIntervalMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Parse "HH:MM-HH:MM" (local time). Returns null for "" and throws on a malformed value. */
export function parseQuietHours(text: string): QuietHours | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(trimmed);
  if (!m) throw new Error(`"${text}" is not of the form HH:MM-HH:MM`);
  const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) throw new Error(`"${text}" has an hour above 23 or a minute above 59`);
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  if (start === end) throw new Error(`"${text}" starts and ends at the same time`);
  return { start, end };
}

/** Throws with the parser's reason when `expr` is not a cron expression we can schedule. */
export function validateCron(expr: string): void {
  cronParser().parseExpression(expr, { currentDate: new Date(0) });
}

function minuteOfDay(d: Date): number {
  return d.getHours() * 60 + d.getMinutes();
}

export function isQuiet(q: QuietHours | null, at: Date): boolean {
  if (!q) return false;
  const m = minuteOfDay(at);
  return q.start < q.end ? m >= q.start && m < q.end : m >= q.start || m < q.end;
}

/** The first moment at or after `at` that is outside the quiet hours. */
export function endOfQuiet(q: QuietHours | null, at: Date): Date {
  if (!isQuiet(q, at)) return at;
  const end = new Date(at);
  end.setHours(Math.floor(q!.end / 60), q!.end % 60, 0, 0);
  if (end <= at) end.setDate(end.getDate() + 1);
  return end;
}

/**
 * A last refresh recorded "in the future" was written before the clock jumped back (a Pi without
 * an RTC, before NTP): it counts as now, so it cannot hold the frame still for that long.
 */
function notInFuture(recorded: Date | null, now: Date): Date | null {
  return recorded && recorded.getTime() > now.getTime() ? now : recorded;
}

/**
 * How many cron times one next-tick computation may look at. A cron time inside the quiet hours
 * restarts the search at their end, so each look skips a whole quiet period: a schedule with any
 * time outside them (what `scheduleProblem` and `config check` require) finds it within a few
 * looks, and one without it costs this many cron steps (a few ms each, more on a Pi Zero) rather
 * than the 10,080 that held the event loop, and SIGTERM, for half a minute (issue 20).
 */
export const MAX_CRON_LOOKS = 8;

/**
 * The next refresh tick. With no refresh yet it is now (or the end of the quiet hours). After
 * one, it is the next interval or cron time that is at least the panel's minimum interval after
 * the last refresh and outside the quiet hours.
 */
export function nextRefreshAt(policy: RefreshPolicy, recorded: Date | null, now: Date): Date {
  const lastRefresh = notInFuture(recorded, now);
  const earliest = lastRefresh ? new Date(Math.max(now.getTime(), lastRefresh.getTime() + policy.minIntervalMs)) : now;
  if (!policy.cron) {
    const due = lastRefresh
      ? new Date(Math.max(earliest.getTime(), lastRefresh.getTime() + policy.intervalMinutes * MINUTE))
      : earliest;
    return endOfQuiet(policy.quietHours, due);
  }
  let from = earliest;
  for (let look = 0; look < MAX_CRON_LOOKS; look++) {
    // cron-parser's next() is strictly after currentDate; step back 1 ms so `from` itself counts.
    const next = cronParser()
      .parseExpression(policy.cron, { currentDate: new Date(from.getTime() - 1) })
      .next()
      .toDate();
    if (!isQuiet(policy.quietHours, next)) return next;
    from = endOfQuiet(policy.quietHours, next);
  }
  // Only a schedule that `config check` refuses gets here: refresh when the quiet hours end.
  return endOfQuiet(policy.quietHours, earliest);
}

/**
 * The next `count` refresh times after `from` (the last refresh, or now), as the frame makes them
 * when each refresh happens on time: what a schedule editor shows ("the next five refreshes").
 */
export function nextRefreshTimes(policy: RefreshPolicy, from: Date, count: number): Date[] {
  const out: Date[] = [];
  let last = from;
  for (let i = 0; i < count; i++) {
    last = nextRefreshAt(policy, last, new Date(last.getTime() + 1));
    out.push(last);
  }
  return out;
}

/**
 * Why a cron schedule never refreshes outside the quiet hours, or null when it does. Decided from
 * the hours and minutes the cron names (quiet hours are a time of day), with no date walking.
 */
export function scheduleProblem(cron: string, quietHours: QuietHours | null): string | null {
  if (!quietHours || cron.trim() === '') return null;
  const { hour, minute } = cronParser().parseExpression(cron.trim(), { currentDate: new Date(0) }).fields;
  const day = new Date(2000, 0, 1);
  for (const h of hour) {
    for (const m of minute) {
      day.setHours(h, m, 0, 0);
      if (!isQuiet(quietHours, day)) return null;
    }
  }
  return 'every time it names falls inside quiet_hours, so the frame would never refresh';
}

/** When a button press may refresh the panel: now, unless the panel's minimum interval says later. */
export function earliestManualRefresh(minIntervalMs: number, recorded: Date | null, now: Date): Date {
  const lastRefresh = notInFuture(recorded, now);
  if (!lastRefresh) return now;
  return new Date(Math.max(now.getTime(), lastRefresh.getTime() + minIntervalMs));
}

/** Backoff after failed syncs: 1, 2, 4 ... minutes, capped at the sync interval and at 1 hour. */
export function syncRetryDelayMs(failures: number, intervalHours: number, random: () => number = Math.random): number {
  const cap = Math.min(intervalHours * HOUR, HOUR);
  const base = Math.min(cap, MINUTE * 2 ** Math.max(0, failures - 1));
  // Jitter in [0.5, 1) x base keeps a house full of frames from hammering a server that came back.
  return Math.round(base * (0.5 + random() / 2));
}
