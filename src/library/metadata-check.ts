// A hand-written reading of sync_metadata.json for the files the frame writes itself: the same
// result as metadataSchema (metadata.ts), in a few ms where zod takes ~100 ms on 1,000 photos
// (most of `status`'s and `next`'s start-up), keeping the parsed objects where they are already
// in the schema's key order. It only ever accepts: anything it is not sure of
// (an unknown key, a wrong type, a damaged info record, a duplicate file) returns null and the
// schema reads the file, so errors, repairs and messages stay the schema's. The schema stays the
// one statement of the format; test/library/metadata-check.test.ts runs both on valid and on many
// broken files and requires the same result wherever this one accepts.
import { bool, int, isoTime, type Json, num, oneOf, quickly, str, strOrNull, unsure } from '../core/quick-read.js';
import { PHOTO_SIZES } from '../immich/types.js';
import { KEPT_FACES, KEPT_PEOPLE } from '../immich/kept.js';
import { isSafeLocalName } from './names.js';
import type { AdoptedFile, LibraryMetadata, SyncedAsset, SyncResult } from './metadata.js';
import type { PhotoFace, PhotoInfo, PhotoPerson } from './photo-info.js';

/** The metadata's format number: what this reading and metadata.ts's schema accept at most. */
export const METADATA_FORMAT = 1;

/** A plain JSON object whose keys are all among `known` (zod would strip others: the schema decides). */
function object(v: unknown, known: ReadonlySet<string>): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype)
    unsure();
  for (const k in v) if (!known.has(k)) unsure();
  return v as Json;
}

/** A plain JSON object used as a record: its own keys, none of them `__proto__`. */
function record(v: unknown): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype)
    unsure();
  if (Object.prototype.hasOwnProperty.call(v, '__proto__')) unsure();
  return v as Json;
}

function localName(v: unknown): string {
  return typeof v === 'string' && isSafeLocalName(v) ? v : unsure();
}

function strings(v: unknown, max = Infinity): string[] {
  if (!Array.isArray(v) || v.length > max) unsure();
  return v.map(str);
}

const PERSON_ORDER = ['id', 'name', 'hidden'];
const PERSON_KEYS = new Set(PERSON_ORDER);
function person(v: unknown): PhotoPerson {
  const o = object(v, PERSON_KEYS);
  return { id: str(o.id), name: str(o.name), hidden: bool(o.hidden) };
}

const FACE_ORDER = ['person_id', 'x1', 'y1', 'x2', 'y2'];
const FACE_KEYS = new Set(FACE_ORDER);
function face(v: unknown): PhotoFace {
  const o = object(v, FACE_KEYS);
  return { person_id: strOrNull(o.person_id), x1: num(o.x1), y1: num(o.y1), x2: num(o.x2), y2: num(o.y2) };
}

/** A plain object with exactly `count` own keys: with every expected key checked present, no other. */
function exactly(v: unknown, count: number): Json {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) unsure();
  if (Object.keys(v).length !== count) unsure();
  return v as Json;
}

/** `keys` are some of `order`, in that order: an object zod would build with the same keys in the
 * same order, so the parsed object itself can be kept (half the allocations of a rebuild, and the
 * collector's time with them). */
function inOrder(keys: readonly string[], order: readonly string[]): boolean {
  let at = 0;
  for (const k of keys) {
    while (at < order.length && order[at] !== k) at += 1;
    if (at === order.length) return false;
    at += 1;
  }
  return true;
}

const STACK_ORDER = ['id', 'primary_asset_id'];
const INFO_ORDER = [
  'local_date_time',
  'time_zone',
  'favorite',
  'rating',
  'description',
  'city',
  'state',
  'country',
  'latitude',
  'longitude',
  'people',
  'faces',
  'faces_for',
  'width',
  'height',
  'orientation',
  'measured_sha1',
  'stack',
];
const ASSET_ORDER = [
  'filename',
  'local_path',
  'file_created_at',
  'checksum',
  'synced_at',
  'rendition',
  'photo_size',
  'bytes',
  'sha1',
  'updated_at',
  'edited',
  'info',
];

const isStrOrNull = (v: unknown) => v === null || typeof v === 'string';
const isNumOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
const isIntOrNull = (v: unknown, min: number, max: number) =>
  v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max);

/**
 * photo-info.ts's photoInfoSchema: every key required. The checks are written out rather than
 * called a field at a time: this runs for every photo in a process that lives a fraction of a
 * second, where each small function called thousands of times gets compiled by the optimiser
 * (~15 ms of CPU for 1,000 photos) before it pays for itself. Nothing is built for a record the
 * frame wrote itself (its keys already in the schema's order): it is returned as parsed, so a
 * 1,000-photo file allocates next to nothing here (the collector's time was a fifth of the read).
 */
function info(v: unknown): PhotoInfo {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) unsure();
  const keys = Object.keys(v);
  if (keys.length !== 18) unsure();
  const o = v as Json;
  const { people, faces, stack } = o;
  if (
    !isStrOrNull(o.local_date_time) ||
    !isStrOrNull(o.time_zone) ||
    typeof o.favorite !== 'boolean' ||
    !isIntOrNull(o.rating, -1, 5) ||
    typeof o.description !== 'string' ||
    !isStrOrNull(o.city) ||
    !isStrOrNull(o.state) ||
    !isStrOrNull(o.country) ||
    !isNumOrNull(o.latitude) ||
    !isNumOrNull(o.longitude) ||
    !Array.isArray(people) ||
    people.length > KEPT_PEOPLE ||
    !Array.isArray(faces) ||
    faces.length > KEPT_FACES ||
    !isStrOrNull(o.faces_for) ||
    !isIntOrNull(o.width, 1, Number.MAX_SAFE_INTEGER) ||
    !isIntOrNull(o.height, 1, Number.MAX_SAFE_INTEGER) ||
    !isIntOrNull(o.orientation, 1, 8) ||
    !isStrOrNull(o.measured_sha1)
  )
    unsure();
  let st: Json | null = null;
  if (stack !== null) {
    st = exactly(stack, 2);
    if (typeof st.id !== 'string' || typeof st.primary_asset_id !== 'string') unsure();
  }
  // Checked first, built only when the parsed record cannot be kept as it is.
  let ordered = inOrder(keys, INFO_ORDER) && (st === null || inOrder(Object.keys(st), STACK_ORDER));
  for (const p of people) ordered = isPerson(p) && ordered;
  for (const f of faces) ordered = isFace(f) && ordered;
  if (ordered) return o as PhotoInfo;
  return {
    local_date_time: o.local_date_time as string | null,
    time_zone: o.time_zone as string | null,
    favorite: o.favorite,
    rating: o.rating as number | null,
    description: o.description,
    city: o.city as string | null,
    state: o.state as string | null,
    country: o.country as string | null,
    latitude: o.latitude as number | null,
    longitude: o.longitude as number | null,
    people: people.map(person),
    faces: faces.map(face),
    faces_for: o.faces_for as string | null,
    width: o.width as number | null,
    height: o.height as number | null,
    orientation: o.orientation as number | null,
    measured_sha1: o.measured_sha1 as string | null,
    stack: st && { id: st.id as string, primary_asset_id: st.primary_asset_id as string },
  };
}

/** A valid person record (else unsure); whether its keys are in the schema's order. */
function isPerson(v: unknown): boolean {
  person(v);
  return inOrder(Object.keys(v as Json), PERSON_ORDER);
}

/** A valid face record (else unsure); whether its keys are in the schema's order. */
function isFace(v: unknown): boolean {
  face(v);
  return inOrder(Object.keys(v as Json), FACE_ORDER);
}

const isDate = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const RENDITIONS: readonly unknown[] = ['original', 'fullsize', 'preview'];

/** metadataSchema's syncedAssetSchema, written out as info() is: checked first, and the parsed
 * record itself returned when the frame wrote it (every key present, in the schema's order). */
function asset(v: unknown): SyncedAsset {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) unsure();
  const o = v as Json;
  const { filename, local_path, file_created_at, checksum, synced_at, rendition, photo_size } = o;
  const { bytes, sha1, updated_at, edited, info: given } = o;
  if (
    typeof filename !== 'string' ||
    typeof local_path !== 'string' ||
    !isSafeLocalName(local_path) ||
    !isDate(file_created_at) ||
    typeof checksum !== 'string' ||
    !isDate(synced_at) ||
    (rendition !== undefined && !RENDITIONS.includes(rendition)) ||
    (photo_size !== undefined && !(PHOTO_SIZES as readonly unknown[]).includes(photo_size)) ||
    (bytes !== undefined && (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0)) ||
    (sha1 !== undefined && typeof sha1 !== 'string') ||
    (updated_at !== undefined && !isDate(updated_at)) ||
    (edited !== undefined && typeof edited !== 'boolean')
  )
    unsure();
  // A damaged info record is dropped by the schema (z.catch): that is the schema's to do.
  const kept = given === undefined ? undefined : info(given);
  // Each present key counted, so that a key the schema does not know (or one holding undefined,
  // which no file holds) is seen.
  const keys = Object.keys(o);
  const known =
    5 +
    Number(rendition !== undefined) +
    Number(photo_size !== undefined) +
    Number(bytes !== undefined) +
    Number(sha1 !== undefined) +
    Number(updated_at !== undefined) +
    Number(edited !== undefined) +
    Number(given !== undefined);
  if (keys.length !== known) unsure();
  if (rendition !== undefined && photo_size !== undefined && kept === given && inOrder(keys, ASSET_ORDER))
    return o as SyncedAsset;
  // Optional keys: absent stays absent, in the schema's order.
  const a: SyncedAsset = {
    filename,
    local_path,
    file_created_at,
    checksum,
    synced_at,
    rendition: (rendition as SyncedAsset['rendition'] | undefined) ?? 'original',
    photo_size: (photo_size as SyncedAsset['photo_size'] | undefined) ?? 'original',
  };
  if (bytes !== undefined) a.bytes = bytes as number;
  if (sha1 !== undefined) a.sha1 = sha1 as string;
  if (updated_at !== undefined) a.updated_at = updated_at as string;
  if (edited !== undefined) a.edited = edited as boolean;
  if (kept !== undefined) a.info = kept;
  return a;
}

/** The assets record: the parsed one itself when every asset in it was kept as parsed (a record
 * zod would build key for key the same; building 1,000 keys again was a fifth of this check). */
function syncedAssets(rec: Json): Record<string, SyncedAsset> {
  const ids = Object.keys(rec);
  let out: Record<string, SyncedAsset> | null = null;
  for (let i = 0; i < ids.length; i++) {
    const given = rec[ids[i]!];
    const a = asset(given);
    if (out === null && a !== given) {
      out = {};
      for (let j = 0; j < i; j++) out[ids[j]!] = rec[ids[j]!] as SyncedAsset;
    }
    if (out !== null) out[ids[i]!] = a;
  }
  return out ?? (rec as Record<string, SyncedAsset>);
}

const ADOPTED_KEYS = new Set(['sha1', 'bytes', 'adopted_at']);
function adopted(v: unknown): AdoptedFile {
  const o = object(v, ADOPTED_KEYS);
  return { sha1: str(o.sha1), bytes: int(o.bytes, 0), adopted_at: isoTime(o.adopted_at) };
}

const FAILURE_KEYS = new Set(['id', 'name', 'error', 'reason']);
const RESULT_KEYS = new Set([
  'finished_at',
  'added',
  'updated',
  'removed',
  'kept',
  'adopted',
  'failed',
  'remote_total',
  'bytes',
  'seconds',
  'failures',
  'failed_by_reason',
  'face_requests',
]);
function result(v: unknown): SyncResult {
  const o = object(v, RESULT_KEYS);
  const failures: SyncResult['failures'] = [];
  if (o.failures !== undefined) {
    if (!Array.isArray(o.failures)) unsure();
    for (const f of o.failures as unknown[]) {
      const fo = object(f, FAILURE_KEYS);
      const failure: SyncResult['failures'][number] = { id: str(fo.id), name: str(fo.name), error: str(fo.error) };
      if ('reason' in fo) failure.reason = str(fo.reason);
      failures.push(failure);
    }
  }
  const r: SyncResult = {
    finished_at: isoTime(o.finished_at),
    added: int(o.added),
    updated: int(o.updated),
    removed: int(o.removed),
    kept: int(o.kept),
    adopted: int(o.adopted),
    failed: int(o.failed),
    remote_total: int(o.remote_total),
    bytes: int(o.bytes),
    seconds: num(o.seconds),
    failures,
  };
  if ('failed_by_reason' in o) {
    const byReason: Record<string, number> = {};
    const rec = record(o.failed_by_reason);
    for (const k of Object.keys(rec)) byReason[k] = int(rec[k]);
    r.failed_by_reason = byReason;
  }
  if ('face_requests' in o) r.face_requests = int(o.face_requests);
  return r;
}

const TIMELINE_KEYS = new Set(['include_archived', 'include_stacked']);
const STARTED_KEYS = new Set(['started_at']);
const PENDING_KEYS = new Set(['seen_at', 'count']);
const METADATA_KEYS = new Set([
  'format',
  'last_sync',
  'album_id',
  'album_ids',
  'timeline',
  'sync_count',
  'synced_assets',
  'server_host',
  'server_version',
  'photo_size',
  'max_photos',
  'sync_in_progress',
  'last_result',
  'adopted',
  'removal_pending',
]);

function metadata(v: unknown, format: number): LibraryMetadata {
  const o = object(v, METADATA_KEYS);
  const m = {} as LibraryMetadata;
  // The schema's key order: the result must be what zod would have built, key for key.
  m.format = o.format === undefined ? format : int(o.format, 1, format);
  m.last_sync = o.last_sync === undefined || o.last_sync === null ? null : isoTime(o.last_sync);
  m.album_id = o.album_id === undefined ? '' : str(o.album_id);
  if ('album_ids' in o) m.album_ids = strings(o.album_ids);
  if ('timeline' in o) {
    const t = object(o.timeline, TIMELINE_KEYS);
    m.timeline = { include_archived: bool(t.include_archived), include_stacked: bool(t.include_stacked) };
  }
  m.sync_count = o.sync_count === undefined ? 0 : int(o.sync_count, 0);
  const assets = o.synced_assets === undefined ? {} : syncedAssets(record(o.synced_assets));
  m.synced_assets = assets;
  m.server_host = o.server_host === undefined ? null : strOrNull(o.server_host);
  m.server_version = o.server_version === undefined ? null : strOrNull(o.server_version);
  m.photo_size = o.photo_size === undefined ? 'original' : oneOf(o.photo_size, PHOTO_SIZES);
  m.max_photos = o.max_photos === undefined ? 0 : int(o.max_photos, 0);
  if (o.sync_in_progress === undefined || o.sync_in_progress === null) m.sync_in_progress = null;
  else m.sync_in_progress = { started_at: isoTime(object(o.sync_in_progress, STARTED_KEYS).started_at) };
  m.last_result = o.last_result === undefined || o.last_result === null ? null : result(o.last_result);
  const files: Record<string, AdoptedFile> = {};
  if (o.adopted !== undefined) {
    const rec = record(o.adopted);
    for (const name of Object.keys(rec)) files[localName(name)] = adopted(rec[name]);
  }
  m.adopted = files;
  if ('removal_pending' in o) {
    if (o.removal_pending === null) m.removal_pending = null;
    else {
      const p = object(o.removal_pending, PENDING_KEYS);
      m.removal_pending = { seen_at: isoTime(p.seen_at), count: int(p.count) };
    }
  }
  // The schema's own rule (two records for one file): broken, so the schema says which.
  const seen = new Set<string>();
  const once = (name: string) => {
    const key = name.toLowerCase();
    if (seen.has(key)) unsure();
    seen.add(key);
  };
  // Over arrays: a for-in over a 1,000-key record walks a dictionary, several times slower.
  for (const a of Object.values(assets)) once(a.local_path);
  for (const name of Object.keys(files)) once(name);
  return m;
}

/**
 * The metadata as metadataSchema would read `raw`, when this check is sure it would read it
 * without a complaint; null otherwise (the schema then reads it). `format` is METADATA_FORMAT
 * (passed in: a test reads a future format).
 */
export function quickMetadata(raw: unknown, format: number): LibraryMetadata | null {
  return quickly(() => metadata(raw, format));
}
