// One sync of the offline library, start to finish: take the lock, reconcile the folder, decide
// whether a sync is due, list the album, plan, apply, and record the result. The service and the
// `sync` and `test` commands all call syncLibrary.
import type { AssetSource } from '../immich/types.js';
import { type Logger, silentLogger } from '../core/log.js';
import { type ApplyResult, type SyncProgress, applyPlan } from './apply.js';
import { albumScope, type DueConfig, type DueReason, isSyncDue } from './due.js';
import type { SelectionMode } from './selection/select.js';
import type { RetryPolicy } from './download.js';
import { acquireSyncLock } from './lock.js';
import { type LibraryMetadata, type SyncResult, serverHost, versionString } from './metadata.js';
import { type SyncPlan, planSync } from './plan.js';
import { type ReconcileReport, reconcileLibrary } from './reconcile.js';
import { type RefreshInfoReport, refreshInfo } from './refresh-info.js';
import type { RemoteAsset } from '../immich/types.js';
import { ensureLibraryDirs, writeMetadata } from './store.js';
import type { InstancePaths } from './instance.js';

/** The settings a sync takes (the config keys of the same names). */
export interface SyncConfig extends DueConfig {
  selection_mode: SelectionMode;
}

export interface SyncRequest {
  paths: InstancePaths;
  source: AssetSource;
  config: SyncConfig;
  force?: boolean;
  /** List and plan, change nothing. */
  dryRun?: boolean;
  now?: () => Date;
  logger?: Logger;
  onProgress?: (event: SyncProgress) => void;
  signal?: AbortSignal;
  concurrency?: number;
  retry?: RetryPolicy;
  checkpoint?: { files: number; ms: number };
}

export type SyncOutcome =
  | { kind: 'not-due'; nextDue: Date; reconcile: ReconcileReport }
  | { kind: 'dry-run'; reason: DueReason; plan: SyncPlan; reconcile: ReconcileReport; serverVersion: string }
  | {
      kind: 'synced';
      reason: DueReason;
      plan: SyncPlan;
      result: SyncResult;
      reconcile: ReconcileReport;
      serverVersion: string;
    };

function summarise(
  plan: SyncPlan,
  applied: ApplyResult,
  info: RefreshInfoReport,
  started: number,
  finished: Date,
): SyncResult {
  return {
    finished_at: finished.toISOString(),
    added: applied.added,
    updated: applied.updated,
    removed: applied.removed,
    kept: applied.kept,
    adopted: applied.adopted,
    failed: applied.failures.length,
    remote_total: plan.remoteTotal,
    bytes: applied.bytes,
    seconds: Math.round((finished.getTime() - started) / 100) / 10,
    // Enough to act on without letting a broken album bloat the metadata.
    failures: applied.failures.slice(0, 20),
    face_requests: info.faceRequests,
  };
}

export async function syncLibrary(req: SyncRequest): Promise<SyncOutcome> {
  const now = req.now ?? (() => new Date());
  const log = req.logger ?? silentLogger;
  const { paths, source, config } = req;
  const started = Date.now();

  if (req.dryRun) {
    const { metadata, report } = await reconcileLibrary(paths, { now: now(), logger: log, dryRun: true });
    // A dry run always plans; the reason says whether a real sync would be due now.
    const due = isSyncDue({ metadata, config, now: now(), force: req.force });
    const { plan, version } = await listAndPlan(req, metadata);
    return {
      kind: 'dry-run',
      reason: due.due ? due.reason : 'forced',
      plan,
      reconcile: report,
      serverVersion: version,
    };
  }

  await ensureLibraryDirs(paths);
  const lock = await acquireSyncLock(paths);
  try {
    const { metadata, report } = await reconcileLibrary(paths, { now: now(), logger: log });
    const due = isSyncDue({ metadata, config, now: now(), force: req.force });
    if (!due.due) return { kind: 'not-due', nextDue: due.nextDue, reconcile: report };
    const scope = albumScope(config);
    log.info('sync started', { reason: due.reason, album_id: scope.join(', ') || '(whole library)' });

    const { plan, version, remote } = await listAndPlan(req, metadata);
    // From here the library is being changed: mark it, so a crash makes the next run finish the job.
    metadata.album_id = scope[0] ?? '';
    if (scope.length > 1) metadata.album_ids = scope;
    else delete metadata.album_ids;
    metadata.server_host = serverHost(config.immich_url);
    metadata.server_version = version;
    metadata.photo_size = config.photo_size;
    metadata.max_photos = config.max_photos;
    metadata.sync_in_progress = { started_at: now().toISOString() };

    const applied = await applyPlan(plan, {
      paths,
      source,
      metadata,
      concurrency: req.concurrency,
      retry: req.retry,
      checkpoint: req.checkpoint,
      logger: log,
      onProgress: req.onProgress,
      signal: req.signal,
      now,
      save: (m: LibraryMetadata) => writeMetadata(paths, m),
    });

    // Metadata-only changes (a favourite, a rating, a renamed person) land here, no download.
    const info = await refreshInfo({ paths, metadata, listed: remote, source, signal: req.signal, logger: log });
    const finished = now();
    const result = summarise(plan, applied, info, started, finished);
    metadata.last_sync = finished.toISOString();
    metadata.sync_count += 1;
    metadata.sync_in_progress = null;
    metadata.last_result = result;
    await writeMetadata(paths, metadata);
    req.onProgress?.({ phase: 'finished' });
    log.info('sync finished', {
      added: result.added,
      updated: result.updated,
      removed: result.removed,
      kept: result.kept,
      adopted: result.adopted,
      failed: result.failed,
      bytes: result.bytes,
      seconds: result.seconds,
      info_updated: info.updated,
      face_requests: info.faceRequests,
    });
    return { kind: 'synced', reason: due.reason, plan, result, reconcile: report, serverVersion: version };
  } finally {
    await lock.release();
  }
}

async function listAndPlan(
  req: SyncRequest,
  metadata: LibraryMetadata,
): Promise<{ plan: SyncPlan; version: string; remote: RemoteAsset[] }> {
  const version = versionString(await req.source.serverVersion(req.signal));
  req.onProgress?.({ phase: 'listing' });
  // Several albums: one listing each, their union (planSync drops the repeats). Immich's own
  // search with several albumIds is not documented as a union, so it is not relied on.
  const scope = albumScope(req.config);
  const remote: RemoteAsset[] = [];
  for (const album of scope.length > 0 ? scope : ['']) remote.push(...(await req.source.listAssets(album, req.signal)));
  const plan = planSync({
    albumId: scope.join(', '),
    remote,
    metadata,
    photoSize: req.config.photo_size,
    maxPhotos: req.config.max_photos,
    mode: req.config.selection_mode,
  });
  return { plan, version, remote };
}
