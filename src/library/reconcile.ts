// Start-up reconciliation: make sync_metadata.json and photos/ agree again after a crash, a
// power cut or a hand edit, without the network. Stray temp files go, unknown image files are
// adopted (a later sync matches them to assets so they are not downloaded again), other unknown
// files go, records whose file is missing are dropped so the next sync fetches them again, and a
// corrupt metadata file is moved aside and rebuilt from what is on disk.
import path from 'node:path';
import { isAtomicTemp } from './atomic-file.js';
import { type Logger, silentLogger } from '../core/log.js';
import { type LibraryMetadata, emptyMetadata } from './metadata.js';
import { isSafeLocalName } from './names.js';
import { probeImage, sha1OfFile } from './probe.js';
import {
  type DirEntry,
  ensureLibraryDirs,
  isPhotoTemp,
  listFolder,
  metadataFromBytes,
  moveAsideCorruptMetadata,
  readMetadata,
  readMetadataBytes,
  removeFile,
  removePhoto,
  writeMetadata,
} from './store.js';
import type { InstancePaths } from './instance.js';

export interface ReconcileReport {
  /** Where a corrupt metadata file went, when there was one. */
  corruptMovedTo: string | null;
  corruptProblem: string | null;
  tempsRemoved: string[];
  adopted: string[];
  unknownRemoved: string[];
  /** Records dropped because their file is missing or not the size recorded. */
  entriesDropped: string[];
}

export interface ReconcileOptions {
  now?: Date;
  logger?: Logger;
  /** Work out what would change without changing anything (`sync --dry-run`). */
  dryRun?: boolean;
  /** What the caller read of the metadata file and of photos/ a moment ago under the same lock
   * (the no-change check, no-change.ts): used as it is, not read again. */
  seen?: DiskSeen;
}

export interface DiskSeen {
  /** readMetadataBytes's answer: the file's bytes, or why there are none. */
  metadata: Awaited<ReturnType<typeof readMetadataBytes>>;
  photos: DirEntry[];
}

export function reconcileChanged(r: ReconcileReport): boolean {
  return (
    r.corruptMovedTo !== null ||
    r.corruptProblem !== null ||
    r.tempsRemoved.length + r.adopted.length + r.unknownRemoved.length + r.entriesDropped.length > 0
  );
}

const ATOMIC_TEMP = /\.tmp-[0-9a-f]{12}$/;
/** The service writes its own small files (selection state, hide list, its state) beside the
 * metadata without the sync lock: a temp younger than this may be such a write in flight, and is
 * left alone. An atomic write of a small file takes milliseconds. */
const TEMP_IN_FLIGHT_MS = 60_000;

/** What reconciling a library that agrees with its metadata reports: nothing. */
export function emptyReconcileReport(): ReconcileReport {
  return {
    corruptMovedTo: null,
    corruptProblem: null,
    tempsRemoved: [],
    adopted: [],
    unknownRemoved: [],
    entriesDropped: [],
  };
}

/** Leftovers of interrupted atomic writes in the instance folder that reconciling removes now
 * (the no-change check asks the same: no-change.ts). */
export async function staleTemps(paths: InstancePaths): Promise<string[]> {
  const out: string[] = [];
  for (const e of await listFolder(paths.instanceDir)) {
    // Against the filesystem's clock (Date.now), not `now`, which a test or a jump may have moved.
    // The metadata, the sync attempts (sync.ts records them before it lets the lock go) and the
    // lock itself are written only by a sync holding the lock, which we hold now: their temps are
    // leftovers whatever their age.
    const ours = [paths.metadataPath, paths.syncAttemptsPath, paths.lockPath].some((f) =>
      isAtomicTemp(e.name, path.basename(f)),
    );
    if (e.kind === 'file' && ATOMIC_TEMP.test(e.name) && (ours || Date.now() - e.mtimeMs > TEMP_IN_FLIGHT_MS))
      out.push(e.name);
  }
  return out;
}

export async function reconcileLibrary(
  paths: InstancePaths,
  options: ReconcileOptions = {},
): Promise<{ metadata: LibraryMetadata; report: ReconcileReport }> {
  const now = options.now ?? new Date();
  const log = options.logger ?? silentLogger;
  const dry = options.dryRun ?? false;
  const report = emptyReconcileReport();
  if (!dry) await ensureLibraryDirs(paths);

  // Leftovers of interrupted atomic writes (metadata, selection state) in the instance folder.
  for (const name of await staleTemps(paths)) {
    report.tempsRemoved.push(name);
    if (!dry) await removeFile(path.join(paths.instanceDir, name));
  }

  const seen = options.seen?.metadata;
  const read =
    seen === undefined ? await readMetadata(paths) : Buffer.isBuffer(seen) ? await metadataFromBytes(seen) : seen;
  let metadata: LibraryMetadata;
  if (read.kind === 'ok') metadata = read.metadata;
  else {
    metadata = emptyMetadata();
    if (read.kind === 'corrupt') {
      report.corruptProblem = read.problem;
      if (!dry) report.corruptMovedTo = await moveAsideCorruptMetadata(paths, now);
      log.warn('sync_metadata.json was unreadable; moved aside and rebuilding it from the photos on disk', {
        problem: read.problem,
        moved_to: report.corruptMovedTo ?? undefined,
      });
    }
  }

  const files = new Map<string, number>();
  for (const e of options.seen?.photos ?? (await listFolder(paths.photosDir))) {
    if (e.kind === 'file') files.set(e.name, e.size);
    else if (e.kind === 'dir')
      log.warn('photos/ holds a folder the frame does not use; leaving it alone', { name: e.name });
  }

  for (const name of [...files.keys()]) {
    if (isPhotoTemp(name)) {
      report.tempsRemoved.push(name);
      files.delete(name);
      if (!dry) await removePhoto(paths, name);
    }
  }

  const known = new Set<string>();
  for (const [id, entry] of Object.entries(metadata.synced_assets)) {
    const size = files.get(entry.local_path);
    if (size === undefined || (entry.bytes !== undefined && size !== entry.bytes)) {
      // A file of the wrong size is damaged: drop it with its record so it is fetched again.
      delete metadata.synced_assets[id];
      report.entriesDropped.push(entry.local_path);
      if (size !== undefined) {
        files.delete(entry.local_path);
        if (!dry) await removePhoto(paths, entry.local_path);
      }
      continue;
    }
    known.add(entry.local_path.toLowerCase());
  }
  for (const [name, file] of Object.entries(metadata.adopted)) {
    if (files.get(name) !== file.bytes) {
      delete metadata.adopted[name];
      report.entriesDropped.push(name);
      continue;
    }
    known.add(name.toLowerCase());
  }

  for (const [name, size] of files) {
    if (known.has(name.toLowerCase())) continue;
    const full = path.join(paths.photosDir, name);
    const keep =
      isSafeLocalName(name) && size > 0 && (await probeImage(full)) !== null && !known.has(name.toLowerCase());
    if (!keep) {
      report.unknownRemoved.push(name);
      if (!dry) await removeFile(full);
      continue;
    }
    metadata.adopted[name] = { sha1: await sha1OfFile(full), bytes: size, adopted_at: now.toISOString() };
    known.add(name.toLowerCase());
    report.adopted.push(name);
  }

  if (!dry && reconcileChanged(report)) await writeMetadata(paths, metadata);
  if (reconcileChanged(report)) {
    log.info('reconciled the library with the files on disk', {
      temps_removed: report.tempsRemoved.length,
      adopted: report.adopted.length,
      unknown_removed: report.unknownRemoved.length,
      entries_dropped: report.entriesDropped.length,
    });
  }
  return { metadata, report };
}
