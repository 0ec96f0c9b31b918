// A lean keep-alive HTTP/1.1 client for every request the Immich client makes: per origin a few
// connections (net or tls, Node's own CA store and checks as undici's Agent uses them), one request
// at a time on each (no pipelining), the request in one write, answers read by http1-parser.ts.
// A small photo through undici cost more CPU than curl spends on the whole photo, and loading undici
// was most of a sync's version probe (issue 15); this path costs a fraction of both.
// Its errors carry the codes retry.ts and failures.ts already know (undici's, for the same events).
// A connection reads into one buffer of its own; body bytes are copied out into slabs the reader
// hands back (body-slabs.ts), so a big photo costs no more memory than a small one (issue 21).
import { createRequire } from 'node:module';
import net from 'node:net';
import { Readable } from 'node:stream';
import { BodySlabs, type BodyWriter } from './body-slabs.js';
import { Http1Parser, Http1ProtocolError, type Http1Headers } from './http1-parser.js';
import type { AbortLike } from './request-abort.js';

export interface Http1Answer {
  statusCode: number;
  headers: Http1Headers;
  /** The body as it arrives; destroyed with the abort reason if the signal fires first. */
  body: Readable;
  /** Hands a chunk of the body back once nothing holds a view of it any more (written, hashed):
   * its memory carries later bytes. Each chunk at most once; a chunk never handed back is fine. */
  release: (chunk: Buffer) => void;
}

export interface Http1RequestOptions {
  /** Header lines besides host and connection: lower-case names, values without CR or LF. */
  headers: Record<string, string>;
  /** An AbortSignal, or the client's own lighter RequestAbort (request-abort.ts). */
  signal?: AbortLike;
  /** The request's body (JSON), sent with its Content-Length. */
  body?: string;
  /** From the request's write to the answer's head. */
  headersMs: number;
  /** The longest silence while the body arrives (not counted while the reader holds back). */
  bodyMs: number;
}

export interface Http1AgentOptions {
  /** Connections per origin (undici's Agent here had 8). */
  connections: number;
  connectMs: number;
  /** How long an idle connection is kept; a server's shorter `keep-alive: timeout` wins. */
  keepAliveMs: number;
}

/** A failure on the wire, coded as undici codes the same event (retry.ts retries these). */
export class Http1Error extends Error {
  constructor(
    message: string,
    readonly code: 'UND_ERR_SOCKET' | 'UND_ERR_HEADERS_TIMEOUT' | 'UND_ERR_BODY_TIMEOUT' | 'UND_ERR_CONNECT_TIMEOUT',
  ) {
    super(message);
    this.name = 'Http1Error';
  }
}

let tlsModule: typeof import('node:tls') | null = null;
/** node:tls, loaded on the first https connection (as undici loads it, lib/core/connect.js): a
 * frame on a plain-http LAN server never pays its start-up. */
const tls = (): typeof import('node:tls') =>
  (tlsModule ??= createRequire(import.meta.url)('node:tls') as typeof import('node:tls'));

/** Subtracted from a server's keep-alive hint: a connection it is about to close is not reused. */
const KEEP_ALIVE_MARGIN_MS = 1000;

/** A socket read's most: what Node's own reads take (a 64 KiB buffer each). */
const READ_BYTES = 64 * 1024;

/** Free body slabs an agent keeps: what four downloads hold at once (two 1 MiB batches being
 * written and one gathering each), with room to spare. */
const KEPT_SLABS = 64;

class Connection {
  readonly socket: net.Socket;
  exchange: Exchange | null = null;
  /** Whether it has carried an answer before (a failure before any byte may be a stale close). */
  reused = false;
  idleSince = 0;
  keepAliveMs: number;
  private error: Error | null = null;
  private connectTimer: NodeJS.Timeout | null;

  constructor(
    private readonly pool: Pool,
    url: URL,
    options: Http1AgentOptions,
  ) {
    this.keepAliveMs = options.keepAliveMs;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const https = url.protocol === 'https:';
    const port = Number(url.port) || (https ? 443 : 80);
    // Every read into the same buffer: handled before the next read (the parser copies what it
    // keeps, the body's bytes go into slabs), so no read leaves a buffer behind.
    const onread: net.OnReadOpts = {
      buffer: Buffer.allocUnsafeSlow(READ_BYTES),
      callback: (n: number, buf: Uint8Array) => this.read(n, buf),
    };
    this.socket = https
      ? tls().connect({
          host,
          port,
          // SNI names a host, never an address (RFC 6066 section 3).
          ...(net.isIP(host) ? {} : { servername: host }),
          ALPNProtocols: ['http/1.1'],
          ...(pool.session ? { session: pool.session } : {}),
          // A TLSSocket is a net.Socket and takes onread as one does (Node 20's _tls_wrap.js;
          // not in @types/node's ConnectionOptions).
          ...({ onread } as object),
        })
      : net.connect({ host, port, onread });
    const ready = https ? 'secureConnect' : 'connect';
    this.connectTimer = setTimeout(
      () => this.destroy(new Http1Error(`could not connect within ${options.connectMs} ms`, 'UND_ERR_CONNECT_TIMEOUT')),
      options.connectMs,
    );
    this.connectTimer.unref();
    this.socket.once(ready, () => {
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = null;
    });
    if (https) this.socket.on('session', (session: Buffer) => (pool.session = session));
    this.socket.setNoDelay(true);
    this.socket.on('error', (err) => (this.error ??= err));
    this.socket.on('close', () => {
      if (this.connectTimer) clearTimeout(this.connectTimer);
      const exchange = this.exchange;
      this.exchange = null;
      pool.closed(this);
      exchange?.closed(this.error);
    });
  }

  /** A read's `n` bytes at the start of the connection's buffer. */
  private read(n: number, buf: Uint8Array): boolean {
    if (this.exchange) this.exchange.data(Buffer.from(buf.buffer, buf.byteOffset, n));
    // Bytes on an idle connection answer nothing we asked: it cannot be trusted further.
    else this.destroy(null);
    // Reading goes on (a reader that holds back pauses the socket itself).
    return true;
  }

  destroy(err: Error | null): void {
    if (err) this.error ??= err;
    this.socket.destroy();
  }

  get usable(): boolean {
    return !this.socket.destroyed && Date.now() - this.idleSince < this.keepAliveMs;
  }
}

/** One request on one connection, from its write to its body's last byte. */
class Exchange {
  private conn: Connection | null = null;
  private parser: Http1Parser | null = null;
  private body: Readable | null = null;
  private writer: BodyWriter | null = null;
  private timer: NodeJS.Timeout | null = null;
  private gotBytes = false;
  private ended = false;
  private paused = false;
  /** Whether this request was already sent again after a reused connection closed unanswered. */
  private resent = false;
  private settled = false;
  /** Whether the connection it runs on had carried an answer before. */
  private connWasReused = false;
  private readonly onAbort = () => this.abort();

  constructor(
    private readonly pool: Pool,
    private readonly request: string | Buffer,
    private readonly o: Http1RequestOptions,
    private readonly resolve: (a: Http1Answer) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Runs on `conn`: the request goes out in one write. */
  start(conn: Connection): void {
    if (this.o.signal?.aborted) {
      this.pool.release(conn);
      this.abort();
      return;
    }
    this.conn = conn;
    this.gotBytes = false;
    conn.exchange = this;
    this.parser = new Http1Parser({
      head: (status, headers) => this.head(status, headers),
      body: (chunk) => this.chunk(chunk),
      end: (reusable) => this.end(reusable),
    });
    this.timer = setTimeout(
      () => this.fail(new Http1Error(`no answer within ${this.o.headersMs} ms`, 'UND_ERR_HEADERS_TIMEOUT')),
      this.o.headersMs,
    );
    this.timer.unref();
    if (typeof this.request === 'string') conn.socket.write(this.request, 'latin1');
    else conn.socket.write(this.request);
  }

  data(data: Buffer): void {
    this.gotBytes = true;
    try {
      this.parser!.execute(data);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    // A body still on its way: the silence timer runs (armed once the bytes at hand are handed
    // over, so an answer that came whole costs no timer).
    if (this.body && !this.ended && !this.paused && !this.timer) this.armBodyTimer();
  }

  /** The connection closed (with the socket's error, if any). */
  closed(err: Error | null): void {
    this.conn = null;
    if (this.ended) return;
    if (!err && this.parser?.untilClose) {
      this.parser.close(); // ends the body
      return;
    }
    if (!this.body && !this.gotBytes && !this.resent && this.connWasReused && !this.o.signal?.aborted) {
      // A kept-alive connection the server closed as we sent: sent again, once, on a fresh
      // connection (not a failure of the server). Every request the client makes only reads: its
      // GETs, and the search POST, which changes nothing on the server.
      this.resent = true;
      this.clearTimer();
      this.pool.enqueue(this, true);
      return;
    }
    this.fail(err ?? new Http1Error('the server closed the connection before the answer ended', 'UND_ERR_SOCKET'));
  }

  /** Set by the pool when it hands over a connection. */
  onConnection(conn: Connection): void {
    this.connWasReused = conn.reused;
    this.start(conn);
  }

  private head(status: number, headers: Http1Headers): void {
    this.clearTimer();
    const hint = /timeout=(\d+)/i.exec(typeof headers['keep-alive'] === 'string' ? headers['keep-alive'] : '');
    if (hint && this.conn)
      this.conn.keepAliveMs = Math.min(this.conn.keepAliveMs, Number(hint[1]) * 1000 - KEEP_ALIVE_MARGIN_MS);
    const body = new Readable({
      // A socket read's worth (64 KiB) is held before the socket is paused: a small photo that
      // arrives in one read never costs a pause and a resume (two epoll calls), as undici's body.
      highWaterMark: 64 * 1024,
      read: () => this.resume(),
      destroy: (err, done) => {
        // Left before its end: the rest of it would still come on this connection.
        if (!this.ended) this.leave(false);
        this.detach();
        done(err);
      },
    });
    this.body = body;
    this.writer = this.pool.slabs.writer();
    this.settled = true;
    this.resolve({ statusCode: status, headers, body, release: this.pool.slabs.release });
  }

  private chunk(bytes: Buffer): void {
    const body = this.body!;
    if (body.destroyed) return;
    // Copied now: the connection's next read goes into the same buffer.
    let more = true;
    this.writer!.copy(bytes, (chunk) => (more = body.push(chunk) && more));
    if (!more && !this.paused) {
      // The reader holds back: so does the socket, and the silence timer waits with it.
      this.paused = true;
      this.conn?.socket.pause();
      this.clearTimer();
    } else if (this.timer) this.timer.refresh();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.ended) return;
    this.conn?.socket.resume();
    this.armBodyTimer();
  }

  private end(reusable: boolean): void {
    this.leave(reusable);
    if (!this.body!.destroyed) this.body!.push(null);
  }

  /** The exchange is over on its connection: handed back for the next request, or closed (an
   * answer unfinished or not to be trusted further). */
  private leave(keep: boolean): void {
    this.ended = true;
    this.clearTimer();
    this.writer?.end();
    const conn = this.conn;
    this.conn = null;
    if (!conn) return;
    conn.exchange = null;
    if (!keep) return conn.destroy(null);
    if (this.paused) conn.socket.resume();
    conn.reused = true;
    this.pool.release(conn);
  }

  private armBodyTimer(): void {
    this.clearTimer();
    this.timer = setTimeout(
      () => this.fail(new Http1Error(`the body stalled for ${this.o.bodyMs} ms`, 'UND_ERR_BODY_TIMEOUT')),
      this.o.bodyMs,
    );
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private abort(): void {
    const reason: unknown = this.o.signal?.reason;
    if (this.body && this.ended) {
      failBody(this.body, reason as Error);
      return;
    }
    this.fail(reason as Error);
  }

  /** The request failed: before its head, the promise rejects; after, the body errors. */
  private fail(err: Error): void {
    if (this.ended && this.body) return;
    this.leave(false);
    this.pool.dequeue(this);
    if (this.body) failBody(this.body, err);
    else if (!this.settled) {
      this.settled = true;
      this.detach();
      this.reject(err);
    }
  }

  private detach(): void {
    this.o.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** A body fails with `err`; a reader that has not started yet (a download opening its file) sees
 * it when it does, not an unhandled 'error' now (as undici's request() does it, api-request.js). */
function failBody(body: Readable, err: Error): void {
  body.on('error', noop);
  body.destroy(err);
}

const noop = () => {};

/** The connections to one origin and the requests waiting for one. */
class Pool {
  session: Buffer | undefined = undefined;
  private readonly idle: Connection[] = [];
  private readonly waiting: Exchange[] = [];
  private open = 0;
  private closing = false;

  constructor(
    private readonly url: URL,
    private readonly options: Http1AgentOptions,
    /** The agent's, shared by its pools. */
    readonly slabs: BodySlabs,
  ) {}

  /** Run `exchange` on an idle connection, a new one, or when one frees up. `fresh`: never on a
   * kept-alive one. */
  enqueue(exchange: Exchange, fresh = false): void {
    if (this.closing) {
      exchange.closed(new Http1Error('the client is closed', 'UND_ERR_SOCKET'));
      return;
    }
    if (!fresh) {
      const conn = this.takeIdle();
      if (conn) return exchange.onConnection(conn);
    }
    if (this.open < this.options.connections) {
      this.open += 1;
      exchange.onConnection(new Connection(this, this.url, this.options));
      return;
    }
    if (fresh) {
      // A resend does not queue behind others: one connection over the bound, for a moment.
      this.open += 1;
      exchange.onConnection(new Connection(this, this.url, this.options));
      return;
    }
    this.waiting.push(exchange);
  }

  dequeue(exchange: Exchange): void {
    const at = this.waiting.indexOf(exchange);
    if (at !== -1) this.waiting.splice(at, 1);
  }

  release(conn: Connection): void {
    if (this.closing) {
      conn.destroy(null);
      return;
    }
    const next = this.waiting.shift();
    if (next) return next.onConnection(conn);
    conn.idleSince = Date.now();
    // An idle connection never keeps the process alive.
    conn.socket.unref();
    this.idle.push(conn);
  }

  closed(conn: Connection): void {
    this.open -= 1;
    const at = this.idle.indexOf(conn);
    if (at !== -1) this.idle.splice(at, 1);
    const next = this.waiting.shift();
    if (next) this.enqueue(next);
  }

  close(): void {
    this.closing = true;
    for (const conn of [...this.idle]) conn.destroy(null);
  }

  private takeIdle(): Connection | null {
    while (this.idle.length > 0) {
      const conn = this.idle.pop()!;
      if (conn.usable) {
        conn.socket.ref();
        return conn;
      }
      conn.destroy(null);
    }
    return null;
  }
}

const SAFE_TARGET = /^\/[\x21-\x7e]*$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export class Http1Agent {
  private readonly pools = new Map<string, Pool>();
  /** The pool of each origin URL object seen (no origin string computed per request). */
  private readonly byUrl = new WeakMap<URL, Pool>();
  private readonly lines = new WeakMap<Record<string, string>, string>();
  private readonly slabs = new BodySlabs(KEPT_SLABS);

  constructor(private readonly options: Http1AgentOptions) {}

  /** GET `target` (path and query) from `origin` (a URL whose path is not used); resolves at the
   * answer's head, rejects with the signal's reason on abort. */
  get(origin: URL, target: string, o: Http1RequestOptions): Promise<Http1Answer> {
    return this.request(origin, 'GET', target, o);
  }

  /** `method` `target` from `origin`, with `o.body` if any: as get(). For requests that only read:
   * one a reused connection drops unanswered is sent again, once, on a fresh connection. */
  request(origin: URL, method: 'GET' | 'POST', target: string, o: Http1RequestOptions): Promise<Http1Answer> {
    let pool = this.byUrl.get(origin);
    if (!pool) {
      if (origin.protocol !== 'http:' && origin.protocol !== 'https:')
        return Promise.reject(new Http1ProtocolError(`no HTTP URL (${origin.protocol})`));
      pool = this.pools.get(origin.origin) ?? new Pool(origin, this.options, this.slabs);
      this.pools.set(origin.origin, pool);
      this.byUrl.set(origin, pool);
    }
    // A URL's path never holds a raw space or control character; a header value might.
    if (!SAFE_TARGET.test(target)) return Promise.reject(new Http1ProtocolError('a bad request target'));
    const lines = this.headerLines(o.headers);
    if (lines === null) return Promise.reject(new Http1ProtocolError('a line break in a request header'));
    const head = `${method} ${target} HTTP/1.1\r\nhost: ${origin.host}\r\nconnection: keep-alive\r\n${lines}`;
    let request: string | Buffer;
    if (o.body === undefined) request = `${head}\r\n`;
    else {
      const body = Buffer.from(o.body, 'utf8');
      request = Buffer.concat([Buffer.from(`${head}content-length: ${body.length}\r\n\r\n`, 'latin1'), body]);
    }
    const chosen = pool;
    return new Promise((resolve, reject) => {
      if (o.signal?.aborted) return reject(o.signal.reason);
      chosen.enqueue(new Exchange(chosen, request, o, resolve, reject));
    });
  }

  /** The header lines of a headers object (made once per object: the fetcher's two are reused). */
  private headerLines(headers: Record<string, string>): string | null {
    let lines = this.lines.get(headers);
    if (lines === undefined) {
      lines = '';
      for (const name in headers) {
        const value = headers[name]!;
        if (!TOKEN.test(name) || /[\0\r\n]/.test(value)) return null;
        lines += `${name}: ${value}\r\n`;
      }
      this.lines.set(headers, lines);
    }
    return lines;
  }

  /** Close idle connections now and busy ones when their answer ends. */
  close(): void {
    for (const pool of this.pools.values()) pool.close();
  }
}
