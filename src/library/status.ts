// What `status` reports about a library, gathered from the disk alone (metadata, file sizes,
// the lock): no network, so it answers with the server gone.
import { fs } from '../core/node-fs.js';
import { type DueConfig, isSyncDue } from './due.js';
import { lockHolder } from './lock.js';
import type { SyncResult } from './metadata.js';
import { isPhotoTemp, listFolder, type MetadataRead, photoPaths, readMetadata } from './store.js';
import { StorageError } from '../core/errors.js';
import { storageProblem } from './storage-health.js';
import type { InstancePaths } from './instance.js';
import { readSyncAttempts, withUnchangedSyncs, type SyncAttempt } from './attempts.js';
const { readdirSync, statSync } = fs;

export interface LibraryStatus {
  photos_dir: string;
  /** Synced photos (0 when never synced, or when the metadata is unreadable: see metadata_problem). */
  photos: number;
  adopted_files: number;
  missing_files: number;
  bytes_on_disk: number;
  album_id: string | null;
  server_host: string | null;
  server_version: string | null;
  photo_size: string | null;
  sync_count: number;
  last_sync: string | null;
  last_result: SyncResult | null;
  /** The last failed sync attempt (CLI or service) and the last successful one (sync_attempts.json). */
  last_failure: SyncAttempt | null;
  last_success: SyncAttempt | null;
  /** ISO time of the next sync, or null when one is due now. */
  next_due: string | null;
  due_reason: string | null;
  sync_running: { pid: number; started_at: string } | null;
  metadata_problem: string | null;
  /** The metadata cannot be read for want of permission (the message says the fix); `photos`
   * and `bytes_on_disk` then count the files in photos/. */
  metadata_unreadable: string | null;
  /** Why a sync could not write the library now (read-only, no permission, below the reserve). */
  storage_problem: string | null;
}

/** A photo's size, or null when it is missing. Synchronous on purpose: only `status` asks, and only
 * for what the listing cannot say (a plain stat(2) costs a fraction of a promise's round trip). */
function sizeOf(file: string): number | null {
  try {
    const s = statSync(file, { throwIfNoEntry: false });
    return s?.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/** The regular files in photos/ by name, from one listing (an empty set when there is no folder). */
function filesIn(dir: string): Set<string> {
  try {
    return new Set(
      readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => d.name),
    );
  } catch {
    return new Set();
  }
}

/** The photos in photos/ counted from the folder alone (when the metadata cannot be read). */
async function filesOnDisk(paths: InstancePaths): Promise<{ photos: number; bytes_on_disk: number }> {
  const files = (await listFolder(paths.photosDir)).filter(
    (f) => f.kind === 'file' && f.size > 0 && !isPhotoTemp(f.name),
  );
  return { photos: files.length, bytes_on_disk: files.reduce((n, f) => n + f.size, 0) };
}

/** The metadata as `status` reads it: unreadable for want of permission is a finding, not a failure. */
export type StatusRead = MetadataRead | { kind: 'unreadable'; problem: string };

export function readStatusMetadata(paths: InstancePaths): Promise<StatusRead> {
  // Unreadable for want of permission: say so (owner, mode, the fix) and count what is on disk.
  return readMetadata(paths).catch((err: unknown) => {
    if (err instanceof StorageError && err.code === 'STORAGE_PERMISSION')
      return { kind: 'unreadable' as const, problem: err.message };
    throw err;
  });
}

/** What `status` says of the library; `read` when the caller read the metadata already (it is
 * read once for the whole report: a 1,000-photo file costs more to validate than to start). */
export async function libraryStatus(
  paths: InstancePaths,
  config: DueConfig,
  now: Date,
  read?: StatusRead,
): Promise<LibraryStatus> {
  read ??= await readStatusMetadata(paths);
  const metadata = read.kind === 'ok' ? await withUnchangedSyncs(paths, read.metadata) : null;
  // Which photos are there: one listing of photos/, not a stat a photo (1,000 stats were ~30 ms of
  // a status on this machine, a listing is ~2). Their sizes: as the sync recorded them when it
  // stored and verified each file; a record without one (an older file), and anything the
  // listing does not show as a plain file (a link), is asked of the file itself.
  let bytes = 0;
  let missing = 0;
  if (metadata) {
    const present = filesIn(paths.photosDir);
    const pathOf = photoPaths(paths);
    const records: { name: string; bytes: number | undefined }[] = [
      ...Object.values(metadata.synced_assets).map((e) => ({ name: e.local_path, bytes: e.bytes })),
      ...Object.entries(metadata.adopted).map(([name, a]) => ({ name, bytes: a.bytes })),
    ];
    for (const r of records) {
      const size = present.has(r.name) && r.bytes !== undefined ? r.bytes : sizeOf(pathOf(r.name));
      if (size === null) missing += 1;
      else bytes += size;
    }
  }
  const due = isSyncDue({ metadata, config, now });
  return {
    photos_dir: paths.photosDir,
    photos: metadata ? Object.keys(metadata.synced_assets).length : 0,
    adopted_files: metadata ? Object.keys(metadata.adopted).length : 0,
    missing_files: missing,
    bytes_on_disk: bytes,
    album_id: metadata ? metadata.album_id : null,
    server_host: metadata?.server_host ?? null,
    server_version: metadata?.server_version ?? null,
    photo_size: metadata?.photo_size ?? null,
    sync_count: metadata?.sync_count ?? 0,
    last_sync: metadata?.last_sync ?? null,
    last_result: metadata?.last_result ?? null,
    ...(await readSyncAttempts(paths).then((a) => ({ last_failure: a.last_failure, last_success: a.last_success }))),
    next_due: due.due ? null : due.nextDue.toISOString(),
    due_reason: due.due ? due.reason : null,
    sync_running: await lockHolder(paths),
    metadata_problem: read.kind === 'corrupt' ? read.problem : null,
    metadata_unreadable: read.kind === 'unreadable' ? read.problem : null,
    ...(read.kind === 'unreadable' ? await filesOnDisk(paths) : {}),
    storage_problem: await storageProblem(paths),
  };
}
