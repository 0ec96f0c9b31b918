// A listed asset read without zod when it is well-formed, as every asset of a real server's
// answer is: what schemas.ts assetSchema would make of it, or undefined, and then the schema reads
// it (and says what is wrong, or falls back where it is lenient). On our VM it takes 0.21x the
// schema's time an asset (3.2 against 15.3 us; npm run bench -- immich), which on a Pi Zero is a
// few seconds of every full listing of a 20,000-photo library.
//
// It accepts only input on which none of the schema's fallbacks (catch) would fire and every
// check passes, and builds what zod builds: the schema's keys in its order, a key absent from the
// input absent from the output, unknown keys dropped (kept in `stack`, a loose object).
// test/immich/asset-quick.test.ts holds it to the schema on the fixtures and on generated input.
import type { ImmichAsset } from './schemas.js';

type Obj = Record<string, unknown>;
type Out = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** token: 1 to 128 characters. */
const isToken = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 128;

/** isoDate: at most 64 characters that Date.parse reads. */
const isIsoDate = (v: unknown): v is string => typeof v === 'string' && v.length <= 64 && !Number.isNaN(Date.parse(v));

/** A nullish field: undefined when the key is absent or its value is (the key then goes to
 * `out` as zod puts it: only if present); false when `ok` refuses the value. */
function copyNullish(src: Obj, out: Out, key: string, ok: (v: unknown) => boolean): boolean {
  const v = src[key];
  if (v === undefined) {
    if (key in src) out[key] = undefined;
    return true;
  }
  if (v !== null && !ok(v)) return false;
  out[key] = v;
  return true;
}

/** An optional (not nullable) field. */
function copyOptional(src: Obj, out: Out, key: string, ok: (v: unknown) => boolean): boolean {
  const v = src[key];
  if (v === undefined) {
    if (key in src) out[key] = undefined;
    return true;
  }
  if (!ok(v)) return false;
  out[key] = v;
  return true;
}

const isString = (v: unknown) => typeof v === 'string';
// zod's number refuses NaN and the infinities.
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown) => typeof v === 'boolean';
const isMime = (v: unknown) => typeof v === 'string' && v.length <= 128;
const isOrientation = (v: unknown) => typeof v === 'string' || typeof v === 'number';

const EXIF_NUMBERS = ['exifImageWidth', 'exifImageHeight'] as const;
const EXIF_AFTER = [
  ['timeZone', isString],
  ['latitude', isNumber],
  ['longitude', isNumber],
  ['city', isString],
  ['state', isString],
  ['country', isString],
  ['description', isString],
  ['rating', isNumber],
] as const;

function quickExif(src: Obj): Out | undefined {
  const out: Out = {};
  for (const key of EXIF_NUMBERS) if (!copyNullish(src, out, key, isNumber)) return undefined;
  if (!copyNullish(src, out, 'orientation', isOrientation)) return undefined;
  for (const [key, ok] of EXIF_AFTER) if (!copyNullish(src, out, key, ok)) return undefined;
  return out;
}

function quickPeople(src: unknown[]): Out[] | undefined {
  const out: Out[] = new Array<Out>(src.length);
  for (let i = 0; i < src.length; i++) {
    const p = src[i];
    if (!isObject(p)) return undefined;
    const { id, name, isHidden } = p;
    if (typeof id !== 'string' || id.length < 1 || typeof name !== 'string' || typeof isHidden !== 'boolean')
      return undefined;
    out[i] = { id, name, isHidden };
  }
  return out;
}

/** The asset as assetSchema reads it, when it is well-formed; else undefined (ask the schema). */
export function quickAsset(item: unknown): ImmichAsset | undefined {
  if (!isObject(item)) return undefined;
  const { id, type, originalFileName, fileCreatedAt, updatedAt, checksum, isTrashed } = item;
  if (!isToken(id) || typeof type !== 'string' || typeof originalFileName !== 'string') return undefined;
  const out: Out = { id, type, originalFileName };
  if (!copyNullish(item, out, 'originalMimeType', isMime)) return undefined;
  if (!isIsoDate(fileCreatedAt)) return undefined;
  out.fileCreatedAt = fileCreatedAt;
  if (!copyNullish(item, out, 'localDateTime', isIsoDate)) return undefined;
  if (!isIsoDate(updatedAt) || !isToken(checksum)) return undefined;
  out.updatedAt = updatedAt;
  out.checksum = checksum;
  if (!copyNullish(item, out, 'libraryId', isString)) return undefined;
  if (typeof isTrashed !== 'boolean') return undefined;
  out.isTrashed = isTrashed;
  if (!copyOptional(item, out, 'isArchived', isBoolean)) return undefined;
  if (!copyOptional(item, out, 'visibility', isString)) return undefined;
  if (!copyOptional(item, out, 'isEdited', isBoolean)) return undefined;
  if (!copyOptional(item, out, 'isFavorite', isBoolean)) return undefined;
  const exif = item.exifInfo;
  if (exif === undefined) {
    if ('exifInfo' in item) out.exifInfo = undefined;
  } else if (exif === null) out.exifInfo = null;
  else {
    if (!isObject(exif)) return undefined;
    const e = quickExif(exif);
    if (!e) return undefined;
    out.exifInfo = e;
  }
  const people = item.people;
  if (people === undefined) {
    if ('people' in item) out.people = undefined;
  } else {
    if (!Array.isArray(people)) return undefined;
    const p = quickPeople(people);
    if (!p) return undefined;
    out.people = p;
  }
  if (!copyNullish(item, out, 'width', isNumber)) return undefined;
  if (!copyNullish(item, out, 'height', isNumber)) return undefined;
  const stack = item.stack;
  if (stack === undefined) {
    if ('stack' in item) out.stack = undefined;
  } else if (stack === null) out.stack = null;
  else {
    if (!isObject(stack) || typeof stack.id !== 'string' || typeof stack.primaryAssetId !== 'string') return undefined;
    // A loose object: its other keys come along (zod copies them by assignment, so one named
    // __proto__, or keys inherited from another prototype, are left to it).
    if (Object.getPrototypeOf(stack) !== Object.prototype || Object.hasOwn(stack, '__proto__')) return undefined;
    out.stack = { ...stack, id: stack.id, primaryAssetId: stack.primaryAssetId };
  }
  return out as ImmichAsset;
}
