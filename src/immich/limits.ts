// The bounds a sync keeps whatever the server does: the largest JSON answer it reads, how long
// one request may take from first byte sent to last byte read, and the longest photo download.

export interface ClientLimits {
  /** A search page or version answer longer than this is refused. A full page of 1000 assets of
   * the recorded v3.1.0 shape (about 2.5 KB each with exif, fixtures/immich-v3.1.0/asset-get-*.json)
   * is about 2.5 MB: 8 MiB is no real page. */
  maxJsonBytes: number;
  /** GET /api/albums/{id} with its assets (servers before v3.0 list albums this way): the whole
   * album in one answer, so a larger cap: 32 MiB is some 13,000 assets. Read as it arrives past
   * 4 MiB (json-reader.ts; whole below, json-whole.ts), such an answer costs what is kept of it,
   * not its size; a larger album on such a server wants an upgrade. */
  maxAlbumJsonBytes: number;
  /** One JSON request, retries included, must be answered in full within this. */
  requestMs: number;
  /** One photo, from the request to its last byte, when the server announces no length. */
  downloadMs: number;
  /** A photo that announces its length: this long at least, */
  photoFloorMs: number;
  /** and as long as its bytes take at this rate (bytes a second): a photo slower than a poor
   * link is that photo's failure, not the sync's. */
  photoFloorRate: number;
  /** The most a photo may announce: a larger one is refused before a byte is read. */
  maxPhotoBytes: number;
  /** One whole listing, every page and the stacks: a real 20,000-photo library lists in well
   * under a minute. */
  listingMs: number;
}

export const DEFAULT_LIMITS: ClientLimits = {
  maxJsonBytes: 8 * 1024 * 1024,
  maxAlbumJsonBytes: 32 * 1024 * 1024,
  requestMs: 3 * 60_000,
  downloadMs: 20 * 60_000,
  photoFloorMs: 60_000,
  photoFloorRate: 32 * 1024,
  maxPhotoBytes: 512 * 1024 * 1024,
  listingMs: 5 * 60_000,
};
