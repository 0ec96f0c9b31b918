// The frame's own page and its API on the LAN: Node's http server, a route table, sessions with
// CSRF tokens, and the frame steered only through FrameControl (the one way in). Started by `run`
// after the frame and stopped before it; a door that fails to start is logged and the frame goes on.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { timingSafeEqual } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describeError, FrameError } from '../core/errors.js';
import type { Logger, Redactor } from '../core/log.js';
import type { PanelProfile } from '../../drivers/panels.js';
import type { FrameConfig } from '../config/config.js';
import type { FrameControl, FrameEvent } from '../frame/control.js';
import { instancePaths } from '../library/instance.js';
import type { AssetSourceLists } from './api.js';
import { apiRoutes } from './api.js';
import { loadAssets, type Assets } from './assets.js';
import type { WebConfig } from './config.js';
import { isFormPost, readFields, Router, sendError, sendJson, WebError } from './http.js';
import type { LogRing } from './log-ring.js';
import { calibrationRoutes } from './calibration-api.js';
import { calibrateScreenRoutes } from './calibrate-screen.js';
import { OneAtATime } from './one-at-a-time.js';
import { pageRoutes } from './pages.js';
import { newPairingCode, readPasswordHash } from './password.js';
import { AttemptLimit } from './rate-limit.js';
import { Sessions, type Session } from './sessions.js';
import { Thumbnails } from './thumbnails.js';

/** The frame as the page steers it: the one way in, plus the host's settings and restart. */
export interface SteeredFrame extends FrameControl {
  readonly settings: FrameConfig | null;
  restart(config: FrameConfig): Promise<void>;
}

export interface WebDoorOptions {
  frame: SteeredFrame;
  web: WebConfig;
  /** The config file the settings are read from and saved to; the password hash lives beside it. */
  configPath: string;
  logger: Logger;
  redactor: Redactor;
  logRing: LogRing;
  version: string;
  /** The panel's minimum time between refreshes (the schedule preview counts with it). */
  minRefreshMs: number;
  /** The panel as the catalogue has it: the calibration screen's inks are its inks, measured again. */
  panel: PanelProfile;
  /** The Immich server's albums and people for the pickers (tests point it at the simulator). */
  lists: AssetSourceLists;
  /** Tests fix the pairing code; a frame draws a random one. */
  pairingCode?: () => string;
}

/** Everything a handler may use. */
export interface Door {
  o: WebDoorOptions;
  log: Logger;
  sessions: Sessions;
  logins: AttemptLimit;
  thumbnails: () => Thumbnails;
  assets: Assets;
  /** The pairing code while the frame has no password (null afterwards). */
  pairing: { code: string | null };
  /** Pages listening to the frame's events (GET /api/events). */
  events: Set<ServerResponse>;
  startedAt: number;
  /** Reading a photo and drawing previews: one at a time, so the frame's own work is never starved. */
  heavy: OneAtATime;
}

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  fields: Record<string, unknown>;
  session: Session;
}

/** A JSON answer, a page (html), a redirect, or nothing when the handler answered itself. */
export type Answer =
  | { status?: number; json: unknown; cookie?: string }
  | { status?: number; html: string; cookie?: string }
  | { redirect: string; cookie?: string }
  | void;

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** public: no sign-in needed (the sign-in itself, pairing, the OpenAPI document, the assets). */
  access: 'public' | 'signed-in';
  /** A route that takes an upload (a phone photo) reads its own body, at most this many bytes; every
   * other route's body is read for it, at most MAX_BODY_BYTES. Its CSRF token comes in the header. */
  upload?: number;
  handler: (call: Call, door: Door) => Promise<Answer> | Answer;
}

/** Pages a form post may return to (a form names one in `_back`; anything else goes to Now). */
const PAGES = ['/', '/library', '/settings', '/calibrate', '/health', '/login', '/pair'];

const SECURITY_HEADERS = {
  // No inline script or style anywhere: the page's code and styles come from /assets only.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface WebDoor {
  url: string;
  close(): Promise<void>;
}

/** An address people can type: the first LAN IPv4 address when the page listens on every network. */
export function reachableAddress(bind: string): string {
  if (bind !== '0.0.0.0' && bind !== '::') return bind.includes(':') ? `[${bind}]` : bind;
  for (const list of Object.values(os.networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a.replace(/\s+/g, ''));
  const y = Buffer.from(b.replace(/\s+/g, ''));
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startWebDoor(o: WebDoorOptions): Promise<WebDoor> {
  const log = o.logger.child({ door: 'web' });
  let thumbs: { dir: string; t: Thumbnails } | null = null;
  const door: Door = {
    o,
    log,
    sessions: new Sessions(),
    logins: new AttemptLimit(),
    // The thumbnails follow the instance folder, which new settings may move.
    thumbnails: () => {
      const dir = instancePaths(
        o.frame.settings ?? { storage_dir: '~/.artframe', instance_id: 'default' },
      ).thumbnailsDir;
      if (thumbs?.dir !== dir) thumbs = { dir, t: new Thumbnails(dir, log) };
      return thumbs.t;
    },
    assets: await loadAssets(),
    pairing: { code: null },
    events: new Set<ServerResponse>(),
    startedAt: Date.now(),
    heavy: new OneAtATime(),
  };
  const router = new Router<RouteSpec>();
  for (const r of [...apiRoutes(), ...pageRoutes(), ...calibrationRoutes(), ...calibrateScreenRoutes()])
    router.add(r.method, r.path, r);

  const events = door.events;
  const unsubscribe = o.frame.subscribe((event: FrameEvent) => {
    if (events.size === 0) return;
    const data = `event: ${event.type}\ndata: ${o.redactor.redact(JSON.stringify(event))}\n\n`;
    for (const res of events) res.write(data);
  });

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      log.warn('a page request failed', { error: describeError(err) });
      if (!res.headersSent) sendError(res, { status: 500, code: 'FRAME_ERROR', message: 'the frame could not answer' });
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 50;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://frame');
    const found = router.match(req.method ?? 'GET', url.pathname);
    if (found === 404)
      return sendError(res, {
        status: 404,
        code: 'NOT_FOUND',
        message: `no such page or API: ${url.pathname.slice(0, 100)}`,
      });
    if (found === 405)
      return sendError(res, {
        status: 405,
        code: 'BAD_REQUEST',
        message: `${req.method} is not allowed on ${url.pathname.slice(0, 100)}`,
      });
    const spec = found.handler;
    let session = door.sessions.find(req);
    let newCookie: string | undefined;
    if (!session) {
      session = door.sessions.create(false);
      newCookie = door.sessions.cookie(session);
    }
    const form = isFormPost(req);
    const back = (fields: Record<string, unknown>) =>
      typeof fields._back === 'string' && PAGES.includes(fields._back) ? fields._back : '/';
    let fields: Record<string, unknown> = {};
    try {
      if (spec.access === 'signed-in' && !session.signedIn) {
        if (spec.path.startsWith('/api/'))
          throw new WebError(401, 'UNAUTHORIZED', 'sign in first (POST /api/login with the password)');
        const to = (await readPasswordHash(o.configPath)) === null ? '/pair' : '/login';
        res.writeHead(303, { location: to, ...(newCookie ? { 'set-cookie': newCookie } : {}) });
        return void res.end();
      }
      if (spec.method !== 'GET') {
        if (spec.upload === undefined) fields = await readFields(req);
        const token = (req.headers['x-csrf-token'] as string | undefined) ?? (fields._csrf as string | undefined);
        if (!door.sessions.csrfValid(session, token))
          throw new WebError(
            403,
            'CSRF_REJECTED',
            'the request lacks a valid CSRF token; reload the page and try again',
          );
      }
      const answer = await spec.handler({ req, res, url, params: found.params, fields, session }, door);
      if (!answer) return;
      const cookies = [newCookie, answer.cookie].filter((c): c is string => Boolean(c));
      if (cookies.length > 0) res.setHeader('set-cookie', cookies);
      if ('redirect' in answer) {
        res.writeHead(303, { location: answer.redirect });
        return void res.end();
      }
      if ('html' in answer) {
        const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        res.writeHead(answer.status ?? 200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          vary: 'accept-encoding',
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        });
        return void res.end(gzip ? gzipSync(answer.html) : answer.html);
      }
      if (form) {
        // A page without its script: back to the page it came from, with the outcome in words.
        const message = (answer.json as { message?: unknown } | null)?.message;
        const q = typeof message === 'string' ? `?msg=${encodeURIComponent(message.slice(0, 300))}` : '';
        res.writeHead(303, { location: back(fields) + q });
        return void res.end();
      }
      sendJson(res, answer.status ?? 200, answer.json);
    } catch (err) {
      if (newCookie && !res.headersSent) res.setHeader('set-cookie', newCookie);
      const known = err instanceof WebError ? err : err instanceof FrameError ? toWebError(err) : null;
      if (!known) throw err;
      if (form && !res.headersSent && known.status !== 413) {
        res.writeHead(303, { location: `${back(fields)}?error=${encodeURIComponent(known.message.slice(0, 600))}` });
        return void res.end();
      }
      sendError(res, known);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.web.port, o.web.bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${reachableAddress(o.web.bind)}:${port}`;
  log.info('the page is open', { url });

  if ((await readPasswordHash(o.configPath)) === null) {
    door.pairing.code = (o.pairingCode ?? newPairingCode)();
    const outcome = await o.frame.showNotice(
      `To set this frame's password, open ${url}/pair and enter the code ${door.pairing.code}`,
      'web',
    );
    log.info('no password for the page yet: the pairing code is on the glass', { when: outcome.message });
  }

  return {
    url,
    async close() {
      unsubscribe();
      for (const res of events) res.end();
      events.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A frame's own refusal (bad settings, no such photo) as an HTTP answer with its stable code. */
function toWebError(err: FrameError): WebError {
  const status =
    err.code === 'CONFIG_INVALID'
      ? 422
      : err.code === 'FRAME_STOPPED'
        ? 503
        : err.code.startsWith('SERVER') || err.code === 'AUTH_REJECTED'
          ? 502
          : 500;
  return new WebError(status, err.code, err.message);
}
