// The sync executor: carries out a SyncPlan against the library. Downloads run a few at a time,
// each to a verified temp file that is flushed to disk in the background (flusher.ts) while the
// next downloads go on; every few files or seconds a checkpoint lands the flushed files together
// (renamed into place, then the folder fsynced) and saves the metadata that records them, so a
// kill loses at most the photos since the last checkpoint and the downloads never wait on the
// disk's flushes; removals drop their records (and save) before their files go, so a record never
// points at a missing file.
import type { AssetSource, RemoteAsset } from '../immich/types.js';
import { type Logger, silentLogger } from '../core/log.js';
import { syncDir } from './atomic-file.js';
import {
  type DownloadLimits,
  type RetryPolicy,
  DEFAULT_RETRY,
  downloadVerified,
  failureKind,
  failureReason,
  isFatal,
  type LandedFile,
} from './download.js';
import type { LibraryMetadata, SyncedAsset, SyncFailure } from './metadata.js';
import { type Flushed, Flusher } from './flusher.js';
import { fitExtension } from './names.js';
import type { SyncPlan } from './plan.js';
import { removePhoto, renamePhoto } from './store.js';
import type { InstancePaths } from './instance.js';
import { displayedSize, emptyPhotoInfo } from './photo-info.js';
import { FreeSpace } from './storage-health.js';
import { type PhotoSize } from '../immich/types.js';

export type SyncProgress =
  | { phase: 'listing'; scope: 'album' | 'library' }
  | { phase: 'planned'; downloads: number; removals: number; keeps: number }
  | { phase: 'download'; done: number; total: number; bytes: number; name: string; ok: boolean; error?: string }
  | { phase: 'removed'; count: number }
  | { phase: 'finished' };

export interface ApplyOptions {
  paths: InstancePaths;
  source: AssetSource;
  /** The working metadata (reconciled, top-level fields already set): updated in place and saved. */
  metadata: LibraryMetadata;
  concurrency?: number;
  retry?: RetryPolicy;
  /** Save the metadata after this many new files or this many ms, whichever comes first. */
  checkpoint?: { files: number; ms: number };
  logger?: Logger;
  onProgress?: (event: SyncProgress) => void;
  signal?: AbortSignal;
  /** The largest photo without an announced length, and the free space kept (download.ts). */
  downloadLimits?: Partial<DownloadLimits> | undefined;
  now?: () => Date;
  /** Persist the metadata (store.writeMetadata bound to the paths). */
  save: (metadata: LibraryMetadata) => Promise<void>;
  /** The caller saves the metadata as soon as this returns (syncLibrary's last save, which
   * records the sync's result too): the last checkpoint of a sync that ran to its end lands its
   * files and fsyncs the folder, and leaves the save to the caller, one metadata write and fsync
   * fewer. A sync that stops on an error still saves what landed here. */
  callerSavesLast?: boolean;
}

export interface ApplyResult {
  added: number;
  updated: number;
  adopted: number;
  removed: number;
  kept: number;
  failures: SyncFailure[];
  bytes: number;
}

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_CHECKPOINT = { files: 25, ms: 5_000 };

/** A verified download waiting in its temp file for the next checkpoint to land it. */
interface Downloaded {
  asset: RemoteAsset;
  name: string;
  previous: SyncedAsset | undefined;
  landed: LandedFile;
  /** Its flush, started when the download was verified (flusher.ts). */
  flushed: Flushed;
}

/** Downloads waiting to land: past this many they land (rename) before the next save is due, so
 * a kill in a big library's long stretch between saves leaves photos under their final names
 * (adopted by the next sync) rather than temp files (deleted). */
const LAND_AT_MOST = 32;

/** A save after changes to a quarter of what the library holds (and every `checkpoint.ms`). A
 * 1,000-photo first sync saved 25 times at a tenth (10,000 records written, 15-25 ms of CPU
 * and an fsync a save at 1,000 records); at a quarter 15 times (5,400): what a kill loses in
 * between is only records, as each photo is renamed into place within LAND_AT_MOST downloads and
 * the next sync adopts it by its bytes without downloading it again. */
const SAVE_EVERY_SHARE = 4;

/** Serialised, throttled checkpoints: many downloads, one writer at a time. Each lands the
 * downloads done since the last one, then saves the metadata that records them. */
class Checkpointer {
  private pending = 0;
  private waiting: Downloaded[] = [];
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();
  /** Changes before the next save. Each save rewrites the whole file, so a big library saves less
   * often (every quarter of its size, SAVE_EVERY_SHARE): the bytes written stay proportional to the
   * library, and adoption recovers whatever a kill loses between saves (the files are in place). */
  private due: number;
  /** The run waiting to start, if any: it takes every download waiting by then, fsyncs the
   * folder if any caller asked for that, and saves if any caller asked it to. */
  private queued: { save: boolean; syncDir: boolean } | null = null;

  constructor(
    private readonly options: ApplyOptions,
    private readonly every: { files: number; ms: number },
    /** Record a landed download (its final name) in the metadata. */
    private readonly record: (d: Downloaded, finalName: string) => void,
  ) {
    this.due = every.files;
  }

  /** A download is verified in its (open) temp file: it lands with the next checkpoint. */
  noteDownload(d: Downloaded): Promise<void> {
    this.waiting.push(d);
    const saved = this.noteChange();
    return this.waiting.length >= LAND_AT_MOST ? this.schedule(false) : saved;
  }

  noteChange(): Promise<void> {
    this.pending += 1;
    if (this.pending >= this.due || Date.now() - this.last >= this.every.ms) return this.flush();
    return Promise.resolve();
  }

  /** Save if anything changed since the last save. */
  flushIfChanged(): Promise<void> {
    return this.pending > 0 ? this.flush() : this.chain;
  }

  flush(): Promise<void> {
    return this.schedule(true);
  }

  /** Land what waits and fsync the folder, for a caller that saves the metadata itself next. */
  landForCaller(): Promise<void> {
    return this.schedule(false, true);
  }

  /** Land what waits; with `save` (or `syncDirOnly`), fsync the folder; with `save`, then record
   * it on disk. */
  private schedule(save: boolean, syncDirOnly = false): Promise<void> {
    // A run still waiting to start will see every change made until then: one is enough.
    if (this.queued) {
      this.queued.save ||= save;
      this.queued.syncDir ||= save || syncDirOnly;
      return this.chain;
    }
    const job = { save, syncDir: save || syncDirOnly };
    this.queued = job;
    const run = async () => {
      this.queued = null;
      if (job.save) {
        this.pending = 0;
        this.last = Date.now();
        const held = Object.keys(this.options.metadata.synced_assets).length;
        this.due = Math.max(this.every.files, Math.floor(held / SAVE_EVERY_SHARE));
      }
      const batch = this.waiting.splice(0);
      if (batch.length > 0) await landAll(this.options.paths, batch, this.record);
      if (!job.syncDir) return;
      // The renames must be on disk before a record that relies on them is.
      await syncDir(this.options.paths.photosDir);
      if (!job.save) return;
      await this.options.save(this.options.metadata);
    };
    this.chain = this.chain.then(run, run);
    return this.chain;
  }
}

/**
 * Rename each file of the batch into place and record it, once its flush (started when its
 * download was verified) is over: a file is under its final name only once its bytes and size
 * are on disk. The caller then fsyncs the folder (the renames) before saving the metadata that
 * records them, so a saved record never points at a file that a power cut could lose or leave
 * short. (The frame also checks each photo's recorded SHA-1 before showing it, which would catch
 * a torn file, but a record must not rely on that.) Any failed flush stops the batch: nothing of
 * it is recorded, and the temps left behind go at the next start (reconcile.ts).
 */
async function landAll(
  paths: InstancePaths,
  batch: readonly Downloaded[],
  record: (d: Downloaded, finalName: string) => void,
): Promise<void> {
  const flushed = await Promise.all(batch.map((d) => d.flushed));
  const failed = flushed.find((f) => f !== null);
  if (failed) throw failed.err;
  for (const d of batch) {
    const finalName = fitExtension(d.name, d.landed.format ?? undefined);
    try {
      await renamePhoto(paths, d.landed.tempPath, finalName);
    } catch (err) {
      await removePhoto(paths, d.landed.tempName).catch(() => {});
      throw err;
    }
    record(d, finalName);
  }
}

function entryFor(asset: RemoteAsset, name: string, landed: LandedFile, photoSize: PhotoSize, now: Date): SyncedAsset {
  return {
    filename: asset.originalFileName,
    local_path: name,
    file_created_at: asset.fileCreatedAt,
    checksum: asset.checksum,
    synced_at: now.toISOString(),
    rendition: landed.rendition,
    photo_size: photoSize,
    bytes: landed.bytes,
    sha1: landed.sha1,
    updated_at: asset.updatedAt,
    ...(landed.edited ? { edited: true } : {}),
    // The size read from the header on the way in: refresh-info.ts then has no file to open.
    ...(landed.size ? { info: measuredInfo(landed.size, landed.sha1) } : {}),
  };
}

function measuredInfo(size: NonNullable<LandedFile['size']>, sha1: string) {
  const [width, height] = displayedSize(size.width, size.height, size.orientation);
  return { ...emptyPhotoInfo(), width, height, orientation: size.orientation, measured_sha1: sha1 };
}

export async function applyPlan(plan: SyncPlan, options: ApplyOptions): Promise<ApplyResult> {
  const { paths, source, metadata } = options;
  const log = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const progress = options.onProgress ?? (() => {});
  /** Old files of updates whose extension changed: deleted once the new record is saved. */
  const superseded: string[] = [];
  const record = (d: Downloaded, finalName: string) => {
    metadata.synced_assets[d.asset.id] = entryFor(d.asset, finalName, d.landed, plan.photoSize, now());
    if (d.previous && d.previous.local_path !== finalName) superseded.push(d.previous.local_path);
  };
  const checkpoint = new Checkpointer(options, options.checkpoint ?? DEFAULT_CHECKPOINT, record);
  const result: ApplyResult = {
    added: 0,
    updated: 0,
    adopted: 0,
    removed: 0,
    kept: plan.keep.length,
    failures: [],
    bytes: 0,
  };

  // Kept photos take the server's current facts (a corrected capture time, say) without a download.
  for (const { asset, entry } of plan.keep) {
    entry.filename = asset.originalFileName;
    entry.file_created_at = asset.fileCreatedAt;
    entry.updated_at = asset.updatedAt;
  }
  for (const a of plan.adopt) {
    delete metadata.adopted[a.name];
    metadata.synced_assets[a.asset.id] = {
      filename: a.asset.originalFileName,
      local_path: a.name,
      file_created_at: a.asset.fileCreatedAt,
      checksum: a.asset.checksum,
      synced_at: now().toISOString(),
      rendition: a.rendition,
      photo_size: plan.photoSize,
      bytes: a.file.bytes,
      sha1: a.file.sha1,
      updated_at: a.asset.updatedAt,
      // Recognised by name: what landed was what the server sends for this asset, edited or not.
      ...(a.match === 'name' && a.asset.edited ? { edited: true } : {}),
    };
    result.adopted += 1;
  }
  // Mark the sync as under way (and record adoptions) before the first file changes: every
  // landing and removal is a checkpoint run queued behind this one. A plan that changes no file
  // needs no mark: syncLibrary's final save records everything.
  const marking =
    plan.add.length + plan.update.length + plan.remove.length + plan.discard.length > 0 ? checkpoint.flush() : null;

  const queue = [
    ...plan.add.map((a) => ({ ...a, previous: undefined as SyncedAsset | undefined })),
    ...plan.update.map((u) => ({ asset: u.asset, name: u.name, previous: u.previous })),
  ];
  progress({
    phase: 'planned',
    downloads: queue.length,
    removals: plan.remove.length + plan.discard.length,
    keeps: plan.keep.length,
  });
  const space = new FreeSpace(paths.photosDir);
  const flusher = new Flusher();
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let fatal: { err: unknown } | undefined;
  let next = 0;
  let done = 0;
  // The mark is saved while the first downloads go on (a temp file is no change: reconcile.ts
  // deletes leftovers); every landing is queued behind it. A failed save stops the sync as a
  // failed checkpoint does.
  marking?.catch((err: unknown) => {
    fatal ??= { err };
    stop.abort(err);
  });

  const fetchOne = async (item: (typeof queue)[number]) => {
    const landed = await downloadVerified(source, item.asset, plan.photoSize, paths, {
      label: item.name,
      retry: options.retry ?? DEFAULT_RETRY,
      signal: stop.signal,
      ...(options.downloadLimits ? { limits: options.downloadLimits } : {}),
      space,
      onRetry: (err, attempt) => log.debug('retrying a photo', { name: item.name, attempt, error: failureReason(err) }),
    });
    if (item.previous) result.updated += 1;
    else result.added += 1;
    result.bytes += landed.bytes;
    // Its flush starts now, on the pool, while this worker fetches the next photo.
    const flushed = flusher.flush(landed, landed.tempPath);
    return { asset: item.asset, name: item.name, previous: item.previous, landed, flushed };
  };

  const worker = async () => {
    while (!fatal && next < queue.length) {
      const item = queue[next++]!;
      try {
        const downloaded = await fetchOne(item);
        done += 1;
        const name = fitExtension(item.name, downloaded.landed.format ?? undefined);
        progress({ phase: 'download', done, total: queue.length, bytes: result.bytes, name, ok: true });
        // Not awaited: the next download starts while the checkpoint flushes and saves. A failed
        // checkpoint (the disk) stops the sync as any storage failure does.
        checkpoint.noteDownload(downloaded).catch((err: unknown) => {
          fatal ??= { err };
          stop.abort(err);
        });
        // A disk slower than the network: wait until fewer files wait for their flush.
        await flusher.room();
      } catch (err) {
        if (isFatal(err)) {
          fatal ??= { err };
          stop.abort(err);
          break;
        }
        done += 1;
        const error = log.redact(failureReason(err));
        const reason = failureKind(err);
        result.failures.push({ id: item.asset.id, name: item.name, error, reason });
        progress({
          phase: 'download',
          done,
          total: queue.length,
          bytes: result.bytes,
          name: item.name,
          ok: false,
          error,
        });
        // The one report of this photo in this sync (retries within it are debug-level).
        log.warn('a photo could not be fetched; the others go on, and the next sync tries it again', {
          name: item.name,
          asset: item.asset.id,
          reason,
          error,
        });
      }
    }
  };
  let ranToEnd = false;
  try {
    const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length));
    await Promise.all(Array.from({ length: workers }, worker));
    ranToEnd = true;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // Whatever landed is recorded, even when the sync stops here; a sync that ran to its end
    // leaves the save to its caller (callerSavesLast), whose save comes next (removals below
    // save before any file goes).
    if (ranToEnd && !fatal && options.callerSavesLast) await checkpoint.landForCaller();
    else await checkpoint.flushIfChanged();
  }
  if (fatal) throw fatal.err;

  // Removals: records first (saved), files after, so a crash leaves at worst an unknown file.
  const doomed: string[] = [...superseded];
  for (const r of plan.remove) {
    delete metadata.synced_assets[r.id];
    doomed.push(r.entry.local_path);
    result.removed += 1;
  }
  for (const name of plan.discard) {
    delete metadata.adopted[name];
    doomed.push(name);
  }
  if (doomed.length > 0) {
    await checkpoint.flush();
    const inUse = new Set(Object.values(metadata.synced_assets).map((e) => e.local_path));
    for (const name of doomed) if (!inUse.has(name)) await removePhoto(paths, name);
    progress({ phase: 'removed', count: doomed.length });
  }
  return result;
}
