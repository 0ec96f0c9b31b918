// The answers of a hostile server (issue 21's faults, faults.ts): pages of items too big to keep,
// a patched item, the key echoed into every text field, thousands of faces or stacks. Pure: each
// takes the asset JSON the simulator would send and bends it; the server picks when.
import type { Fault } from './faults.js';

type Json = Record<string, unknown>;
type BigItems = Extract<Fault, { kind: 'big-items' }>;

/** A fresh asset id from a counter (the endless-paging fault's scheme). */
export function freshId(n: number): string {
  return `ffffffff-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function filler(chars: number, seed: number): string {
  const word = `word${seed % 97} `;
  return word.repeat(Math.ceil(chars / word.length)).slice(0, chars);
}

/** One page of the big-items fault: copies of `model` under fresh ids, each with a long
 * description and many long-named people. `next` hands out the fresh numbers. */
export function bigItemsPage(model: Json, fault: BigItems, size: number, next: () => number): Json[] {
  const count = fault.perPage ?? size;
  const description = fault.descriptionChars ? filler(fault.descriptionChars, 1) : undefined;
  // Each item's people are its own (fresh ids): nothing a listing could share between photos.
  const peopleOf = (n: number) =>
    Array.from({ length: fault.people ?? 0 }, (_, i) => ({
      id: `${freshId(n)}-p${i}`,
      name: filler(fault.nameChars ?? 12, i),
      isHidden: false,
      thumbnailPath: '',
      faces: [],
    }));
  return Array.from({ length: count }, () => {
    const n = next();
    const item: Json = { ...model, id: freshId(n), originalFileName: `BIG_${n}.jpg` };
    if (description !== undefined) item['exifInfo'] = { ...(model['exifInfo'] as Json), description };
    if (fault.people !== undefined) item['people'] = peopleOf(n);
    return item;
  });
}

/** A cursor of `chars` characters never sent before. */
export function freshCursor(chars: number, n: number): string {
  const head = `c${n}-`;
  return head + 'x'.repeat(Math.max(0, chars - head.length));
}

/** `patch` laid over `item`; an exifInfo patch is merged field by field. */
export function patchItem(item: Json, patch: Json): Json {
  const out: Json = { ...item, ...patch };
  if (patch['exifInfo'] && typeof patch['exifInfo'] === 'object')
    out['exifInfo'] = { ...(item['exifInfo'] as Json), ...(patch['exifInfo'] as Json) };
  return out;
}

/** The key written into every text field a frame keeps of an item. */
export function echoKey(item: Json, key: string): Json {
  const exif = (item['exifInfo'] as Json | null | undefined) ?? {};
  const people = (item['people'] as Json[] | undefined) ?? [];
  return {
    ...item,
    originalFileName: `IMG_${key}.jpg`,
    exifInfo: { ...exif, description: `key ${key} here`, city: `City ${key}`, timeZone: key },
    people: [...people, { id: freshId(0xdddd00000000), name: `Person ${key}`, isHidden: false }].map((p) => ({
      ...p,
      name: `${String(p['name'] ?? '')} ${key}`,
    })),
  };
}

/** `count` face boxes on a width x height image, in a grid (all of one person or none). */
export function manyFaces(count: number, width: number, height: number, person: Json | null): Json[] {
  const side = Math.max(1, Math.ceil(Math.sqrt(count)));
  const w = Math.max(1, Math.floor(width / side));
  const h = Math.max(1, Math.floor(height / side));
  return Array.from({ length: count }, (_, i) => {
    const x = (i % side) * w;
    const y = Math.floor(i / side) * h;
    return {
      id: freshId(0xcccc00000000 + i),
      boundingBoxX1: x,
      boundingBoxY1: y,
      boundingBoxX2: x + w,
      boundingBoxY2: y + h,
      imageWidth: width,
      imageHeight: height,
      sourceType: 'machine-learning',
      person,
    };
  });
}

/** `count` two-photo stacks in the real shape (stacks-list fixture): members are full assets. */
export function manyStacks(model: Json, count: number, next: () => number): Json[] {
  return Array.from({ length: count }, () => {
    const a = next();
    const b = next();
    const member = (n: number) => ({ ...model, id: freshId(n), originalFileName: `STACK_${n}.jpg` });
    return { id: freshId(0xbbbb00000000 + a), primaryAssetId: freshId(a), assets: [member(a), member(b)] };
  });
}
