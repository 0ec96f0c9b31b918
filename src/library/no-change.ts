// The no-change fast path. A sync is a function of what it reads: the metadata's bytes, the photos
// folder, the settings, the program, and the server's answers. A full sync that changed nothing
// records all of it here (sync_no_change.json: digests, and the listing's requests with a digest of
// each answer, listing-replay.ts); a later sync that finds the same disk and settings asks the same
// requests, and when every answer is byte for byte the recorded one it is that sync again: it
// changes nothing, without parsing a page, planning or refreshing the info. Anything else (one
// byte of one answer, a photo touched, a temp file, a setting) runs the full sync.
import { createHash } from 'node:crypto';
import { fs } from '../core/node-fs.js';
import * as z from 'zod/mini';
import pkg from '../../package.json' with { type: 'json' };
import { listingExchangeSchema, type ListingExchange } from '../immich/listing-replay.js';
import { DEFAULT_PAGING } from '../immich/paging.js';
import { writeFileAtomic } from './atomic-file.js';
import { albumScope, type DueConfig, type DueFacts } from './due.js';
import type { InstancePaths } from './instance.js';
import type { LibraryMetadata } from './metadata.js';
import type { PlannedKeep, SyncPlan } from './plan.js';
import { PHOTO_SIZES } from '../immich/types.js';
import type { SelectionMode } from './selection/select.js';
import type { DiskSeen } from './reconcile.js';
import { listFolder, readMetadataBytes } from './store.js';
import { sortByCaptureTime } from './subset.js';

/** Bumped when what a sync makes of the same inputs changes in a way the version does not say. */
const FORMAT = 1;

/** The most requests a recorded listing may hold: a library at the paging bound, plus the version,
 * count and stacks requests of a few albums. A longer listing is not recorded (it is listed in full). */
const MAX_EXCHANGES = DEFAULT_PAGING.maxPages + 64;

const dueSchema = z.object({
  last_sync: z.nullable(z.string()),
  interrupted: z.boolean(),
  albums: z.array(z.string()),
  server_host: z.nullable(z.string()),
  photo_size: z.enum(PHOTO_SIZES),
  max_photos: z.int(),
  photos: z.int(),
  last_failed: z.nullable(z.int()),
  last_remote_total: z.nullable(z.int()),
  timeline: z.object({ include_archived: z.boolean(), include_stacked: z.boolean() }),
});

const stateSchema = z.object({
  format: z.literal(FORMAT),
  /** The settings, the program and the client (listingIdentity), one digest. */
  settings: z.string(),
  /** sync_metadata.json's bytes, digested. */
  metadata: z.string(),
  /** photos/: every name, kind, size and modification time, digested. */
  photos: z.string(),
  listing: z.array(listingExchangeSchema).check(z.minLength(1), z.maxLength(MAX_EXCHANGES)),
  server_version: z.string(),
  remote_total: z.int().check(z.nonnegative()),
  hidden: z.object({ archived: z.int(), stacked: z.int() }),
  kept: z.int().check(z.nonnegative()),
  /** What deciding whether a sync is due reads of the metadata (due.ts), as its bytes hold it. */
  due: dueSchema,
});
export type NoChangeState = z.infer<typeof stateSchema>;

/** The settings that shape a sync's plan (the config keys of the same names). */
export interface NoChangeConfig extends DueConfig {
  selection_mode: SelectionMode;
}

/** What the disk holds as a sync starts, before anything is reconciled. */
export interface DiskFacts {
  /** What was read, for the full sync's reconciling to use rather than read again. */
  seen: DiskSeen;
  /** sync_metadata.json's bytes (the fast path decodes these if asked, never reads them again);
   * null when there is none. */
  metadataBytes: Buffer | null;
  metadata: string;
  photos: string;
  /** photos/ holds nothing but files (reconciling warns of a folder at every sync). */
  plain: boolean;
}

/** A cryptographic digest fast in software (a Pi 4 has no SHA extensions): a 1 MB metadata file
 * costs ~1 ms. */
const DIGEST = 'blake2b512';

function digest(data: string | Buffer): string {
  return createHash(DIGEST).update(data).digest('base64');
}

/** Reads the metadata's bytes and lists photos/ (a readdir and a stat a file). */
export async function diskFacts(paths: InstancePaths): Promise<DiskFacts> {
  const bytes = await readMetadataBytes(paths);
  const metadataBytes = Buffer.isBuffer(bytes) ? bytes : null;
  const photos = createHash(DIGEST);
  let plain = true;
  const entries = await listFolder(paths.photosDir);
  for (const e of entries) {
    photos.update(`${e.kind}\0${e.name}\0${e.size}\0${e.mtimeMs}\n`);
    if (e.kind !== 'file') plain = false;
  }
  return {
    seen: { metadata: bytes, photos: entries },
    plain,
    metadataBytes,
    metadata: metadataBytes ? digest(metadataBytes) : `none: ${Buffer.isBuffer(bytes) ? '' : bytes.kind}`,
    photos: photos.digest('base64'),
  };
}

/** Every setting a plan depends on, the program's version and the client's identity, as one digest. */
export function settingsDigest(config: NoChangeConfig, clientIdentity: string): string {
  return digest(
    JSON.stringify({
      format: FORMAT,
      program: pkg.version,
      client: clientIdentity,
      albums: albumScope(config),
      url: config.immich_url,
      photo_size: config.photo_size,
      max_photos: config.max_photos,
      mode: config.selection_mode,
      include_archived: config.include_archived ?? false,
      include_stacked: config.include_stacked ?? false,
    }),
  );
}

/** The recorded state, or null when there is none (or it cannot be read: then the sync is full). */
export function readNoChange(paths: InstancePaths): NoChangeState | null {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(fs.readFileSync(paths.noChangePath, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Whether the disk and the settings are those the state was recorded with. */
export function sameStart(state: NoChangeState, facts: DiskFacts, settings: string): boolean {
  return (
    facts.metadataBytes !== null &&
    facts.plain &&
    state.settings === settings &&
    state.metadata === facts.metadata &&
    state.photos === facts.photos
  );
}

/** What a full sync that changed nothing leaves to record. */
export interface NoChangeRecord {
  facts: DiskFacts;
  settings: string;
  listing: readonly ListingExchange[];
  serverVersion: string;
  plan: SyncPlan;
  /** dueFacts of the metadata as read (before this sync moved its last_sync). */
  due: DueFacts;
}

/** Records what a full sync that changed nothing saw. Never throws: without the record the next
 * sync is a full one, nothing worse. Not fsynced, for the same reason. */
export async function recordNoChange(paths: InstancePaths, r: NoChangeRecord): Promise<void> {
  if (!r.facts.plain || r.facts.metadataBytes === null || r.listing.length === 0 || r.listing.length > MAX_EXCHANGES)
    return;
  const state: NoChangeState = {
    format: FORMAT,
    settings: r.settings,
    metadata: r.facts.metadata,
    photos: r.facts.photos,
    listing: [...r.listing],
    server_version: r.serverVersion,
    remote_total: r.plan.remoteTotal,
    hidden: r.plan.hidden,
    kept: r.plan.keep.length,
    due: r.due,
  };
  try {
    await writeFileAtomic(paths.noChangePath, JSON.stringify(state) + '\n', { durable: false });
  } catch {
    // A full or read-only disk fails the next sync's own writes, which say so.
  }
}

/**
 * The plan a sync of the recorded state makes again, less its kept photos (`keep`, below): nothing
 * to add, update, adopt, remove or discard, and the listing's counts as recorded.
 */
export function unchangedPlan(state: NoChangeState, config: NoChangeConfig): Omit<SyncPlan, 'keep'> {
  return {
    albumId: albumScope(config).join(', '),
    photoSize: config.photo_size,
    maxPhotos: config.max_photos,
    remoteTotal: state.remote_total,
    hidden: { ...state.hidden },
    add: [],
    update: [],
    adopt: [],
    remove: [],
    discard: [],
  };
}

/** Every photo of the metadata kept, in the plan's order (by capture time, then id): the full sync
 * of the recorded state kept exactly these (it changed nothing, so the listing wanted each). */
export function keptPhotos(metadata: LibraryMetadata): PlannedKeep[] {
  const kept = Object.entries(metadata.synced_assets).map(([id, entry]) => ({
    id,
    fileCreatedAt: entry.file_created_at,
    keep: {
      asset: {
        id,
        originalFileName: entry.filename,
        fileCreatedAt: entry.file_created_at,
        // Set on every record by a sync that keeps it (apply.ts); an older record has none.
        updatedAt: entry.updated_at ?? '',
        checksum: entry.checksum,
      },
      entry,
    },
  }));
  return sortByCaptureTime(kept).map((k) => k.keep);
}
