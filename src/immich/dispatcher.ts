// How the client's JSON requests move (photos take photo-fetch.ts): a base undici dispatcher (an
// Agent by default) wrapped in three interceptors, innermost first: the API key (added only for
// the server's own origin, so a redirect elsewhere never carries it), retries (retry.ts), and
// redirects (each hop goes back through retries and the key check).
import { createRequire } from 'node:module';
import type { Agent, Dispatcher, interceptors } from 'undici';
import { DEFAULT_RETRY_POLICY, retryInterceptor, type RetryHooks, type RetryPolicy } from './retry.js';

interface UndiciParts {
  Agent: typeof Agent;
  redirect: typeof interceptors.redirect;
}

/**
 * The three parts of undici the client uses. Its index loads all of undici (fetch, WebSocket,
 * mocks, caches, proxies): about twice the start-up of these files, on every command that syncs.
 * They are loaded as undici's own index wires them (undici 7.x index.js:
 * `Object.assign(Dispatcher.prototype, api)`, of which the client uses `request`); a layout that
 * differs falls back to the index.
 */
function loadUndici(): UndiciParts {
  // A plain `require` of each literal path where one is defined (the built entries): esbuild
  // bundles these files into the sync entry (dist/cli-sync.cjs), compiled with it through its code
  // cache, instead of resolving and compiling some sixty of undici's files at every sync. Under
  // the test runner (ES modules) it is node_modules', as before.
  if (typeof require === 'function') {
    /* eslint-disable @typescript-eslint/no-require-imports -- esbuild bundles a plain require of a
       literal path, and nothing else: not an import (it would load at start), not createRequire's. */
    const dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: Record<string, unknown> };
    dispatcher.prototype['request'] ??= require('undici/lib/api/api-request.js') as unknown;
    return {
      Agent: require('undici/lib/dispatcher/agent.js') as typeof Agent,
      redirect: require('undici/lib/interceptor/redirect.js') as typeof interceptors.redirect,
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  const need = createRequire(import.meta.url);
  try {
    const dispatcher = need('undici/lib/dispatcher/dispatcher.js') as { prototype: Record<string, unknown> };
    dispatcher.prototype['request'] ??= need('undici/lib/api/api-request.js') as unknown;
    return {
      Agent: need('undici/lib/dispatcher/agent.js') as typeof Agent,
      redirect: need('undici/lib/interceptor/redirect.js') as typeof interceptors.redirect,
    };
  } catch {
    const undici = need('undici') as typeof import('undici');
    return { Agent: undici.Agent, redirect: undici.interceptors.redirect };
  }
}

let undiciParts: UndiciParts | null = null;
const undici = (): UndiciParts => (undiciParts ??= loadUndici());

export interface Timeouts {
  /** TCP + TLS connect (only for the Agent the client makes itself). */
  connectMs: number;
  /** From sending the request to the answer's headers. */
  headersMs: number;
  /** The longest silence while a body is arriving. */
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };

function originOf(value: string | URL | undefined): string | null {
  if (value === undefined) return null;
  try {
    return new URL(value.toString()).origin;
  } catch {
    return null;
  }
}

type RequestHeaders = Dispatcher.DispatchOptions['headers'];

function withHeader(headers: RequestHeaders, name: string, value: string): RequestHeaders {
  if (headers == null) return { [name]: value };
  if (Array.isArray(headers)) {
    // Either a flat [name, value, ...] list (what the redirect handler passes on) or pairs.
    if (headers.length > 0 && Array.isArray(headers[0]))
      return [...(headers as unknown as [string, string][]), [name, value]] as unknown as RequestHeaders;
    return [...(headers as string[]), name, value];
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function' && !(headers.constructor === Object)) {
    return [...(headers as Iterable<[string, string]>), [name, value]] as unknown as RequestHeaders;
  }
  return { ...(headers as Record<string, string>), [name]: value };
}

/** Adds x-api-key to requests for `origin` only. */
export function apiKeyInterceptor(origin: string, apiKey: string): Dispatcher.DispatcherComposeInterceptor {
  const own = originOf(origin);
  return (dispatch) => (opts, handler) => {
    if (own !== null && originOf(opts.origin) === own) {
      return dispatch({ ...opts, headers: withHeader(opts.headers, 'x-api-key', apiKey) }, handler);
    }
    return dispatch(opts, handler);
  };
}

export function createAgent(timeouts: Timeouts = DEFAULT_TIMEOUTS): Agent {
  return new (undici().Agent)({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    keepAliveTimeout: 10_000,
    connections: 8,
  });
}

export interface ImmichDispatcherOptions {
  base: Dispatcher;
  origin: string;
  apiKey: string;
  retry?: RetryPolicy;
  hooks?: RetryHooks;
  maxRedirections?: number;
}

export function composeImmichDispatcher(o: ImmichDispatcherOptions): Dispatcher {
  return o.base.compose(
    apiKeyInterceptor(o.origin, o.apiKey),
    retryInterceptor(o.retry ?? DEFAULT_RETRY_POLICY, o.hooks ?? {}),
    undici().redirect({ maxRedirections: o.maxRedirections ?? 3 }),
  );
}
