// The filters that narrow what the frame shows, as pure functions of the photos' metadata records
// (SelectablePhoto.info), the options and the clock: no network, so changing a filter needs no sync.
import type { SelectablePhoto } from './select.js';
import { describeFilters, type SelectionFilters } from './options.js';

/** A calendar date as numbers. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

function dateOfIso(text: string): CalendarDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
}

/** The calendar date of an instant in a time zone. */
export function dateInZone(instant: Date, timeZone: string): CalendarDate {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/**
 * The date the photo was taken where it was taken: Immich's localDateTime (local wall time written
 * with a Z: FEATURES.md, "Capture time"), else the capture instant in the user's zone; null when
 * the photo has no capture time (an adopted file).
 */
export function localDateOf(photo: SelectablePhoto, timeZone: string): CalendarDate | null {
  const local = photo.info?.local_date_time;
  if (local) {
    const d = dateOfIso(local);
    if (d) return d;
  }
  if (!photo.capturedAt) return null;
  const t = Date.parse(photo.capturedAt);
  return Number.isNaN(t) ? null : dateInZone(new Date(t), timeZone);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateKey = (d: CalendarDate) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;

function matchesPerson(photo: SelectablePhoto, term: string): boolean {
  const t = term.trim().toLowerCase();
  return (photo.info?.people ?? []).some((p) => p.id.toLowerCase() === t || p.name.trim().toLowerCase() === t);
}

function withinDates(photo: SelectablePhoto, f: SelectionFilters, timeZone: string): boolean {
  if (!f.takenAfter && !f.takenBefore) return true;
  const local = localDateOf(photo, timeZone);
  const instant = photo.capturedAt ? Date.parse(photo.capturedAt) : Number.NaN;
  const check = (bound: string, after: boolean): boolean => {
    if (!bound) return true;
    if (bound.length === 10) {
      if (!local) return false;
      return after ? dateKey(local) >= bound : dateKey(local) < bound;
    }
    if (Number.isNaN(instant)) return false;
    return after ? instant >= Date.parse(bound) : instant < Date.parse(bound);
  };
  return check(f.takenAfter, true) && check(f.takenBefore, false);
}

/** Every filter but on_this_day. */
export function matchesFilters(photo: SelectablePhoto, f: SelectionFilters, timeZone: string): boolean {
  const info = photo.info;
  if (f.favoritesOnly && info?.favorite !== true) return false;
  if (f.minRating > 0 && (info?.rating ?? 0) < f.minRating) return false;
  if (f.people.length > 0) {
    const ok =
      f.peopleMatch === 'all'
        ? f.people.every((t) => matchesPerson(photo, t))
        : f.people.some((t) => matchesPerson(photo, t));
    if (!ok) return false;
  }
  if (f.excludePeople.some((t) => matchesPerson(photo, t))) return false;
  return withinDates(photo, f, timeZone);
}

function dayNumber(d: CalendarDate): number {
  return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
}

/** Whether a photo's date is "on this day/week/month" of `today`, in an earlier year. A week is
 * today's month/day within 3 days either side, across a year's end too. */
export function onThisDayMatch(date: CalendarDate, today: CalendarDate, span: 'day' | 'week' | 'month'): boolean {
  if (date.year >= today.year) return false;
  if (span === 'month') return date.month === today.month;
  if (span === 'day') return date.month === today.month && date.day === today.day;
  const own = dayNumber(date);
  for (const y of [date.year - 1, date.year, date.year + 1]) {
    // Today's month/day in the photo's year (29 February falls on 1 March in other years).
    if (Math.abs(own - dayNumber({ year: y, month: today.month, day: today.day })) <= 3) return true;
  }
  return false;
}

export interface FilterOutcome {
  /** What to pick from. */
  photos: SelectablePhoto[];
  /** Photos the filters (on_this_day included when it found any) let through. */
  matched: number;
  total: number;
  /** on_this_day found nothing and the normal pick is used. */
  onThisDayFellBack: boolean;
  /** No photo passes the filters at all: the whole library is shown instead. */
  filtersFellBack: boolean;
  /** In words, for `status` and the saved reason. */
  summary: string;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * Narrow the photos by the filters. on_this_day narrows further when it finds anything, and
 * otherwise steps aside (saying so); filters that leave nothing at all step aside too, so the
 * frame never goes blank because of a filter.
 */
export function filterPhotos(
  photos: readonly SelectablePhoto[],
  f: SelectionFilters,
  now: Date,
  zone: string | (() => string),
): FilterOutcome {
  // The zone only matters to date filters; finding the system's costs ICU's start-up, so a pick
  // without them never asks.
  const dated = f.takenAfter !== '' || f.takenBefore !== '' || f.onThisDay !== 'off';
  const timeZone = !dated ? 'UTC' : typeof zone === 'function' ? zone() : zone;
  const active = describeFilters({ ...f, onThisDay: 'off', recencyWeight: 0 });
  const filtered = active.length === 0 ? [...photos] : photos.filter((p) => matchesFilters(p, f, timeZone));
  const what = active.length > 0 ? active.join('; ') : 'no filters';
  if (filtered.length === 0 && photos.length > 0) {
    return {
      photos: [...photos],
      matched: 0,
      total: photos.length,
      onThisDayFellBack: f.onThisDay !== 'off',
      filtersFellBack: true,
      summary: `no photo matches the filters (${what}); showing all ${photos.length}`,
    };
  }
  if (f.onThisDay === 'off') {
    return {
      photos: filtered,
      matched: filtered.length,
      total: photos.length,
      onThisDayFellBack: false,
      filtersFellBack: false,
      summary: `${filtered.length} of ${photos.length} photos match (${what})`,
    };
  }
  const today = dateInZone(now, timeZone);
  const span = f.onThisDay;
  const memories = filtered.filter((p) => {
    const d = localDateOf(p, timeZone);
    return d !== null && onThisDayMatch(d, today, span);
  });
  const when =
    span === 'month'
      ? `${MONTHS[today.month - 1]}`
      : `${span === 'week' ? 'the week of ' : ''}${today.day} ${MONTHS[today.month - 1]}`;
  if (memories.length === 0) {
    return {
      photos: filtered,
      matched: filtered.length,
      total: photos.length,
      onThisDayFellBack: true,
      filtersFellBack: false,
      summary: `on this ${span}: no photo from ${when} in past years, so the normal pick: ${filtered.length} of ${photos.length} photos match (${what})`,
    };
  }
  return {
    photos: memories,
    matched: memories.length,
    total: photos.length,
    onThisDayFellBack: false,
    filtersFellBack: false,
    summary: `on this ${span}: ${memories.length} of ${photos.length} photos from ${when} in past years (${what})`,
  };
}

/** The recency weight of a photo: (1 + age in years)^-w; 1 for photos without a capture time. */
export function recencyWeightOf(photo: SelectablePhoto, weight: number, now: Date): number {
  if (weight <= 0 || !photo.capturedAt) return 1;
  const t = Date.parse(photo.capturedAt);
  if (Number.isNaN(t)) return 1;
  const years = Math.max(0, (now.getTime() - t) / (365.25 * 86_400_000));
  return Math.pow(1 + years, -weight);
}
