// What the streaming reader (json-reader.ts) builds of a listing's answers: the fields the zod
// schemas (schemas.ts) check and nothing else, each string cut while it is read to what kept.ts
// would keep of it, people cut to the kept list. A page of 1,000 items with 7 KB descriptions,
// or one item with 40,000 people, then costs what its kept part costs, never its whole text.
import { KEPT_CHARS, KEPT_PEOPLE, MAX_CURSOR_CHARS } from './kept.js';
import type { ObjectShape, Shape, ValueShape } from './json-reader.js';

const value = (maxChars: number): ValueShape => ({ kind: 'value', maxChars });

/** Read twice what is kept: keptText masks the key in the first 2 x max before it cuts, so
 * what it keeps is the same as from the whole string. */
const keptTwice = (max: number) => value(max * 2);
/** Ids, checksums, dates, types: one past the longest a schema accepts (128, a token), so one
 * that is too long is still refused as too long. */
const token = value(KEPT_CHARS.id + 1);
/** Numbers and flags: a string here is no number, whatever it says. */
const scalar = value(16);

const exifInfo: ObjectShape = {
  kind: 'object',
  fields: {
    exifImageWidth: scalar,
    exifImageHeight: scalar,
    orientation: token,
    timeZone: keptTwice(KEPT_CHARS.timeZone),
    latitude: scalar,
    longitude: scalar,
    city: keptTwice(KEPT_CHARS.name),
    state: keptTwice(KEPT_CHARS.name),
    country: keptTwice(KEPT_CHARS.name),
    description: keptTwice(KEPT_CHARS.description),
    rating: scalar,
  },
};

const person: ObjectShape = {
  kind: 'object',
  fields: { id: keptTwice(KEPT_CHARS.id), name: keptTwice(KEPT_CHARS.name), isHidden: scalar },
};

/** One listed asset: the fields of schemas.ts assetSchema. */
export const assetShape: ObjectShape = {
  kind: 'object',
  fields: {
    id: token,
    type: token,
    originalFileName: keptTwice(KEPT_CHARS.fileName),
    originalMimeType: token,
    fileCreatedAt: token,
    localDateTime: token,
    updatedAt: token,
    checksum: token,
    libraryId: token,
    isTrashed: scalar,
    isArchived: scalar,
    visibility: token,
    isEdited: scalar,
    isFavorite: scalar,
    exifInfo,
    // The people a photo keeps (kept.ts KEPT_PEOPLE); the rest are skipped as they arrive.
    people: { kind: 'array', of: person, max: KEPT_PEOPLE },
    width: scalar,
    height: scalar,
    stack: { kind: 'object', fields: { id: token, primaryAssetId: token } },
  },
};

/** POST /api/search/metadata: each item handed to `each` as soon as it is read (the page's list
 * is never built); `onCursorCut` told the whole length of a cursor longer than any followed. */
export function searchPageShape(each: (item: unknown) => void, onCursorCut: (chars: number) => void): Shape {
  return {
    kind: 'object',
    fields: {
      assets: {
        kind: 'object',
        fields: {
          items: { kind: 'array', of: assetShape, max: Infinity, each },
          nextPage: token,
          nextCursor: { kind: 'value', maxChars: MAX_CURSOR_CHARS, onCut: onCursorCut },
          total: scalar,
          count: scalar,
        },
      },
    },
  };
}

/** GET /api/albums/{id} of servers before v3.0, the album's assets handed to `each`. */
export function albumShape(each: (item: unknown) => void): Shape {
  return {
    kind: 'object',
    fields: {
      id: token,
      albumName: keptTwice(KEPT_CHARS.name),
      assetCount: scalar,
      assets: { kind: 'array', of: assetShape, max: Infinity, each },
    },
  };
}

/** GET /api/stacks: each stack's id, primary and members' ids (the members' full assets skipped). */
export const stacksShape: Shape = {
  kind: 'array',
  max: Infinity,
  of: {
    kind: 'object',
    fields: {
      id: token,
      primaryAssetId: token,
      assets: { kind: 'array', max: Infinity, of: { kind: 'object', fields: { id: token } } },
    },
  },
};
