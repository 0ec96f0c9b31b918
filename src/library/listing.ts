// The offline library as a door lists it (the page's Library screen): pages of photos newest
// first, one photo's whole record, and what proposed filters would let through, all from the
// disk alone. The sorted list is kept per parsed version of the metadata, so page 500 of 20,000
// photos costs what page 1 of 20 does.
import { stat } from 'node:fs/promises';
import type { InstancePaths } from './instance.js';
import type { PhotoInfo } from './photo-info.js';
import { readMetadata } from './store.js';
import { photoFacts } from './selection/facts.js';
import { filterPhotos } from './selection/filters.js';
import { describeFilters, systemTimeZone, type SelectionFilters } from './selection/options.js';
import { captureTime, type SelectablePhoto } from './selection/select.js';
import { loadSelectablePhotos } from './selection/state.js';

/** One photo in a listing: what a thumbnail's caption and a filter need. */
export interface ListedPhoto {
  id: string;
  capturedAt: string | null;
  people: string[];
  place: string | null;
  favorite: boolean;
  rating: number | null;
  hidden: boolean;
}

export interface PhotoPage {
  /** Photos in the library (hidden ones included). */
  total: number;
  offset: number;
  photos: ListedPhoto[];
}

/** One photo's whole record: the listing's facts, the metadata's info record, the stored file. */
export interface PhotoRecord extends ListedPhoto {
  /** Absolute path of the stored file (for the door's own thumbnail; never sent to a browser). */
  file: string;
  /** Bytes of the stored file; null when unknown. */
  bytes: number | null;
  /** The stored file is Immich's edited image. */
  edited: boolean;
  /** original | fullsize | preview: which bytes are stored. */
  rendition: string | null;
  synced_at: string | null;
  info: PhotoInfo | null;
  /** The last sync's failures naming this photo, one line each. */
  failures: string[];
}

export interface FilterPreview {
  /** The filters in words. */
  filters: string[];
  matching: number;
  total: number;
  /** The first photos that match, newest first (ids). */
  photos: string[];
  summary: string;
}

/** Newest first, per version of the loaded photos (loadSelectablePhotos returns the same array while the file is unchanged). */
const sorted = new WeakMap<readonly SelectablePhoto[], SelectablePhoto[]>();

function newestFirst(photos: readonly SelectablePhoto[]): SelectablePhoto[] {
  let out = sorted.get(photos);
  if (!out) {
    out = [...photos].sort((a, b) => captureTime(b.capturedAt) - captureTime(a.capturedAt) || a.id.localeCompare(b.id));
    sorted.set(photos, out);
  }
  return out;
}

function listed(p: SelectablePhoto, hidden: ReadonlySet<string>): ListedPhoto {
  const f = photoFacts(p);
  return {
    id: p.id,
    capturedAt: f.capturedAt,
    people: f.people,
    place: f.placeText,
    favorite: f.favorite,
    rating: f.rating,
    hidden: hidden.has(p.id),
  };
}

export async function photoPage(
  paths: InstancePaths,
  offset: number,
  limit: number,
  hidden: ReadonlySet<string>,
): Promise<PhotoPage> {
  const all = newestFirst(await loadSelectablePhotos(paths));
  return {
    total: all.length,
    offset,
    photos: all.slice(offset, offset + limit).map((p) => listed(p, hidden)),
  };
}

export async function photoRecord(
  paths: InstancePaths,
  id: string,
  hidden: ReadonlySet<string>,
): Promise<PhotoRecord | null> {
  const photo = (await loadSelectablePhotos(paths)).find((p) => p.id === id);
  if (!photo) return null;
  const read = await readMetadata(paths);
  const m = read.kind === 'ok' ? read.metadata : null;
  const entry = m?.synced_assets[id];
  const bytes =
    entry?.bytes ??
    (await stat(photo.path).then(
      (s) => s.size,
      () => null,
    ));
  return {
    ...listed(photo, hidden),
    file: photo.path,
    bytes,
    edited: entry?.edited ?? false,
    rendition: entry?.rendition ?? null,
    synced_at: entry?.synced_at ?? null,
    info: entry?.info ?? null,
    failures: (m?.last_result?.failures ?? [])
      .filter((f) => f.id === id)
      .map((f) => `${f.reason ?? 'failed'}: ${f.error}`),
  };
}

/** What `filters` would let through now, without saving them: the count and the first matches. */
export async function previewFilters(
  paths: InstancePaths,
  filters: SelectionFilters,
  options: { now: Date; timeZone?: string; hidden: ReadonlySet<string>; limit: number },
): Promise<FilterPreview> {
  const all = (await loadSelectablePhotos(paths)).filter((p) => !options.hidden.has(p.id));
  const outcome = filterPhotos(all, filters, options.now, options.timeZone || systemTimeZone);
  const matches = outcome.filtersFellBack ? [] : outcome.photos;
  return {
    filters: describeFilters(filters),
    matching: outcome.filtersFellBack ? 0 : outcome.matched,
    total: outcome.total,
    photos: newestFirst(matches)
      .slice(0, options.limit)
      .map((p) => p.id),
    summary: outcome.summary,
  };
}
