// How a photo's GET moves: over the lean HTTP/1.1 agent (http1-agent.ts) with what the undici
// dispatcher gives the JSON requests (dispatcher.ts): the API key for the server's own origin
// only, retries by retry.ts's policy and rules (network errors, and 429/5xx, before an answer is
// handed over; a body that fails later is the caller's to retry), and up to 3 redirects, each hop
// retried on its own and sent the key only if it stays on the server's origin.
import type { Readable } from 'node:stream';
import type { Timeouts } from './dispatcher.js';
import type { Http1Agent, Http1Answer } from './http1-agent.js';
import { Http1ProtocolError } from './http1-parser.js';
import {
  ERROR_BODY_BYTES,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  type RetryHooks,
  type RetryPolicy,
} from './retry.js';

export interface PhotoFetchOptions {
  agent: Http1Agent;
  /** The server's origin: the only one sent the key. */
  origin: string;
  apiKey: string;
  retry: RetryPolicy;
  hooks: RetryHooks;
  timeouts: Timeouts;
  maxRedirections?: number;
}

/** The redirects undici's redirect interceptor follows (lib/handler/redirect-handler.js). */
const REDIRECTS = new Set([300, 301, 302, 303, 307, 308]);

export class PhotoFetcher {
  private readonly own: Record<string, string>;
  private readonly other = { accept: 'application/json' };
  private readonly origin: string;
  /** The server's origin as the agent takes it (one object: its pool is found without parsing). */
  private readonly base: URL;

  constructor(private readonly o: PhotoFetchOptions) {
    // The same headers a JSON GET carries (the server answers a photo route alike either way).
    this.own = { accept: 'application/json', 'x-api-key': o.apiKey };
    this.base = new URL(new URL(o.origin).origin);
    this.origin = this.base.origin;
  }

  /** GET `path` (on the server's origin) through its redirects. */
  async get(path: string, signal: AbortSignal): Promise<Http1Answer> {
    let at = this.base;
    let target = path;
    const max = this.o.maxRedirections ?? 3;
    for (let hop = 0; ; hop++) {
      const answer = await this.attempts(at, target, signal);
      const location = answer.headers['location'];
      if (!REDIRECTS.has(answer.statusCode) || typeof location !== 'string' || hop >= max) return answer;
      await discard(answer.body);
      if (signal.aborted) throw signal.reason;
      const next = new URL(location, new URL(target, at));
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new Http1ProtocolError(`a redirect to a ${next.protocol} location`);
      at = next.origin === this.origin ? this.base : new URL(next.origin);
      target = next.pathname + next.search;
    }
  }

  /** One hop: tried again on a network failure or a 429/5xx, as retry.ts's interceptor does. */
  private async attempts(at: URL, path: string, signal: AbortSignal): Promise<Http1Answer> {
    const policy = this.o.retry;
    const headers = at === this.base ? this.own : this.other;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let retryAfterMs: number | null = null;
      try {
        const answer = await this.o.agent.get(at, path, {
          headers,
          signal,
          headersMs: this.o.timeouts.headersMs,
          bodyMs: this.o.timeouts.bodyMs,
        });
        if (attempt >= policy.maxAttempts || !isRetryableStatus(answer.statusCode)) return answer;
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
      this.o.hooks.onRetry?.({ attempt, delayMs, reason, method: 'GET', path });
      await wait(delayMs, signal);
    }
  }
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
function wait(ms: number, signal: AbortSignal): Promise<void> {
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
