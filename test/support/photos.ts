// Selectable photos with metadata records for the selection suites (pure data, no files).
import { emptyPhotoInfo, type PhotoInfo } from '../../src/library/photo-info.js';
import type { SelectablePhoto } from '../../src/library/selection/select.js';

export function info(over: Partial<PhotoInfo> = {}): PhotoInfo {
  return { ...emptyPhotoInfo(), width: 4000, height: 3000, orientation: 1, ...over };
}

/** A photo taken at `capturedAt` (local time = UTC unless `info.local_date_time` says otherwise). */
export function photo(id: string, capturedAt: string, over: Partial<PhotoInfo> = {}): SelectablePhoto {
  return {
    id,
    path: `/photos/${id}.jpg`,
    capturedAt,
    info: info({ local_date_time: capturedAt, ...over }),
  };
}

export const ALICE = { id: 'p-alice', name: 'Alice Example', hidden: false };
export const BOB = { id: 'p-bob', name: 'Bob', hidden: false };
export const CAROL = { id: 'p-carol', name: 'Carol Example', hidden: true };
