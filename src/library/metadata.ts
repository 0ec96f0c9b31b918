// The shape of sync_metadata.json: the seed's format (last_sync, album_id, sync_count,
// synced_assets with filename, local_path, file_created_at, checksum, synced_at) plus what the
// sync engine needs, validated with zod on every read. Pure: reading and writing live in store.ts.
import { z } from 'zod';
import { isSafeLocalName } from './names.js';
import { PHOTO_SIZES } from '../immich/types.js';
import { photoInfoSchema } from './photo-info.js';

export const METADATA_FORMAT = 1;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const localName = z.string().refine(isSafeLocalName, 'not a plain file name inside photos/');
const photoSize = z.enum(PHOTO_SIZES);

const syncedAssetSchema = z.object({
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
  rendition: z.enum(['original', 'fullsize', 'preview']).default('original'),
  /** The photo_size in effect when it was fetched: a change re-fetches. */
  photo_size: photoSize.default('original'),
  bytes: z.number().int().nonnegative().optional(),
  /** Base64 SHA-1 of the stored file (equals checksum for originals). */
  sha1: z.string().optional(),
  updated_at: isoTime.optional(),
  /** The stored file is Immich's edited image (crop, rotate...), whose SHA-1 is not `checksum`:
   * fetched again when the edits change (updated_at moves) or are removed. Absent means false. */
  edited: z.boolean().optional(),
  /** What the frame knows of the photo (photo-info.ts). Absent in older files (the next sync
   * fills it in, without downloading); a damaged one is dropped and refilled, never fatal. */
  info: photoInfoSchema.optional().catch(undefined),
});
export type SyncedAsset = z.infer<typeof syncedAssetSchema>;

/** A file found in photos/ that the metadata did not know: kept until a sync claims or drops it. */
const adoptedFileSchema = z.object({
  sha1: z.string(),
  bytes: z.number().int().nonnegative(),
  adopted_at: isoTime,
});
export type AdoptedFile = z.infer<typeof adoptedFileSchema>;

const failureSchema = z.object({
  id: z.string(),
  name: z.string(),
  error: z.string(),
  /** permission | not-found | not-rendered | decode | checksum | download (AssetFailureReason). */
  reason: z.string().optional(),
});

const syncResultSchema = z.object({
  finished_at: isoTime,
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  kept: z.number().int(),
  adopted: z.number().int(),
  failed: z.number().int(),
  /** How many images the server listed, before max_photos. */
  remote_total: z.number().int(),
  bytes: z.number().int(),
  seconds: z.number(),
  failures: z.array(failureSchema).default([]),
  /** How many photos failed, by reason (e.g. { permission: 27 }). */
  failed_by_reason: z.record(z.string(), z.number().int()).optional(),
  /** GET /api/faces requests this sync made (only photos with people whose people or file changed). */
  face_requests: z.number().int().optional(),
});
export type SyncResult = z.infer<typeof syncResultSchema>;
export type SyncFailure = z.infer<typeof failureSchema>;

export const metadataSchema = z
  .object({
    format: z.number().int().min(1).max(METADATA_FORMAT).default(METADATA_FORMAT),
    last_sync: isoTime.nullable().default(null),
    album_id: z.string().default(''),
    /** Every album synced when there are several (album_id then holds the first). */
    album_ids: z.array(z.string()).optional(),
    sync_count: z.number().int().min(0).default(0),
    synced_assets: z.record(z.string(), syncedAssetSchema).default({}),
    /** Host (and port) of the server the photos came from: never the key. */
    server_host: z.string().nullable().default(null),
    server_version: z.string().nullable().default(null),
    photo_size: photoSize.default('original'),
    max_photos: z.number().int().min(0).default(0),
    /** Set while a sync is applying its plan: a crash leaves it, and the next run is due. */
    sync_in_progress: z.object({ started_at: isoTime }).nullable().default(null),
    last_result: syncResultSchema.nullable().default(null),
    adopted: z.record(localName, adoptedFileSchema).default({}),
  })
  .superRefine((m, ctx) => {
    // Two records for one file would let a removal delete a photo another entry still uses.
    const seen = new Set<string>();
    const names = [...Object.values(m.synced_assets).map((a) => a.local_path), ...Object.keys(m.adopted)];
    for (const n of names) {
      const key = n.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `two records for the file ${n}` });
      seen.add(key);
    }
  });
export type LibraryMetadata = z.infer<typeof metadataSchema>;

export function emptyMetadata(): LibraryMetadata {
  return metadataSchema.parse({});
}

/** Validate parsed JSON; the error names the first offending field. */
export function parseMetadata(raw: unknown): { ok: true; metadata: LibraryMetadata } | { ok: false; problem: string } {
  const r = metadataSchema.safeParse(raw);
  if (r.success) return { ok: true, metadata: r.data };
  const issue = r.error.issues[0]!;
  return { ok: false, problem: `${issue.path.join('.') || '(top level)'}: ${issue.message}` };
}

/**
 * What the metadata records of the server (no key, no credentials): host:port, plus the path when
 * Immich is served under one ("photos.example/immich"), so that a change of path is a change of
 * server and makes a sync due. A URL without a path gives host:port, as before.
 */
export function serverHost(url: string): string {
  try {
    const u = new URL(url);
    return u.host + u.pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

export function versionString(v: { major: number; minor: number; patch: number }): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}
