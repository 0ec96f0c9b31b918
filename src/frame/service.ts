// The frame: one long-running loop that shows a cached photo at once (offline first), refreshes on
// schedule or at a button press, and keeps the library in sync in the background. The panel is
// used by one refresh at a time; a sync never blocks or delays a refresh.
import type { Panel } from '../../drivers/driver.js';
import type { PanelProfile } from '../../drivers/panels.js';
import { framePng } from '../../drivers/virtual-panel.js';
import type { PressKind } from './buttons.js';
import type {
  CommandOutcome,
  Door,
  FrameCommand,
  FrameControl,
  FrameEvent,
  FrameListener,
  FrameStatus,
  ShownFrame,
  ShownPhoto,
} from './control.js';
import type { Clock, Timer } from '../core/clock.js';
import {
  DeadlineError,
  EmptyLibraryError,
  LibraryBusyError,
  PanelBusyTimeoutError,
  StorageError,
  describeError,
} from '../core/errors.js';
import type { AssetSource } from '../immich/types.js';
import { Library } from '../library/library.js';
import type { SelectionFilters } from '../library/selection/options.js';
import type { LibraryMetadata } from '../library/metadata.js';
import type { SyncConfig, SyncOutcome } from '../library/sync.js';
import type { Logger } from '../core/log.js';
import { pickAndRender, renderPhotos, type RenderedSelection } from './compose.js';
import type { Selection } from '../library/selection/state.js';
import type { SelectablePhoto } from '../library/selection/select.js';
import { photoFacts } from '../library/selection/facts.js';
import { type BatteryReading, type FrameHealth, readHealth } from './health.js';
// Inlined by the bundler: the version is package.json's, stated once.
import pkg from '../../package.json' with { type: 'json' };
import { RENDER_TIMEOUT_SECONDS } from '../render/render-limits.js';
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
import { calibratedPanel, framePanel, type InksFile } from '../calibration/inks-file.js';
import {
  photoPage,
  photoRecord,
  previewFilters,
  type FilterPreview,
  type PhotoPage,
  type PhotoRecord,
} from '../library/listing.js';
import type { RenderOptions } from '../render/options.js';
import { renderNotice } from './notice.js';

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
  /** The battery board's reading (power/), for health; none fitted by default. */
  battery?: () => Promise<BatteryReading | null>;
  /** A frame still drawing after this long is stopped and the next photo tried. Default 120 s. */
  renderDeadlineMs?: number;
  /** Run once (battery mode, power/cycle.ts): start() neither refreshes nor arms a timer; it works
   * out next_refresh and next_sync and saves them, and the wake cycle asks for what it wants. */
  wakeCycle?: boolean;
  /** A line set on the photo in place of its caption while it returns text ("battery low: charge me"). */
  notice?: () => string | null;
}

const DEFAULT_SYNC_DEADLINE_MS = 4 * 3_600_000;
const DEFAULT_SYNC_STALL_MS = 5 * 60_000;

function photoCount(metadata: LibraryMetadata | null): number {
  return metadata ? Object.keys(metadata.synced_assets).length : 0;
}

/** Frames remembered for "previous". */
const HISTORY = 20;
/** Another process (a `sync` from the CLI) holds the library lock: look again this much later. */
const BUSY_RETRY_MS = 60_000;

/** What a refresh shows: the next pick, one named photo, or a frame from the history. */
type RefreshTarget = { kind: 'next' } | { kind: 'photo'; id: string } | { kind: 'previous' };

function shownPhoto(p: SelectablePhoto): ShownPhoto {
  const f = photoFacts(p);
  return {
    id: p.id,
    path: p.path,
    capturedAt: f.capturedAt,
    localDateTime: f.localDateTime,
    people: f.people,
    place: f.placeText,
    description: f.description,
    favorite: f.favorite,
    rating: f.rating,
    albums: [],
  };
}

function inWords(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 || m >= 10 ? `${Math.round(s / 60)} min` : `${m} min ${s % 60} s`;
}

export class FrameService implements FrameControl {
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
  private readonly listeners = new Set<FrameListener>();
  /** The frame on the glass as this process knows it, its buffer, and its PNG once asked for. */
  private shown: ShownFrame | null = null;
  private shownBuffer: { buffer: Uint8Array; rotate: number } | null = null;
  private png: { seq: number; png: Promise<Buffer> } | null = null;
  private seq = 0;
  private readonly startedAt = Date.now();
  /** The ids of the frames shown, oldest first; "previous" walks back from `historyAt`. */
  private history: string[][] = [];
  private historyAt = -1;
  /** A notice (showNotice) is on the glass: ticks leave it until a door asks for a photo. */
  private notice = false;

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
      // A damaged photo found at a refresh makes a sync due within the hour: re-arm for it now,
      // so the refetch is prompt and status shows one next-sync time.
      onDamaged: () => {
        if (!this.sync)
          void this.readLibraryMetadata().then(
            (m) => this.scheduleSyncFrom(m),
            () => {},
          );
      },
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

    if (this.o.wakeCycle) {
      this.scheduleTick();
    } else if (this.state.panel_shows) {
      this.log.info('the panel still shows our photo; waiting for the next tick', {
        photo: this.state.panel_shows.photo,
      });
      const saved = this.state.panel_shows;
      const photos = await this.savedShownPhotos().catch(() => []);
      if (photos.length > 0) {
        this.shown = { seq: ++this.seq, at: saved.at, reason: saved.reason, why: null, photos: photos.map(shownPhoto) };
        this.history = [photos.map((p) => p.id)];
        this.historyAt = 0;
      }
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
    void this.command({ type: kind === 'long' ? 'sync' : 'next' }, 'button');
  }

  /**
   * The frame's one way in: every door (buttons, CLI, page, MQTT, the wake cycle) hands its command
   * here and learns what happened from the events. A refresh a command asks for waits for the
   * panel's minimum interval, and the outcome says when it will come.
   */
  async command(cmd: FrameCommand, door: Door): Promise<CommandOutcome> {
    if (this.stopped || !this.started)
      return { ok: false, command: cmd.type, code: 'FRAME_STOPPED', message: 'the frame is not running' };
    this.log.info(`${door}: ${cmd.type}`, 'photo' in cmd ? { photo: cmd.photo } : {});
    switch (cmd.type) {
      case 'next':
        return this.manualRefresh(cmd.type, { kind: 'next' }, door, 'next photo');
      case 'previous': {
        if (this.historyAt < 1)
          return {
            ok: false,
            command: 'previous',
            code: 'NO_PREVIOUS',
            message: 'no earlier photo in this session to go back to',
          };
        return this.manualRefresh(cmd.type, { kind: 'previous' }, door, 'previous photo');
      }
      case 'show': {
        if (!(await this.library.photo(cmd.photo))) return this.notFound('show', cmd.photo);
        return this.manualRefresh(cmd.type, { kind: 'photo', id: cmd.photo }, door, 'that photo');
      }
      case 'hide': {
        if (!(await this.library.photo(cmd.photo))) return this.notFound('hide', cmd.photo);
        await this.library.hide(cmd.photo);
        this.emitState();
        if (this.shown?.photos.some((p) => p.id === cmd.photo)) {
          const moved = this.manualRefresh('hide', { kind: 'next' }, door, 'the next photo');
          return { ...moved, message: `hidden; it will not be shown again. ${moved.message}` };
        }
        return { ok: true, command: 'hide', at: null, message: 'hidden; it will not be shown again' };
      }
      case 'unhide': {
        const was = await this.library.unhide(cmd.photo);
        this.emitState();
        return {
          ok: true,
          command: 'unhide',
          at: null,
          message: was ? 'shown again from the next round' : 'that photo was not hidden',
        };
      }
      case 'pause':
      case 'resume': {
        const paused = cmd.type === 'pause';
        if (this.state.paused !== paused) {
          this.state.paused = paused;
          if (paused) {
            this.refreshTimer?.cancel();
            this.refreshTimer = null;
            this.state.next_refresh = null;
          } else this.scheduleTick();
          await this.save();
          this.emitState();
        }
        return {
          ok: true,
          command: cmd.type,
          at: null,
          message: paused ? 'paused: this photo stays until resumed' : 'resumed',
        };
      }
      case 'sync': {
        const running = this.sync !== null;
        void this.runSync(true);
        return {
          ok: true,
          command: 'sync',
          at: this.now().toISOString(),
          message: running ? 'a sync is already running' : 'syncing now',
        };
      }
    }
  }

  private notFound(command: 'show' | 'hide', id: string): CommandOutcome {
    return {
      ok: false,
      command,
      code: 'PHOTO_NOT_FOUND',
      message: `no photo ${JSON.stringify(id)} in the offline library`,
    };
  }

  /** A refresh a door asked for, as soon as the panel allows; a newer request replaces a waiting one. */
  private manualRefresh(
    command: FrameCommand['type'],
    target: RefreshTarget,
    door: Door,
    what: string,
  ): CommandOutcome & { ok: true } {
    return this.atPanelPace(command, what, () => void this.enqueueRefresh(door, target));
  }

  /** Run `work` (a refresh a door asked for) as soon as the panel allows; a newer request replaces
   * a waiting one, and the outcome says when. */
  private atPanelPace(
    command: FrameCommand['type'] | 'notice' | 'swatch',
    what: string,
    work: () => void,
  ): CommandOutcome & { ok: true } {
    const at = earliestManualRefresh(this.policy.minIntervalMs, this.lastRefreshAt(), this.now());
    this.manualTimer?.cancel();
    const waitMs = at.getTime() - this.now().getTime();
    this.manualTimer = this.o.clock.at(at, () => {
      this.manualTimer = null;
      work();
    });
    return {
      ok: true,
      command,
      at: at.toISOString(),
      message:
        waitMs > 0
          ? `${what} in ${inWords(waitMs)}: the panel needs ${inWords(this.policy.minIntervalMs)} between refreshes`
          : `${what} now`,
    };
  }

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: FrameEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // A door's trouble is its own: the frame goes on.
        this.log.warn('a door failed to take an event', { event: event.type, error: describeError(err) });
      }
    }
  }

  private emitState(): void {
    if (this.listeners.size > 0) this.emit({ type: 'state', status: this.snapshot() });
  }

  snapshot(): FrameStatus {
    const last = this.lastRefreshAt();
    const at = earliestManualRefresh(this.policy.minIntervalMs, last, this.now());
    return {
      ...this.state,
      paused: this.state.paused,
      next_possible_refresh: at.getTime() > this.now().getTime() ? at.toISOString() : null,
      shown: this.shown,
    };
  }

  health(): Promise<FrameHealth> {
    return readHealth({
      paths: this.paths,
      status: this.snapshot(),
      version: pkg.version,
      startedAt: this.startedAt,
      now: this.now(),
      ...(this.o.battery ? { battery: this.o.battery } : {}),
    });
  }

  /** The PNG of what the glass shows; after a restart that found our photo on the glass, drawn
   * again from the photos the saved state names (once, on first asking). */
  async framePng(): Promise<{ png: Buffer; frame: ShownFrame } | null> {
    if (!this.shownBuffer) await this.redrawShown();
    const frame = this.shown;
    const shown = this.shownBuffer;
    if (!frame || !shown) return null;
    if (this.png?.seq !== frame.seq) {
      this.png = { seq: frame.seq, png: framePng(shown.buffer, await this.inkedPanel(), { rotate: shown.rotate }) };
    }
    return { png: await this.png.png, frame };
  }

  /** The photos the saved state says are on the glass (a restart that left our photo there). */
  private async savedShownPhotos(): Promise<SelectablePhoto[]> {
    const ids = this.state?.panel_shows?.ids ?? [];
    return (await Promise.all(ids.map((id) => this.library.photo(id)))).filter((p): p is SelectablePhoto => p !== null);
  }

  /** Draw the frame on the glass again from the saved state's photos, for its PNG. */
  private async redrawShown(): Promise<void> {
    const seq = this.shown?.seq;
    if (!this.shown || this.shownBuffer) return;
    const photos = await this.savedShownPhotos();
    if (photos.length === 0) return;
    const rendered = await renderPhotos(photos, {
      panel: await this.inkedPanel(),
      options: this.renderInput(),
      stop: this.renderStop(),
    }).catch(() => null);
    // A refresh that came meanwhile drew its own.
    if (!rendered || this.shown?.seq !== seq || this.shownBuffer) return;
    this.shownBuffer = { buffer: rendered.frame.buffer, rotate: rendered.frame.rotate };
  }

  private renderStop() {
    return { deadlineMs: this.o.renderDeadlineMs ?? RENDER_TIMEOUT_SECONDS * 1000, signal: this.abort.signal };
  }

  /** The panel with this frame's own inks when it has them: read at every render, so inks saved
   * by `calibrate --save` count from the next photo on. */
  private inkedPanel() {
    return framePanel(this.o.panel, this.paths, (m) => this.log.warn(m));
  }

  private async hiddenIds(): Promise<Set<string>> {
    return new Set((await this.library.hidden()).map((h) => h.id));
  }

  async photos(offset: number, limit: number): Promise<PhotoPage> {
    return photoPage(this.paths, offset, limit, await this.hiddenIds());
  }

  async photo(id: string): Promise<PhotoRecord | null> {
    return photoRecord(this.paths, id, await this.hiddenIds());
  }

  async previewFilters(filters: SelectionFilters, limit: number): Promise<FilterPreview> {
    return previewFilters(this.paths, filters, {
      now: this.now(),
      timeZone: this.o.selection?.timeZone,
      hidden: await this.hiddenIds(),
      limit,
    });
  }

  /** Off the panel's queue: sharp works on its own threads, so a refresh is not held up by it. */
  async previewFrame(
    options: Partial<RenderOptions> & Partial<FrameOptions>,
    inks?: 'catalogue' | InksFile,
  ): Promise<Buffer | null> {
    // While the glass shows a sheet (the swatch being photographed, a notice), the last photo shown.
    const ids = this.shown?.photos.length
      ? this.shown.photos.map((p) => p.id)
      : (this.history[this.historyAt] ?? this.state?.panel_shows?.ids ?? []);
    const found = (await Promise.all(ids.map((id) => this.library.photo(id)))).filter(
      (p): p is SelectablePhoto => p !== null,
    );
    const photos = options.portraitPairs === false ? found.slice(0, 1) : found;
    if (photos.length === 0) return null;
    const panel =
      inks === 'catalogue' ? this.o.panel : inks ? calibratedPanel(this.o.panel, inks) : await this.inkedPanel();
    const rendered = await renderPhotos(photos, {
      panel,
      options: { ...this.renderInput(), ...options },
      stop: this.renderStop(),
    });
    return framePng(rendered.frame.buffer, panel, { rotate: rendered.frame.rotate });
  }

  showNotice(text: string, door: Door): Promise<CommandOutcome> {
    if (this.stopped || !this.started) return Promise.resolve(this.notRunning('notice'));
    this.log.info(`${door}: notice on the glass`);
    return Promise.resolve(
      this.atPanelPace('notice', 'notice', () => {
        void this.enqueueSheet('notice', async () => renderNotice(text, await this.inkedPanel(), this.renderOptions));
      }),
    );
  }

  showSwatch(door: Door): Promise<CommandOutcome> {
    if (this.stopped || !this.started) return Promise.resolve(this.notRunning('swatch'));
    this.log.info(`${door}: the calibration swatch on the glass`);
    return Promise.resolve(
      this.atPanelPace('swatch', 'the calibration swatch', () => {
        void this.enqueueSheet('swatch', async () => {
          // Loaded on first use: a frame that is never calibrated never loads it.
          const { drawSwatch } = await import('../calibration/swatch.js');
          const rotate = this.renderOptions.rotate;
          return { buffer: drawSwatch(this.o.panel, rotate).buffer, rotate };
        });
      }),
    );
  }

  private notRunning(command: 'notice' | 'swatch'): CommandOutcome {
    return { ok: false, command, code: 'FRAME_STOPPED', message: 'the frame is not running' };
  }

  /** A sheet on the glass instead of a photo (a notice, the swatch): ticks leave it until a door asks for a photo. */
  private enqueueSheet(
    reason: 'notice' | 'swatch',
    draw: () => Promise<{ buffer: Uint8Array; rotate: number }>,
  ): Promise<void> {
    const run = this.panelWork.then(async () => {
      if (this.stopped) return;
      const frame = await draw();
      await this.showOnPanel(frame.buffer);
      const at = this.now().toISOString();
      this.notice = true;
      // Not a photo: a restart shows a photo again rather than believing the glass holds one.
      Object.assign(this.state, {
        last_refresh: { at, photo: '', reason, ids: [] },
        panel_shows: null,
        last_refresh_error: null,
      });
      this.shown = { seq: ++this.seq, at, reason, why: null, photos: [] };
      this.shownBuffer = { buffer: frame.buffer, rotate: frame.rotate };
      await this.save();
      this.emit({ type: 'refreshed', frame: this.shown });
    });
    this.panelWork = run.catch((err: unknown) =>
      this.log.error(`the ${reason} could not be shown`, { error: describeError(err) }),
    );
    return this.panelWork;
  }

  private renderInput() {
    return { ...this.renderOptions, ...this.frameOptions, now: this.now() };
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

  private enqueueRefresh(reason: string, target: RefreshTarget = { kind: 'next' }): Promise<void> {
    // A refresh queued behind the one in progress when SIGTERM came is dropped, not run.
    const run = this.panelWork.then(() => (this.stopped ? undefined : this.refresh(reason, target)));
    this.panelWork = run.catch((err: unknown) => {
      this.log.error('refresh failed', { reason, error: describeError(err) });
      this.emit({ type: 'refresh-failed', at: this.now().toISOString(), message: this.log.redact(describeError(err)) });
    });
    return this.panelWork;
  }

  /** The selection a refresh shows; null when the photo it names is gone. */
  private async pick(target: RefreshTarget, reason: string): Promise<Selection | null> {
    if (target.kind === 'next') return this.library.nextSelection();
    if (target.kind === 'photo') return this.library.selectionOf(target.id, `chosen by ${reason}`);
    const ids = this.history[this.historyAt - 1];
    return ids ? this.library.selectionOf(ids[0]!, 'shown before') : null;
  }

  private async refresh(reason: string, target: RefreshTarget): Promise<void> {
    // A tick while paused leaves the photo; a door's own request still shows.
    if (reason === 'tick' && (this.state.paused || this.notice)) return;
    this.refreshTimer?.cancel();
    const attemptAt = this.now();
    const notice = this.o.notice?.() ?? null;
    try {
      let picked;
      try {
        picked = await pickAndRender(
          async () => {
            const selection = await this.pick(target, reason);
            if (!selection) throw new EmptyLibraryError('that photo is no longer in the offline library');
            return selection;
          },
          {
            panel: await this.inkedPanel(),
            rotate: this.renderOptions.rotate,
            pairs: this.frameOptions.portraitPairs,
            timeZone: this.o.selection?.timeZone,
            options: this.renderInput(),
            // Drawn in a child killed at the deadline or at SIGTERM: a runaway photo is skipped.
            stop: this.renderStop(),
            ...(notice ? { notice } : {}),
          },
          (err) => this.log.warn('cannot render a photo; trying the next one', { error: describeError(err) }),
          target.kind === 'next' ? undefined : 1,
        );
      } catch (err) {
        if (!(err instanceof EmptyLibraryError) || target.kind !== 'next') throw err;
        this.state.last_refresh_error = 'no photos yet: waiting for the first sync';
        this.log.info('nothing to show yet; the panel is left alone until photos arrive');
        return;
      }
      if (!picked) {
        this.state.last_refresh_error = `photos could not be rendered (${reason})`;
        this.emit({ type: 'refresh-failed', at: this.now().toISOString(), message: this.state.last_refresh_error });
        return;
      }
      await this.shownOnPanel(picked.selection, picked.rendered, reason, target);
    } catch (err) {
      this.state.last_refresh_error = this.log.redact(describeError(err));
      throw err;
    } finally {
      this.scheduleTick(attemptAt);
      await this.save();
    }
  }

  /** Put a rendered frame on the glass and tell every door. */
  private async shownOnPanel(
    selection: Selection,
    rendered: RenderedSelection,
    reason: string,
    target: RefreshTarget,
  ): Promise<void> {
    const { frame, paths, partner } = rendered;
    for (const f of frame.failed) {
      this.log.warn('one photo of a pair cannot be rendered; showing the other alone', {
        error: describeError(f.error),
      });
    }
    await this.showOnPanel(frame.buffer);
    this.notice = false;
    if (partner) await this.library.markShown(partner.id);
    else if (target.kind === 'photo') await this.library.markShown(selection.photo.id);
    const photos = partner ? [selection.photo, partner] : [selection.photo];
    const ids = photos.map((p) => p.id);
    const at = this.now().toISOString();
    const saved = { at, photo: paths[0]!, reason, ids };
    Object.assign(this.state, { last_refresh: saved, panel_shows: saved, last_refresh_error: null });
    if (target.kind === 'previous') this.historyAt -= 1;
    else {
      this.history = [...this.history.slice(0, this.historyAt + 1), ids].slice(-HISTORY);
      this.historyAt = this.history.length - 1;
    }
    this.shown = { seq: ++this.seq, at, reason, why: selection.reason, photos: photos.map(shownPhoto) };
    this.shownBuffer = { buffer: frame.buffer, rotate: frame.rotate };
    this.log.info('photo shown', { photo: paths[0], ...(paths[1] ? { partner: paths[1] } : {}), reason });
    this.emit({ type: 'refreshed', frame: this.shown });
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
      this.emit({ type: 'panel-trouble', at: this.now().toISOString(), message: this.log.redact(describeError(err)) });
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
    if (this.state.paused) {
      this.refreshTimer = null;
      this.state.next_refresh = null;
      return;
    }
    const last = this.lastRefreshAt();
    const from = attemptAt && (!last || attemptAt > last) ? attemptAt : last;
    // With nothing shown yet, an attempt still counts, so an empty library does not spin.
    const at = nextRefreshAt(this.policy, from, this.now());
    this.state.next_refresh = at.toISOString();
    if (this.o.wakeCycle) return;
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
      if (this.o.wakeCycle) this.state.next_sync = this.now().toISOString();
      else void this.runSync(false);
    }
  }

  /** `force`: a retry of a forced sync (a long press) is forced too, or it might find nothing due. */
  private scheduleSync(at: Date, force = false): void {
    if (this.stopped) return;
    this.syncTimer?.cancel();
    this.state.next_sync = at.toISOString();
    if (this.o.wakeCycle) return;
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
    this.emit({ type: 'sync-started', at: this.now().toISOString(), forced: force });
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
    const reportedBefore = this.state.last_sync;
    try {
      outcome = await this.library.sync(source, {
        force,
        signal: AbortSignal.any([this.abort.signal, own.signal]),
        onProgress: (event) => {
          this.syncProgressAt = this.now().getTime();
          if (this.listeners.size === 0) return;
          const counts =
            event.phase === 'download'
              ? { done: event.done, total: event.total }
              : event.phase === 'planned'
                ? { done: 0, total: event.downloads }
                : { done: 0, total: 0 };
          this.emit({ type: 'sync-progress', at: this.now().toISOString(), phase: event.phase, ...counts });
        },
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
      if (!this.stopped && this.state.last_sync && this.state.last_sync !== reportedBefore)
        this.emit({ type: 'sync-finished', ...this.state.last_sync });
    }
    if (this.stopped) return;
    if (outcome.kind === 'not-due') {
      this.state.sync_failures = 0;
      this.scheduleSync(outcome.nextDue);
      await this.save();
      return;
    }
    // The metadata as the sync wrote it: not read back from the disk.
    const metadata = outcome.kind === 'synced' ? outcome.metadata : await this.readLibraryMetadata().catch(() => null);
    this.scheduleSyncFrom(metadata, { afterSync: true });
    // The first photos arrived: show one now rather than at the next tick.
    const added = outcome.kind === 'synced' ? outcome.result.added : 0;
    const hadPhotos = photoCount(metadata) - added > 0;
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
