// The shape of sync_metadata.json: the seed's format (last_sync, album_id, sync_count,
// synced_assets with filename, local_path, file_created_at, checksum, synced_at) plus what the
// sync engine needs, validated on every read (the frame's own files by metadata-check.ts, the same
// result without zod's cost; anything else by this schema). Pure: reading and writing live in store.ts.
import * as z from 'zod/mini';
import { isSafeLocalName } from './names.js';
import { PHOTO_SIZES } from '../immich/types.js';
import { photoInfoSchema } from './photo-info.js';
import { METADATA_FORMAT, quickMetadata } from './metadata-check.js';

export { METADATA_FORMAT } from './metadata-check.js';
export { serverHost, versionString } from './server-host.js';

// The schemas are built on their first use (z.lazy): the frame's own files are read without them
// (metadata-check.ts), and building them cost ~10 ms of every `status` and `next`.
const isoTime = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'));
const localName = z.string().check(z.refine(isSafeLocalName, 'not a plain file name inside photos/'));
const photoSize = z.enum(PHOTO_SIZES);

const syncedAssetSchema = z.lazy(() =>
  z.object({
    /** The server's originalFileName. */
    filename: z.string(),
    /** The file's name inside photos/ (the seed's field; always a bare name here). */
    local_path: localName,
    file_created_at: isoTime,
    /** The server's checksum of the original (base64 SHA-1). */
    checksum: z.string(),
    synced_at: isoTime,
    // Ours; optional or defaulted so that a seed-format file still reads.
    /** Which bytes are stored: the original or a server rendering. */
    rendition: z._default(z.enum(['original', 'fullsize', 'preview']), 'original'),
    /** The photo_size in effect when it was fetched: a change re-fetches. */
    photo_size: z._default(photoSize, 'original'),
    bytes: z.optional(z.int().check(z.nonnegative())),
    /** Base64 SHA-1 of the stored file (equals checksum for originals). */
    sha1: z.optional(z.string()),
    updated_at: z.optional(isoTime),
    /** The stored file is Immich's edited image (crop, rotate...), whose SHA-1 is not `checksum`:
     * fetched again when the edits change (updated_at moves) or are removed. Absent means false. */
    edited: z.optional(z.boolean()),
    /** What the frame knows of the photo (photo-info.ts). Absent in older files (the next sync
     * fills it in, without downloading); a damaged one is dropped and refilled, never fatal. */
    info: z.catch(z.optional(photoInfoSchema), undefined),
  }),
);
export type SyncedAsset = z.infer<typeof syncedAssetSchema>;

/** A file found in photos/ that the metadata did not know: kept until a sync claims or drops it. */
const adoptedFileSchema = z.lazy(() =>
  z.object({
    sha1: z.string(),
    bytes: z.int().check(z.nonnegative()),
    adopted_at: isoTime,
  }),
);
export type AdoptedFile = z.infer<typeof adoptedFileSchema>;

const failureSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    error: z.string(),
    /** permission | not-found | not-rendered | decode | checksum | download (AssetFailureReason). */
    reason: z.optional(z.string()),
  }),
);

const syncResultSchema = z.lazy(() =>
  z.object({
    finished_at: isoTime,
    added: z.int(),
    updated: z.int(),
    removed: z.int(),
    kept: z.int(),
    adopted: z.int(),
    failed: z.int(),
    /** How many images the server listed, before max_photos. */
    remote_total: z.int(),
    bytes: z.int(),
    seconds: z.number(),
    failures: z._default(z.array(failureSchema), []),
    /** How many photos failed, by reason (e.g. { permission: 27 }). */
    failed_by_reason: z.optional(z.record(z.string(), z.int())),
    /** GET /api/faces requests this sync made (only photos with people whose people or file changed). */
    face_requests: z.optional(z.int()),
  }),
);
export type SyncResult = z.infer<typeof syncResultSchema>;
export type SyncFailure = z.infer<typeof failureSchema>;

export const metadataSchema = z.lazy(() =>
  z
    .object({
      format: z._default(z.int().check(z.minimum(1)).check(z.maximum(METADATA_FORMAT)), METADATA_FORMAT),
      last_sync: z._default(z.nullable(isoTime), null),
      album_id: z._default(z.string(), ''),
      /** Every album synced when there are several (album_id then holds the first). */
      album_ids: z.optional(z.array(z.string())),
      /** Whole-library mode: what the last sync kept of what the timeline hides (due.ts). */
      timeline: z.optional(z.object({ include_archived: z.boolean(), include_stacked: z.boolean() })),
      sync_count: z._default(z.int().check(z.minimum(0)), 0),
      synced_assets: z._default(z.record(z.string(), syncedAssetSchema), {}),
      /** Host (and port) of the server the photos came from: never the key. */
      server_host: z._default(z.nullable(z.string()), null),
      server_version: z._default(z.nullable(z.string()), null),
      photo_size: z._default(photoSize, 'original'),
      max_photos: z._default(z.int().check(z.minimum(0)), 0),
      /** Set while a sync is applying its plan: a crash leaves it, and the next run is due. */
      sync_in_progress: z._default(z.nullable(z.object({ started_at: isoTime })), null),
      last_result: z._default(z.nullable(syncResultSchema), null),
      adopted: z._default(z.record(localName, adoptedFileSchema), {}),
      /** A listing that dropped most of the library, not yet believed: a later sync's listing
       * (MASS_REMOVAL_WAIT_MS on) must drop them too before anything is removed. */
      removal_pending: z.optional(z.nullable(z.object({ seen_at: isoTime, count: z.int() }))),
    })
    .check(
      z.superRefine((m, ctx) => {
        // Two records for one file would let a removal delete a photo another entry still uses.
        const seen = new Set<string>();
        const names = [...Object.values(m.synced_assets).map((a) => a.local_path), ...Object.keys(m.adopted)];
        for (const n of names) {
          const key = n.toLowerCase();
          if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `two records for the file ${n}` });
          seen.add(key);
        }
      }),
    ),
);
export type LibraryMetadata = z.infer<typeof metadataSchema>;

export function emptyMetadata(): LibraryMetadata {
  return metadataSchema.parse({});
}

/** The library itself, without the record of syncs (when, how many, the last result) and without
 * each photo's info, the larger half of the file (refresh-info.ts counts the info records it
 * changes): two equal strings, and no info changed, mean a sync changed nothing worth a rewrite
 * of the file. */
export function libraryContent(m: LibraryMetadata): string {
  const assets: Record<string, Omit<SyncedAsset, 'info'>> = {};
  for (const [id, { info: _info, ...entry }] of Object.entries(m.synced_assets)) assets[id] = entry;
  return JSON.stringify({
    ...m,
    synced_assets: assets,
    last_sync: null,
    sync_count: 0,
    sync_in_progress: null,
    last_result: null,
  });
}

/** Validate parsed JSON; the error names the first offending field. The frame's own files are read
 * by metadata-check.ts (the same result, a twentieth of the time); the schema reads the rest. */
export function parseMetadata(raw: unknown): { ok: true; metadata: LibraryMetadata } | { ok: false; problem: string } {
  const quick = quickMetadata(raw, METADATA_FORMAT);
  if (quick) return { ok: true, metadata: quick };
  const r = metadataSchema.safeParse(raw);
  if (r.success) return { ok: true, metadata: r.data };
  const issue = r.error.issues[0]!;
  return { ok: false, problem: `${issue.path.join('.') || '(top level)'}: ${issue.message}` };
}
