// PhotoFacts: everything the render stage needs to know about a chosen photo (captions, face-aware
// crops, pairs), as plain data built from the library's record. No I/O, no config.
import type { SelectablePhoto } from './select.js';

/** A face box in the file's pixels as displayed (EXIF orientation applied), corners inclusive of
 * x1,y1 and exclusive of x2,y2: 0 <= x1 < x2 <= width, 0 <= y1 < y2 <= height. */
export interface FaceBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** The person's name; null for an unnamed face or a person hidden in Immich. */
  name: string | null;
}

export interface PhotoFacts {
  /** The Immich asset id; null for a file the library adopted but has not matched yet. */
  id: string | null;
  /** Absolute path of the file to render. */
  path: string;
  /** The file's size as displayed, i.e. after sharp's autoOrient (null until a sync measured it). */
  width: number | null;
  height: number | null;
  /** The file's EXIF orientation (1-8), already applied to width/height and the face boxes. */
  orientation: number | null;
  /** 'portrait' when taller than wide, 'landscape' when wider, 'square' within 2 %; null unknown. */
  shape: PhotoShape | null;
  /** In the coordinates above; [] when the photo shows nobody Immich knows. */
  faces: FaceBox[];
  /** The instant of capture, ISO 8601 UTC (Immich's fileCreatedAt); null when unknown. */
  capturedAt: string | null;
  /** The wall-clock time at the place of capture, "YYYY-MM-DDTHH:mm:ss" (no zone): what a
   * caption should print as the date and time the photo was taken; null when unknown. */
  localDateTime: string | null;
  /** Where it was taken: an IANA name ("Europe/Paris") or "UTC-5"; null when unknown. */
  timeZone: string | null;
  place: { city: string | null; state: string | null; country: string | null };
  /** "City, Country" (the parts known, joined); null when none is known. */
  placeText: string | null;
  /** Names of the people shown, hidden and unnamed people left out, in Immich's order. */
  people: string[];
  /** The photo's description; null when empty. */
  description: string | null;
  favorite: boolean;
  rating: number | null;
}

export type PhotoShape = 'portrait' | 'landscape' | 'square';

export function shapeOf(width: number | null | undefined, height: number | null | undefined): PhotoShape | null {
  if (!width || !height) return null;
  const r = width / height;
  if (Math.abs(r - 1) <= 0.02) return 'square';
  return r > 1 ? 'landscape' : 'portrait';
}

export function photoFacts(photo: SelectablePhoto): PhotoFacts {
  const info = photo.info;
  const names = new Map((info?.people ?? []).map((p) => [p.id, p]));
  const visibleName = (id: string | null): string | null => {
    const p = id ? names.get(id) : undefined;
    return p && !p.hidden && p.name.trim() !== '' ? p.name : null;
  };
  const place = { city: info?.city ?? null, state: info?.state ?? null, country: info?.country ?? null };
  const placeParts = [place.city, place.country].filter((v): v is string => !!v);
  return {
    id: photo.id.startsWith('file:') ? null : photo.id,
    path: photo.path,
    width: info?.width ?? null,
    height: info?.height ?? null,
    orientation: info?.orientation ?? null,
    shape: shapeOf(info?.width, info?.height),
    faces: (info?.faces ?? []).map((f) => ({ x1: f.x1, y1: f.y1, x2: f.x2, y2: f.y2, name: visibleName(f.person_id) })),
    capturedAt: photo.capturedAt || null,
    localDateTime: info?.local_date_time ? info.local_date_time.replace(/(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/, '') : null,
    timeZone: info?.time_zone ?? null,
    place,
    placeText: placeParts.length > 0 ? placeParts.join(', ') : null,
    people: (info?.people ?? []).filter((p) => !p.hidden && p.name.trim() !== '').map((p) => p.name),
    description: info?.description ? info.description : null,
    favorite: info?.favorite ?? false,
    rating: info?.rating ?? null,
  };
}
