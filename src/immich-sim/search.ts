// POST /api/search/metadata as the recordings and history.ts describe it: album or library scope,
// trashed left out unless withDeleted, the visibility default of the dialect, fileCreatedAt order,
// page/size paging with `nextPage` as a string. Pure: data in, a page out.
import type { Dialect } from './history.js';
import type { SimAsset, SimLibrary } from './library.js';
import type { SearchRequest } from './validation.js';

export const DEFAULT_PAGE_SIZE = 250;

export type SearchOutcome =
  | { ok: true; items: SimAsset[]; nextPage: string | null }
  | { ok: false; reason: 'album-access' };

function visibleByDefault(asset: SimAsset, req: SearchRequest, dialect: Dialect): boolean {
  if (dialect.visibility) {
    if (req.visibility) return asset.visibility === req.visibility;
    if (dialect.searchArchivedDefault === 'all-but-locked') return asset.visibility !== 'locked';
    return asset.visibility === 'timeline';
  }
  // Before `visibility`, hidden and locked did not exist as such; only archive matters.
  if (asset.visibility === 'hidden' || asset.visibility === 'locked') return false;
  const archived = asset.visibility === 'archive';
  if (req.isArchived !== undefined) return archived === req.isArchived;
  return req.withArchived === true || !archived;
}

export function searchAssets(req: SearchRequest, library: SimLibrary, dialect: Dialect, userId: string): SearchOutcome {
  let candidates: SimAsset[];
  const albumIds = dialect.searchAlbumIds ? req.albumIds : undefined;
  if (albumIds && albumIds.length > 0) {
    const ids = new Set<string>();
    for (const albumId of albumIds) {
      const album = library.albums.get(albumId);
      if (!album || !library.userCanReadAlbum(userId, album)) return { ok: false, reason: 'album-access' };
      for (const id of album.assetIds) ids.add(id);
    }
    candidates = [...ids].flatMap((id) => {
      const a = library.assets.get(id);
      return a ? [a] : [];
    });
    if (dialect.searchAlbumOwnAssetsOnly) candidates = candidates.filter((a) => a.ownerId === userId);
  } else {
    candidates = [...library.assets.values()].filter((a) => a.ownerId === userId);
  }

  const matching = candidates.filter(
    (a) =>
      (req.withDeleted === true || !a.trashed) &&
      (req.type === undefined || a.type === req.type) &&
      visibleByDefault(a, req, dialect),
  );
  const direction = req.order === 'asc' ? 1 : -1;
  matching.sort((x, y) => {
    if (x.fileCreatedAt !== y.fileCreatedAt) return x.fileCreatedAt < y.fileCreatedAt ? -direction : direction;
    return x.id < y.id ? -1 : 1;
  });

  const size = req.size ?? DEFAULT_PAGE_SIZE;
  const page = req.page ?? 1;
  const start = (page - 1) * size;
  const items = matching.slice(start, start + size);
  const nextPage = start + size < matching.length ? String(page + 1) : null;
  return { ok: true, items, nextPage };
}
