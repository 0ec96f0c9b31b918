// What the selection may be told besides its mode: the filters that narrow the photos shown
// (people, favourites, rating, dates, "on this day") and the recency weight. The selection's own
// option type: src/commands/ maps the config keys onto it; nothing here reads the config.

export const ON_THIS_DAY = ['off', 'day', 'week', 'month'] as const;
export type OnThisDay = (typeof ON_THIS_DAY)[number];
export const PEOPLE_MATCH = ['any', 'all'] as const;
export type PeopleMatch = (typeof PEOPLE_MATCH)[number];

export interface SelectionFilters {
  /** Names (any case) or Immich person ids; empty = no people filter. */
  people: string[];
  /** Photos showing any of these are left out. */
  excludePeople: string[];
  /** any: a photo showing at least one of `people`; all: every one of them. */
  peopleMatch: PeopleMatch;
  favoritesOnly: boolean;
  /** 1..5; 0 = no minimum (unrated photos then count too). */
  minRating: number;
  /** "YYYY-MM-DD" (the photo's local calendar date, inclusive) or an ISO date-time (an instant);
   * "" = no bound. */
  takenAfter: string;
  /** Same forms; exclusive. */
  takenBefore: string;
  /** Same day, or week (within 3 days either side), or month in past years; falls back to the
   * normal pick when nothing matches. */
  onThisDay: OnThisDay;
  /** 0: every photo equally likely to come early in a round; w > 0: a photo of age A years comes
   * early (1 + A)^w times less readily. Only the order within a round: each is still shown once. */
  recencyWeight: number;
}

export const NO_FILTERS: SelectionFilters = {
  people: [],
  excludePeople: [],
  peopleMatch: 'any',
  favoritesOnly: false,
  minRating: 0,
  takenAfter: '',
  takenBefore: '',
  onThisDay: 'off',
  recencyWeight: 0,
};

/** The user's IANA time zone (for "today" in on_this_day): the system's. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a taken_after / taken_before value is usable: "" , a real calendar date, or an ISO
 * date-time with a zone. */
export function isDateBound(v: string): boolean {
  if (v === '') return true;
  if (DATE_ONLY.test(v)) {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }
  return /^\d{4}-\d{2}-\d{2}T/.test(v) && /(Z|[+-]\d{2}:?\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));
}

/** The active filters in words, one per item (`status`); [] when none. */
export function describeFilters(f: SelectionFilters): string[] {
  const out: string[] = [];
  if (f.people.length > 0)
    out.push(`people (${f.peopleMatch === 'all' ? 'all of' : 'any of'}): ${f.people.join(', ')}`);
  if (f.excludePeople.length > 0) out.push(`without: ${f.excludePeople.join(', ')}`);
  if (f.favoritesOnly) out.push('favourites only');
  if (f.minRating > 0) out.push(`rating ${f.minRating} or more`);
  if (f.takenAfter) out.push(`taken on or after ${f.takenAfter}`);
  if (f.takenBefore) out.push(`taken before ${f.takenBefore}`);
  if (f.onThisDay !== 'off') out.push(`on this ${f.onThisDay} in past years`);
  if (f.recencyWeight > 0) out.push(`recency weight ${f.recencyWeight}`);
  return out;
}
