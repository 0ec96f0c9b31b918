// A whole answer of bounded size read by a Shape as JsonReader reads it, in under half the time:
// JSON.parse builds the tree natively, and a walk keeps of it what the shape keeps, calling `each`
// and `onCut` in the document's order. The reader walks every byte in JavaScript, which runs cold
// in a command: a 1.3 MB page of 1,000 assets, read cold, took it ~150 ms against ~64 ms here
// (0.43x; 0.32x the CPU), most of which is now the checks below (issue 15).
//
// The two must give the same result, the same calls and the same failure for every answer, so
// the walk is taken only where that holds by construction, and the reader reads the rest:
// - bytes that are not UTF-8 (the reader counts a string's length by its bytes, the text by its
//   decoded characters) or not JSON (the reader takes raw control characters in a string, which
//   JSON.parse refuses; its errors are its own);
// - a run of 133 digits: a number written in more than 400 characters (at most four of them not
//   digits, so one run of at least 133) reads as NaN by the reader, as a number by JSON.parse;
// - a key the shape's calls hang under written twice in one object: the reader hands over the
//   items of both lists, JSON.parse keeps the last. Counted as the keys written plainly against
//   the keys in the tree, and refused outright where a printable character is written as a \u
//   escape (a key could hide so; JSON.stringify, which Immich answers with, never writes one);
// - a shape that keeps no character of a string (the reader's two roads differ there);
// - a tree too big to build: JSON.parse builds what the reader skips, and 4 MiB of `{},{},...`
//   is 1.4 million objects, +179 MB at peak against the reader's +3 MB. treeFits counts first.
import { isUtf8 } from 'node:buffer';
import { FALLBACK_CHARS, JsonReader, NUMBER_CHARS, type Shape, type ValueShape } from './json-reader.js';

/** Bytes past which an answer is read as it arrives (a real page of 1,000 assets is ~2.5 MB). */
export const WHOLE_MAX_BYTES = 4 * 1024 * 1024;

/** What the whole road may build at most: the text and its tree, as treeFits counts them. */
export const WHOLE_TREE_BYTES = 16 * 1024 * 1024;
/** What V8 held at peak for each `{}` or `[]` of 4 MiB of them (128 and 106 bytes), and for each
 * short string or number (30 and 23): a tree of real answers costs less than so counted. */
const CONTAINER_BYTES = 128;
const VALUE_BYTES = 32;

/** A number the reader reads as NaN is longer than NUMBER_CHARS: of its characters at most four
 * are not digits (-, ., e, a sign), so its digits have a run at least this long (133). */
const LONG_NUMBER = new RegExp(`\\d{${Math.ceil((NUMBER_CHARS + 1 - 4) / 3)}}`);

/** Reads `body` (a whole answer) as `new JsonReader(shape)` fed it would: the same value, the
 * same `each` and `onCut` calls in the same order, the same JsonSyntaxError. */
export function readWhole(body: Buffer, shape: Shape): unknown {
  const tree = wholeTree(body, shape);
  if (tree === NOT_HERE) {
    const reader = new JsonReader(shape);
    reader.write(body);
    return reader.end();
  }
  return shaped(tree, shape);
}

/** Whether readWhole reads `body` by JSON.parse (else by the reader): what the tests check the
 * whole road is taken by, on the answers it is for. */
export function readsWhole(body: Buffer, shape: Shape): boolean {
  return wholeTree(body, shape) !== NOT_HERE;
}

const NOT_HERE = Symbol('read by the reader');

/** The answer's tree, or NOT_HERE where the reader's reading could differ from it. */
function wholeTree(body: Buffer, shape: Shape): unknown {
  const plan = planOf(shape);
  if (plan === null || body.length === 0 || !isUtf8(body) || !treeFits(body)) return NOT_HERE;
  const text = body.toString('utf8');
  if (LONG_NUMBER.test(text)) return NOT_HERE;
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    return NOT_HERE;
  }
  if (plan.written) {
    if (/\\u00[2-7]/.test(text)) return NOT_HERE;
    let written = 0;
    for (const _ of text.matchAll(plan.written)) written++;
    if (written !== keysIn(tree, plan.keys)) return NOT_HERE;
  }
  return tree;
}

/** Whether JSON.parse's tree of `body` and its text stay within WHOLE_TREE_BYTES, by an upper
 * bound: the text at two bytes a character, each `{` or `[` a container, each `,` one more value
 * (those inside strings too). Stops counting once past. */
function treeFits(body: Buffer): boolean {
  let left = WHOLE_TREE_BYTES - 2 * body.length;
  for (let i = 0, n = body.length; i < n; i++) {
    const c = body[i]!;
    if (c === 0x2c) left -= VALUE_BYTES;
    else if (c === 0x7b || c === 0x5b) left -= CONTAINER_BYTES;
    else continue;
    if (left < 0) return false;
  }
  return left >= 0;
}

interface Plan {
  /** The fields on the way to an `each` or an `onCut`. */
  keys: Set<string>;
  /** Those keys written plainly (an unescaped quote is never preceded by a backslash in JSON);
   * null when there are none, and nothing to count. */
  written: RegExp | null;
}

const plans = new WeakMap<Shape, Plan | null>();

/** What the whole road needs to know of `shape`; null where it cannot be taken. */
function planOf(shape: Shape): Plan | null {
  let plan = plans.get(shape);
  if (plan !== undefined) return plan;
  const keys = new Set<string>();
  let usable = true;
  // Whether the shape (or one inside it) has a call; gathers the fields leading to one.
  const visit = (s: Shape): boolean => {
    if (s.kind === 'value') {
      if (!(s.maxChars >= 1)) usable = false;
      return s.onCut !== undefined;
    }
    if (s.kind === 'array') return visit(s.of) || s.each !== undefined;
    let calls = false;
    for (const [name, field] of Object.entries(s.fields)) {
      if (visit(field)) {
        keys.add(name);
        calls = true;
      }
    }
    return calls;
  };
  visit(shape);
  const escaped = [...keys].map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  plan = usable
    ? { keys, written: keys.size > 0 ? new RegExp(`(?<!\\\\)"(?:${escaped.join('|')})"\\s*:`, 'g') : null }
    : null;
  plans.set(shape, plan);
  return plan;
}

/** How many times the objects of `tree` hold one of `keys`. Without recursion: an answer can
 * nest a skipped field 100,000 deep, which JSON.parse builds and a recursive walk would not survive. */
function keysIn(tree: unknown, keys: Set<string>): number {
  let n = 0;
  const todo: unknown[] = [tree];
  while (todo.length > 0) {
    const node = todo.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === 'object') todo.push(item);
      continue;
    }
    const obj = node as Record<string, unknown>;
    for (const key in obj) {
      if (keys.has(key)) n++;
      const v = obj[key];
      if (v !== null && typeof v === 'object') todo.push(v);
    }
  }
  return n;
}

/** What the reader builds of `v` read by `shape`. */
function shaped(v: unknown, shape: Shape): unknown {
  if (typeof v === 'string') return cut(v, shape.kind === 'value' ? shape : null);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    // A list where a value or an object is asked for is built empty, as is a streamed one.
    if (shape.kind !== 'array') return [];
    const n = Math.min(v.length, shape.max);
    const { each, of } = shape;
    if (each) {
      for (let i = 0; i < n; i++) each(shaped(v[i], of));
      return [];
    }
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(shaped(v[i], of));
    return out;
  }
  if (shape.kind !== 'object') return {};
  const out: Record<string, unknown> = {};
  const obj = v as Record<string, unknown>;
  const fields = shape.fields;
  // The object's own order (the document's for every name a shape has), not the shape's.
  for (const key in obj) if (Object.hasOwn(fields, key)) out[key] = shaped(obj[key], fields[key]!);
  return out;
}

/** The reader's cut of a string: its first maxChars code units, less a high surrogate that
 * would have no room for its pair (one at the end is cut even with no pair after it). */
function cut(s: string, shape: ValueShape | null): string {
  const cap = shape ? shape.maxChars : FALLBACK_CHARS;
  if (s.length < cap) return s;
  const code = s.charCodeAt(cap - 1);
  const keep = code >= 0xd800 && code <= 0xdbff ? cap - 1 : cap;
  if (keep === s.length) return s;
  shape?.onCut?.(s.length);
  return s.slice(0, keep);
}
