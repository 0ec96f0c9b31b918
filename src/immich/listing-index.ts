// The ids a listing holds while it pages, each with its place in the listing's store, off the JS
// heap: an Immich id (a lowercase UUID) is its 16 bytes in a block of ids, its place 8 bytes in a
// block of places, and a slot of 4 bytes in an open-addressing table. Kept as a Map of strings,
// each entry cost some 130 bytes of heap; here it costs some 30 bytes, counted as held (`bytes`).
// An id of another form (no server of ours sends one) is kept in a Map, counted at its heap cost.

import { isPackedId } from './listing-row.js';

/** Entries a block of ids and places holds (a block is 96 KiB). */
const BLOCK = 4096;
/** What one entry of a block holds: its id (16 bytes) and its place (8). */
const BLOCK_ENTRY_BYTES = 16 + 8;
/** What an id of another form costs on the heap besides its characters (counted at two bytes
 * each, the most a string takes): its map entry with the table's slack, and the string's header. */
export const OTHER_ID_BYTES = 64 + 16;

/** The places of a listing's entries by id: what collectPages (paging.ts) keeps its ids in. */
export class ListingIndex {
  size = 0;
  /** What the index holds off the heap: its blocks and table, whole, as allocated (an id of
   * another form is counted by the store, listing-store.ts, when it is listed). */
  bytes = 0;
  private ids: Uint8Array[] = [];
  private places: Float64Array[] = [];
  /** Entry number + 1 of each slot (0: free); its length a power of two, at most 3/4 full. */
  private slots = new Int32Array(0);
  private readonly others = new Map<string, number>();
  private readonly key = new Uint8Array(16);

  has(id: string): boolean {
    return isPackedId(id) ? this.slotOf(id) <= -2 : this.others.has(id);
  }

  /** Records `id` at `place` (a place in the listing's store, or -1 for an asset it did not
   * store); an id already recorded keeps its first place. */
  set(id: string, place: number): this {
    if (!isPackedId(id)) {
      if (this.others.has(id)) return this;
      this.reserve(1);
      this.others.set(id, this.size);
      this.put(place);
      return this;
    }
    if (this.slotOf(id) <= -2) return this;
    this.reserve(1);
    // The table may have grown (and `key` been used): find the free slot again.
    const slot = this.slotOf(id);
    this.ids[Math.floor(this.size / BLOCK)]!.set(this.key, (this.size % BLOCK) * 16);
    this.slots[slot] = this.size + 1;
    this.put(place);
    return this;
  }

  /** Makes room for `more` entries beyond those held, so what they will cost is held (and
   * counted) before they are recorded. */
  private reserve(more: number): void {
    const want = this.size + more;
    while (this.ids.length * BLOCK < want) {
      this.ids.push(new Uint8Array(BLOCK * 16));
      this.places.push(new Float64Array(BLOCK));
      this.bytes += BLOCK * BLOCK_ENTRY_BYTES;
    }
    if (want * 4 <= this.slots.length * 3) return;
    let length = Math.max(this.slots.length, 1024);
    while (want * 4 > length * 3) length *= 2;
    this.bytes += 4 * (length - this.slots.length);
    const old = this.slots;
    this.slots = new Int32Array(length);
    for (const taken of old) {
      if (taken === 0) continue;
      const from = ((taken - 1) % BLOCK) * 16;
      this.key.set(this.ids[Math.floor((taken - 1) / BLOCK)]!.subarray(from, from + 16));
      this.slots[this.freeSlot()] = taken;
    }
  }

  /** Forgets the entries past the first `size` (an answer cut off and asked again); the blocks
   * and table stay, held. */
  truncate(size: number): void {
    if (size >= this.size) return;
    this.size = size;
    for (const [id, e] of this.others) if (e >= size) this.others.delete(id);
    const old = this.slots;
    this.slots = new Int32Array(old.length);
    for (const taken of old) {
      if (taken === 0 || taken > size) continue;
      const from = ((taken - 1) % BLOCK) * 16;
      this.key.set(this.ids[Math.floor((taken - 1) / BLOCK)]!.subarray(from, from + 16));
      this.slots[this.freeSlot()] = taken;
    }
  }

  /** The places of the entries in the order recorded, those of stored assets only. */
  storedPlaces(): number[] {
    const out: number[] = [];
    for (let e = 0; e < this.size; e++) {
      const place = this.places[Math.floor(e / BLOCK)]![e % BLOCK]!;
      if (place >= 0) out.push(place);
    }
    return out;
  }

  private put(place: number): void {
    this.places[Math.floor(this.size / BLOCK)]![this.size % BLOCK] = place;
    this.size += 1;
  }

  /** Reads `id` into `key`; the free slot where it would go, or -2 - the slot that holds it
   * (-1: the table is empty). */
  private slotOf(id: string): number {
    for (let i = 0, k = 0; i < 36; i += 2) {
      if (id.charCodeAt(i) === 45) i += 1;
      this.key[k++] = (hex(id.charCodeAt(i)) << 4) | hex(id.charCodeAt(i + 1));
    }
    if (this.slots.length === 0) return -1;
    const mask = this.slots.length - 1;
    for (let s = this.hash() & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s]! - 1;
      if (e < 0) return s;
      const ids = this.ids[Math.floor(e / BLOCK)]!;
      const from = (e % BLOCK) * 16;
      let same = true;
      for (let j = 0; j < 16 && same; j++) same = ids[from + j] === this.key[j];
      if (same) return -2 - s;
    }
  }

  /** The free slot for `key` (the table has room). */
  private freeSlot(): number {
    const mask = this.slots.length - 1;
    let s = this.hash() & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    return s;
  }

  /** `key` mixed to 32 bits (an id's bytes are random in v4 UUIDs, not in a counter's). */
  private hash(): number {
    const k = this.key;
    let h = 0;
    for (let j = 0; j < 16; j += 4)
      h = Math.imul(h ^ (k[j]! | (k[j + 1]! << 8) | (k[j + 2]! << 16) | (k[j + 3]! << 24)), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    return (h ^ (h >>> 13)) >>> 0;
  }
}

/** A lowercase hex digit's value. */
function hex(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}
