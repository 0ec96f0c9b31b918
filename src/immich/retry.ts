// What is tried again, and when (api-fetch.ts applies it): network errors, timeouts before an
// answer, 5xx and 429 are tried again after an exponential backoff with full jitter (or the
// server's Retry-After, capped), a bounded number of times. Once a good answer's head has been
// handed over, a failure in its body is passed on as it is: the caller (the sync engine) retries a
// whole download.

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

/** An answer read whole grew past its bound; the request was aborted. */
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
