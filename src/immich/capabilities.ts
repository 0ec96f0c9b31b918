// What the client may ask of a server of a given version, and the searches that list an album or
// the whole library on it (facts and sources in ../immich-sim/history.ts). Pure.
import type { ServerVersion } from './types.js';

export const OLDEST_SUPPORTED: ServerVersion = { major: 1, minor: 106, patch: 0 };

export function versionAtLeast(v: ServerVersion, min: ServerVersion): boolean {
  if (v.major !== min.major) return v.major > min.major;
  if (v.minor !== min.minor) return v.minor > min.minor;
  return v.patch >= min.patch;
}

export function formatVersion(v: ServerVersion): string {
  return `v${v.major}.${v.minor}.${v.patch}`;
}

/** How a search without a visibility filter treats archived assets on this server. */
export type ArchivedInSearch =
  /** v1.106-v1.132: left out unless `withArchived: true`. */
  | 'with-archived-flag'
  /** v1.133-v2.x: `visibility` defaults to timeline; archive needs its own pass. */
  | 'visibility-passes'
  /** v3+: everything but locked. */
  | 'by-default';

export interface Capabilities {
  /** List an album through POST /api/search/metadata with `albumIds` (v3+). The property came in
   * v1.135, but older servers silently ignore it (returning the whole library) and v1.135-v2.x
   * leave out what other members added to a shared album; there the album route is complete. */
  searchByAlbum: boolean;
  /** GET /api/albums/{id} lists the album's assets (up to v2.x). */
  albumRouteHasAssets: boolean;
  archivedInSearch: ArchivedInSearch;
  /** GET /thumbnail?size=fullsize exists (v1.131+). */
  fullsize: boolean;
}

const at = (v: ServerVersion, major: number, minor: number) => versionAtLeast(v, { major, minor, patch: 0 });

export function capabilitiesOf(v: ServerVersion): Capabilities {
  return {
    searchByAlbum: at(v, 3, 0),
    albumRouteHasAssets: !at(v, 3, 0),
    archivedInSearch: at(v, 3, 0) ? 'by-default' : at(v, 1, 133) ? 'visibility-passes' : 'with-archived-flag',
    fullsize: at(v, 1, 131),
  };
}

/** The search bodies (without page and size) whose union is every image of the album or library,
 * archived ones included. */
export function searchPasses(caps: Capabilities, albumId: string | null): Record<string, unknown>[] {
  const base: Record<string, unknown> = albumId ? { albumIds: [albumId], type: 'IMAGE' } : { type: 'IMAGE' };
  switch (caps.archivedInSearch) {
    case 'with-archived-flag':
      return [{ ...base, withArchived: true }];
    case 'visibility-passes':
      return [
        { ...base, visibility: 'timeline' },
        { ...base, visibility: 'archive' },
      ];
    case 'by-default':
      return [base];
  }
}
