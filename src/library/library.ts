// The offline library as the frame service sees it: one object over an instance folder that
// answers "is a sync due", runs a sync, reconciles at start-up and picks the next photo, so the
// service holds no knowledge of locks, metadata files or the order of a sync's steps.
import type { AssetSource } from '../immich/types.js';
import type { SyncProgress } from './apply.js';
import { LibraryBusyError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import { type SyncDue, isSyncDue } from './due.js';
import type { InstancePaths } from './instance.js';
import { acquireSyncLock } from './lock.js';
import type { LibraryMetadata } from './metadata.js';
import { type ReconcileReport, reconcileLibrary } from './reconcile.js';
import type { SelectablePhoto } from './selection/select.js';
import { markShown, nextSelection, type Selection } from './selection/state.js';
import type { SelectionFilters } from './selection/options.js';
import { ensureLibraryDirs, readMetadata } from './store.js';
import { type SyncConfig, type SyncOutcome, syncLibrary } from './sync.js';
import { verifyPhoto } from './verify.js';

/** Damaged photos skipped in one pick before one is shown unchecked. */
const MAX_DAMAGED_SKIPS = 5;

export interface LibraryOptions {
  paths: InstancePaths;
  settings: SyncConfig;
  logger?: Logger;
  now?: () => Date;
  /** Random source for the `random` selection mode (tests fix it). */
  rng?: () => number;
  /** What narrows the photos shown (issue 11), and the user's zone for "on this day". */
  filters?: SelectionFilters;
  timeZone?: string;
  /** A photo was found damaged and dropped: a sync is due sooner (the caller re-arms its timer). */
  onDamaged?: () => void;
}

export class Library {
  readonly paths: InstancePaths;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly o: LibraryOptions) {
    this.paths = o.paths;
    this.log = o.logger ?? silentLogger;
    this.now = o.now ?? (() => new Date());
  }

  /** The instance and photos folders exist afterwards. */
  ensureDirs(): Promise<void> {
    return ensureLibraryDirs(this.paths);
  }

  /** The saved metadata, or null when there is none or it cannot be read (a sync rebuilds it). */
  async metadata(): Promise<LibraryMetadata | null> {
    const read = await readMetadata(this.paths);
    return read.kind === 'ok' ? read.metadata : null;
  }

  /** Whether a sync is due now, from metadata already read. */
  syncDue(metadata: LibraryMetadata | null): SyncDue {
    return isSyncDue({ metadata, config: this.o.settings, now: this.now() });
  }

  /**
   * Start-up reconciliation under the sync lock. Returns null when a sync in another process
   * holds the lock: that sync reconciles the folder itself.
   */
  async reconcile(): Promise<ReconcileReport | null> {
    let lock;
    try {
      lock = await acquireSyncLock(this.paths);
    } catch (err) {
      if (err instanceof LibraryBusyError) return null;
      throw err;
    }
    try {
      return (await reconcileLibrary(this.paths, { now: this.now(), logger: this.log })).report;
    } finally {
      await lock.release();
    }
  }

  /** One sync from `source` (lock, reconcile, list, plan, apply, record). */
  sync(
    source: AssetSource,
    options: { force?: boolean; signal?: AbortSignal; onProgress?: (event: SyncProgress) => void } = {},
  ): Promise<SyncOutcome> {
    return syncLibrary({
      paths: this.paths,
      source,
      config: this.o.settings,
      force: options.force,
      logger: this.log,
      signal: options.signal,
      onProgress: options.onProgress,
      now: this.now,
      runBy: 'service',
    });
  }

  /** The photo to show next in `settings.selection_mode`; remembered for the next pick. */
  async nextPhoto(): Promise<SelectablePhoto> {
    return (await this.nextSelection()).photo;
  }

  /** The next photo with the filtered candidates (for a portrait partner: selection/pairs.ts)
   * and the reason it was picked. The photo is checked against its recorded SHA-1 first: a
   * damaged one is dropped (and fetched again at the next sync) and the next one is picked. */
  async nextSelection(): Promise<Selection> {
    for (let tries = 0; ; tries++) {
      const selection = await nextSelection(this.paths, this.o.settings.selection_mode, {
        rng: this.o.rng,
        logger: this.log,
        now: this.now,
        ...(this.o.filters ? { filters: this.o.filters } : {}),
        ...(this.o.timeZone ? { timeZone: this.o.timeZone } : {}),
      });
      if (tries >= MAX_DAMAGED_SKIPS) return selection;
      const verdict = await verifyPhoto(this.paths, selection.photo.id, this.log).catch(() => 'unknown');
      if (verdict !== 'damaged') return selection;
      this.o.onDamaged?.();
    }
  }

  /** A partner shown beside the pick counts as shown in this round. */
  markShown(id: string): Promise<void> {
    return markShown(this.paths, id, this.log);
  }
}
