// The schedule editor's preview: the next refresh times a proposed schedule gives, counted by the
// service's own nextRefreshAt so the page and the frame agree.
import { nextRefreshAt, parseQuietHours, type RefreshPolicy } from '../frame/schedule.js';

export function refreshPolicyOf(
  c: { refresh_interval_minutes: number; refresh_cron: string; quiet_hours: string },
  minIntervalMs: number,
): RefreshPolicy {
  return {
    intervalMinutes: c.refresh_interval_minutes,
    cron: c.refresh_cron.trim() || null,
    quietHours: parseQuietHours(c.quiet_hours),
    minIntervalMs,
  };
}

/** The next `count` refresh times after `from` (a refresh at `from` counted as the last). */
export function nextRefreshTimes(policy: RefreshPolicy, from: Date, count: number): Date[] {
  const out: Date[] = [];
  let last = from;
  for (let i = 0; i < count; i++) {
    last = nextRefreshAt(policy, last, new Date(last.getTime() + 1));
    out.push(last);
  }
  return out;
}
