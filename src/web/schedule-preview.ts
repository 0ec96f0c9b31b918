// The schedule editor's preview: the next refresh times a proposed schedule gives, counted by the
// service's own nextRefreshAt so the page and the frame agree.
import { parseQuietHours, type RefreshPolicy } from '../frame/schedule.js';

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

/** The schedule's own count of the next refresh times (frame/schedule.ts). */
export { nextRefreshTimes } from '../frame/schedule.js';
