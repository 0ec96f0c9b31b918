// What a caption says: a photo's description, people, date, "N years ago" and place as text in
// the user's locale (Intl), the date as it was where the photo was taken. Pure: `now` is given.
import type { FramePhoto } from './frame-input.js';
import type { CaptionField } from './options.js';

export interface CaptionContext {
  /** BCP 47 locale, "" for the system's. */
  locale: string;
  /** The frame's IANA timezone, "" for the system's. */
  timeZone: string;
  now: Date;
  /** The most clusters a line of the caption's box can hold (its width in font pixels + 1):
   * each field is cut to what its lines could show before any text is joined or laid out. */
  lineClusters?: number;
}

/** Without a box to say: a line of the widest panel's caption holds some 260 clusters. */
const DEFAULT_LINE_CLUSTERS = 300;
/** Code units kept per cluster that could show (accents and emoji take several). */
const UNITS_PER_CLUSTER = 4;

/** `text` cut to `units` code units, an ellipsis saying it goes on. */
function cut(text: string, units: number): string {
  if (text.length <= units) return text;
  const code = text.charCodeAt(units - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? units - 1 : units;
  return text.slice(0, end) + '\u2026';
}

/** A caption's paragraphs: each wraps on its own; at most `maxLines` lines each. */
export interface CaptionParagraph {
  text: string;
  maxLines: number;
}

const OFFSET = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** Minutes east of UTC for an offset zone ("+02:00", "UTC+2", "-0530"); undefined for anything else. */
export function offsetMinutes(zone: string): number | undefined {
  const z = zone.trim();
  if (/^(UTC|GMT|Z)$/i.test(z)) return 0;
  const m = OFFSET.exec(z);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return minutes > 14 * 60 ? undefined : m[1] === '-' ? -minutes : minutes;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * How to show an instant as the local time of `zone`: Intl takes IANA names; a bare offset (Node
 * 20's Intl refuses them) shifts the instant and is shown as UTC. Unknown zones fall back.
 */
function zoned(instant: Date, zone: string | undefined, fallback: string): { date: Date; timeZone?: string } {
  // No zone name is longer than 64 characters (IANA's longest is 32): a longer one is none.
  if (zone && zone.length <= 64) {
    const offset = offsetMinutes(zone);
    if (offset !== undefined) return { date: new Date(instant.getTime() + offset * 60_000), timeZone: 'UTC' };
    if (validZone(zone)) return { date: instant, timeZone: zone };
  }
  return { date: instant, timeZone: fallback || undefined };
}

/** Year, month, day of an instant in a zone. */
function ymd(at: { date: Date; timeZone?: string }): [number, number, number] {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: at.timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(at.date);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return [get('year'), get('month'), get('day')];
}

/** Whole years from the day the photo was taken (its local date) to today (the frame's date). */
export function yearsSince(taken: [number, number, number], today: [number, number, number]): number {
  const [ty, tm, td] = taken;
  const [ny, nm, nd] = today;
  return ny - ty - (nm < tm || (nm === tm && nd < td) ? 1 : 0);
}

function takenDate(photo: FramePhoto): Date | undefined {
  if (photo.takenAt === undefined) return undefined;
  const d = photo.takenAt instanceof Date ? photo.takenAt : new Date(photo.takenAt);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Place as people say it: the city (or the state when there is no city) and the country. */
export function placeText(photo: Pick<FramePhoto, 'city' | 'state' | 'country'>): string {
  const parts = [photo.city?.trim() || photo.state?.trim(), photo.country?.trim()].filter((p): p is string => !!p);
  return [...new Set(parts)].join(', ');
}

/**
 * The caption's paragraphs for a photo: description (2 lines at most), people's names (1 line),
 * then date, "N years ago" and place on one line (2 at most). Fields the photo lacks are left out.
 */
export function captionParagraphs(
  photo: FramePhoto,
  fields: readonly CaptionField[],
  ctx: CaptionContext,
): CaptionParagraph[] {
  const locale = ctx.locale || undefined;
  const has = (f: CaptionField) => fields.includes(f);
  const out: CaptionParagraph[] = [];
  const perLine = ctx.lineClusters ?? DEFAULT_LINE_CLUSTERS;
  // What two lines, or one, could show: a 100,000-character name or 5,000 people are cut here,
  // before a list is joined or a line measured.
  const twoLines = 2 * perLine * UNITS_PER_CLUSTER;
  const oneLine = perLine * UNITS_PER_CLUSTER;
  const description = cut(photo.description ?? '', twoLines).trim();
  if (has('description') && description) out.push({ text: description, maxLines: 2 });
  // Each name takes at least a cluster and a separator: no more than a line's worth can show.
  const named = (photo.people ?? []).slice(0, perLine);
  const people = named.map((p) => cut(p, oneLine).trim()).filter((p) => p !== '');
  if ((photo.people?.length ?? 0) > named.length) people.push('\u2026');
  if (has('people') && people.length > 0) {
    out.push({ text: new Intl.ListFormat(locale, { type: 'conjunction' }).format(people), maxLines: 1 });
  }
  const line: string[] = [];
  const taken = takenDate(photo);
  if (taken) {
    const local = zoned(taken, photo.timeZone, ctx.timeZone);
    if (has('date')) {
      line.push(new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: local.timeZone }).format(local.date));
    }
    if (has('years_ago')) {
      const years = yearsSince(ymd(local), ymd({ date: ctx.now, timeZone: ctx.timeZone || undefined }));
      if (years >= 1) line.push(new Intl.RelativeTimeFormat(locale, { numeric: 'always' }).format(-years, 'year'));
    }
  }
  const place = placeText({
    city: photo.city == null ? photo.city : cut(photo.city, oneLine),
    state: photo.state == null ? photo.state : cut(photo.state, oneLine),
    country: photo.country == null ? photo.country : cut(photo.country, oneLine),
  });
  if (has('place') && place) line.push(place);
  if (line.length > 0) out.push({ text: line.join(' \u00b7 '), maxLines: 2 });
  return out;
}
