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
  if (zone) {
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
  const description = photo.description?.trim();
  if (has('description') && description) out.push({ text: description, maxLines: 2 });
  const people = (photo.people ?? []).map((p) => p.trim()).filter((p) => p !== '');
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
  const place = placeText(photo);
  if (has('place') && place) line.push(place);
  if (line.length > 0) out.push({ text: line.join(' \u00b7 '), maxLines: 2 });
  return out;
}
