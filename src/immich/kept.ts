// What the frame keeps of a server's text, bounded: each field of a listed asset is cut to a
// length no caption or file name needs more of, a photo keeps a bounded people list and face
// list, and the key the request carried is masked wherever the server echoes it back. A listing's
// memory then grows with the number of assets, never with what one asset's answer holds.

/** The most kept of each field, in UTF-16 code units. A caption shows two lines of a
 * description (some 200 characters on the widest panel) and one line of names or place. */
export const KEPT_CHARS = {
  description: 2_000,
  /** A person's name, a city, state or country. */
  name: 200,
  /** An IANA zone name ("America/Argentina/ComodRivadavia" is the longest, 32) or an offset. */
  timeZone: 64,
  /** originalFileName: file systems cut names at 255 bytes. */
  fileName: 255,
  /** Ids and checksums: a UUID is 36, a base64 SHA-1 28. */
  id: 128,
} as const;

/** People kept per photo: a caption names a few, a filter asks for one; a group photo of a
 * hundred is still kept whole. */
export const KEPT_PEOPLE = 100;
/** Faces kept per photo (the largest first): the framing keeps faces in view, and past a few
 * dozen the smallest of them change nothing. */
export const KEPT_FACES = 64;
/** The longest cursor followed: an opaque token of a few hundred bytes in Immich v3.2 (a
 * base64 of the last item's sort key); one of kilobytes is no real cursor. */
export const MAX_CURSOR_CHARS = 16 * 1024;
/** The most server text one listing keeps in all (code units, counted twice for UTF-16): some
 * 200 bytes an asset for the 200,000 assets a listing may hold. */
export const MAX_LISTING_TEXT_BYTES = 48 * 1024 * 1024;

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

/** A fresh string with the same characters (not a view of a longer one). */
function copyString(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

/** What keeping these strings costs, roughly (two bytes a code unit, plus a string's header). */
export function textBytes(...texts: (string | null | undefined)[]): number {
  let n = 0;
  for (const t of texts) if (t) n += 16 + t.length * 2;
  return n;
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
