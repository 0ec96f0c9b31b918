// An incremental JSON reader that builds only what a Shape asks for: an answer is fed chunk by
// chunk as it arrives, fields nobody reads are checked and skipped (never built), long strings are
// cut while they are read and long lists cut after their first items. A 7 MB description, 40,000
// people or a page of a thousand big items then never exists in memory as text or as a tree.

/** A string or number here; a list or object where a plain value is expected is built empty
 * (its type is what a schema checks, its contents nothing the frame reads). */
export interface ValueShape {
  kind: 'value';
  /** Code units kept of a string (cut on a character boundary). */
  maxChars: number;
  /** Told the string's whole length in code units when it was cut. */
  onCut?: (chars: number) => void;
}

/** An object of which only `fields` are built (others skipped); any other value as a ValueShape. */
export interface ObjectShape {
  kind: 'object';
  fields: Readonly<Record<string, Shape>>;
}

/** A list whose first `max` items are built as `of` (the rest skipped); with `each`, every kept
 * item is handed over as soon as it is complete and the list is built empty. */
export interface ArrayShape {
  kind: 'array';
  of: Shape;
  max: number;
  each?: (item: unknown) => void;
}

export type Shape = ValueShape | ObjectShape | ArrayShape;

/** A string read where no ValueShape says how much to keep (a mismatched type, an object key). */
export const FALLBACK_CHARS = 256;
/** A number longer than this is no number a server means: read as NaN (a schema refuses it). */
export const NUMBER_CHARS = 400;

export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const enum St {
  /** A value is expected (in an array after '[' or ',', after ':', or at the top). */
  Value,
  /** After a value in a container: ',' or the close. */
  Next,
  /** After '{' or ',' in an object: a key (or '}' right after '{'). */
  Key,
  /** After a key: ':'. */
  Colon,
  /** The top value is complete: only whitespace may follow. */
  Done,
}

interface Frame {
  close: 0x7d | 0x5d;
  /** The object or list being built, null when its contents are skipped. */
  out: Record<string, unknown> | unknown[] | null;
  /** Its ObjectShape or ArrayShape when built (or streamed through `each`). */
  shape: ObjectShape | ArrayShape | null;
  /** A built object's field names by length (fieldAt), looked up once per object, not per key. */
  names: Map<number, string[]> | null;
  /** What to hand the parent when it closes: false for a skipped value. */
  deliver: boolean;
  /** Built empty (a list or object where a plain value was asked). */
  placeholder: boolean;
  key: string;
  /** Items seen (lists). */
  count: number;
  /** The frame's first item or key is still to come (a ',' cannot come yet, a close can). */
  empty: boolean;
}

/** Where a string being read goes. */
const enum Str {
  None,
  Key,
  Value,
}

/** Bytes of a number or of true, false, null. */
const WORD = new Uint8Array(256);
for (const c of '0123456789abcdefghijklmnopqrstuvwxyz+-.E') WORD[c.charCodeAt(0)] = 1;
/** Bytes a number or true, false, null can start with. */
const WORD_START = new Uint8Array(256);
for (const c of '-0123456789tfn') WORD_START[c.charCodeAt(0)] = 1;
const WS = new Uint8Array(256);
WS[0x20] = WS[0x09] = WS[0x0a] = WS[0x0d] = 1;

export class JsonReader {
  private state = St.Value;
  private readonly stack: Frame[] = [];
  private result: unknown = undefined;
  private sawByte = false;
  // The string being read.
  private str = Str.None;
  private strShape: ValueShape | null = null;
  private strCap = 0;
  private strUnits = 0;
  /** The string's last character was kept (cut strings keep a prefix: once false, false). */
  private keeping = true;
  private strParts: string[] = [];
  private scratch: Buffer = Buffer.alloc(1024);
  private scratchLen = 0;
  /** Inside an escape: 1 after '\', 2-5 reading \u's hex digits. */
  private esc = 0;
  private escHex = 0;
  private bsBuf: Buffer | null = null;
  private bsAt = 0;
  // A number or literal being read.
  private word = '';
  private inWord = false;

  constructor(private readonly root: Shape) {}

  /** The value read (undefined for an empty answer); call after the last chunk. */
  end(): unknown {
    if (this.inWord) this.finishWord();
    if (!this.sawByte) return undefined;
    if (this.state !== St.Done || this.str !== Str.None) throw new JsonSyntaxError('the answer ends in the middle');
    return this.result;
  }

  write(buf: Buffer): void {
    const n = buf.length;
    if (n > 0) this.sawByte = true;
    let i = 0;
    while (i < n) {
      if (this.str !== Str.None) {
        i = this.readString(buf, i);
        continue;
      }
      const b = buf[i]!;
      if (this.inWord) {
        let j = i;
        while (j < n && WORD[buf[j]!] === 1) j++;
        if (this.word.length <= NUMBER_CHARS) this.word += buf.toString('latin1', i, Math.min(j, i + NUMBER_CHARS + 1));
        i = j;
        if (i < n) this.finishWord();
        continue;
      }
      if (WS[b] === 1) {
        i += 1;
        continue;
      }
      i += 1;
      switch (this.state) {
        case St.Value:
          if (WORD_START[b] === 1) i = this.readWord(buf, i - 1);
          else this.startValue(b);
          break;
        case St.Key:
          if (b === 0x22) {
            this.top().empty = false;
            this.startString(Str.Key, null);
          } else if (b === 0x7d && this.top().empty) this.closeFrame(0x7d);
          else throw new JsonSyntaxError('expected a key');
          break;
        case St.Colon:
          if (b !== 0x3a) throw new JsonSyntaxError("expected ':'");
          this.state = St.Value;
          break;
        case St.Next: {
          const f = this.top();
          if (b === 0x2c) this.state = f.close === 0x7d ? St.Key : St.Value;
          else if (b === f.close) this.closeFrame(b);
          else throw new JsonSyntaxError("expected ',' or the end of a list or object");
          break;
        }
        case St.Done:
          throw new JsonSyntaxError('more after the answer');
      }
    }
    this.bsBuf = null;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  /** The shape the next value is read by: undefined to skip it. */
  private childShape(): Shape | undefined {
    const f = this.stack[this.stack.length - 1];
    if (!f) return this.root;
    if (!f.shape) return undefined;
    if (f.shape.kind === 'object') return Object.hasOwn(f.shape.fields, f.key) ? f.shape.fields[f.key] : undefined;
    return f.count < f.shape.max ? f.shape.of : undefined;
  }

  private startValue(b: number): void {
    const f = this.stack[this.stack.length - 1];
    if (f && f.close === 0x5d) {
      if (b === 0x5d && f.empty) {
        this.closeFrame(0x5d);
        return;
      }
    }
    if (f) f.empty = false;
    const shape = this.childShape();
    if (b === 0x22) {
      this.startString(Str.Value, shape ?? null);
      return;
    }
    if (b === 0x7b || b === 0x5b) {
      const close = b === 0x7b ? 0x7d : 0x5d;
      const built =
        shape !== undefined && (shape.kind === 'object' ? b === 0x7b : shape.kind === 'array' && b === 0x5b);
      const streamed = built && shape.kind === 'array' && shape.each !== undefined;
      this.stack.push({
        close,
        out: built && !streamed ? (b === 0x7b ? {} : []) : null,
        shape: built ? (shape as ObjectShape | ArrayShape) : null,
        names: built && shape.kind === 'object' ? namesOf(shape) : null,
        deliver: shape !== undefined,
        placeholder: !built || streamed,
        key: '',
        count: 0,
        empty: true,
      });
      this.state = b === 0x7b ? St.Key : St.Value;
      return;
    }
    throw new JsonSyntaxError('expected a value');
  }

  /** A number or true, false, null starting at `at`: read from the bytes when it ends in this
   * chunk (most do), else begun as a word the next chunks finish. Returns where it stopped. */
  private readWord(buf: Buffer, at: number): number {
    const f = this.stack[this.stack.length - 1];
    if (f) f.empty = false;
    const n = buf.length;
    let j = at + 1;
    while (j < n && WORD[buf[j]!] === 1) j++;
    if (j === n) {
      this.inWord = true;
      this.word = buf.toString('latin1', at, Math.min(j, at + NUMBER_CHARS + 1));
      return j;
    }
    this.valueDone(wordAt(buf, at, j));
    return j;
  }

  private finishWord(): void {
    this.inWord = false;
    const w = this.word;
    this.word = '';
    this.valueDone(wordValue(w));
  }

  /** A complete value goes to its container (or becomes the result). */
  private valueDone(v: unknown): void {
    const f = this.stack[this.stack.length - 1];
    if (!f) {
      this.result = v;
      this.state = St.Done;
      return;
    }
    if (f.shape) {
      if (f.shape.kind === 'object') {
        if (Object.hasOwn(f.shape.fields, f.key)) (f.out as Record<string, unknown>)[f.key] = v;
      } else if (f.count < f.shape.max) {
        if (f.shape.each) f.shape.each(v);
        else (f.out as unknown[]).push(v);
      }
    }
    f.count += 1;
    this.state = St.Next;
  }

  private closeFrame(b: number): void {
    const f = this.stack.pop()!;
    if (f.close !== b) throw new JsonSyntaxError('a list or object closed by the wrong bracket');
    const v = f.out ?? (f.placeholder ? (f.close === 0x7d ? {} : []) : undefined);
    if (f.deliver) this.valueDone(v);
    else {
      const parent = this.stack[this.stack.length - 1];
      if (parent) parent.count += 1;
      this.state = parent ? St.Next : St.Done;
    }
  }

  // ---- strings ----

  private startString(kind: Str, shape: Shape | null): void {
    this.str = kind;
    const value = shape && shape.kind === 'value' ? shape : null;
    this.strShape = value;
    // A key longer than any field's name matches none; a skipped value keeps nothing.
    this.strCap = kind === Str.Key ? 64 : shape === null ? 0 : (value?.maxChars ?? FALLBACK_CHARS);
    this.strUnits = 0;
    this.keeping = this.strCap > 0;
    this.strParts = [];
    this.scratchLen = 0;
    this.esc = 0;
  }

  /** Reads string bytes from `i`; returns where it stopped (after the closing quote or the chunk's end). */
  private readString(buf: Buffer, i: number): number {
    const n = buf.length;
    while (i < n) {
      if (this.esc > 0) {
        i = this.readEscape(buf, i);
        continue;
      }
      // The run up to the next quote or backslash is plain text.
      let q = buf.indexOf(0x22, i);
      if (q < 0) q = n;
      // The next backslash is remembered per chunk: searching for it from every string would
      // scan a chunk without one once per string.
      if (this.bsBuf !== buf || this.bsAt < i) {
        this.bsBuf = buf;
        const at = buf.indexOf(0x5c, i);
        this.bsAt = at < 0 ? n : at;
      }
      const bs = Math.min(this.bsAt, q);
      if (bs === q && q < n && this.scratchLen === 0 && this.strParts.length === 0 && this.strUnits === 0) {
        // The common case, a whole string in this chunk without escapes: sliced at once.
        this.finishWhole(buf, i, q);
        return q + 1;
      }
      this.takeBytes(buf, i, bs);
      if (bs === n) return n;
      if (buf[bs] === 0x5c) {
        this.esc = 1;
        i = bs + 1;
        continue;
      }
      this.finishString();
      return bs + 1;
    }
    return i;
  }

  /** A string read whole from bytes [from, to) of one chunk. */
  private finishWhole(buf: Buffer, from: number, to: number): void {
    const kind = this.str;
    this.str = Str.None;
    const len = to - from;
    if (kind === Str.Key) {
      // Matched against the shape's field names byte by byte: a key no shape asks for (most of
      // them) is never made a string.
      const f = this.top();
      f.key = f.names ? fieldAt(f.names, buf, from, to) : '';
      this.state = St.Colon;
      return;
    }
    if (this.strCap === 0) {
      this.valueDone('');
      return;
    }
    // At most one code unit a byte: a string of no more bytes than the cap is kept whole.
    if (len <= this.strCap) {
      this.valueDone(buf.toString('utf8', from, to));
      return;
    }
    this.str = kind;
    this.takeBytes(buf, from, to);
    this.finishString();
  }

  /** Plain string bytes [from, to): counted and kept to the cap. (A raw control character, which
   * JSON.parse refuses, is taken as it is: nothing here needs it refused.) */
  private takeBytes(buf: Buffer, from: number, to: number): void {
    // Past the cap only a cut that is measured needs counting.
    if (!this.keeping && !this.strShape?.onCut) return;
    let units = this.strUnits;
    const cap = this.strCap;
    let keeping = this.keeping;
    let keepTo = from;
    for (let j = from; j < to; j++) {
      const c = buf[j]!;
      // A character's first byte counts its code units (two for a 4-byte one); the bytes after
      // it go with it.
      if ((c & 0xc0) !== 0x80) {
        units += c >= 0xf0 ? 2 : 1;
        keeping = keeping && units <= cap;
      }
      if (keeping) keepTo = j + 1;
    }
    if (keepTo > from) this.keepBytes(buf, from, keepTo);
    this.strUnits = units;
    this.keeping = keeping;
  }

  private keepBytes(buf: Buffer, from: number, to: number): void {
    const len = to - from;
    if (this.scratchLen + len > this.scratch.length) {
      const bigger = Buffer.alloc(Math.max(this.scratch.length * 2, this.scratchLen + len));
      this.scratch.copy(bigger, 0, 0, this.scratchLen);
      this.scratch = bigger;
    }
    buf.copy(this.scratch, this.scratchLen, from, to);
    this.scratchLen += len;
  }

  private readEscape(buf: Buffer, i: number): number {
    const c = buf[i]!;
    if (this.esc === 1) {
      const simple = ESCAPES[c];
      if (simple !== undefined) {
        this.esc = 0;
        this.takeUnit(simple);
      } else if (c === 0x75) {
        this.esc = 2;
        this.escHex = 0;
      } else throw new JsonSyntaxError('a bad escape in a string');
      return i + 1;
    }
    const h = HEX[c] ?? -1;
    if (h < 0) throw new JsonSyntaxError('a bad \\u escape in a string');
    this.escHex = this.escHex * 16 + h;
    this.esc += 1;
    if (this.esc === 6) {
      this.esc = 0;
      this.takeUnit(this.escHex);
    }
    return i + 1;
  }

  /** One UTF-16 code unit from an escape (a surrogate pair is two, kept or cut together). */
  private takeUnit(unit: number): void {
    this.strUnits += 1;
    const high = unit >= 0xd800 && unit <= 0xdbff;
    // A high surrogate is kept only with room for its pair; a low one only after its high one.
    const room = this.keeping && this.strUnits + (high ? 1 : 0) <= this.strCap;
    if (!room) {
      this.keeping = false;
      return;
    }
    if (this.scratchLen > 0) {
      this.strParts.push(this.scratch.toString('utf8', 0, this.scratchLen));
      this.scratchLen = 0;
    }
    this.strParts.push(String.fromCharCode(unit));
  }

  private finishString(): void {
    const kind = this.str;
    this.str = Str.None;
    if (this.scratchLen > 0) this.strParts.push(this.scratch.toString('utf8', 0, this.scratchLen));
    const text = this.strParts.length === 1 ? this.strParts[0]! : this.strParts.join('');
    this.strParts = [];
    this.scratchLen = 0;
    if (this.scratch.length > 64 * 1024) this.scratch = Buffer.alloc(1024);
    if (kind === Str.Key) {
      this.top().key = this.strUnits <= 64 ? text : '';
      this.state = St.Colon;
      return;
    }
    if (!this.keeping && this.strShape?.onCut) this.strShape.onCut(this.strUnits);
    this.valueDone(text);
  }
}

const ESCAPES: Record<number, number> = {
  0x22: 0x22,
  0x5c: 0x5c,
  0x2f: 0x2f,
  0x62: 0x08,
  0x66: 0x0c,
  0x6e: 0x0a,
  0x72: 0x0d,
  0x74: 0x09,
};

const HEX: Record<number, number> = {};
for (let d = 0; d < 10; d++) HEX[0x30 + d] = d;
for (let d = 0; d < 6; d++) HEX[0x41 + d] = HEX[0x61 + d] = 10 + d;

/** The value of a number or true, false, null written `w` (as JSON.parse reads it; a number
 * longer than NUMBER_CHARS reads as NaN). */
function wordValue(w: string): unknown {
  if (w === 'true') return true;
  if (w === 'false') return false;
  if (w === 'null') return null;
  if (w.length > NUMBER_CHARS) {
    if (!/^-?\d/.test(w)) throw new JsonSyntaxError('expected a value');
    return Number.NaN;
  }
  if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(w)) return Number(w);
  throw new JsonSyntaxError('expected a value');
}

/** The word in bytes [from, to) of one chunk, as wordValue reads it: true, false, null and a
 * plain integer of up to 15 digits (every width, height and count) from its bytes, the rest made
 * a string first. */
function wordAt(buf: Buffer, from: number, to: number): unknown {
  const len = to - from;
  const c = buf[from];
  // true, false, null by their bytes.
  if (len === 4 && c === 0x74 && buf[from + 1] === 0x72 && buf[from + 2] === 0x75 && buf[from + 3] === 0x65)
    return true;
  if (len === 4 && c === 0x6e && buf[from + 1] === 0x75 && buf[from + 2] === 0x6c && buf[from + 3] === 0x6c)
    return null;
  if (
    len === 5 &&
    c === 0x66 &&
    buf[from + 1] === 0x61 &&
    buf[from + 2] === 0x6c &&
    buf[from + 3] === 0x73 &&
    buf[from + 4] === 0x65
  )
    return false;
  const neg = c === 0x2d;
  let i = neg ? from + 1 : from;
  const digits = to - i;
  if (digits > 0 && digits <= 15 && (digits === 1 || buf[i] !== 0x30)) {
    let v = 0;
    for (; i < to; i++) {
      const d = buf[i]! - 0x30;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === to) return neg ? -v : v;
  }
  return wordValue(buf.toString('latin1', from, Math.min(to, from + NUMBER_CHARS + 1)));
}

/** An object shape's field names by their length (they are ASCII: one byte a character). */
const namesByLength = new WeakMap<ObjectShape, Map<number, string[]>>();

function namesOf(shape: ObjectShape): Map<number, string[]> {
  let byLength = namesByLength.get(shape);
  if (!byLength) {
    byLength = new Map();
    for (const name of Object.keys(shape.fields))
      byLength.set(name.length, [...(byLength.get(name.length) ?? []), name]);
    namesByLength.set(shape, byLength);
  }
  return byLength;
}

/** The field among `byLength` whose name is bytes [from, to), or '' for none. */
function fieldAt(byLength: Map<number, string[]>, buf: Buffer, from: number, to: number): string {
  const names = byLength.get(to - from);
  if (!names) return '';
  for (const name of names) {
    let j = 0;
    while (j < name.length && buf[from + j] === name.charCodeAt(j)) j++;
    if (j === name.length) return name;
  }
  return '';
}

/** Reads a whole answer from its chunks by `shape`. */
export async function readJson(chunks: AsyncIterable<Buffer>, shape: Shape): Promise<unknown> {
  const reader = new JsonReader(shape);
  for await (const chunk of chunks) reader.write(chunk);
  return reader.end();
}
