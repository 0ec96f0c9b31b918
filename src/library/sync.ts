// One sync of the offline library, start to finish: take the lock, reconcile the folder, decide
// whether a sync is due, list the album (or library), plan, apply, and record the result. The
// service and the `sync` and `test` commands all call syncLibrary. A sync can carry a deadline,
// refuses to start on storage it cannot write, and never removes most of the library on one
// listing's word.
import type { AssetSource, RemoteAsset } from '../immich/types.js';
import { ListingTap } from '../immich/listing-replay.js';
import { type Logger, silentLogger } from '../core/log.js';
import { withinDeadline } from '../core/deadline.js';
import {
  BadResponseError,
  DeadlineError,
  describeError,
  FrameError,
  LibraryBusyError,
  StorageError,
} from '../core/errors.js';
import { lastSyncAt, readSyncAttempts, recordSyncAttempt, withUnchangedSyncs } from './attempts.js';
import { type ApplyResult, type SyncProgress, applyPlan } from './apply.js';
import { albumScope, type DueConfig, type DueReason, dueFacts, isSyncDue } from './due.js';
import type { SelectionMode } from './selection/select.js';
import type { DownloadLimits, RetryPolicy } from './download.js';
import { storageProblem } from './storage-health.js';
import { acquireSyncLock } from './lock.js';
import {
  type LibraryMetadata,
  type SyncResult,
  libraryContent,
  parseMetadata,
  serverHost,
  versionString,
} from './metadata.js';
import { type PlannedKeep, type SyncPlan, planSync } from './plan.js';
import {
  type ReconcileReport,
  emptyReconcileReport,
  reconcileChanged,
  reconcileLibrary,
  staleTemps,
} from './reconcile.js';
import {
  type DiskFacts,
  type NoChangeState,
  diskFacts,
  keptPhotos,
  readNoChange,
  recordNoChange,
  sameStart,
  settingsDigest,
  unchangedPlan,
} from './no-change.js';
import { type RefreshInfoReport, refreshInfo } from './refresh-info.js';
import { ensureLibraryDirs, metadataFromBytesWith, writeMetadata } from './store.js';
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
  /** Abandon the sync (photos already fetched are kept) when it runs longer than this. */
  deadlineMs?: number;
  /** The largest photo without an announced length, and the free space kept. */
  downloadLimits?: Partial<DownloadLimits>;
  /** Who runs this sync, as sync_attempts.json records it. Default 'cli'. */
  runBy?: 'cli' | 'service';
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
      /** The metadata as this sync wrote it: a caller need not read it back. */
      metadata: LibraryMetadata;
      /** Nothing in the library changed: the metadata was left as it was (SD-card wear) and the
       * time of this sync lives in sync_attempts.json (attempts.ts, unchanged). */
      unchanged?: boolean;
      /** The disk, the settings and every answer of the listing were those a full sync that changed
       * nothing saw, byte for byte: nothing was parsed or planned (no-change.ts). */
      replayed?: boolean;
    };

function summarise(
  plan: SyncPlan,
  applied: ApplyResult,
  info: Pick<RefreshInfoReport, 'faceRequests'>,
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
    failed_by_reason: countByReason(applied),
    face_requests: info.faceRequests,
  };
}

function countByReason(applied: Pick<ApplyResult, 'failures'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of applied.failures) out[f.reason ?? 'download'] = (out[f.reason ?? 'download'] ?? 0) + 1;
  return out;
}

export async function syncLibrary(req: SyncRequest): Promise<SyncOutcome> {
  if (req.deadlineMs === undefined) return syncOnce(req);
  const deadlineMs = req.deadlineMs;
  const minutes = Math.round(deadlineMs / 60_000);
  return withinDeadline(
    deadlineMs,
    req.signal,
    () =>
      new DeadlineError(
        `the sync did not finish within ${minutes >= 1 ? `${minutes} min` : `${deadlineMs} ms`} and was abandoned; the photos it fetched are kept and the next sync goes on from there`,
      ),
    (signal) => syncOnce({ ...req, signal }),
  );
}

async function syncOnce(req: SyncRequest): Promise<SyncOutcome> {
  const now = req.now ?? (() => new Date());
  const log = req.logger ?? silentLogger;
  const { paths, config } = req;
  const started = Date.now();

  if (req.dryRun) {
    const { metadata, report } = await reconcileLibrary(paths, { now: now(), logger: log, dryRun: true });
    await withUnchangedSyncs(paths, metadata);
    // A dry run always plans; the reason says whether a real sync would be due now.
    const due = isSyncDue({ metadata, config, now: now(), force: req.force });
    const { plan, version } = await listAndPlan(req, metadata, now, false);
    return {
      kind: 'dry-run',
      reason: due.due ? due.reason : 'forced',
      plan,
      reconcile: report,
      serverVersion: version,
    };
  }

  try {
    return await lockedSync(req, now, log, started);
  } catch (err) {
    // Every failed attempt is recorded, whoever ran it; a sync already running is not one. One
    // that failed before it held the lock (unwritable storage) is recorded here.
    if (!(err instanceof LibraryBusyError) && !(typeof err === 'object' && err !== null && recorded.has(err)))
      await recordFailure(req, now, log, err);
    throw err;
  }
}

/** Errors lockedSync has recorded as a failed attempt already. */
const recorded = new WeakSet<object>();

async function recordFailure(req: SyncRequest, now: () => Date, log: Logger, err: unknown): Promise<void> {
  await recordSyncAttempt(req.paths, {
    at: now().toISOString(),
    by: req.runBy ?? 'cli',
    ok: false,
    code: err instanceof FrameError ? err.code : 'FRAME_ERROR',
    error: log.redact(describeError(err)),
  });
}

async function lockedSync(req: SyncRequest, now: () => Date, log: Logger, started: number): Promise<SyncOutcome> {
  const { paths } = req;
  // Read-only or unwritable storage: say so in one line, before the lock (which could not be taken).
  const problem = await storageProblem(paths, 0);
  if (problem) throw new StorageError(`syncing is disabled: ${problem}; the frame keeps showing the photos it has`);
  await ensureLibraryDirs(paths);
  const lock = await acquireSyncLock(paths);
  try {
    // The attempt is recorded before the lock goes: the one writer of sync_attempts.json is the
    // sync holding the lock, so a temp of it that reconciling finds is a leftover (reconcile.ts).
    let outcome: SyncOutcome;
    try {
      outcome = await underLock(req, now, log, started);
    } catch (err) {
      await recordFailure(req, now, log, err);
      if (typeof err === 'object' && err !== null) recorded.add(err);
      throw err;
    }
    if (outcome.kind === 'synced') {
      await recordSyncAttempt(paths, {
        at: outcome.result.finished_at,
        by: req.runBy ?? 'cli',
        ok: true,
        ...(outcome.result.failed > 0 ? { failed: outcome.result.failed } : {}),
        ...(outcome.unchanged ? { unchanged: true } : {}),
      });
    }
    return outcome;
  } finally {
    await lock.release();
  }
}

async function underLock(req: SyncRequest, now: () => Date, log: Logger, started: number): Promise<SyncOutcome> {
  const { paths, source, config } = req;
  // A source that can replay a listing records this one, and a sync that changes nothing
  // leaves what it saw for the next (no-change.ts).
  const identity = source.replayListing && source.listingIdentity ? source.listingIdentity() : null;
  let start: { facts: DiskFacts; settings: string } | null = null;
  let announced = false;
  if (identity !== null) {
    start = { facts: await diskFacts(paths), settings: settingsDigest(config, identity) };
    const state = readNoChange(paths);
    if (state && sameStart(state, start.facts, start.settings) && (await staleTemps(paths)).length === 0) {
      const fast = await replayedSync(req, state, start.facts, now, log, started);
      if (fast !== 'listing changed') return fast;
      announced = true;
    }
  }
  const { metadata, report } = await reconcileLibrary(paths, {
    now: now(),
    logger: log,
    ...(start ? { seen: start.facts.seen } : {}),
  });
  // What deciding "due" read of the metadata as it is on disk, for the record (no-change.ts).
  const onDisk = start ? dueFacts(metadata) : null;
  await withUnchangedSyncs(paths, metadata);
  const due = isSyncDue({ metadata, config, now: now(), force: req.force });
  if (!due.due) return { kind: 'not-due', nextDue: due.nextDue, reconcile: report };
  const before = libraryContent(metadata);
  let saves = 0;
  const scope = albumScope(config);
  if (!announced) log.info('sync started', { reason: due.reason, album_id: scope.join(', ') || '(whole library)' });

  const tap = start ? new ListingTap() : undefined;
  const { plan, version, remote } = await listAndPlan(req, metadata, now, true, tap);
  // From here the library is being changed: mark it, so a crash makes the next run finish the job.
  metadata.album_id = scope[0] ?? '';
  if (scope.length > 1) metadata.album_ids = scope;
  else delete metadata.album_ids;
  metadata.server_host = serverHost(config.immich_url);
  metadata.server_version = version;
  metadata.photo_size = config.photo_size;
  metadata.max_photos = config.max_photos;
  metadata.timeline = {
    include_archived: config.include_archived ?? false,
    include_stacked: config.include_stacked ?? false,
  };
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
    downloadLimits: req.downloadLimits,
    now,
    save: (m: LibraryMetadata) => {
      saves += 1;
      return writeMetadata(paths, m);
    },
    // The save below records the last photos with the sync's result.
    callerSavesLast: true,
  });

  // Metadata-only changes (a favourite, a rating, a renamed person) land here, no download.
  let info: RefreshInfoReport;
  try {
    info = await refreshInfo({ paths, metadata, listed: remote, source, signal: req.signal, logger: log });
  } catch (err) {
    // Stopped here (aborted): the photos that landed last are recorded all the same.
    await writeMetadata(paths, metadata).catch(() => {});
    throw err;
  }
  const finished = now();
  const result = summarise(plan, applied, info, started, finished);
  metadata.sync_in_progress = null;
  // A sync that changed nothing leaves the metadata file alone: rewriting it (about 1 KB a
  // photo) at every sync was most of what a settled frame wrote to its SD card.
  const unchanged =
    saves === 0 &&
    result.failed === 0 &&
    metadata.last_result !== null &&
    metadata.last_result.failed === 0 &&
    info.updated === 0 &&
    libraryContent(metadata) === before;
  metadata.last_sync = finished.toISOString();
  if (!unchanged) {
    metadata.sync_count += 1;
    metadata.last_result = result;
    await writeMetadata(paths, metadata);
  }
  // Nothing changed, nothing asked beyond the listing, nothing left to retry: the next sync that
  // sees all of this again need not parse it.
  if (
    start &&
    onDisk &&
    tap?.replayable &&
    unchanged &&
    !reconcileChanged(report) &&
    info.faceRequests === 0 &&
    info.measured === 0
  ) {
    await recordNoChange(paths, { ...start, listing: tap.exchanges, serverVersion: version, plan, due: onDisk });
  }
  req.onProgress?.({ phase: 'finished' });
  logFinished(log, result, info);
  return {
    kind: 'synced',
    reason: due.reason,
    plan,
    result,
    reconcile: report,
    serverVersion: version,
    metadata,
    ...(unchanged ? { unchanged } : {}),
  };
}

function logFinished(log: Logger, result: SyncResult, info: Omit<RefreshInfoReport, 'measured' | 'faceFailures'>) {
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
    ...(info.facesRefused > 0 ? { faces_refused: info.facesRefused } : {}),
  });
}

/**
 * The sync of a library whose disk and settings are as a full sync that changed nothing found them
 * (no-change.ts): the same requests are asked, and when every answer is the recorded one, byte for
 * byte, this sync is that one again: it keeps every photo and changes nothing. What it reports
 * comes from the record; the metadata and the kept photos (outcome.metadata, plan.keep) are
 * decoded from the bytes already read on first use: the command line never looks at them, the
 * service does once, where it would otherwise read the file back. 'listing changed' at the first
 * answer that differs: the caller then runs the full sync, which asks again from the start (the
 * answers so far were only digested, never kept: the listing's memory bound holds as it does).
 */
async function replayedSync(
  req: SyncRequest,
  state: NoChangeState,
  facts: DiskFacts,
  now: () => Date,
  log: Logger,
  started: number,
): Promise<SyncOutcome | 'listing changed'> {
  const { paths, config, source } = req;
  // The disk is as the recorded sync found it and it reconciled nothing: neither would this one.
  const reconcile = emptyReconcileReport();
  const onDisk = { ...state.due, last_sync: lastSyncAt(state.due.last_sync, await readSyncAttempts(paths)) };
  const due = isSyncDue({ metadata: onDisk, config, now: now(), force: req.force });
  if (!due.due) return { kind: 'not-due', nextDue: due.nextDue, reconcile };
  const scope = albumScope(config);
  log.info('sync started', { reason: due.reason, album_id: scope.join(', ') || '(whole library)' });
  req.onProgress?.({ phase: 'listing', scope: scope.length === 0 ? 'library' : 'album' });
  if (!(await source.replayListing!(state.listing, req.signal))) {
    log.debug('the listing differs from the last one that changed nothing; listing it in full');
    return 'listing changed';
  }
  log.debug("every answer of the listing is the last unchanged sync's, byte for byte: nothing to parse or plan", {
    requests: state.listing.length,
  });
  req.onProgress?.({ phase: 'planned', downloads: 0, removals: 0, keeps: state.kept });
  const finished = now();
  let decoded: { metadata: LibraryMetadata; keep: PlannedKeep[] } | null = null;
  const decode = () => {
    if (decoded) return decoded;
    const read = metadataFromBytesWith(facts.metadataBytes!, parseMetadata);
    // The same bytes the recorded sync read whole: they cannot fail to read now.
    if (read.kind !== 'ok')
      throw new StorageError(`${paths.metadataPath} read as a sync that changed nothing, but not now: ${read.kind}`);
    // As the full sync leaves it in memory: synced now, nothing in progress.
    read.metadata.last_sync = finished.toISOString();
    read.metadata.sync_in_progress = null;
    decoded = { metadata: read.metadata, keep: keptPhotos(read.metadata) };
    return decoded;
  };
  const plan: SyncPlan = {
    ...unchangedPlan(state, config),
    get keep() {
      return decode().keep;
    },
  };
  const applied: ApplyResult = {
    added: 0,
    updated: 0,
    adopted: 0,
    removed: 0,
    kept: state.kept,
    failures: [],
    bytes: 0,
  };
  const info = { updated: 0, faceRequests: 0, facesRefused: 0 };
  const result = summarise(plan, applied, info, started, finished);
  req.onProgress?.({ phase: 'finished' });
  logFinished(log, result, info);
  return {
    kind: 'synced',
    reason: due.reason,
    plan,
    result,
    reconcile,
    serverVersion: state.server_version,
    get metadata() {
      return decode().metadata;
    },
    unchanged: true,
    replayed: true,
  };
}

async function listAndPlan(
  req: SyncRequest,
  metadata: LibraryMetadata,
  now: () => Date,
  applying: boolean,
  tap?: ListingTap,
): Promise<{ plan: SyncPlan; version: string; remote: RemoteAsset[] }> {
  const version = versionString(await req.source.serverVersion(req.signal, tap));
  const scope = albumScope(req.config);
  req.onProgress?.({ phase: 'listing', scope: scope.length === 0 ? 'library' : 'album' });
  const remote = await listRemote(req, tap);
  const plan = planFrom(req, remote, metadata);
  if (applying) await confirmMassRemoval(req, plan, remote, metadata, now());
  return { plan, version, remote };
}

/** Several albums: one listing each, their union (planSync drops the repeats). Immich's own
 * search with several albumIds is not documented as a union, so it is not relied on. Then one
 * GET /api/stacks for all of them: search items carry no stack, so this is where each photo's
 * stack comes from (info.stack), and what whole-library mode hides non-primary members by. */
async function listRemote(req: SyncRequest, tap?: ListingTap): Promise<RemoteAsset[]> {
  const scope = albumScope(req.config);
  const remote: RemoteAsset[] = [];
  for (const album of scope.length === 0 ? [''] : scope)
    remote.push(...(await req.source.listAssets(album, req.signal, tap)));
  const stacks = remote.length > 0 ? ((await req.source.listStacks?.(req.signal, remote.length, tap)) ?? null) : null;
  if (stacks) {
    for (const a of remote) {
      const stack = stacks.get(a.id) ?? null;
      if (a.info) a.info.stack = stack;
      if (stack && stack.primaryAssetId !== a.id) a.stackPrimaryId = stack.primaryAssetId;
    }
  }
  return remote;
}

function planFrom(req: SyncRequest, remote: readonly RemoteAsset[], metadata: LibraryMetadata): SyncPlan {
  return planSync({
    includeArchived: req.config.include_archived ?? false,
    includeStacked: req.config.include_stacked ?? false,
    albumId: albumScope(req.config).join(', '),
    remote,
    metadata,
    photoSize: req.config.photo_size,
    maxPhotos: req.config.max_photos,
    mode: req.config.selection_mode,
  });
}

/** How long a listing that drops most of the library waits to be believed: a later sync, at
 * least this much later, must list the same. A server that answers empty for a few minutes (an
 * upgrade, a restore) is past it by then. */
export const MASS_REMOVAL_WAIT_MS = 15 * 60_000;

/**
 * One listing that drops more than half of the library (an empty answer from a server mid-upgrade,
 * say) is not believed alone: nothing is removed and the sync fails, and only a later sync's
 * listing, MASS_REMOVAL_WAIT_MS on or more, that drops them too removes them. A second listing
 * within the same sync would not do: a server briefly answering empty answers empty twice.
 */
async function confirmMassRemoval(
  req: SyncRequest,
  plan: SyncPlan,
  remote: readonly RemoteAsset[],
  metadata: LibraryMetadata,
  now: Date,
): Promise<void> {
  const listed = new Set(remote.map((a) => a.id));
  const gone = plan.remove.filter((r) => !listed.has(r.id)).map((r) => r.id);
  const held = Object.keys(metadata.synced_assets).length;
  const log = req.logger ?? silentLogger;
  // Another album or server than the library holds: the removals are what was asked for.
  const scope = albumScope(req.config);
  const heldScope = metadata.album_ids ?? [metadata.album_id];
  const sameScope =
    scope.length === heldScope.length &&
    scope.every((a, i) => a === heldScope[i]) &&
    metadata.server_host === serverHost(req.config.immich_url);
  if (gone.length === 0 || gone.length <= held / 2 || !sameScope) {
    // The listing is whole again: whatever was pending is forgotten (saved with the sync's result).
    if (metadata.removal_pending) log.info('the library is listed whole again; no removal pending');
    metadata.removal_pending = null;
    return;
  }
  const pending = metadata.removal_pending;
  if (pending && now.getTime() - Date.parse(pending.seen_at) >= MASS_REMOVAL_WAIT_MS) {
    log.info('a later listing confirms the removals', { removing: gone.length, first_seen: pending.seen_at });
    metadata.removal_pending = null;
    return;
  }
  const seenAt = pending?.seen_at ?? now.toISOString();
  if (!pending) {
    metadata.removal_pending = { seen_at: seenAt, count: gone.length };
    await writeMetadata(req.paths, metadata);
  }
  const confirmAt = new Date(Date.parse(seenAt) + MASS_REMOVAL_WAIT_MS);
  const what = scope.length === 0 ? 'the library' : `album ${scope.join(', ')}`;
  log.warn('the listing drops most of the library; nothing is removed until a later sync lists the same', {
    removing: gone.length,
    held,
    confirm_from: confirmAt.toISOString(),
  });
  throw new BadResponseError(
    `the listing of ${what} drops ${gone.length} of ${held} photos; nothing was removed: a sync from ${confirmAt.toISOString()} on that lists the same removes them (a server that answered empty for a while lists them again)`,
    { code: 'LISTING_UNCONFIRMED' },
  );
}
