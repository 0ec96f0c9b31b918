// The binary form of a listed asset as the listing's store keeps it (listing-store.ts): fields by
// position, each in the fewest bytes that give the exact value back. A lowercase UUID is its 16
// bytes, an ISO date that Date writes back the same is its milliseconds (6 bytes), a base64 SHA-1
// its 20 bytes, a small integer a varint; anything else (an uppercase id, a date with an offset, a
// checksum of another length) is kept as its exact text behind a tag, so every row round-trips.
import { canonicalIsoMs, isoOfMs } from '../core/iso-date.js';
import type { RemoteAsset, RemoteAssetInfo, RemotePerson } from './types.js';

/** A repeated text as a row holds it: its number in the listing's table, or itself. */
export type Ref = number | string;

/** The listing's table of repeated texts, as the codec sees it. */
export interface RefTable {
  /** `text`'s number in the table, or `text` itself where the table does not name it. */
  ref(text: string): Ref;
  /** Called for each person a row names by their full id (no table number): what they cost
   * built is counted by the store (listing-store.ts PERSON_BYTES). */
  inlinePerson(id: string): void;
}

/** A person as built from a row (kept.ts Keeper.person shares them). */
export type PersonOf = (id: string, name: string, hidden: boolean) => RemotePerson;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `id` is kept as its 16 bytes: a UUID written in lowercase, as Immich writes ids. */
export function isPackedId(id: string): boolean {
  return UUID.test(id);
}
/** A lone surrogate, which UTF-8 cannot carry (such a text is kept as UTF-16). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** The dates kept as milliseconds: within 2^47 ms of 1970 (some 4,000 years either way). */
const MS_LIMIT = 2 ** 47;

// Tags of a field that may be null or kept as its text.
const NULL = 0;
const PACKED = 1;
const TEXT = 2;
/** A date the same as the asset's own localDateTime (the info's copy of it). */
const SAME_DATE = 3;
// Tags of a number.
const NEGATIVE = 2;
const DOUBLE = 3;

// Flags of an asset, then of its info.
const ARCHIVED = 1;
const CONTENT_HASH_SAID = 2;
const CONTENT_HASH = 4;
const EDITED_SAID = 8;
const EDITED = 16;
const STACK_PRIMARY = 32;
const INFO = 64;
const FAVORITE = 1;
const HAS_EXIF = 2;
const PEOPLE = 4;
const STACK_SAID = 8;
const IN_STACK = 16;

/** Writes rows into one growing scratch buffer (the store copies each into its chunks). */
export class RowWriter {
  buf = Buffer.allocUnsafe(1024);
  length = 0;

  constructor(private readonly refs: RefTable) {}

  /** `a` as a row, in `buf` from 0 to `length`. */
  write(a: RemoteAsset): void {
    this.length = 0;
    this.id(a.id);
    let flags = a.archived ? ARCHIVED : 0;
    if (a.checksumIsContentHash !== undefined)
      flags |= CONTENT_HASH_SAID | (a.checksumIsContentHash ? CONTENT_HASH : 0);
    if (a.edited !== undefined) flags |= EDITED_SAID | (a.edited ? EDITED : 0);
    if (a.stackPrimaryId !== undefined) flags |= STACK_PRIMARY;
    if (a.info !== undefined) flags |= INFO;
    this.byte(flags);
    this.text(a.originalFileName);
    this.ref(a.originalMimeType);
    this.date(a.fileCreatedAt);
    this.date(a.localDateTime);
    this.date(a.updatedAt);
    this.checksum(a.checksum);
    if (a.stackPrimaryId !== undefined) this.id(a.stackPrimaryId);
    if (a.info !== undefined) this.info(a.info, a.localDateTime);
  }

  private info(i: RemoteAssetInfo, assetLocal: string | null): void {
    let flags = (i.favorite ? FAVORITE : 0) | (i.hasExif ? HAS_EXIF : 0) | (i.people ? PEOPLE : 0);
    if (i.stack !== undefined) flags |= STACK_SAID | (i.stack ? IN_STACK : 0);
    this.byte(flags);
    if (i.localDateTime !== null && i.localDateTime === assetLocal) this.byte(SAME_DATE);
    else this.date(i.localDateTime);
    this.ref(i.timeZone);
    this.number(i.rating);
    this.text(i.description);
    this.ref(i.city);
    this.ref(i.state);
    this.ref(i.country);
    this.number(i.latitude);
    this.number(i.longitude);
    if (i.people) {
      this.varint(i.people.length);
      for (const p of i.people) {
        const id = this.refs.ref(p.id);
        if (typeof id === 'string') this.refs.inlinePerson(id);
        // The hidden flag rides in the id's tag: 0 table number, 1 text, doubled, plus hidden.
        this.varint((typeof id === 'number' ? id * 2 + 2 : 0) + (p.hidden ? 1 : 0));
        if (typeof id === 'string') this.text(id);
        this.ref(p.name);
      }
    }
    this.number(i.width);
    this.number(i.height);
    this.number(i.orientation);
    if (i.stack) {
      this.id(i.stack.id);
      this.id(i.stack.primaryAssetId);
    }
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }

  private byte(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }

  /** A non-negative safe integer, 7 bits a byte. */
  private varint(n: number): void {
    this.room(8);
    while (n >= 0x80) {
      this.buf[this.length++] = n % 0x80 | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.length++] = n;
  }

  /** Its length (doubled, plus 1 for UTF-16) and its bytes: UTF-8 unless it holds a lone surrogate. */
  private text(s: string): void {
    if (/[\ud800-\udfff]/.test(s) && LONE_SURROGATE.test(s)) {
      this.varint(s.length * 4 + 1);
      this.room(s.length * 2);
      this.length += this.buf.write(s, this.length, 'utf16le');
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len * 2);
    this.room(len);
    this.length += this.buf.write(s, this.length, 'utf8');
  }

  private ref(s: string | null): void {
    if (s === null) return this.byte(NULL);
    const r = this.refs.ref(s);
    if (typeof r === 'number') return this.varint(r + 2);
    this.byte(1);
    this.text(r);
  }

  private id(s: string): void {
    if (isPackedId(s)) {
      this.byte(PACKED);
      this.room(16);
      this.length += this.buf.write(s.replace(/-/g, ''), this.length, 'hex');
    } else {
      this.byte(TEXT);
      this.text(s);
    }
  }

  private date(s: string | null): void {
    if (s === null) return this.byte(NULL);
    // Immich's own form is read by digits; any other Date.parse reads is checked by writing it back.
    let ms = canonicalIsoMs(s);
    if (Number.isNaN(ms)) {
      ms = Date.parse(s);
      if (!Number.isInteger(ms) || Math.abs(ms) >= MS_LIMIT || new Date(ms).toISOString() !== s) ms = NaN;
    }
    if (!Number.isNaN(ms) && Math.abs(ms) < MS_LIMIT) {
      this.byte(PACKED);
      this.room(6);
      this.length = this.buf.writeIntLE(ms, this.length, 6);
    } else {
      this.byte(TEXT);
      this.text(s);
    }
  }

  private checksum(s: string): void {
    if (s.length === 28 && s.endsWith('=')) {
      const bytes = Buffer.from(s, 'base64');
      if (bytes.length === 20 && bytes.toString('base64') === s) {
        this.byte(PACKED);
        this.room(20);
        this.length += bytes.copy(this.buf, this.length);
        return;
      }
    }
    this.byte(TEXT);
    this.text(s);
  }

  private number(n: number | null): void {
    if (n === null) return this.byte(NULL);
    if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
      this.byte(n >= 0 ? PACKED : NEGATIVE);
      this.varint(Math.abs(n));
    } else {
      this.byte(DOUBLE);
      this.room(8);
      this.length = this.buf.writeDoubleLE(n, this.length);
    }
  }
}

/** A UUID's text from its 16 bytes: one flat string (not the concatenation of its parts). */
const uuidText = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
const UUID_PARTS = [
  [0, 4, 0],
  [4, 6, 9],
  [6, 8, 14],
  [8, 10, 19],
  [10, 16, 24],
] as const;

/** Reads one row back (`texts`: the listing's table of repeated texts; `person` builds people). */
export function readRow(
  buf: Buffer,
  start: number,
  texts: readonly string[],
  shared: (text: string) => string,
  person: PersonOf,
): RemoteAsset {
  let at = start;
  const byte = () => buf[at++]!;
  const varint = () => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = buf[at++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  };
  const text = () => {
    const head = varint();
    const len = Math.floor(head / 2);
    const s = buf.toString(head % 2 === 1 ? 'utf16le' : 'utf8', at, at + len);
    at += len;
    return s;
  };
  const ref = (): string | null => {
    const tag = varint();
    if (tag === NULL) return null;
    return shared(tag === 1 ? text() : texts[tag - 2]!);
  };
  const id = () => {
    if (byte() === TEXT) return text();
    for (const [from, to, out] of UUID_PARTS) uuidText.write(buf.toString('hex', at + from, at + to), out, 'latin1');
    at += 16;
    return uuidText.toString('latin1');
  };
  const date = () => {
    const tag = byte();
    if (tag === NULL) return null;
    if (tag === TEXT) return text();
    const ms = buf.readIntLE(at, 6);
    at += 6;
    return isoOfMs(ms);
  };
  const checksum = () => {
    if (byte() === TEXT) return text();
    at += 20;
    return buf.toString('base64', at - 20, at);
  };
  const number = (): number | null => {
    const tag = byte();
    if (tag === NULL) return null;
    if (tag === DOUBLE) {
      at += 8;
      return buf.readDoubleLE(at - 8);
    }
    const n = varint();
    return tag === NEGATIVE ? -n : n;
  };

  const assetId = id();
  const flags = byte();
  const originalFileName = text();
  const mime = ref();
  const a: RemoteAsset = {
    id: assetId,
    originalFileName,
    originalMimeType: mime,
    fileCreatedAt: date()!,
    localDateTime: date(),
    updatedAt: date()!,
    checksum: checksum(),
    archived: (flags & ARCHIVED) !== 0,
  };
  if (flags & CONTENT_HASH_SAID) a.checksumIsContentHash = (flags & CONTENT_HASH) !== 0;
  if (flags & EDITED_SAID) a.edited = (flags & EDITED) !== 0;
  if (flags & STACK_PRIMARY) a.stackPrimaryId = id();
  if (!(flags & INFO)) return a;

  const infoFlags = byte();
  const localDateTime = buf[at] === SAME_DATE ? (at++, a.localDateTime) : date();
  const timeZone = ref();
  const rating = number();
  const description = text();
  const city = ref();
  const state = ref();
  const country = ref();
  const latitude = number();
  const longitude = number();
  let people: RemotePerson[] | null = null;
  if (infoFlags & PEOPLE) {
    people = [];
    for (let n = varint(); n > 0; n--) {
      const tag = varint();
      const personId = tag < 2 ? text() : texts[Math.floor(tag / 2) - 1]!;
      people.push(person(personId, ref() ?? '', tag % 2 === 1));
    }
  }
  const info: RemoteAssetInfo = {
    localDateTime,
    timeZone,
    favorite: (infoFlags & FAVORITE) !== 0,
    rating,
    description,
    city,
    state,
    country,
    latitude,
    longitude,
    people,
    width: number(),
    height: number(),
    orientation: number(),
    hasExif: (infoFlags & HAS_EXIF) !== 0,
  };
  if (infoFlags & STACK_SAID) info.stack = infoFlags & IN_STACK ? { id: id(), primaryAssetId: id() } : null;
  a.info = info;
  return a;
}
