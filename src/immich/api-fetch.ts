// How each of the client's requests moves: over the lean HTTP/1.1 agent (http1-agent.ts), with
// the API key for the server's own origin only, retries by retry.ts's policy and rules (network
// errors, and 429/5xx, before an answer is handed over), and up to 3 redirects, each hop retried on
// its own and sent the key only if it stays on the server's origin. An answer is handed over at its
// head (a photo, a listing page: a body that fails later is the caller's to retry), or whole (small
// JSON: a body that fails on the way is asked again, as a failure before the head is).
//
// Facts kept from undici, which carried the JSON requests before (lib/handler/redirect-handler.js,
// undici 7.x): the redirects followed (300, 301, 302, 303, 307, 308); a 303, and a 301 or 302 to a
// POST, is followed with a GET and no body; a redirect past the last is handed over as it is.
import type { Readable } from 'node:stream';
import type { Http1Agent, Http1Answer } from './http1-agent.js';
import type { Http1Headers } from './http1-parser.js';
import { Http1ProtocolError } from './http1-parser.js';
import type { AbortLike } from './request-abort.js';
import {
  AnswerTooLargeError,
  ERROR_BODY_BYTES,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  type RetryHooks,
  type RetryPolicy,
} from './retry.js';

export interface Timeouts {
  /** TCP + TLS connect. */
  connectMs: number;
  /** From sending the request to the answer's headers. */
  headersMs: number;
  /** The longest silence while a body is arriving. */
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };

export interface ApiFetchOptions {
  agent: Http1Agent;
  /** The server's origin: the only one sent the key. */
  origin: string;
  apiKey: string;
  retry: RetryPolicy;
  hooks: RetryHooks;
  timeouts: Timeouts;
  maxRedirections?: number;
}

export type Method = 'GET' | 'POST';

/** An answer read to its end: an error answer's first ERROR_BODY_BYTES at most. */
export interface WholeAnswer {
  statusCode: number;
  headers: Http1Headers;
  bytes: Buffer;
}

const REDIRECTS = new Set([300, 301, 302, 303, 307, 308]);

/** One request as it goes from hop to hop: a redirect may turn it into a GET without a body.
 * `wholeBytes`: read whole up to this many bytes; null: handed over at the head. */
interface Call {
  method: Method;
  body: string | undefined;
  signal: AbortLike;
  wholeBytes: number | null;
}

/** What one hop gave: the answer, and its bytes when it was read whole. */
interface Got {
  answer: Http1Answer;
  bytes: Buffer | null;
}

export class ApiFetcher {
  /** The header objects, made once (the agent writes each one's lines once). */
  private readonly own: { GET: Record<string, string>; POST: Record<string, string> };
  private readonly other: { GET: Record<string, string>; POST: Record<string, string> };
  private readonly origin: string;
  /** The server's origin as the agent takes it (one object: its pool is found without parsing). */
  private readonly base: URL;

  constructor(private readonly o: ApiFetchOptions) {
    const get = { accept: 'application/json' };
    const post = { accept: 'application/json', 'content-type': 'application/json' };
    this.own = { GET: { ...get, 'x-api-key': o.apiKey }, POST: { ...post, 'x-api-key': o.apiKey } };
    this.other = { GET: get, POST: post };
    this.base = new URL(new URL(o.origin).origin);
    this.origin = this.base.origin;
  }

  /** `path` (on the server's origin), through its redirects: handed over at the answer's head. */
  async get(path: string, signal: AbortLike): Promise<Http1Answer> {
    return (await this.hops(path, { method: 'GET', body: undefined, signal, wholeBytes: null })).answer;
  }

  /** As get(), for any method and body. */
  async stream(method: Method, path: string, body: string | undefined, signal: AbortLike): Promise<Http1Answer> {
    return (await this.hops(path, { method, body, signal, wholeBytes: null })).answer;
  }

  /** An answer read whole, refused past `maxBytes` (AnswerTooLargeError); a body cut short on
   * the way is asked again under the retry policy. */
  async whole(
    method: Method,
    path: string,
    body: string | undefined,
    signal: AbortLike,
    maxBytes: number,
  ): Promise<WholeAnswer> {
    const { answer, bytes } = await this.hops(path, { method, body, signal, wholeBytes: maxBytes });
    return { statusCode: answer.statusCode, headers: answer.headers, bytes: bytes! };
  }

  private async hops(path: string, call: Call): Promise<Got> {
    const { signal } = call;
    let at = this.base;
    let target = path;
    const max = this.o.maxRedirections ?? 3;
    for (let hop = 0; ; hop++) {
      const got = await this.attempts(at, target, call);
      const { answer } = got;
      const location = answer.headers['location'];
      if (!REDIRECTS.has(answer.statusCode) || typeof location !== 'string' || hop >= max) return got;
      if (!got.bytes) await discard(answer.body);
      if (signal.aborted) throw signal.reason;
      const next = new URL(location, new URL(target, at));
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new Http1ProtocolError(`a redirect to a ${next.protocol} location`);
      at = next.origin === this.origin ? this.base : new URL(next.origin);
      target = next.pathname + next.search;
      if (
        answer.statusCode === 303 ||
        (call.method === 'POST' && (answer.statusCode === 301 || answer.statusCode === 302))
      )
        call = { ...call, method: 'GET', body: undefined };
    }
  }

  /** One hop: tried again on a network failure or a 429/5xx, and when read whole, on a body cut
   * short. */
  private async attempts(at: URL, path: string, call: Call): Promise<Got> {
    const { method, body, signal, wholeBytes } = call;
    const policy = this.o.retry;
    const headers = (at === this.base ? this.own : this.other)[method];
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let retryAfterMs: number | null = null;
      try {
        const answer = await this.o.agent.request(at, method, path, {
          headers,
          ...(body !== undefined ? { body } : {}),
          signal,
          headersMs: this.o.timeouts.headersMs,
          bodyMs: this.o.timeouts.bodyMs,
        });
        if (attempt >= policy.maxAttempts || !isRetryableStatus(answer.statusCode)) {
          if (wholeBytes === null) return { answer, bytes: null };
          return { answer, bytes: await readAll(answer, wholeBytes) };
        }
        reason = `HTTP ${answer.statusCode}`;
        retryAfterMs = parseRetryAfter(answer.headers['retry-after'], (this.o.hooks.now ?? Date.now)());
        // The error page is read this far (what an endless one sends past it changes nothing).
        await discard(answer.body);
      } catch (err) {
        if (signal.aborted || attempt >= policy.maxAttempts || !isRetryableError(err)) throw err;
        reason = (err as { code?: string }).code ?? (err as Error).name;
      }
      if (signal.aborted) throw signal.reason;
      const delayMs = retryDelay(attempt, retryAfterMs, policy, this.o.hooks.random ?? Math.random);
      this.o.hooks.onRetry?.({ attempt, delayMs, reason, method, path });
      await wait(delayMs, signal);
    }
  }
}

/** An answer's body whole: an error answer's first ERROR_BODY_BYTES (enough for any message; the
 * rest is not read), any other refused past `maxBytes`. */
async function readAll(answer: Http1Answer, maxBytes: number): Promise<Buffer> {
  const body = answer.body;
  const error = answer.statusCode >= 400;
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      if (error && bytes >= ERROR_BODY_BYTES) break;
      if (bytes > maxBytes) throw new AnswerTooLargeError(maxBytes);
    }
  } finally {
    body.destroy();
  }
  const whole = Buffer.concat(chunks, bytes);
  for (const chunk of chunks) answer.release(chunk);
  return error ? whole.subarray(0, ERROR_BODY_BYTES) : whole;
}

/** Read and drop an answer's body, its first 64 KiB at most (then the connection goes). */
async function discard(body: Readable): Promise<void> {
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (bytes > ERROR_BODY_BYTES) break;
    }
  } catch {
    // A body that broke off: nothing of it was wanted.
  } finally {
    body.destroy();
  }
}

/** `ms`, or the signal's own reason as soon as it fires (a deadline's error, not an AbortError). */
function wait(ms: number, signal: AbortLike): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
