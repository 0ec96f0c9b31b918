// The shapes of the Immich answers the client reads, as zod schemas (the types come from them).
// Only the fields the frame relies on are checked; every other field may come and go between
// versions without troubling us (loose objects).
import { z } from 'zod';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 date' });

export const serverVersionSchema = z.looseObject({
  major: z.number().int().nonnegative(),
  minor: z.number().int().nonnegative(),
  patch: z.number().int().nonnegative(),
});

/** One asset as searches and album bodies list it (v1.106 to v3.x). */
export const assetSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string(),
  originalFileName: z.string(),
  /** Sent since before v1.106, but nullable in older specs. */
  originalMimeType: z.string().nullish(),
  fileCreatedAt: isoDate,
  localDateTime: isoDate.nullish(),
  updatedAt: isoDate,
  checksum: z.string().min(1),
  /** Set for assets of an external library (whose checksum hashes the path, not the bytes). */
  libraryId: z.string().nullish(),
  isTrashed: z.boolean(),
  /** Before v1.133 the only archive flag; still sent beside `visibility` on v3.1. */
  isArchived: z.boolean().optional(),
  /** timeline | archive | hidden | locked, from v1.133. */
  visibility: z.string().optional(),
  /** From v2.5: edits exist (the asset's width/height are then the edited size). */
  isEdited: z.boolean().optional(),
});

export const searchResponseSchema = z.looseObject({
  assets: z.looseObject({
    items: z.array(assetSchema),
    /** The next page number as a string ("2"), or null on the last page. */
    nextPage: z.union([z.string(), z.number()]).nullable(),
    /** v3.2+: an opaque token for the next page, followed instead of nextPage when present. */
    nextCursor: z.string().nullish(),
    /** Items on this page, not a grand total. */
    total: z.number().optional(),
    count: z.number().optional(),
  }),
});

export const albumSchema = z.looseObject({
  id: z.string(),
  albumName: z.string().optional(),
  assetCount: z.number().optional(),
  /** Present up to v2.x; gone in v3. */
  assets: z.array(assetSchema).optional(),
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
  message: z.union([z.string(), z.array(z.string())]).optional(),
  errors: z
    .array(
      z.looseObject({
        path: z.array(z.union([z.string(), z.number()])).optional(),
        message: z.string().optional(),
      }),
    )
    .optional(),
  error: z.string().optional(),
  statusCode: z.number().optional(),
});

export type ImmichServerVersion = z.infer<typeof serverVersionSchema>;
export type ImmichAsset = z.infer<typeof assetSchema>;
export type SearchResponse = z.infer<typeof searchResponseSchema>;
export type AlbumResponse = z.infer<typeof albumSchema>;
export type ErrorBody = z.infer<typeof errorBodySchema>;
