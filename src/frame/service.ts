// The frame: one long-running loop that shows a cached photo at once (offline first), refreshes on
// schedule or at a button press, and keeps the library in sync in the background. The panel is
// used by one refresh at a time; a sync never blocks or delays a refresh.
import type { Panel } from '../../drivers/driver.js';
import type { PanelProfile } from '../../drivers/panels.js';
import type { PressKind } from './buttons.js';
import type { Clock, Timer } from '../core/clock.js';
import {
  DeadlineError,
  EmptyLibraryError,
  LibraryBusyError,
  PanelBusyTimeoutError,
  RenderError,
  StorageError,
  describeError,
} from '../core/errors.js';
import type { AssetSource } from '../immich/types.js';
import { Library } from '../library/library.js';
import type { SelectionFilters } from '../library/selection/options.js';
import type { LibraryMetadata } from '../library/metadata.js';
import type { SyncConfig, SyncOutcome } from '../library/sync.js';
import type { Logger } from '../core/log.js';
import { renderSelection } from './compose.js';
import {
  type DisplayConfig,
  type FrameOptions,
  type FrameOptionsConfig,
  type ResolvedRenderOptions,
  frameOptionsFromConfig,
  renderOptionsFromConfig,
  resolveFrameOptions,
  resolveOptions,
} from '../render/options.js';
import {
  earliestManualRefresh,
  nextRefreshAt,
  parseQuietHours,
  syncRetryDelayMs,
  type RefreshPolicy,
} from './schedule.js';
import { readServiceState, writeServiceState, type ServiceState } from './state.js';
import { instancePaths, type InstancePaths } from '../library/instance.js';
import { framePanel } from '../calibration/inks-file.js';

/** The config keys the service reads (the composition root passes the whole config). */
export interface ServiceConfig extends SyncConfig, DisplayConfig, FrameOptionsConfig {
  storage_dir: string;
  instance_id: string;
  refresh_interval_minutes: number;
  refresh_cron: string;
  quiet_hours: string;
  transport: string;
}

export interface FrameServiceOptions {
  config: ServiceConfig;
  panel: PanelProfile;
  /** Opens the panel's transport; called again to reset a panel that stopped answering. */
  openPanel: () => Promise<Panel>;
  /** A fresh Immich client for one sync; the service closes it afterwards. */
  createSource: () => AssetSource;
  clock: Clock;
  logger: Logger;
  /** Random source for the `random` selection mode (tests fix it). */
  rng?: () => number;
  /** The selection's filters and the user's zone (issue 11); none by default. */
  selection?: { filters: SelectionFilters; timeZone?: string };
  pid?: number;
  /** A sync still running after this long is abandoned (its photos are kept). Default 4 h. */
  syncDeadlineMs?: number;
  /** A long press abandons a running sync that made no progress for this long. Default 5 min. */
  syncStallMs?: number;
}

const DEFAULT_SYNC_DEADLINE_MS = 4 * 3_600_000;
const DEFAULT_SYNC_STALL_MS = 5 * 60_000;

function photoCount(metadata: LibraryMetadata | null): number {
  return metadata ? Object.keys(metadata.synced_assets).length : 0;
}

/** Photos tried per refresh when some cannot be rendered (a damaged file must not blank the frame). */
const RENDER_ATTEMPTS = 3;
/** Another process (a `sync` from the CLI) holds the library lock: look again this much later. */
const BUSY_RETRY_MS = 60_000;

export class FrameService {
  readonly paths: InstancePaths;
  private readonly library: Library;
  /** Checked once here, not at every refresh. */
  private readonly renderOptions: ResolvedRenderOptions;
  private readonly frameOptions: FrameOptions;
  private readonly policy: RefreshPolicy;
  private readonly log: Logger;
  private state!: ServiceState;
  private panel: Panel | null = null;
  /** Serialises everything that touches the panel. */
  private panelWork: Promise<void> = Promise.resolve();
  private sync: Promise<void> | null = null;
  private refreshTimer: Timer | null = null;
  private manualTimer: Timer | null = null;
  private syncTimer: Timer | null = null;
  /** The running sync's own abort (a deadline or a long press on a stuck sync), and its last sign of life. */
  private syncAbort: AbortController | null = null;
  private syncProgressAt = 0;
  private readonly abort = new AbortController();
  private stopped = false;
  private started = false;

  constructor(private readonly o: FrameServiceOptions) {
    this.paths = instancePaths(o.config);
    this.renderOptions = resolveOptions(renderOptionsFromConfig(o.config));
    this.frameOptions = resolveFrameOptions(frameOptionsFromConfig(o.config));
    this.log = o.logger;
    this.library = new Library({
      paths: this.paths,
      settings: o.config,
      logger: o.logger,
      now: () => this.now(),
      rng: o.rng,
      ...o.selection,
    });
    const minIntervalMs = o.panel.minRefreshIntervalSeconds * 1000;
    this.policy = {
      intervalMinutes: o.config.refresh_interval_minutes,
      cron: o.config.refresh_cron.trim() || null,
      quietHours: parseQuietHours(o.config.quiet_hours),
      minIntervalMs,
    };
    if (!this.policy.cron && o.config.refresh_interval_minutes * 60_000 < minIntervalMs) {
      this.log.warn('refresh_interval_minutes is shorter than the panel allows; refreshing at the panel minimum', {
        panel: o.panel.id,
        minimum_seconds: o.panel.minRefreshIntervalSeconds,
      });
    }
  }

  private now(): Date {
    return this.o.clock.now();
  }

  /** Reconcile, show a cached photo if the panel has none of ours, then schedule ticks and syncs. */
  async start(): Promise<void> {
    if (this.started) throw new Error('the frame service is already started');
    this.started = true;
    this.state = await readServiceState(this.paths);
    Object.assign(this.state, {
      running: true,
      pid: this.o.pid ?? process.pid,
      started_at: this.now().toISOString(),
      panel: this.o.panel.id,
      transport: this.o.config.transport,
      sync_running: false,
      sync_disabled: null,
    });
    // Offline first: storage that cannot be written (read-only, full) disables syncing, not the frame.
    await this.library.ensureDirs().catch((err: unknown) => this.storageTrouble(err, 'create the library folders'));
    // Saved at once: `status` should see a running frame before its first refresh (30 s on a Pi).
    await this.save();
    await this.reconcile();
    this.panel = await this.o.openPanel();

    if (this.state.panel_shows) {
      this.log.info('the panel still shows our photo; waiting for the next tick', {
        photo: this.state.panel_shows.photo,
      });
      this.scheduleTick();
    } else {
      await this.enqueueRefresh('start');
    }
    this.scheduleSyncFrom(await this.readLibraryMetadata().catch(() => null));
    await this.save();
  }

  /** A storage failure outside a sync: logged and put in the status; the frame goes on. */
  private storageTrouble(err: unknown, doing: string): void {
    if (!(err instanceof StorageError)) throw err;
    this.log.warn(`cannot ${doing}; showing the cached photos, syncs wait for writable storage`, {
      error: describeError(err),
    });
    this.state.sync_disabled = this.log.redact(describeError(err));
  }

  /** Start-up reconciliation under the sync lock; skipped when a sync elsewhere holds it. */
  private async reconcile(): Promise<void> {
    let report;
    try {
      report = await this.library.reconcile();
    } catch (err) {
      this.storageTrouble(err, 'reconcile the library');
      return;
    }
    if (!report) {
      this.log.info('a sync is running in another process; it reconciles the library itself');
      return;
    }
    this.log.info('library reconciled', {
      temps_removed: report.tempsRemoved.length,
      adopted: report.adopted.length,
      removed: report.unknownRemoved.length,
      refetch: report.entriesDropped.length,
      rebuilt: report.corruptMovedTo !== null,
    });
  }

  /** A button: short = next photo now (as soon as the panel allows), long = sync now. */
  press(kind: PressKind): void {
    if (this.stopped) return;
    if (kind === 'long') {
      this.log.info('button: long press, syncing now');
      void this.runSync(true);
      return;
    }
    const at = earliestManualRefresh(this.policy.minIntervalMs, this.lastRefreshAt(), this.now());
    this.manualTimer?.cancel();
    if (at.getTime() > this.now().getTime()) {
      this.log.info('button: next photo as soon as the panel allows', { at: at.toISOString() });
    } else {
      this.log.info('button: next photo');
    }
    this.manualTimer = this.o.clock.at(at, () => {
      this.manualTimer = null;
      void this.enqueueRefresh('button');
    });
  }

  /** Finish the refresh in progress, stop the sync, release the panel, save the state. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of [this.refreshTimer, this.manualTimer, this.syncTimer]) t?.cancel();
    this.abort.abort(new Error('the frame is stopping'));
    await this.panelWork;
    await this.sync?.catch(() => {});
    if (this.panel) {
      // Every refresh already ends in deep sleep; close() releases the lines (and the HAT's power).
      await this.panel
        .close()
        .catch((err: unknown) => this.log.warn('closing the panel failed', { error: describeError(err) }));
      this.panel = null;
    }
    if (this.state) {
      Object.assign(this.state, { running: false, next_refresh: null, next_sync: null, sync_running: false });
      await this.save();
    }
    this.log.info('frame stopped');
  }

  /** Resolves when no refresh and no sync is in flight (tests, and a clean stop). */
  async idle(): Promise<void> {
    for (;;) {
      const work = this.panelWork;
      const sync = this.sync;
      await work;
      await sync?.catch(() => {});
      if (work === this.panelWork && sync === this.sync) return;
    }
  }

  get status(): Readonly<ServiceState> {
    return this.state;
  }

  private lastRefreshAt(): Date | null {
    return this.state.last_refresh ? new Date(this.state.last_refresh.at) : null;
  }

  private enqueueRefresh(reason: string): Promise<void> {
    // A refresh queued behind the one in progress when SIGTERM came is dropped, not run.
    const run = this.panelWork.then(() => (this.stopped ? undefined : this.refresh(reason)));
    this.panelWork = run.catch((err: unknown) => {
      this.log.error('refresh failed', { reason, error: describeError(err) });
    });
    return this.panelWork;
  }

  private async refresh(reason: string): Promise<void> {
    this.refreshTimer?.cancel();
    const attemptAt = this.now();
    try {
      for (let attempt = 0; attempt < RENDER_ATTEMPTS; attempt++) {
        let selection;
        try {
          selection = await this.library.nextSelection();
        } catch (err) {
          if (!(err instanceof EmptyLibraryError)) throw err;
          this.state.last_refresh_error = 'no photos yet: waiting for the first sync';
          this.log.info('nothing to show yet; the panel is left alone until photos arrive');
          return;
        }
        let rendered;
        try {
          rendered = await renderSelection(selection, {
            // Read at every refresh: inks saved by `calibrate --save` count from the next photo on.
            panel: await framePanel(this.o.panel, this.paths, (m) => this.log.warn(m)),
            rotate: this.renderOptions.rotate,
            pairs: this.frameOptions.portraitPairs,
            timeZone: this.o.selection?.timeZone,
            options: { ...this.renderOptions, ...this.frameOptions, now: this.now() },
          });
        } catch (err) {
          if (!(err instanceof RenderError)) throw err;
          this.log.warn('cannot render a photo; trying the next one', { error: describeError(err) });
          continue;
        }
        const { frame, paths, partner } = rendered;
        for (const f of frame.failed) {
          this.log.warn('one photo of a pair cannot be rendered; showing the other alone', {
            error: describeError(f.error),
          });
        }
        await this.showOnPanel(frame.buffer);
        if (partner) await this.library.markShown(partner.id);
        const shown = { at: this.now().toISOString(), photo: paths[0]!, reason };
        Object.assign(this.state, { last_refresh: shown, panel_shows: shown, last_refresh_error: null });
        this.log.info('photo shown', { photo: paths[0], ...(paths[1] ? { partner: paths[1] } : {}), reason });
        return;
      }
      this.state.last_refresh_error = `${RENDER_ATTEMPTS} photos in a row could not be rendered`;
    } catch (err) {
      this.state.last_refresh_error = this.log.redact(describeError(err));
      throw err;
    } finally {
      this.scheduleTick(attemptAt);
      await this.save();
    }
  }

  /** Push a frame; a panel that stops answering is reset (reopened) and tried once more. */
  private async showOnPanel(buffer: Uint8Array): Promise<void> {
    if (!this.panel) this.panel = await this.o.openPanel();
    try {
      await this.panel.show(buffer);
    } catch (err) {
      if (!(err instanceof PanelBusyTimeoutError)) throw err;
      this.state.panel_error = `${this.now().toISOString()} ${this.log.redact(describeError(err))}`;
      this.state.panel_resets += 1;
      this.log.warn('the panel stopped answering; resetting it and trying again', { error: describeError(err) });
      await this.panel.close().catch(() => {});
      this.panel = null;
      this.panel = await this.o.openPanel();
      await this.panel.show(buffer);
    }
  }

  /** Arm the next tick, counted from the last refresh (or from a refresh attempt that showed nothing). */
  private scheduleTick(attemptAt?: Date): void {
    if (this.stopped) return;
    this.refreshTimer?.cancel();
    const last = this.lastRefreshAt();
    const from = attemptAt && (!last || attemptAt > last) ? attemptAt : last;
    // With nothing shown yet, an attempt still counts, so an empty library does not spin.
    const at = nextRefreshAt(this.policy, from, this.now());
    this.state.next_refresh = at.toISOString();
    this.refreshTimer = this.o.clock.at(at, () => {
      this.refreshTimer = null;
      void this.enqueueRefresh('tick');
    });
  }

  /**
   * Arm the next sync from what the metadata says. Right after a sync that is still "due" (every
   * download failed, say), wait a backoff instead of hammering the server in a loop.
   */
  private scheduleSyncFrom(metadata: LibraryMetadata | null, opts: { afterSync?: boolean } = {}): void {
    const due = this.library.syncDue(metadata);
    if (!due.due) {
      if (opts.afterSync) this.state.sync_failures = 0;
      this.scheduleSync(due.nextDue);
    } else if (opts.afterSync) {
      this.state.sync_failures += 1;
      const delay = syncRetryDelayMs(this.state.sync_failures, this.o.config.sync_interval_hours, this.o.rng);
      this.log.warn('the library is still incomplete after the sync; trying again later', {
        reason: due.reason,
        retry_in_s: Math.round(delay / 1000),
      });
      this.scheduleSync(new Date(this.now().getTime() + delay));
    } else {
      this.log.info('a sync is due', { reason: due.reason });
      void this.runSync(false);
    }
  }

  /** `force`: a retry of a forced sync (a long press) is forced too, or it might find nothing due. */
  private scheduleSync(at: Date, force = false): void {
    if (this.stopped) return;
    this.syncTimer?.cancel();
    this.state.next_sync = at.toISOString();
    this.syncTimer = this.o.clock.at(at, () => {
      this.syncTimer = null;
      void this.runSync(force);
    });
  }

  /** Run one sync in the background; a second request while one runs joins it. */
  private runSync(force: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.sync) {
      const quietMs = this.now().getTime() - this.syncProgressAt;
      if (force && this.syncAbort && quietMs >= (this.o.syncStallMs ?? DEFAULT_SYNC_STALL_MS)) {
        this.log.warn('the running sync made no progress; abandoning it and syncing again', {
          quiet_s: Math.round(quietMs / 1000),
        });
        this.syncAbort.abort(
          new DeadlineError(
            `the sync made no progress for ${Math.round(quietMs / 60_000)} min and was abandoned at a long press`,
          ),
        );
        return this.sync.then(() => this.runSync(true));
      }
      if (force) this.log.info('a sync is already running');
      return this.sync;
    }
    this.syncTimer?.cancel();
    this.state.sync_running = true;
    this.state.next_sync = null;
    const run = this.syncOnce(force).finally(() => {
      this.sync = null;
    });
    this.sync = run;
    return run;
  }

  private async syncOnce(force: boolean): Promise<void> {
    const source = this.o.createSource();
    const own = new AbortController();
    this.syncAbort = own;
    this.syncProgressAt = this.now().getTime();
    const deadlineMs = this.o.syncDeadlineMs ?? DEFAULT_SYNC_DEADLINE_MS;
    const watchdog = this.o.clock.at(new Date(this.now().getTime() + deadlineMs), () =>
      own.abort(
        new DeadlineError(
          `the sync did not finish within ${Math.round(deadlineMs / 60_000)} min and was abandoned; the photos it fetched are kept`,
        ),
      ),
    );
    let outcome: SyncOutcome | null = null;
    let hadPhotos = false;
    try {
      // Inside the try: a metadata file that turned unreadable fails this sync, not the process.
      hadPhotos = photoCount(await this.readLibraryMetadata()) > 0;
      outcome = await this.library.sync(source, {
        force,
        signal: AbortSignal.any([this.abort.signal, own.signal]),
        onProgress: () => (this.syncProgressAt = this.now().getTime()),
      });
      this.state.sync_disabled = null;
      if (outcome.kind === 'synced') {
        const r = outcome.result;
        const summary = `${r.added} added, ${r.updated} updated, ${r.removed} removed, ${r.kept} kept${r.failed ? `, ${r.failed} failed` : ''}`;
        this.state.last_sync = { at: this.now().toISOString(), ok: r.failed === 0, summary };
      }
    } catch (caught) {
      if (this.stopped) return;
      // Abandoned (deadline, long press): the reason, not the AbortError it surfaced as.
      const err: unknown = own.signal.aborted ? own.signal.reason : caught;
      const busy = err instanceof LibraryBusyError;
      if (!busy) this.state.sync_failures += 1;
      if (err instanceof StorageError && !busy) this.state.sync_disabled = this.log.redact(describeError(err));
      this.state.last_sync = { at: this.now().toISOString(), ok: false, summary: this.log.redact(describeError(err)) };
      const delay = busy
        ? BUSY_RETRY_MS
        : syncRetryDelayMs(this.state.sync_failures, this.o.config.sync_interval_hours, this.o.rng);
      this.log.error('sync failed; the frame keeps showing cached photos', {
        error: describeError(err),
        retry_in_s: Math.round(delay / 1000),
      });
      this.scheduleSync(new Date(this.now().getTime() + delay), force);
      return;
    } finally {
      watchdog.cancel();
      if (this.syncAbort === own) this.syncAbort = null;
      this.state.sync_running = false;
      await source.close().catch(() => {});
      await this.save();
    }
    if (this.stopped) return;
    if (outcome.kind === 'not-due') {
      this.state.sync_failures = 0;
      this.scheduleSync(outcome.nextDue);
      await this.save();
      return;
    }
    const metadata = await this.readLibraryMetadata().catch(() => null);
    this.scheduleSyncFrom(metadata, { afterSync: true });
    // The first photos arrived: show one now rather than at the next tick.
    if (!hadPhotos && !this.state.panel_shows && photoCount(metadata) > 0) void this.enqueueRefresh('first photos');
    await this.save();
  }

  private readLibraryMetadata(): Promise<LibraryMetadata | null> {
    return this.library.metadata();
  }

  private async save(): Promise<void> {
    try {
      await writeServiceState(this.paths, this.state);
    } catch (err) {
      // The frame keeps working on a full or read-only disk; it only forgets what it showed.
      this.log.warn('cannot save the service state', { error: describeError(err) });
    }
  }
}
