// Retries as an undici interceptor: network errors, timeouts before an answer, 5xx and 429 are
// tried again after an exponential backoff with full jitter (or the server's Retry-After, capped),
// a bounded number of times. Once a good answer's headers have gone downstream, a failure in its
// body is passed on as it is: the caller (the sync engine) retries a whole download.
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';

type ResponseHeaders = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2];

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The backoff ceiling doubles from this for each retry... */
  baseDelayMs: number;
  /** ...up to this; the delay is a uniform draw below the ceiling ("full jitter"). */
  maxDelayMs: number;
  /** The longest Retry-After we wait for; longer ones are cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export interface RetryEvent {
  /** The attempt that failed (1 = the first). */
  attempt: number;
  delayMs: number;
  /** "HTTP 503", or an error code such as ECONNRESET. */
  reason: string;
  method: string;
  path: string;
}

export interface RetryHooks {
  random?: () => number;
  now?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

export function isRetryableError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/** Milliseconds to wait from a Retry-After value: delay-seconds or an HTTP-date; null if absent
 * or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

/** How long to wait before retry number `retry` (1 = the first retry). */
export function retryDelay(
  retry: number,
  retryAfterMs: number | null,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** Dispatch option: hold the whole body until it is complete so that a failure in the middle of
 * it can be retried too (for JSON answers; never for photos). */
export interface RetryDispatchOptions {
  bufferBody?: boolean;
  /** With bufferBody: a body longer than this is cut off with an AnswerTooLargeError (an endless
   * or absurd answer must not grow the process without bound). */
  maxBodyBytes?: number;
}

/** A buffered answer grew past maxBodyBytes; the request was aborted. */
export class AnswerTooLargeError extends Error {
  readonly code = 'ANSWER_TOO_LARGE';
  constructor(readonly limitBytes: number) {
    super(`the answer was longer than ${limitBytes} bytes`);
    this.name = 'AnswerTooLargeError';
  }
}

/** An error answer's body is read this far: enough for any message; an endless error page past
 * it still ends as the HTTP error it is, not as a silent server. */
export const ERROR_BODY_BYTES = 64 * 1024;

/** The one controller the downstream handler sees across attempts. */
class AttemptController implements Dispatcher.DispatchController {
  target: Dispatcher.DispatchController | null = null;
  private pausedByUser = false;
  private abortReason: Error | null = null;

  constructor(private readonly onAbortBetweenAttempts: (reason: Error) => void) {}

  get aborted(): boolean {
    return this.abortReason !== null || (this.target?.aborted ?? false);
  }

  get paused(): boolean {
    return this.pausedByUser;
  }

  get reason(): Error | null {
    return this.abortReason ?? this.target?.reason ?? null;
  }

  get abortedByUser(): boolean {
    return this.abortReason !== null;
  }

  abort(reason: Error): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    if (this.target) this.target.abort(reason);
    else this.onAbortBetweenAttempts(reason);
  }

  pause(): void {
    this.pausedByUser = true;
    this.target?.pause();
  }

  resume(): void {
    this.pausedByUser = false;
    this.target?.resume();
  }

  attach(target: Dispatcher.DispatchController): void {
    this.target = target;
    if (this.pausedByUser) target.pause();
  }
}

class RetryingHandler implements Dispatcher.DispatchHandler {
  private attempt = 1;
  private started = false;
  private forwarded = false;
  private finished = false;
  private discard: { reason: string; retryAfter: string | string[] | undefined; bytes: number } | null = null;
  /** An attempt we cut off ourselves (its error body read far enough): its later events are ignored. */
  private dropped: Dispatcher.DispatchController | null = null;
  private buffered: {
    status: number;
    headers: ResponseHeaders;
    message?: string;
    chunks: Buffer[];
    bytes: number;
  } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly controller: AttemptController;

  constructor(
    private readonly dispatch: Dispatcher.Dispatch,
    private readonly opts: Dispatcher.DispatchOptions & RetryDispatchOptions,
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly policy: RetryPolicy,
    private readonly hooks: RetryHooks,
  ) {
    this.controller = new AttemptController((reason) => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.fail(reason);
    });
  }

  start(): boolean {
    return this.dispatch(this.opts, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.controller.attach(controller);
    if (this.controller.abortedByUser) {
      controller.abort(this.controller.reason!);
      return;
    }
    if (!this.started) {
      this.started = true;
      this.handler.onRequestStart?.(this.controller, context);
    }
  }

  onRequestUpgrade(
    _c: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    socket: Duplex,
  ): void {
    this.handler.onRequestUpgrade?.(this.controller, statusCode, headers, socket);
  }

  onResponseStart(
    _c: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    statusMessage?: string,
  ): void {
    if (this.attempt < this.policy.maxAttempts && isRetryableStatus(statusCode)) {
      this.discard = { reason: `HTTP ${statusCode}`, retryAfter: headers['retry-after'], bytes: 0 };
      return;
    }
    if (this.opts.bufferBody) {
      this.buffered = {
        status: statusCode,
        headers,
        chunks: [],
        bytes: 0,
        ...(statusMessage !== undefined ? { message: statusMessage } : {}),
      };
      return;
    }
    this.forwarded = true;
    this.handler.onResponseStart?.(this.controller, statusCode, headers, statusMessage);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (_c === this.dropped) return;
    if (this.discard) {
      this.discard.bytes += chunk.length;
      if (this.discard.bytes > ERROR_BODY_BYTES) {
        // An error page that goes on and on: retry now rather than wait for its end.
        const { reason, retryAfter } = this.discard;
        this.discard = null;
        this.dropped = _c;
        _c.abort(new Error('error answer not read further'));
        this.scheduleRetry(reason, parseRetryAfter(retryAfter, (this.hooks.now ?? Date.now)()));
      }
      return;
    }
    if (this.finished) return;
    if (this.buffered) {
      this.buffered.bytes += chunk.length;
      if (this.buffered.status >= 400 && this.buffered.bytes > ERROR_BODY_BYTES) {
        // The error's first 64 KiB say what it is: deliver them as the whole answer.
        const b = this.buffered;
        this.buffered = null;
        this.dropped = _c;
        this.deliver(b, {});
        _c.abort(new Error('error answer not read further'));
        return;
      }
      const limit = this.opts.maxBodyBytes;
      if (limit !== undefined && this.buffered.bytes > limit) {
        this.buffered = null;
        const err = new AnswerTooLargeError(limit);
        this.fail(err);
        _c.abort(err);
        return;
      }
      this.buffered.chunks.push(chunk);
      return;
    }
    this.handler.onResponseData?.(this.controller, chunk);
  }

  onResponseEnd(_c: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    if (_c === this.dropped) return;
    if (this.discard) {
      const { reason, retryAfter } = this.discard;
      this.discard = null;
      this.scheduleRetry(reason, parseRetryAfter(retryAfter, (this.hooks.now ?? Date.now)()));
      return;
    }
    const b = this.buffered;
    this.buffered = null;
    this.deliver(b, trailers);
  }

  /** Hand a buffered answer (if any) down and end it. */
  private deliver(b: RetryingHandler['buffered'], trailers: ResponseHeaders): void {
    if (b) {
      this.forwarded = true;
      this.handler.onResponseStart?.(this.controller, b.status, b.headers, b.message);
      for (const chunk of b.chunks) {
        if (this.controller.aborted) return;
        this.handler.onResponseData?.(this.controller, chunk);
      }
    }
    this.finished = true;
    this.handler.onResponseEnd?.(this.controller, trailers);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (_c === this.dropped) return;
    const retryable =
      !this.forwarded &&
      !this.controller.abortedByUser &&
      this.attempt < this.policy.maxAttempts &&
      isRetryableError(err);
    if (!retryable) {
      this.fail(err);
      return;
    }
    this.discard = null;
    this.buffered = null;
    this.scheduleRetry((err as { code?: string }).code ?? err.name, null);
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.handler.onResponseError?.(this.controller, err);
  }

  private scheduleRetry(reason: string, retryAfterMs: number | null): void {
    const delayMs = retryDelay(this.attempt, retryAfterMs, this.policy, this.hooks.random ?? Math.random);
    this.hooks.onRetry?.({ attempt: this.attempt, delayMs, reason, method: this.opts.method, path: this.opts.path });
    this.attempt += 1;
    this.controller.target = null;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.controller.abortedByUser) return;
      try {
        this.dispatch(this.opts, this);
      } catch (err) {
        this.fail(err as Error);
      }
    }, delayMs);
  }
}

export function retryInterceptor(
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => new RetryingHandler(dispatch, opts, handler, policy, hooks).start();
}
