// The pieces of a hand-written reading of a JSON file the frame writes itself (its config, the
// metadata, the state files): each returns the value the file's zod schema would, or throws UNSURE,
// "let the schema read it", so that errors and repairs stay the schema's. Free of zod: `status` and
// `next` read the frame's own files with these and never load it.

import { canonicalIsoMs } from './iso-date.js';

export type Json = Record<string, unknown>;

/** Thrown inside a reading, caught once at its top by `quickly`. */
export const UNSURE = Symbol('unsure');

export function unsure(): never {
  throw UNSURE;
}

/** `read()`'s result, or null when it was unsure. */
export function quickly<T>(read: () => T): T | null {
  try {
    return read();
  } catch (err) {
    if (err === UNSURE) return null;
    throw err;
  }
}

/** A plain JSON object (what JSON.parse builds for `{...}`). */
export function plain(v: unknown): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype)
    unsure();
  return v as Json;
}

/** A plain JSON object whose keys are all among `known` (a schema would strip or refuse others:
 * that is the schema's to decide), none of them holding undefined. */
export function object(v: unknown, known: ReadonlySet<string>): Json {
  plain(v);
  for (const k in v as Json) if (!known.has(k) || (v as Json)[k] === undefined) unsure();
  return v as Json;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : unsure();
}

/** A string Date.parse reads (the schemas' isoTime). */
export function isoTime(v: unknown): string {
  return typeof v === 'string' && !(Number.isNaN(canonicalIsoMs(v)) && Number.isNaN(Date.parse(v))) ? v : unsure();
}

export function strOrNull(v: unknown): string | null {
  return v === null ? null : str(v);
}

export function bool(v: unknown): boolean {
  return typeof v === 'boolean' ? v : unsure();
}

export function num(v: unknown, min = -Infinity, max = Infinity): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : unsure();
}

export function int(v: unknown, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : unsure();
}

export function oneOf<T extends string | number>(v: unknown, values: readonly T[]): T {
  return (values as readonly unknown[]).includes(v) ? (v as T) : unsure();
}

/** `v` when `rule` holds for it. */
export function ok<T>(v: T, rule: (v: T) => boolean): T {
  return rule(v) ? v : unsure();
}

/** An array, each item read by `item` (a new array, as a schema builds one). */
export function list<T>(v: unknown, item: (x: unknown) => T): T[] {
  return Array.isArray(v) ? v.map(item) : unsure();
}
