// Where a listing keeps its assets until it is complete: each one encoded as a compact binary
// row (listing-row.ts) in large Buffers outside the JS heap, and its id in an index off the heap
// (listing-index.ts), their cost counted in bytes actually held. Kept as objects, a listing's
// text costs its heap form (object headers, two-byte strings, maps, and the young generation
// growing as they all survive); encoded, it costs its bytes, so the listing bound (kept.ts
// MAX_LISTING_BYTES) bounds the memory whatever shape the server's text takes.
import type { Keeper } from './kept.js';
import { ListingIndex, OTHER_ID_BYTES } from './listing-index.js';
import { isPackedId, readRow, RowWriter, type Ref } from './listing-row.js';
import type { RemoteAsset } from './types.js';

/** Rows are appended to chunks of this size (a larger row gets a chunk of its own). */
const CHUNK_BYTES = 256 * 1024;
/** Texts that repeat from photo to photo (a type, a zone, a place, a person's id and name) are
 * stored once per listing and named by number in the rows: a real library's three people cost a
 * row a few bytes, not some 160. Past this many, new ones are written out in full (a server
 * inventing fresh people for every photo fills the table once, then pays in its rows and in
 * what each of those people costs built, PERSON_BYTES). */
const REPEATS_MAX = 8192;
/** What remembering one more repeated text costs on the heap besides its characters (counted at
 * two bytes each, the most a string takes): its map entry and slot in the list. */
const REPEAT_BYTES = 96;

/** A point in a store's history (ListingStore.mark). */
export interface StoreMark {
  readonly chunks: number;
  readonly used: number;
  readonly held: number;
  readonly repeats: number;
  readonly entries: number;
}

/** What a person costs on the heap once the listing is built, besides its row: the object
 * (three fields), its slot in the photo's list, and the Keeper's two map entries sharing its id
 * (kept.ts). A person the table of repeated texts names is counted there, once; one it cannot
 * (a server inventing fresh people for every photo, past REPEATS_MAX) is a new object for every
 * photo, and counts this with its id's characters (two bytes each, the most a string takes) on
 * every row: a listing of such photos is held to what it costs built, not to its rows' bytes. */
export const PERSON_BYTES = 48 + 8 + 2 * 40;

/**
 * A listing's assets, stored as rows until the listing is complete, and the ids it holds (what
 * collectPages keeps them in: `has`, `set`, `size`). `bytes` is what the store holds: its chunks
 * (whole), its index (as allocated), its table of repeated texts and the heap cost of what the
 * index keeps as strings: what the listing bound is held to.
 */
export class ListingStore {
  private held = 0;
  private chunks: (Buffer | null)[] = [];
  private used = CHUNK_BYTES;
  private repeatOf = new Map<string, number>();
  private repeats: string[] = [];
  private index = new ListingIndex();
  private readonly writer = new RowWriter({
    ref: (text) => this.ref(text),
    inlinePerson: (id) => (this.held += PERSON_BYTES + 2 * id.length),
  });

  get bytes(): number {
    return this.held + this.index.bytes;
  }

  /** The ids recorded. */
  get size(): number {
    return this.index.size;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** Records `id` at its place (`at`: from `add`, or -1 for an asset not stored), counting what
   * the index holds for it (and, for an id it cannot pack, its heap cost); a repeat keeps its
   * first place. */
  record(id: string, at: number): void {
    if (this.index.has(id)) return;
    this.index.set(id, at);
    if (!isPackedId(id)) this.held += OTHER_ID_BYTES + 2 * id.length;
  }

  /** `record`, as collectPages (paging.ts) records an item. */
  set(id: string, listed: { id: string; at?: number }): this {
    this.record(id, listed.at ?? -1);
    return this;
  }

  /** Stores `asset`; returns where (for `set` and `assets`). */
  add(asset: RemoteAsset): number {
    const row = this.writer;
    row.write(asset);
    const len = row.length;
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || this.used + 4 + len > chunk.length) {
      chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, 4 + len));
      this.chunks.push(chunk);
      this.held += chunk.length;
      this.used = 0;
    }
    const at = this.used;
    chunk.writeUInt32LE(len, at);
    row.buf.copy(chunk, at + 4, 0, len);
    this.used += 4 + len;
    if (row.buf.length > CHUNK_BYTES) row.buf = Buffer.allocUnsafe(1024);
    // The position as one number: chunk index and offset (a chunk is at most 2^32 bytes).
    return (this.chunks.length - 1) * 2 ** 32 + at;
  }

  /** Where the store is now, for `rollback`. */
  mark(): StoreMark {
    return {
      chunks: this.chunks.length,
      used: this.used,
      held: this.held,
      repeats: this.repeats.length,
      entries: this.index.size,
    };
  }

  /** Forgets everything stored since `at` was taken (rows, recorded ids, repeated texts): an
   * answer cut off and asked again stores its rows once, not once per attempt. (The index's
   * room stays, and is counted: it is still held.) */
  rollback(at: StoreMark): void {
    this.chunks.length = at.chunks;
    this.used = at.used;
    this.held = at.held;
    this.index.truncate(at.entries);
    for (const text of this.repeats.splice(at.repeats)) this.repeatOf.delete(text);
  }

  /** The places of the assets recorded and stored, in the order recorded. */
  places(): number[] {
    return this.index.storedPlaces();
  }

  /** The assets stored at `places`, in that order, names and people shared through `keep`.
   * Each chunk is let go once the places have moved past it (they come in the order stored),
   * so rows and objects are not both held whole. The store is empty afterwards. */
  assets(places: readonly number[], keep: Keeper): RemoteAsset[] {
    this.index = new ListingIndex();
    const out: RemoteAsset[] = [];
    const shared = (t: string) => keep.shared(t);
    const person = (id: string, name: string, hidden: boolean) => keep.person(id, name, hidden);
    // Places that jump back keep every chunk (never the case for a listing's own order).
    const ordered = places.every((p, i) => i === 0 || p >= places[i - 1]!);
    let low = 0;
    for (const place of places) {
      const c = Math.floor(place / 2 ** 32);
      const at = place - c * 2 ** 32;
      if (c > low) {
        if (ordered) this.chunks.fill(null, low, c);
        low = c;
      }
      const chunk = this.chunks[c];
      if (!chunk) throw new Error(`listing store: no chunk ${c}`);
      out.push(readRow(chunk, at + 4, this.repeats, shared, person));
    }
    this.chunks = [];
    this.repeatOf = new Map();
    this.repeats = [];
    this.held = 0;
    return out;
  }

  /** `text`'s number in the table of repeated texts, or itself once the table is full. */
  private ref(text: string): Ref {
    const n = this.repeatOf.get(text);
    if (n !== undefined) return n;
    if (this.repeats.length >= REPEATS_MAX) return text;
    this.repeatOf.set(text, this.repeats.length);
    this.repeats.push(text);
    this.held += REPEAT_BYTES + 2 * text.length;
    return this.repeats.length - 1;
  }
}
