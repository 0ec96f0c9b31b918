// Where a listing keeps its assets until it is complete: each one encoded as a short JSON row in
// large Buffers outside the JS heap, its cost counted in bytes actually held. Kept as objects, a
// listing's text costs its heap form (object headers, two-byte strings, maps, and the young
// generation growing as they all survive); encoded, it costs its bytes, so the listing bound
// (kept.ts MAX_LISTING_BYTES) bounds the memory whatever shape the server's text takes.
import type { Keeper } from './kept.js';
import type { RemoteAsset, RemoteAssetInfo, RemotePerson } from './types.js';

/** Rows are appended to chunks of this size (a larger row gets a chunk of its own). */
const CHUNK_BYTES = 256 * 1024;
/** What one listed entry costs on the heap besides its row: the listing's record of it (an
 * object of three fields), its slot in the listing's map (with the table's slack) and the
 * id string's header; the id's characters are counted on top. */
export const ENTRY_BYTES = 48 + 64 + 16;
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
  readonly bytes: number;
  readonly repeats: number;
}

/** What a person costs on the heap once the listing is built, besides its row: the object
 * (three fields), its slot in the photo's list, and the Keeper's two map entries sharing its id
 * (kept.ts). A person the table of repeated texts names is counted there, once; one it cannot
 * (a server inventing fresh people for every photo, past REPEATS_MAX) is a new object for every
 * photo, and counts this with its id's characters (two bytes each, the most a string takes) on
 * every row: a listing of such photos is held to what it costs built, not to its rows' bytes. */
export const PERSON_BYTES = 48 + 8 + 2 * 40;

/** A repeated text as a row holds it: its number in the listing's table, or itself. */
type Ref = number | string;

/** An asset as stored: its fields by position (a row names no keys), undefined as null. */
type Row = [
  id: string,
  originalFileName: string,
  originalMimeType: Ref | null,
  fileCreatedAt: string,
  localDateTime: string | null,
  updatedAt: string,
  checksum: string,
  archived: 0 | 1,
  checksumIsContentHash: boolean | null,
  edited: boolean | null,
  stackPrimaryId: string | null,
  info: InfoRow | null,
];

type InfoRow = [
  /** 0: the asset's own localDateTime (the same string, not stored twice). */
  localDateTime: string | null | 0,
  timeZone: Ref | null,
  favorite: 0 | 1,
  rating: number | null,
  description: string,
  city: Ref | null,
  state: Ref | null,
  country: Ref | null,
  latitude: number | null,
  longitude: number | null,
  /** id, name, hidden (0/1) of each person, flat. */
  people: (Ref | 0 | 1)[] | null,
  width: number | null,
  height: number | null,
  orientation: number | null,
  /** 0: not said (undefined); null: in no stack. */
  stack: [id: string, primaryAssetId: string] | null | 0,
  hasExif: 0 | 1,
];

/**
 * A listing's assets, stored as rows until the listing is complete. `bytes` is what the store
 * holds (its chunks, whole) plus each entry's heap cost (ENTRY_BYTES and the id): what the
 * listing bound is held to.
 */
export class ListingStore {
  bytes = 0;
  private chunks: (Buffer | null)[] = [];
  private used = CHUNK_BYTES;
  private readonly repeatOf = new Map<string, number>();
  private repeats: string[] = [];

  /** Stores `asset`; returns where (for `assets`). */
  add(asset: RemoteAsset): number {
    const text = JSON.stringify(this.rowOf(asset));
    const len = Buffer.byteLength(text);
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || this.used + 4 + len > chunk.length) {
      chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, 4 + len));
      this.chunks.push(chunk);
      this.bytes += chunk.length;
      this.used = 0;
    }
    const at = this.used;
    chunk.writeUInt32LE(len, at);
    chunk.write(text, at + 4, len, 'utf8');
    this.used += 4 + len;
    // The position as one number: chunk index and offset (a chunk is at most 2^32 bytes).
    return (this.chunks.length - 1) * 2 ** 32 + at;
  }

  /** Where the store is now, for `rollback`. */
  mark(): StoreMark {
    return { chunks: this.chunks.length, used: this.used, bytes: this.bytes, repeats: this.repeats.length };
  }

  /** Forgets everything stored since `at` was taken (rows, entries, repeated texts): an answer
   * cut off and asked again stores its rows once, not once per attempt. */
  rollback(at: StoreMark): void {
    this.chunks.length = at.chunks;
    this.used = at.used;
    this.bytes = at.bytes;
    for (const text of this.repeats.splice(at.repeats)) this.repeatOf.delete(text);
  }

  /** Counts an entry's heap cost (see ENTRY_BYTES) for an id the listing records. */
  entry(id: string): number {
    const cost = ENTRY_BYTES + id.length;
    this.bytes += cost;
    return cost;
  }

  /** The assets stored at `places`, in that order, names and people shared through `keep`.
   * Each chunk is let go once the places have moved past it (they come in the order stored),
   * so rows and objects are not both held whole. The store is empty afterwards. */
  assets(places: readonly number[], keep: Keeper): RemoteAsset[] {
    const out: RemoteAsset[] = [];
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
      const len = chunk.readUInt32LE(at);
      out.push(this.assetOf(JSON.parse(chunk.toString('utf8', at + 4, at + 4 + len)) as Row, keep));
    }
    this.chunks = [];
    this.repeatOf.clear();
    this.repeats = [];
    this.bytes = 0;
    return out;
  }

  /** `text`'s number in the table of repeated texts, or itself once the table is full. */
  private ref(text: string): Ref {
    const n = this.repeatOf.get(text);
    if (n !== undefined) return n;
    if (this.repeats.length >= REPEATS_MAX) return text;
    this.repeatOf.set(text, this.repeats.length);
    this.repeats.push(text);
    this.bytes += REPEAT_BYTES + 2 * text.length;
    return this.repeats.length - 1;
  }

  private text(r: Ref): string {
    return typeof r === 'number' ? this.repeats[r]! : r;
  }

  private rowOf(a: RemoteAsset): Row {
    return [
      a.id,
      a.originalFileName,
      a.originalMimeType === null ? null : this.ref(a.originalMimeType),
      a.fileCreatedAt,
      a.localDateTime,
      a.updatedAt,
      a.checksum,
      a.archived ? 1 : 0,
      a.checksumIsContentHash ?? null,
      a.edited ?? null,
      a.stackPrimaryId ?? null,
      a.info ? this.infoRowOf(a.info, a.localDateTime) : null,
    ];
  }

  private infoRowOf(i: RemoteAssetInfo, assetLocal: string | null): InfoRow {
    const ref = (t: string | null) => (t === null ? null : this.ref(t));
    return [
      i.localDateTime === assetLocal && assetLocal !== null ? 0 : i.localDateTime,
      ref(i.timeZone),
      i.favorite ? 1 : 0,
      i.rating,
      i.description,
      ref(i.city),
      ref(i.state),
      ref(i.country),
      i.latitude,
      i.longitude,
      i.people ? this.peopleRow(i.people) : null,
      i.width,
      i.height,
      i.orientation,
      i.stack === undefined ? 0 : i.stack === null ? null : [i.stack.id, i.stack.primaryAssetId],
      i.hasExif ? 1 : 0,
    ];
  }

  private peopleRow(people: readonly RemotePerson[]): (Ref | 0 | 1)[] {
    const flat: (Ref | 0 | 1)[] = [];
    for (const p of people) {
      const id = this.ref(p.id);
      if (typeof id === 'string') this.bytes += PERSON_BYTES + 2 * id.length;
      flat.push(id, this.ref(p.name), p.hidden ? 1 : 0);
    }
    return flat;
  }

  /** The asset a row holds; names, places, zones and people shared through `keep` (kept.ts). */
  private assetOf(r: Row, keep: Keeper): RemoteAsset {
    const a: RemoteAsset = {
      id: r[0],
      originalFileName: r[1],
      originalMimeType: r[2] === null ? null : keep.shared(this.text(r[2])),
      fileCreatedAt: r[3],
      localDateTime: r[4],
      updatedAt: r[5],
      checksum: r[6],
      archived: r[7] === 1,
    };
    if (r[8] !== null) a.checksumIsContentHash = r[8];
    if (r[9] !== null) a.edited = r[9];
    if (r[10] !== null) a.stackPrimaryId = r[10];
    if (r[11] !== null) a.info = this.infoOf(r[11], a.localDateTime, keep);
    return a;
  }

  private infoOf(r: InfoRow, assetLocal: string | null, keep: Keeper): RemoteAssetInfo {
    const share = (t: Ref | null) => (t === null ? null : keep.shared(this.text(t)));
    const flat = r[10];
    let people: RemotePerson[] | null = null;
    if (flat) {
      people = [];
      for (let j = 0; j + 2 < flat.length; j += 3)
        people.push(keep.person(this.text(flat[j]!), this.text(flat[j + 1]!), flat[j + 2] === 1));
    }
    const info: RemoteAssetInfo = {
      localDateTime: r[0] === 0 ? assetLocal : r[0],
      timeZone: share(r[1]),
      favorite: r[2] === 1,
      rating: r[3],
      description: r[4],
      city: share(r[5]),
      state: share(r[6]),
      country: share(r[7]),
      latitude: r[8],
      longitude: r[9],
      people,
      width: r[11],
      height: r[12],
      orientation: r[13],
      hasExif: r[15] === 1,
    };
    const stack = r[14];
    if (stack !== 0) info.stack = stack === null ? null : { id: stack[0], primaryAssetId: stack[1] };
    return info;
  }
}
