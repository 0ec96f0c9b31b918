// The max_photos rule: which N of the server's images the frame keeps. Deterministic (the same
// listing gives the same subset in any order) and stable (a kept photo leaves only when it leaves
// the server or a photo that ranks above it arrives). Pure.
import { createHash } from 'node:crypto';
import type { RemoteAsset } from '../immich/types.js';
import { type SelectionMode, captureTime } from './selection/select.js';

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `list` oldest first, ties by id: the one order every mode's ranking builds on. Each time is
 * read once, not once per comparison (a thousand photos were some 20,000 date parses). */
export function sortByCaptureTime<T extends { id: string; fileCreatedAt: string }>(list: readonly T[]): T[] {
  return list
    .map((item) => ({ item, t: captureTime(item.fileCreatedAt) }))
    .sort((a, b) => a.t - b.t || byId(a.item, b.item))
    .map((x) => x.item);
}

/** The spread rank: SHA-256 of the id, a fixed pseudo-random place for each photo. */
export function spreadRank(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * The photos kept under max_photos (0 keeps all). The rule follows the selection mode, so the
 * frame keeps what it would show: `newest` keeps the newest N by capture time, `oldest` the
 * oldest N, and `random`/`sequential` the N with the smallest SHA-256 of their id: a sample
 * spread evenly across the whole library's years that a new upload joins only by chance.
 */
export function chooseSubset(remote: readonly RemoteAsset[], maxPhotos: number, mode: SelectionMode): RemoteAsset[] {
  if (maxPhotos <= 0 || remote.length <= maxPhotos) return [...remote];
  let ranked: RemoteAsset[];
  if (mode === 'newest') ranked = sortByCaptureTime(remote).reverse();
  else if (mode === 'oldest') ranked = sortByCaptureTime(remote);
  else {
    const rank = new Map(remote.map((a) => [a.id, spreadRank(a.id)]));
    ranked = [...remote].sort((a, b) => (rank.get(a.id)! < rank.get(b.id)! ? -1 : 1));
  }
  return ranked.slice(0, maxPhotos);
}
