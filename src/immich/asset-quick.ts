// A listed asset read without zod when it is well-formed, as every asset of a real server's
// answer is: what schemas.ts assetSchema would make of it, or undefined, and then the schema reads
// it (and says what is wrong, or falls back where it is lenient). On our VM it takes 0.25x the
// schema's time an asset (3.6 against 13.4-14.2 us; npm run bench -- immich-client): 0.2 s of
// every full listing of a 20,000-photo library here, several times that on a Pi Zero.
//
// It accepts only input on which none of the schema's fallbacks (catch) would fire and every check
// passes (core/quick-read.ts's pieces, as the frame's own files are read), and builds what zod
// builds: the schema's keys in its order, a key absent from the input absent from the output,
// unknown keys dropped (kept in `stack`, a loose object). test/immich/asset-quick.test.ts holds
// it to the schema on the fixtures and on generated and damaged input.
import { bool, isoTime, type Json, list, num, ok, plain, quickly, str, unsure } from '../core/quick-read.js';
import type { ImmichAsset } from './schemas.js';

const isToken = (s: string) => s.length >= 1 && s.length <= 128;
const isShortDate = (s: string) => s.length <= 64;
const isMime = (s: string) => s.length <= 128;
const isSome = (s: string) => s.length >= 1;
/** token: 1 to 128 characters. */
const token = (v: unknown) => ok(str(v), isToken);
/** isoDate: at most 64 characters that Date.parse reads. */
const isoDate = (v: unknown) => ok(isoTime(v), isShortDate);
const mime = (v: unknown) => ok(str(v), isMime);
const orientation = (v: unknown) => (typeof v === 'number' ? num(v) : str(v));

/** An optional field of `src` into `out` as zod puts it: absent stays absent, a key present with
 * undefined stays so; null too when `nullable` (else the schema is left to refuse it). */
function field(src: Json, out: Json, key: string, read: (v: unknown) => unknown, nullable = true): void {
  const v = src[key];
  if (v === undefined) {
    if (key in src) out[key] = undefined;
  } else if (v === null && nullable) out[key] = null;
  else out[key] = read(v);
}

const EXIF_FIELDS: readonly [string, (v: unknown) => unknown][] = [
  ['exifImageWidth', num],
  ['exifImageHeight', num],
  ['orientation', orientation],
  ['timeZone', str],
  ['latitude', num],
  ['longitude', num],
  ['city', str],
  ['state', str],
  ['country', str],
  ['description', str],
  ['rating', num],
];

function exif(v: unknown): Json {
  const src = plain(v);
  const out: Json = {};
  for (const [key, read] of EXIF_FIELDS) field(src, out, key, read);
  return out;
}

function person(v: unknown): Json {
  const p = plain(v);
  return { id: ok(str(p.id), isSome), name: str(p.name), isHidden: bool(p.isHidden) };
}

function stack(v: unknown): Json {
  const s = plain(v);
  // A loose object: its other keys come along (zod copies them by assignment, so one named
  // __proto__ is left to it).
  if (Object.hasOwn(s, '__proto__')) unsure();
  return { ...s, id: str(s.id), primaryAssetId: str(s.primaryAssetId) };
}

function readAsset(item: unknown): ImmichAsset {
  const a = plain(item);
  const out: Json = { id: token(a.id), type: str(a.type), originalFileName: str(a.originalFileName) };
  field(a, out, 'originalMimeType', mime);
  out.fileCreatedAt = isoDate(a.fileCreatedAt);
  field(a, out, 'localDateTime', isoDate);
  out.updatedAt = isoDate(a.updatedAt);
  out.checksum = token(a.checksum);
  field(a, out, 'libraryId', str);
  out.isTrashed = bool(a.isTrashed);
  field(a, out, 'isArchived', bool, false);
  field(a, out, 'visibility', str, false);
  field(a, out, 'isEdited', bool, false);
  field(a, out, 'isFavorite', bool, false);
  field(a, out, 'exifInfo', exif);
  field(a, out, 'people', (v) => list(v, person), false);
  field(a, out, 'width', num);
  field(a, out, 'height', num);
  field(a, out, 'stack', stack);
  return out as ImmichAsset;
}

/** The asset as assetSchema reads it, when it is well-formed; else undefined (ask the schema). */
export function quickAsset(item: unknown): ImmichAsset | undefined {
  return quickly(() => readAsset(item)) ?? undefined;
}
