// The shapes of the Immich answers the client reads, as zod schemas (the types come from them).
// Only the fields the frame relies on are checked; every other field may come and go between
// versions without troubling us (loose objects). A listing's assets, their exifInfo and people
// are plain objects instead: unknown fields are still accepted, but dropped rather than copied
// (a 1,000-photo page parses in two thirds of the time, and holds less).
import * as z from 'zod/mini';

const isoDate = z.string().check(
  z.maxLength(64),
  z.refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 date' }),
);
/** Ids and checksums: a UUID is 36 characters, a base64 SHA-1 28; 128 is no real one. */
const token = z.string().check(z.minLength(1), z.maxLength(128));

export const serverVersionSchema = z.looseObject({
  major: z.int().check(z.nonnegative()),
  minor: z.int().check(z.nonnegative()),
  patch: z.int().check(z.nonnegative()),
});

// The metadata fields (issue 11) are read leniently: a value of an unexpected shape becomes
// null/absent rather than failing the listing, since a photo without a caption is still a photo.
const lenientString = z.catch(z.nullish(z.string()), null);
const lenientNumber = z.catch(z.nullish(z.number()), null);

/** exifInfo as `withExif: true` searches and GET /api/assets/{id} carry it (v3.1.0 fixtures). */
export const exifInfoSchema = z.object({
  exifImageWidth: lenientNumber,
  exifImageHeight: lenientNumber,
  /** A string on v3.1.0 ("6"). */
  orientation: z.catch(z.nullish(z.union([z.string(), z.number()])), null),
  timeZone: lenientString,
  latitude: lenientNumber,
  longitude: lenientNumber,
  city: lenientString,
  state: lenientString,
  country: lenientString,
  description: lenientString,
  rating: lenientNumber,
});

/** A person as `people[]` lists them (PersonResponseDto; asset-get-with-people.json). */
export const personSchema = z.object({
  id: z.string().check(z.minLength(1)),
  name: z.catch(z.string(), ''),
  isHidden: z.catch(z.boolean(), false),
});

/** GET /api/faces?id=<asset id> (faces-get-two-people.json). */
export const faceSchema = z.looseObject({
  boundingBoxX1: z.number(),
  boundingBoxY1: z.number(),
  boundingBoxX2: z.number(),
  boundingBoxY2: z.number(),
  imageWidth: z.number().check(z.positive()),
  imageHeight: z.number().check(z.positive()),
  person: z.nullish(z.looseObject({ id: z.string() })),
});
export const facesResponseSchema = z.array(faceSchema);

/** One asset as searches and album bodies list it (v1.106 to v3.x). */
export const assetSchema = z.object({
  id: token,
  type: z.string(),
  originalFileName: z.string(),
  /** Sent since before v1.106, but nullable in older specs. */
  originalMimeType: z.catch(z.nullish(z.string().check(z.maxLength(128))), null),
  fileCreatedAt: isoDate,
  /** Only a caption's date: one that is no date is left out, the photo kept. */
  localDateTime: z.catch(z.nullish(isoDate), null),
  updatedAt: isoDate,
  checksum: token,
  /** Set for assets of an external library (whose checksum hashes the path, not the bytes). */
  libraryId: z.nullish(z.string()),
  isTrashed: z.boolean(),
  /** Before v1.133 the only archive flag; still sent beside `visibility` on v3.1. */
  isArchived: z.optional(z.boolean()),
  /** timeline | archive | hidden | locked, from v1.133. */
  visibility: z.optional(z.string()),
  /** From v2.5: edits exist (the asset's width/height are then the edited size). */
  isEdited: z.optional(z.boolean()),
  isFavorite: z.catch(z.optional(z.boolean()), undefined),
  exifInfo: z.catch(z.nullish(exifInfoSchema), undefined),
  people: z.catch(z.optional(z.array(personSchema)), undefined),
  width: lenientNumber,
  height: lenientNumber,
  stack: z.catch(z.nullish(z.looseObject({ id: z.string(), primaryAssetId: z.string() })), undefined),
});

export const searchResponseSchema = z.looseObject({
  assets: z.looseObject({
    /** Each item is read on its own (assetSchema): one that cannot be read is that asset's
     * failure, not the page's. */
    items: z.array(z.unknown()),
    /** The next page number as a string ("2"), or null on the last page. */
    nextPage: z.nullable(z.union([z.string(), z.number()])),
    /** v3.2+: an opaque token for the next page, followed instead of nextPage when present. */
    nextCursor: z.nullish(z.string()),
    /** Items on this page, not a grand total. */
    total: z.optional(z.number()),
    count: z.optional(z.number()),
  }),
});

export const albumSchema = z.looseObject({
  id: z.string(),
  albumName: z.optional(z.string()),
  assetCount: z.optional(z.number()),
  /** Present up to v2.x; gone in v3. Items read one by one, as a search page's. */
  assets: z.optional(z.array(z.unknown())),
});

/** GET /api/stacks: every stack of the user, its primary and members (v3.1.0 fixture stacks-list). */
export const stacksSchema = z.array(
  z.looseObject({
    id: z.string(),
    primaryAssetId: z.string(),
    assets: z.array(z.looseObject({ id: z.string() })),
  }),
);

/** Error bodies: v3 `{ message, errors? }`, v1/v2 `{ message (string or list), error, statusCode }`. */
export const errorBodySchema = z.looseObject({
  message: z.optional(z.union([z.string(), z.array(z.string())])),
  errors: z.optional(
    z.array(
      z.looseObject({
        path: z.optional(z.array(z.union([z.string(), z.number()]))),
        message: z.optional(z.string()),
      }),
    ),
  ),
  error: z.optional(z.string()),
  statusCode: z.optional(z.number()),
});

export type ImmichServerVersion = z.infer<typeof serverVersionSchema>;
export type ImmichAsset = z.infer<typeof assetSchema>;
export type ImmichFace = z.infer<typeof faceSchema>;
export type SearchResponse = z.infer<typeof searchResponseSchema>;
export type AlbumResponse = z.infer<typeof albumSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
