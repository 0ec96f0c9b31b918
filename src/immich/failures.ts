// Turning what went wrong on the wire into the frame's errors: one line naming the server (and
// the album or route) and what the owner can do. Pure functions; the key is never in the input.
import { terminalSafe } from '../core/terminal-text.js';
import type * as z from 'zod/mini';
import '../core/zod-messages.js';
import {
  AlbumNotFoundError,
  AuthRejectedError,
  BadResponseError,
  ServerUnreachableError,
  TlsError,
  type FrameError,
} from '../core/errors.js';
import { errorBodySchema } from './schemas.js';

export interface CallContext {
  serverUrl: string;
  method: string;
  /** Path and query, e.g. /api/search/metadata. */
  route: string;
  /** Set for calls about one album. */
  albumId?: string;
}

const TLS_CODES =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** The innermost error that carries a code (a wrapper's cause may hold the socket's or TLS's). */
function coded(err: unknown): { code?: string; message: string } {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_REQ_RETRY')
      return { code, message: String((e as Error).message ?? code) };
    e = (e as { cause?: unknown }).cause;
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

function codeOf(err: unknown): string | undefined {
  return coded(err).code;
}

export function isAbort(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  const code = codeOf(err);
  return name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED';
}

const REACH_HINT = 'check immich_url and that the server is running';

function seconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms / 1000)} s`;
}

/** A request that got no usable answer at all. */
export function networkFailure(
  err: unknown,
  ctx: CallContext,
  timeoutsMs: { headers: number; body: number },
): FrameError {
  const { code = '', message } = coded(err);
  const at = `the Immich server at ${ctx.serverUrl}`;
  if (TLS_CODES.test(code)) {
    return new TlsError(
      `TLS with ${at} failed: ${message} (${code}); fix the server's certificate or use the URL its certificate names`,
      { cause: err },
    );
  }
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host name not found (DNS)'
        : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT'
          ? 'connection timed out'
          : code === 'UND_ERR_HEADERS_TIMEOUT'
            ? `no answer within ${seconds(timeoutsMs.headers)}`
            : code === 'UND_ERR_BODY_TIMEOUT'
              ? `the answer stalled for ${seconds(timeoutsMs.body)}`
              : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE'
                ? 'connection reset'
                : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENETDOWN' || code === 'EHOSTDOWN'
                  ? 'network unreachable'
                  : code
                    ? `${code}: ${message}`
                    : message;
  return new ServerUnreachableError(`cannot reach ${at}: ${reason} (${ctx.method} ${ctx.route}); ${REACH_HINT}`, {
    cause: err,
  });
}

/** The most of a server's own text we print. */
export const MAX_SERVER_TEXT = 200;

/**
 * Server text made safe to print on one terminal line: control characters (escape sequences,
 * newlines, C1 codes) and bidirectional overrides shown as escapes, and at most `max` characters.
 */
export function printable(text: string, max = MAX_SERVER_TEXT): string {
  const escaped = terminalSafe(text);
  return escaped.length > max ? `${escaped.slice(0, max)}... (${text.length} characters)` : escaped;
}

/** The server's own words from an error body, one printable line. */
export function serverMessage(body: unknown): string {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return typeof body === 'string' ? printable(body.split('\n')[0]!) : '';
  const { message, errors } = parsed.data;
  const main = Array.isArray(message) ? message.join('; ') : (message ?? '');
  const details = (errors ?? []).map((e) => `${(e.path ?? []).join('.')}: ${e.message ?? ''}`).join('; ');
  return printable([main, details].filter((s) => s !== '').join(': '));
}

/** Whether a 400 says the request used a property the server does not accept (a strict server
 * or proxy rejecting `albumIds`). */
export function rejectsProperty(body: unknown, property: string): boolean {
  const text = serverMessage(body);
  return new RegExp(`\\b${property}\\b`).test(text) && /should not exist|unrecognized|not allowed|unknown/i.test(text);
}

export function httpFailure(status: number, body: unknown, ctx: CallContext): FrameError {
  const said = serverMessage(body);
  const at = `the Immich server at ${ctx.serverUrl}`;
  if (status === 401) {
    return new AuthRejectedError(
      `${at} rejected the API key (${said || 'HTTP 401'}): create a key in Account Settings > API Keys and set immich_api_key`,
    );
  }
  if (status === 403) {
    const permission = /permission:?\s*([a-z][\w.]*)/i.exec(said)?.[1];
    return new AuthRejectedError(
      permission
        ? `${at} refused the API key: it lacks the ${permission} permission (${ctx.method} ${ctx.route}); give the key ${permission} (or all) in Account Settings > API Keys`
        : `${at} refused the API key for ${ctx.method} ${ctx.route} (${said || 'HTTP 403'}): check the key's permissions in Account Settings > API Keys`,
    );
  }
  if (status === 429 || status === 502 || status === 503 || status === 504) {
    // Still overloaded, throttling, or a proxy without its Immich behind it after every retry:
    // the server is not there for us, whatever the photo.
    return new ServerUnreachableError(
      `cannot reach ${at}: it kept answering HTTP ${status}${said ? ` (${said})` : ''} to ${ctx.method} ${ctx.route}; ${status === 429 ? 'it is rate limiting this frame, try again later' : REACH_HINT}`,
    );
  }
  if (ctx.albumId !== undefined && (status === 400 || status === 404) && /album|not found|uuid/i.test(said)) {
    return new AlbumNotFoundError(
      `album ${ctx.albumId} was not found on ${ctx.serverUrl}, or this API key's user cannot read it (${said || `HTTP ${status}`}): check album_id`,
    );
  }
  return new BadResponseError(
    `${at} answered ${ctx.method} ${ctx.route} with HTTP ${status}${said ? ` (${said})` : ''}`,
  );
}

/** A 2xx answer whose JSON is not the shape we rely on: name the first fields that differ. */
export function shapeFailure(
  error: z.core.$ZodError,
  ctx: CallContext,
  under: readonly PropertyKey[] = [],
): BadResponseError {
  const issues = error.issues
    .slice(0, 3)
    .map((i) => `${[...under, ...i.path].map(String).join('.') || '(body)'}: ${i.message}`);
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return new BadResponseError(
    `the Immich server at ${ctx.serverUrl} answered ${ctx.method} ${ctx.route} with a shape this frame does not understand: ${printable(issues.join('; '), 400)}${more}`,
  );
}

export function notJsonFailure(ctx: CallContext, contentType: string | null): BadResponseError {
  return new BadResponseError(
    `the Immich server at ${ctx.serverUrl} answered ${ctx.method} ${ctx.route} with something that is not JSON (${contentType === null ? 'no content-type' : printable(contentType, 80)}); is immich_url the Immich server itself?`,
  );
}
