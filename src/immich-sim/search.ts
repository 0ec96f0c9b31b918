// POST /api/search/metadata as the recordings and history.ts describe it: album or library scope,
// trashed left out unless withDeleted, the visibility default of the dialect, fileCreatedAt order,
// page/size paging with `nextPage` as a string. Pure: data in, a page out.
import type { Dialect } from './history.js';
import type { SimAsset, SimLibrary } from './library.js';
import type { SearchRequest } from './validation.js';

export const DEFAULT_PAGE_SIZE = 250;

export type SearchOutcome =
  | { ok: true; items: SimAsset[]; nextPage: string | null; nextCursor?: string | null }
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
      (req.withStacked !== false || a.stackId === null) &&
      visibleByDefault(a, req, dialect),
  );
  const direction = req.order === 'asc' ? 1 : -1;
  matching.sort((x, y) => {
    if (x.fileCreatedAt !== y.fileCreatedAt) return x.fileCreatedAt < y.fileCreatedAt ? -direction : direction;
    return x.id < y.id ? -1 : 1;
  });

  const size = req.size ?? DEFAULT_PAGE_SIZE;
  // A cursor (v3.2+) names where the last page ended: here the offset, wrapped so a client cannot
  // mistake it for a page number. A page number still works.
  const fromCursor = dialect.searchCursor && req.cursor !== undefined ? decodeCursor(req.cursor) : null;
  const page = req.page ?? 1;
  const start = fromCursor ?? (page - 1) * size;
  const items = matching.slice(start, start + size);
  const more = start + size < matching.length;
  const nextPage = more ? String(Math.floor((start + size) / size) + 1) : null;
  if (!dialect.searchCursor) return { ok: true, items, nextPage };
  return { ok: true, items, nextPage, nextCursor: more ? encodeCursor(start + size) : null };
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor: string): number | null {
  try {
    const o = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown }).o;
    return typeof o === 'number' && Number.isInteger(o) && o >= 0 ? o : null;
  } catch {
    return null;
  }
}
