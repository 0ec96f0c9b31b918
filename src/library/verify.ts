// Bit-rot repair: a photo is checked against the SHA-1 recorded for it when it is about to be
// shown (one file an hour, a few tens of ms on a Pi). A file whose bytes changed on disk (a dying
// SD card keeps the size) loses its record and its file, and a sync within the hour fetches it again.
import path from 'node:path';
import { LibraryBusyError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import type { InstancePaths } from './instance.js';
import { acquireSyncLock } from './lock.js';
import { sha1OfFile } from './probe.js';
import { readMetadata, removePhoto, writeMetadata } from './store.js';

export type Verdict = 'intact' | 'unknown' | 'damaged';

/**
 * Check the synced photo `assetId` against its recorded SHA-1; drop it when it no longer matches.
 * 'unknown' when there is nothing to check against or the library is busy (a sync holds the lock).
 */
export async function verifyPhoto(
  paths: InstancePaths,
  assetId: string,
  logger: Logger = silentLogger,
  /** What the caller already knows of the record (the pick has it): saves parsing the metadata. */
  known?: { sha1: string; localPath: string },
): Promise<Verdict> {
  let entry: { sha1?: string | undefined; local_path: string } | undefined;
  if (known) entry = { sha1: known.sha1, local_path: known.localPath };
  else {
    const read = await readMetadata(paths);
    entry = read.kind === 'ok' ? read.metadata.synced_assets[assetId] : undefined;
  }
  if (!entry?.sha1) return 'unknown';
  const file = path.join(paths.photosDir, entry.local_path);
  const sha1 = await sha1OfFile(file).catch(() => null);
  if (sha1 === null || sha1 === entry.sha1) return sha1 === null ? 'unknown' : 'intact';
  let lock;
  try {
    lock = await acquireSyncLock(paths);
  } catch (err) {
    if (err instanceof LibraryBusyError) return 'unknown';
    throw err;
  }
  try {
    // Read again under the lock: the record must still be the one that failed the check.
    const again = await readMetadata(paths);
    if (again.kind !== 'ok' || again.metadata.synced_assets[assetId]?.sha1 !== entry.sha1) return 'unknown';
    delete again.metadata.synced_assets[assetId];
    // Counted as a failed photo of the last sync: a sync is then due within the hour (due.ts), and
    // `status` shows why.
    const last = again.metadata.last_result;
    if (last) {
      last.failed += 1;
      last.failures = [
        ...last.failures,
        { id: assetId, name: entry.local_path, error: `${entry.local_path} changed on disk (bit rot); fetched again` },
      ].slice(-20);
    }
    await writeMetadata(paths, again.metadata);
    await removePhoto(paths, entry.local_path);
  } finally {
    await lock.release();
  }
  logger.warn('a photo changed on disk since it was fetched (bit rot); removed, the next sync fetches it again', {
    photo: entry.local_path,
    expected_sha1: entry.sha1,
    found_sha1: sha1,
  });
  return 'damaged';
}
