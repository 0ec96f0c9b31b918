// The offline library as the frame service sees it: one object over an instance folder that
// answers "is a sync due", runs a sync, reconciles at start-up and picks the next photo, so the
// service holds no knowledge of locks, metadata files or the order of a sync's steps.
import path from 'node:path';
import type { AssetSource } from '../immich/types.js';
import type { SyncProgress } from './apply.js';
import { LibraryBusyError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import { type SyncDue, isSyncDue } from './due.js';
import type { InstancePaths } from './instance.js';
import { acquireSyncLock } from './lock.js';
import { withUnchangedSyncs } from './attempts.js';
import type { LibraryMetadata } from './metadata.js';
import type { ReconcileReport } from './reconcile.js';
import type { SelectablePhoto } from './selection/select.js';
import {
  markShown,
  nextSelection,
  photoById,
  selectionOf,
  selectionStatus,
  type NextPhotoOptions,
  type Selection,
  type SelectionStatus,
} from './selection/state.js';
import type { SelectionMode } from './selection/select.js';
import { type HiddenPhoto, hidePhoto, readHidden, unhidePhoto } from './hidden.js';
import type { SelectionFilters } from './selection/options.js';
import { ensureLibraryDirs, readMetadata } from './store.js';
import type { SyncConfig, SyncOutcome } from './sync.js';
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
    return read.kind === 'ok' ? withUnchangedSyncs(this.paths, read.metadata) : null;
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
      const { reconcileLibrary } = await import('./reconcile.js');
      return (await reconcileLibrary(this.paths, { now: this.now(), logger: this.log })).report;
    } finally {
      await lock.release();
    }
  }

  /** One sync from `source` (lock, reconcile, list, plan, apply, record). The sync engine is
   * loaded here, not with the library: `next` and `show` pick without paying for it. */
  async sync(
    source: AssetSource,
    options: { force?: boolean; signal?: AbortSignal; onProgress?: (event: SyncProgress) => void } = {},
  ): Promise<SyncOutcome> {
    const { syncLibrary } = await import('./sync.js');
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

  /** What every pick is given: the filters, the zone, and the hide list as it is now. */
  private async pickOptions(): Promise<NextPhotoOptions> {
    const hidden = await readHidden(this.paths, this.log);
    return {
      rng: this.o.rng,
      logger: this.log,
      now: this.now,
      ...(this.o.filters ? { filters: this.o.filters } : {}),
      ...(this.o.timeZone ? { timeZone: this.o.timeZone } : {}),
      ...(hidden.length > 0 ? { exclude: new Set(hidden.map((h) => h.id)) } : {}),
    };
  }

  /**
   * The one pick every door goes through (the service's ticks and buttons, `next`, `show`, the
   * demo): the next photo with the filtered candidates (for a portrait partner: selection/pairs.ts)
   * and the reason it was picked. Hidden photos never come; the photo is checked against its
   * recorded SHA-1 first: a damaged one is dropped (and fetched again at the next sync) and the
   * next one is picked. `mode` overrides the config's selection_mode for this pick.
   */
  async nextSelection(options: { mode?: SelectionMode } = {}): Promise<Selection> {
    const pick = await this.pickOptions();
    for (let tries = 0; ; tries++) {
      const selection = await nextSelection(this.paths, options.mode ?? this.o.settings.selection_mode, pick);
      if (tries >= MAX_DAMAGED_SKIPS) return selection;
      const { id, sha1, path: file } = selection.photo;
      // The pick carries the recorded SHA-1: the check reads the photo, not the whole metadata again.
      const known = sha1 ? { sha1, localPath: path.relative(this.paths.photosDir, file) } : undefined;
      const verdict = await verifyPhoto(this.paths, id, this.log, known).catch(() => 'unknown');
      if (verdict !== 'damaged') return selection;
      this.o.onDamaged?.();
    }
  }

  /** The selection for one named photo (show this one, previous), hidden or filtered out or not:
   * a person asked for it. Null when the library has no such photo on disk. */
  async selectionOf(id: string, reason: string): Promise<Selection | null> {
    return selectionOf(this.paths, id, reason, await this.pickOptions());
  }

  /** One photo of the library by id, or null. */
  photo(id: string): Promise<SelectablePhoto | null> {
    return photoById(this.paths, id);
  }

  /** What the filters and the hide list let through now, in words and counts (offline). */
  async selectionStatus(): Promise<SelectionStatus> {
    const pick = await this.pickOptions();
    return selectionStatus(this.paths, {
      now: this.now(),
      ...(pick.filters ? { filters: pick.filters } : {}),
      ...(pick.timeZone ? { timeZone: pick.timeZone } : {}),
      ...(pick.exclude ? { exclude: pick.exclude } : {}),
    });
  }

  /** The hide list, oldest first. */
  hidden(): Promise<HiddenPhoto[]> {
    return readHidden(this.paths, this.log);
  }

  /** Never show `id` again (until unhidden); false when it was hidden already. */
  hide(id: string): Promise<boolean> {
    return hidePhoto(this.paths, id, this.now(), this.log);
  }

  /** Show `id` again; false when it was not hidden. */
  unhide(id: string): Promise<boolean> {
    return unhidePhoto(this.paths, id, this.log);
  }

  /** A partner shown beside the pick counts as shown in this round. */
  markShown(id: string): Promise<void> {
    return markShown(this.paths, id, this.log);
  }
}
