// What the frame keeps of a server's text, bounded: each field of a listed asset is cut to a
// length no caption or file name needs more of, a photo keeps a bounded people list and face
// list, and the key the request carried is masked wherever the server echoes it back. A listing's
// memory then grows with the number of assets, never with what one asset's answer holds.

/** The most kept of each field, in UTF-16 code units. A caption line is at most some 260 font
 * pixels wide on every panel (render/frame.ts setCaption), a glyph at least 2 with its spacing:
 * two lines of description never show more than ~520 characters, one line of names ~260. */
export const KEPT_CHARS = {
  description: 600,
  /** A person's name, a city, state or country. */
  name: 100,
  /** An IANA zone name ("America/Argentina/ComodRivadavia" is the longest, 32) or an offset. */
  timeZone: 64,
  /** originalFileName: generous (library/names.ts cuts the stem to what a file system takes and
   * keeps the extension, which a cut here would lose). */
  fileName: 1_024,
  /** Ids and checksums: a UUID is 36, a base64 SHA-1 28. */
  id: 128,
} as const;

/** People kept per photo: a caption names a few, a filter asks for one; a group photo of a
 * hundred is still kept whole. (Not cut to the faces' 64: a person filter matches on this list,
 * and stored metadata holds up to this many; what photos of thousands of people cost in all is
 * bounded by the listing's total below, and the reader never builds more than this many.) */
export const KEPT_PEOPLE = 100;
/** Faces kept per photo (the largest first): the framing keeps faces in view, and past a few
 * dozen the smallest of them change nothing. */
export const KEPT_FACES = 64;
/** The longest cursor followed: an opaque token of a few hundred bytes in Immich v3.2 (a
 * base64 of the last item's sort key); one of kilobytes is no real cursor. */
export const MAX_CURSOR_CHARS = 16 * 1024;
/** What one listing may hold in all until it is complete: its assets as stored (listing-store.ts,
 * in bytes actually held: binary rows, the off-heap index of ids, the table of repeated texts)
 * and the heap cost of what is kept as strings. A real library's asset is some 200 bytes so
 * (ids, dates, a short description, a place, three people: listing-row.ts): 7 MiB holds some
 * 37,000 of them (the 16 MiB of JSON rows and heap entries before held 35,700), and a
 * 20,000-photo library lists within two thirds of it (test/slow/listing-bound.test.ts). What a
 * refused listing costs is then what a sync may cost above a normal one: measured by
 * `npm run bench -- sync` (sync-hostile.bench.ts: endless paging of the whole library peaks at
 * some 1.1x a normal sync's RSS as installed, 1.2x at the 16 MiB of JSON rows before). */
export const MAX_LISTING_BYTES = 7 * 1024 * 1024;

/** Masks `secret` in server text: a server that echoes the key into a name or description must
 * not get it written to disk or printed. */
export type Mask = (text: string) => string;

export function maskOf(secret: string): Mask {
  if (secret.length < 4) return (t) => t;
  return (t) => (t.includes(secret) ? t.split(secret).join('***') : t);
}

/**
 * `text` cut to `max` code units (never inside a surrogate pair), the key masked, and copied:
 * V8 keeps a slice of a long string as a view of the whole, so a cut that is not copied would
 * keep a 7 MB description alive for its first 2,000 characters.
 */
export function keptText(text: string, max: number, mask: Mask): string {
  // Mask before cutting, so a key on the cut line is not left half visible.
  const cutFirst = text.length > max * 2 ? text.slice(0, max * 2) : text;
  let out = mask(cutFirst);
  if (out.length > max) {
    let end = max;
    const last = out.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
    out = out.slice(0, end);
  }
  return out === text ? text : copyString(out);
}

const WIDE = /[\u0100-\uffff]/;

/** A fresh string with the same characters (not a view of a longer one), one byte a character
 * where V8 can keep it so. */
function copyString(s: string): string {
  return WIDE.test(s) ? Buffer.from(s, 'utf16le').toString('utf16le') : Buffer.from(s, 'latin1').toString('latin1');
}

/** Shared strings and people remembered per Keeper: past this many, new ones are not shared. */
const SHARED_MAX = 50_000;

/**
 * What the frame keeps of a server's text: each string cut and masked (keptText); with `share`,
 * names, places, zones and people, which repeat from photo to photo, are shared rather than kept
 * once per photo. A listing in progress cuts without sharing (its assets are stored as rows,
 * listing-store.ts, where sharing would only cost the maps); the listing's objects, built once it
 * is complete, share.
 */
export class Keeper {
  private readonly sharedText = new Map<string, string>();
  /** By kept id: the same id with another name or hidden flag is a new person, not remembered. */
  private readonly people = new Map<string, { id: string; name: string; hidden: boolean }>();

  constructor(
    private readonly mask: Mask = (t) => t,
    private readonly share = true,
  ) {}

  /** `text` as kept; `share`: a value that repeats (a name, a place), kept once. */
  text(text: string, max: number, share = false): string {
    const kept = keptText(text, max, this.mask);
    return share ? this.shared(kept) : kept;
  }

  /** The one copy of `text` this Keeper shares (itself when sharing is off or the table full). */
  shared(text: string): string {
    if (!this.share) return text;
    const hit = this.sharedText.get(text);
    if (hit !== undefined) return hit;
    if (this.sharedText.size < SHARED_MAX) this.sharedText.set(text, text);
    return text;
  }

  /** A person as kept: one object for everyone's photos of them. */
  person(id: string, name: string, hidden: boolean): { id: string; name: string; hidden: boolean } {
    const keptId = this.text(id, KEPT_CHARS.id, true);
    const keptName = this.text(name, KEPT_CHARS.name, true);
    if (!this.share) return { id: keptId, name: keptName, hidden };
    const hit = this.people.get(keptId);
    if (hit && hit.name === keptName && hit.hidden === hidden) return hit;
    const person = { id: keptId, name: keptName, hidden };
    if (!hit && this.people.size < SHARED_MAX) this.people.set(keptId, person);
    return person;
  }
}

/** The `max` largest boxes of a list (by area), in their original order. */
export function largestFaces<T extends { x1: number; y1: number; x2: number; y2: number }>(
  faces: readonly T[],
  max: number = KEPT_FACES,
): T[] {
  if (faces.length <= max) return [...faces];
  const area = (f: T) => Math.abs((f.x2 - f.x1) * (f.y2 - f.y1)) || 0;
  const chosen = new Set(
    faces
      .map((f, i) => ({ i, a: area(f) }))
      .sort((p, q) => q.a - p.a || p.i - q.i)
      .slice(0, max)
      .map((p) => p.i),
  );
  return faces.filter((_, i) => chosen.has(i));
}
