// A hand-written reading of sync_metadata.json for the files the frame writes itself: the same
// result as metadataSchema (metadata.ts), in a few ms where zod takes ~100 ms on 1,000 photos
// (most of `status`'s and `next`'s start-up). It only ever accepts: anything it is not sure of
// (an unknown key, a wrong type, a damaged info record, a duplicate file) returns null and the
// schema reads the file, so errors, repairs and messages stay the schema's. The schema stays the
// one statement of the format; test/library/metadata-check.test.ts runs both on valid and on many
// broken files and requires the same result wherever this one accepts.
import { PHOTO_SIZES } from '../immich/types.js';
import { KEPT_FACES, KEPT_PEOPLE } from '../immich/kept.js';
import { isSafeLocalName } from './names.js';
import type { AdoptedFile, LibraryMetadata, SyncedAsset, SyncResult } from './metadata.js';
import type { PhotoFace, PhotoInfo, PhotoPerson } from './photo-info.js';

type Json = Record<string, unknown>;

/** Thrown inside, caught once at the top: "not sure, let the schema read it". */
const UNSURE = Symbol('unsure');

function unsure(): never {
  throw UNSURE;
}

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

function str(v: unknown): string {
  return typeof v === 'string' ? v : unsure();
}

function strOrNull(v: unknown): string | null {
  return v === null ? null : str(v);
}

function bool(v: unknown): boolean {
  return typeof v === 'boolean' ? v : unsure();
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : unsure();
}

function numOrNull(v: unknown): number | null {
  return v === null ? null : num(v);
}

function int(v: unknown, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : unsure();
}

function intOrNull(v: unknown, min?: number, max?: number): number | null {
  return v === null ? null : int(v, min, max);
}

/** metadata.ts's isoTime: a string Date.parse reads. */
function isoTime(v: unknown): string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : unsure();
}

function localName(v: unknown): string {
  return typeof v === 'string' && isSafeLocalName(v) ? v : unsure();
}

function oneOf<T extends string>(v: unknown, values: readonly T[]): T {
  return typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : unsure();
}

function strings(v: unknown, max = Infinity): string[] {
  if (!Array.isArray(v) || v.length > max) unsure();
  return v.map(str);
}

const RENDITIONS = ['original', 'fullsize', 'preview'] as const;

const PERSON_KEYS = new Set(['id', 'name', 'hidden']);
function person(v: unknown): PhotoPerson {
  const o = object(v, PERSON_KEYS);
  return { id: str(o.id), name: str(o.name), hidden: bool(o.hidden) };
}

const FACE_KEYS = new Set(['person_id', 'x1', 'y1', 'x2', 'y2']);
function face(v: unknown): PhotoFace {
  const o = object(v, FACE_KEYS);
  return { person_id: strOrNull(o.person_id), x1: num(o.x1), y1: num(o.y1), x2: num(o.x2), y2: num(o.y2) };
}

const STACK_KEYS = new Set(['id', 'primary_asset_id']);
const INFO_KEYS = new Set([
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
]);
/** photo-info.ts's photoInfoSchema: every key required. */
function info(v: unknown): PhotoInfo {
  const o = object(v, INFO_KEYS);
  if (!Array.isArray(o.people) || o.people.length > KEPT_PEOPLE) unsure();
  if (!Array.isArray(o.faces) || o.faces.length > KEPT_FACES) unsure();
  let stack: PhotoInfo['stack'] = null;
  if (o.stack !== null) {
    const s = object(o.stack, STACK_KEYS);
    stack = { id: str(s.id), primary_asset_id: str(s.primary_asset_id) };
  }
  return {
    local_date_time: strOrNull(o.local_date_time),
    time_zone: strOrNull(o.time_zone),
    favorite: bool(o.favorite),
    rating: intOrNull(o.rating, -1, 5),
    description: str(o.description),
    city: strOrNull(o.city),
    state: strOrNull(o.state),
    country: strOrNull(o.country),
    latitude: numOrNull(o.latitude),
    longitude: numOrNull(o.longitude),
    people: (o.people as unknown[]).map(person),
    faces: (o.faces as unknown[]).map(face),
    faces_for: strOrNull(o.faces_for),
    width: intOrNull(o.width, 1),
    height: intOrNull(o.height, 1),
    orientation: intOrNull(o.orientation, 1, 8),
    measured_sha1: strOrNull(o.measured_sha1),
    stack,
  };
}

const ASSET_KEYS = new Set([
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
]);
function asset(v: unknown): SyncedAsset {
  const o = object(v, ASSET_KEYS);
  const a: SyncedAsset = {
    filename: str(o.filename),
    local_path: localName(o.local_path),
    file_created_at: isoTime(o.file_created_at),
    checksum: str(o.checksum),
    synced_at: isoTime(o.synced_at),
    rendition: o.rendition === undefined ? 'original' : oneOf(o.rendition, RENDITIONS),
    photo_size: o.photo_size === undefined ? 'original' : oneOf(o.photo_size, PHOTO_SIZES),
  };
  // Optional keys: absent stays absent, in the schema's order.
  if ('bytes' in o) a.bytes = int(o.bytes, 0);
  if ('sha1' in o) a.sha1 = str(o.sha1);
  if ('updated_at' in o) a.updated_at = isoTime(o.updated_at);
  if ('edited' in o) a.edited = bool(o.edited);
  // A damaged info record is dropped by the schema (z.catch): that is the schema's to do.
  if ('info' in o) a.info = info(o.info);
  return a;
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
  const assets: Record<string, SyncedAsset> = {};
  if (o.synced_assets !== undefined) {
    const rec = record(o.synced_assets);
    for (const id of Object.keys(rec)) assets[id] = asset(rec[id]);
  }
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
  for (const n of [...Object.values(assets).map((a) => a.local_path), ...Object.keys(files)]) {
    const key = n.toLowerCase();
    if (seen.has(key)) unsure();
    seen.add(key);
  }
  return m;
}

/**
 * The metadata as metadataSchema would read `raw`, when this check is sure it would read it
 * without a complaint; null otherwise (the schema then reads it). `format` is METADATA_FORMAT
 * (passed in, so this file needs nothing of metadata.ts at run time).
 */
export function quickMetadata(raw: unknown, format: number): LibraryMetadata | null {
  try {
    return metadata(raw, format);
  } catch (err) {
    if (err === UNSURE) return null;
    throw err;
  }
}
