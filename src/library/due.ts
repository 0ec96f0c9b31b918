// When a sync is due: a pure decision from the metadata, the config and the clock, so the
// service, `sync` and `status` all answer the same way.
import type { PhotoSize } from '../immich/types.js';
import type { LibraryMetadata } from './metadata.js';
import { serverHost } from './server-host.js';

/** After a sync that left photos behind (failed downloads), try again sooner than the interval. */
export const RETRY_AFTER_FAILURES_MS = 60 * 60 * 1000;

export type DueReason =
  | 'forced'
  | 'first run'
  | 'no photos yet'
  | 'interrupted sync'
  | 'album changed'
  | 'server changed'
  | 'photo_size changed'
  | 'max_photos changed'
  | 'timeline changed'
  | 'interval passed'
  | 'retrying failed photos';

export type SyncDue = { due: true; reason: DueReason } | { due: false; nextDue: Date };

/** The settings a sync depends on (the config keys of the same names). */
export interface DueConfig {
  album_id: string;
  /** Several albums (issue 11); when non-empty it replaces album_id. */
  album_ids?: readonly string[];
  immich_url: string;
  photo_size: PhotoSize;
  max_photos: number;
  sync_interval_hours: number;
  /** Whole-library mode: keep archived photos / every member of a stack (issue 10). */
  include_archived?: boolean;
  include_stacked?: boolean;
}

/** What the whole-library listing kept, as the metadata records it. A library synced before the
 * timeline rule (no record) kept everything, so a sync after the upgrade applies the rule. */
export function timelineOf(m: { timeline?: { include_archived: boolean; include_stacked: boolean } | undefined }) {
  return m.timeline ?? { include_archived: true, include_stacked: true };
}

/** The albums a sync covers, sorted; [] = the whole library. */
export function albumScope(c: { album_id: string; album_ids?: readonly string[] | undefined }): string[] {
  const ids = c.album_ids && c.album_ids.length > 0 ? [...c.album_ids] : c.album_id ? [c.album_id] : [];
  return ids.sort();
}

/** What the decision reads of the metadata: a few fields and a count, so that a sync that has not
 * parsed the metadata (no-change.ts keeps these beside the digest of its bytes) decides alike. */
export interface DueFacts {
  last_sync: string | null;
  interrupted: boolean;
  /** albumScope of the metadata. */
  albums: string[];
  server_host: string | null;
  photo_size: PhotoSize;
  max_photos: number;
  photos: number;
  /** The last result's failed photos and listed images; null without a last result. */
  last_failed: number | null;
  last_remote_total: number | null;
  timeline: { include_archived: boolean; include_stacked: boolean };
}

export function dueFacts(m: LibraryMetadata): DueFacts {
  return {
    last_sync: m.last_sync,
    interrupted: m.sync_in_progress !== null,
    albums: albumScope(m),
    server_host: m.server_host,
    photo_size: m.photo_size,
    max_photos: m.max_photos,
    photos: Object.keys(m.synced_assets).length,
    last_failed: m.last_result?.failed ?? null,
    last_remote_total: m.last_result?.remote_total ?? null,
    timeline: timelineOf(m),
  };
}

export function isSyncDue(input: {
  metadata: LibraryMetadata | DueFacts | null;
  config: DueConfig;
  now: Date;
  force?: boolean;
}): SyncDue {
  const { config, now } = input;
  const m = input.metadata === null || !('synced_assets' in input.metadata) ? input.metadata : dueFacts(input.metadata);
  if (input.force) return { due: true, reason: 'forced' };
  if (!m || m.last_sync === null) return { due: true, reason: 'first run' };
  if (m.interrupted) return { due: true, reason: 'interrupted sync' };
  if (m.albums.join(',') !== albumScope(config).join(',')) return { due: true, reason: 'album changed' };
  if (m.server_host !== null && m.server_host !== serverHost(config.immich_url)) {
    return { due: true, reason: 'server changed' };
  }
  if (m.photo_size !== config.photo_size) return { due: true, reason: 'photo_size changed' };
  if (m.max_photos !== config.max_photos) return { due: true, reason: 'max_photos changed' };
  // An album that was empty at the last sync is not "no photos yet": wait for the interval.
  if (m.photos === 0 && (m.last_remote_total ?? 1) > 0) return { due: true, reason: 'no photos yet' };
  if (albumScope(config).length === 0) {
    const kept = m.timeline;
    if (
      kept.include_archived !== (config.include_archived ?? false) ||
      kept.include_stacked !== (config.include_stacked ?? false)
    ) {
      return { due: true, reason: 'timeline changed' };
    }
  }

  const last = Date.parse(m.last_sync);
  const interval = config.sync_interval_hours * 3_600_000;
  const failed = (m.last_failed ?? 0) > 0;
  const wait = failed ? Math.min(interval, RETRY_AFTER_FAILURES_MS) : interval;
  const nextDue = new Date(last + wait);
  // A clock that jumped backwards (a Pi without RTC before NTP) must not postpone syncs forever.
  if (now.getTime() >= nextDue.getTime() || now.getTime() < last) {
    return { due: true, reason: failed ? 'retrying failed photos' : 'interval passed' };
  }
  return { due: false, nextDue };
}
