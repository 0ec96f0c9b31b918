// Reads one HTTP/1.1 answer at a time off a connection's bytes: the status line and headers, then
// the body as its framing says (Content-Length, chunked with extensions and trailers, or until the
// connection closes). The client's own parser (http1-agent.ts), strict where a lenient one
// would let a broken or hostile server smuggle bytes into the next answer. Pure: bytes in, events out.
//
// Framing rules from RFC 9112 (section 6.3 "Message Body Length"; 7.1 "Chunked Transfer Coding"):
// no body for 1xx/204/304; Transfer-Encoding wins over Content-Length (and then the connection is
// not reused); a final coding other than chunked is read until close; differing Content-Lengths
// are an error.

/** An answer's headers: lower-case names; a name sent twice holds its values in order. */
export type Http1Headers = Record<string, string | string[]>;

/** Bytes that are not an HTTP/1.1 answer (or one past our bounds). */
export class Http1ProtocolError extends Error {
  readonly code = 'HTTP1_PROTOCOL';
  constructor(what: string) {
    super(`the answer is not valid HTTP/1.1: ${what}`);
    this.name = 'Http1ProtocolError';
  }
}

export interface Http1Events {
  /** A final (non-1xx) answer's head. */
  head(status: number, headers: Http1Headers): void;
  body(chunk: Buffer): void;
  /** The answer is complete. `reusable`: the connection may carry another request (HTTP/1.1,
   * no `connection: close`, a framed body, and no byte after the answer). */
  end(reusable: boolean): void;
}

/** The most a head (status line and headers) or a trailer section may be. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** The most a chunk-size line (with its extensions) may be. */
const MAX_CHUNK_LINE = 4096;

const CRLF2 = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;[^\r\n]*)?$/;

const enum State {
  Head,
  Length,
  ChunkLine,
  ChunkData,
  ChunkEnd,
  Trailers,
  Close,
  Done,
}

export class Http1Parser {
  private state = State.Head;
  /** Bytes of a head, chunk line or trailer section not complete yet. */
  private pending: Buffer | null = null;
  private remaining = 0;
  private keepAlive = false;
  /** Bytes of the chunk-end CRLF still expected (2, 1). */
  private crlfLeft = 0;

  constructor(private readonly events: Http1Events) {}

  /** Whether the answer has ended. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Whether the body runs until the connection closes. */
  get untilClose(): boolean {
    return this.state === State.Close;
  }

  /** Feed the connection's next bytes. Throws Http1ProtocolError; bytes after the answer's end
   * make it unusable for another (no request is pipelined, so nothing else may come). */
  execute(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case State.Head:
          at = this.readHead(data, at);
          break;
        case State.Length: {
          const n = Math.min(this.remaining, data.length - at);
          this.remaining -= n;
          const chunk = at === 0 && n === data.length ? data : data.subarray(at, at + n);
          at += n;
          this.events.body(chunk);
          if (this.remaining === 0) this.finish(at < data.length);
          break;
        }
        case State.ChunkLine:
          at = this.readChunkLine(data, at);
          break;
        case State.ChunkData: {
          const n = Math.min(this.remaining, data.length - at);
          this.remaining -= n;
          const chunk = data.subarray(at, at + n);
          at += n;
          this.events.body(chunk);
          if (this.remaining === 0) {
            this.state = State.ChunkEnd;
            this.crlfLeft = 2;
          }
          break;
        }
        case State.ChunkEnd: {
          const want = this.crlfLeft === 2 ? 0x0d : 0x0a;
          if (data[at] !== want) throw new Http1ProtocolError('a chunk is not followed by CRLF');
          at += 1;
          this.crlfLeft -= 1;
          if (this.crlfLeft === 0) this.state = State.ChunkLine;
          break;
        }
        case State.Trailers:
          at = this.readTrailers(data, at);
          break;
        case State.Close:
          this.events.body(at === 0 ? data : data.subarray(at));
          at = data.length;
          break;
        case State.Done:
          // Bytes past the answer: nothing was asked for them.
          throw new Http1ProtocolError('bytes after the end of the answer');
      }
    }
  }

  /** The connection closed: the end of a body read until close, else an answer cut short. */
  close(): void {
    if (this.state === State.Close) {
      this.state = State.Done;
      this.events.end(false);
      return;
    }
    if (this.state !== State.Done) throw new Http1ProtocolError('the connection closed before the answer ended');
  }

  private finish(more: boolean): void {
    this.state = State.Done;
    this.events.end(this.keepAlive && !more);
    if (more) throw new Http1ProtocolError('bytes after the end of the answer');
  }

  /** Join what is pending with `data` from `at`; find `sep` in it. */
  private gather(data: Buffer, at: number, sep: Buffer | string, max: number): { buf: Buffer; end: number } | null {
    const start = this.pending?.length ?? 0;
    const buf = this.pending ? Buffer.concat([this.pending, data.subarray(at)]) : data.subarray(at);
    // Search from a little before the new bytes: the separator may straddle the seam.
    const end = buf.indexOf(sep, Math.max(0, start - 3));
    if (end === -1) {
      if (buf.length > max) throw new Http1ProtocolError(`a head or chunk line longer than ${max} bytes`);
      this.pending = Buffer.from(buf);
      return null;
    }
    if (end > max) throw new Http1ProtocolError(`a head or chunk line longer than ${max} bytes`);
    return { buf, end: end - start };
  }

  private readHead(data: Buffer, at: number): number {
    const found = this.gather(data, at, CRLF2, MAX_HEAD_BYTES);
    if (!found) return data.length;
    const headEnd = found.end + (this.pending?.length ?? 0);
    const text = found.buf.toString('latin1', 0, headEnd);
    const next = at + found.end + 4;
    this.pending = null;
    const lines = text.split('\r\n');
    const status = STATUS_LINE.exec(lines[0]!);
    if (!status) throw new Http1ProtocolError('a bad status line');
    const code = Number(status[2]);
    const headers = parseFields(lines, 1);
    if (code >= 100 && code < 200) {
      // An interim answer (100 Continue, 103 Early Hints): the real one follows. 101 would
      // switch protocols, which the client never asks for.
      if (code === 101) throw new Http1ProtocolError('an unasked protocol switch (101)');
      return next;
    }
    const connection = headerList(headers['connection']);
    this.keepAlive = status[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    const te = headers['transfer-encoding'];
    if (code === 204 || code === 304) {
      this.state = State.Done;
    } else if (te !== undefined) {
      // A length next to a coding is a smuggling attempt or a broken proxy: the coding rules, and
      // the connection carries nothing more.
      if (headers['content-length'] !== undefined) {
        delete headers['content-length'];
        this.keepAlive = false;
      }
      const codings = headerList(te);
      if (codings[codings.length - 1] === 'chunked') this.state = State.ChunkLine;
      else this.state = State.Close;
    } else if (headers['content-length'] !== undefined) {
      const lengths = [...new Set(headerList(headers['content-length']))];
      if (lengths.length !== 1 || !/^\d{1,15}$/.test(lengths[0]!))
        throw new Http1ProtocolError('a bad or contradictory Content-Length');
      headers['content-length'] = lengths[0]!;
      this.remaining = Number(lengths[0]);
      this.state = this.remaining === 0 ? State.Done : State.Length;
    } else {
      this.state = State.Close;
    }
    if (this.state === State.Close) this.keepAlive = false;
    this.events.head(code, headers);
    if (this.state === State.Done) this.finish(next < data.length);
    return next;
  }

  private readChunkLine(data: Buffer, at: number): number {
    const found = this.gather(data, at, '\r\n', MAX_CHUNK_LINE);
    if (!found) return data.length;
    const lineEnd = found.end + (this.pending?.length ?? 0);
    const line = found.buf.toString('latin1', 0, lineEnd);
    this.pending = null;
    const m = CHUNK_SIZE.exec(line);
    if (!m) throw new Http1ProtocolError('a bad chunk size');
    this.remaining = parseInt(m[1]!, 16);
    this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
    return at + found.end + 2;
  }

  private readTrailers(data: Buffer, at: number): number {
    // The trailer section ends with an empty line; with no trailers that is the very next CRLF.
    const before = this.pending?.length ?? 0;
    const joined = this.pending ? Buffer.concat([this.pending, data.subarray(at)]) : data.subarray(at);
    let end = -1;
    let cut = 0;
    if (joined.length >= 2 && joined[0] === 0x0d && joined[1] === 0x0a) {
      end = 0;
      cut = 2;
    } else {
      const i = joined.indexOf(CRLF2);
      if (i !== -1) {
        end = i;
        cut = i + 4;
      }
    }
    if (end === -1) {
      if (joined.length > MAX_HEAD_BYTES) throw new Http1ProtocolError('trailers longer than 64 KiB');
      this.pending = Buffer.from(joined);
      return data.length;
    }
    if (end > 0) parseFields(joined.toString('latin1', 0, end).split('\r\n'), 0);
    this.pending = null;
    const next = at + cut - before;
    this.finish(next < data.length);
    return next;
  }
}

/** Header lines from `from` on, each `name: value`. */
function parseFields(lines: string[], from: number): Http1Headers {
  const headers: Http1Headers = {};
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    // A folded line (leading space) is obsolete and may be rejected (RFC 9112 5.2).
    if (colon <= 0) throw new Http1ProtocolError('a header line without a name');
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new Http1ProtocolError('a bad header name');
    const value = line.slice(colon + 1).trim();
    if (/[\0\r\n]/.test(value)) throw new Http1ProtocolError('a control character in a header');
    const key = name.toLowerCase();
    const had = headers[key];
    if (had === undefined) headers[key] = value;
    else if (Array.isArray(had)) had.push(value);
    else headers[key] = [had, value];
  }
  return headers;
}

/** A header's comma-separated values, lower case. */
function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const all = Array.isArray(value) ? value.join(',') : value;
  return all
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
}
