// The page's HTTP API (documented at /api/openapi.json): every action of the page, usable from
// curl or a Home Assistant rest_command. Photos are named by id only, never by a path; answers
// carry stable error codes; the API key and the password never appear in an answer.
import type { ServerResponse } from 'node:http';
import { selectionFilters, type FrameConfig } from '../config/config.js';
import { ConfigError, describeError, type FrameErrorCode } from '../core/errors.js';
import type { LogLevel } from '../core/log.js';
import { parseFrameCommand, type CommandOutcome } from '../frame/control.js';
import { frameOptionsFromConfig, renderOptionsFromConfig } from '../render/options.js';
import { sendEncoded } from './assets.js';
import { WebError } from './http.js';
import { LOG_LEVELS } from './log-ring.js';
import { openApiDocument } from './openapi.js';
import { passwordProblem, readPasswordHash, setPassword, verifyPassword } from './password.js';
import { nextRefreshTimes, refreshPolicyOf } from './schedule-preview.js';
import type { Answer, Call, Door, RouteSpec } from './server.js';
import { sameCode } from './server.js';
import { checkSettings, maskedSettings, saveSettings } from './settings-file.js';
import { valuesFromForm } from './settings-form.js';

/** The Immich server's albums and people, for the pickers (ImmichClient in `run`). */
export type AssetSourceLists = (
  url: string,
  apiKey: string,
) => Promise<{ albums: { id: string; name: string; photos: number | null }[]; people: { id: string; name: string }[] }>;

const PAGE_MAX = 200;

function photoId(raw: string): string {
  const parsed = parseFrameCommand({ type: 'show', photo: raw });
  if (typeof parsed === 'string')
    throw new WebError(400, 'BAD_REQUEST', `${parsed} (got ${JSON.stringify(raw.slice(0, 60))})`);
  return (parsed as { photo: string }).photo;
}

function wholeNumber(url: URL, name: string, fallback: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new WebError(
      400,
      'BAD_REQUEST',
      `${name} = ${JSON.stringify(text.slice(0, 20))} is not allowed; expected a whole number from 0 to ${max}`,
    );
  return n;
}

/** A command's outcome as an answer: accepted 200; a refusal with its code (404 for a photo not found). */
export function outcome(o: CommandOutcome): Answer {
  if (o.ok) return { json: o };
  throw new WebError(
    o.code === 'PHOTO_NOT_FOUND' ? 404 : o.code === 'FRAME_STOPPED' ? 503 : 409,
    o.code as FrameErrorCode,
    o.message,
  );
}

export function running(door: Door): FrameConfig {
  const c = door.o.frame.settings;
  if (!c) throw new WebError(503, 'FRAME_STOPPED', 'the frame is restarting; try again in a moment');
  return c;
}

/** A form's or a script's proposed settings, checked as a save would check them (nothing saved). */
function proposed(call: Call, door: Door): Promise<FrameConfig> {
  return checkSettings(door.o.configPath, valuesFromForm(call.fields), door.o.redactor);
}

export function png(res: ServerResponse, bytes: Buffer): void {
  res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store', 'content-length': bytes.length });
  res.end(bytes);
}

function clientKey(call: Call): string {
  return call.req.socket.remoteAddress ?? 'unknown';
}

function limited(call: Call, door: Door): void {
  const wait = door.logins.wait(clientKey(call));
  if (wait > 0)
    throw new WebError(429, 'RATE_LIMITED', `too many attempts; try again in ${wait} s`, {
      'retry-after': String(wait),
    });
}

/** A new signed-in session in place of the caller's (a planted session id is worth nothing). */
function signedIn(call: Call, door: Door, message: string): Answer {
  door.sessions.end(call.session);
  const s = door.sessions.create(true);
  return { json: { message, csrf_token: door.sessions.csrfToken(s) }, cookie: door.sessions.cookie(s) };
}

export function apiRoutes(): RouteSpec[] {
  return [
    { method: 'GET', path: '/api/openapi.json', access: 'public', handler: () => ({ json: openApiDocument() }) },
    {
      method: 'GET',
      path: '/assets/:name',
      access: 'public',
      handler: ({ req, res, params }, door) => {
        const asset = (door.assets as unknown as Record<string, (typeof door.assets)['app.js'] | undefined>)[
          params.name!
        ];
        if (!asset || !Object.hasOwn(door.assets, params.name!)) throw new WebError(404, 'NOT_FOUND', 'no such asset');
        sendEncoded(req, res, asset, 'public, max-age=31536000, immutable');
      },
    },
    {
      method: 'GET',
      path: '/api/session',
      access: 'public',
      handler: async ({ session }, door) => ({
        json: {
          signed_in: session.signedIn,
          password_set: (await readPasswordHash(door.o.configPath)) !== null,
          csrf_token: door.sessions.csrfToken(session),
        },
      }),
    },
    {
      method: 'POST',
      path: '/api/login',
      access: 'public',
      handler: async (call, door) => {
        limited(call, door);
        const hash = await readPasswordHash(door.o.configPath);
        if (hash === null)
          throw new WebError(
            409,
            'PAIRING_REFUSED',
            'this frame has no password yet: open /pair and enter the code shown on the frame',
          );
        const password = call.fields.password;
        if (typeof password !== 'string' || !(await verifyPassword(password, hash))) {
          door.logins.failed(clientKey(call));
          door.log.warn('a sign-in to the page failed', { from: clientKey(call) });
          throw new WebError(401, 'UNAUTHORIZED', 'wrong password');
        }
        return signedIn(call, door, 'signed in');
      },
    },
    {
      method: 'POST',
      path: '/api/logout',
      access: 'public',
      handler: ({ session }, door) => {
        door.sessions.end(session);
        return { json: { message: 'signed out' }, cookie: door.sessions.clearedCookie() };
      },
    },
    {
      method: 'POST',
      path: '/api/pair',
      access: 'public',
      handler: async (call, door) => {
        limited(call, door);
        const code = door.pairing.code;
        if (code === null || (await readPasswordHash(door.o.configPath)) !== null)
          throw new WebError(409, 'PAIRING_REFUSED', 'this frame has a password already: sign in with it');
        const { code: given, password } = call.fields;
        if (typeof given !== 'string' || !sameCode(given, code)) {
          door.logins.failed(clientKey(call));
          throw new WebError(
            403,
            'PAIRING_REFUSED',
            'that is not the code on the frame; look at the frame and try again',
          );
        }
        if (typeof password !== 'string') throw new WebError(400, 'BAD_REQUEST', 'choose a password');
        const problem = passwordProblem(password);
        if (problem) throw new WebError(400, 'BAD_REQUEST', problem);
        await setPassword(door.o.configPath, password);
        door.pairing.code = null;
        door.log.info('the page has a password now (set by pairing)');
        await door.o.frame.command({ type: 'next' }, 'web');
        return signedIn(call, door, 'password set; you are signed in');
      },
    },
    {
      method: 'GET',
      path: '/api/status',
      access: 'signed-in',
      handler: (_call, door) => ({ json: door.o.frame.snapshot() }),
    },
    {
      method: 'GET',
      path: '/api/frame.png',
      access: 'signed-in',
      handler: async ({ res }, door) => {
        const shown = await door.o.frame.framePng();
        if (!shown) throw new WebError(404, 'NOT_FOUND', 'nothing is on the glass yet');
        res.setHeader('x-frame-seq', String(shown.frame.seq));
        png(res, shown.png);
      },
    },
    {
      method: 'GET',
      path: '/api/events',
      access: 'signed-in',
      handler: ({ req, res }, door) => {
        if (door.events.size >= 16) throw new WebError(503, 'RATE_LIMITED', 'too many pages are listening; close one');
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(": the frame's events\n\n");
        door.events.add(res);
        req.on('close', () => door.events.delete(res));
      },
    },
    {
      method: 'POST',
      path: '/api/commands/:name',
      access: 'signed-in',
      handler: async ({ params }, door) => {
        const name = params.name!;
        if (!['next', 'previous', 'pause', 'resume', 'sync'].includes(name))
          throw new WebError(
            404,
            'NOT_FOUND',
            `unknown command ${JSON.stringify(name.slice(0, 30))}; expected next, previous, pause, resume or sync (show, hide and unhide: /api/photos/{id}/...)`,
          );
        return outcome(await door.o.frame.command({ type: name as 'next' }, 'web'));
      },
    },
    {
      method: 'POST',
      path: '/api/photos/:id/:action',
      access: 'signed-in',
      handler: async ({ params }, door) => {
        const action = params.action!;
        if (action !== 'show' && action !== 'hide' && action !== 'unhide')
          throw new WebError(
            404,
            'NOT_FOUND',
            `unknown action ${JSON.stringify(action.slice(0, 30))}; expected show, hide or unhide`,
          );
        return outcome(await door.o.frame.command({ type: action, photo: photoId(params.id!) }, 'web'));
      },
    },
    {
      method: 'GET',
      path: '/api/photos',
      access: 'signed-in',
      handler: async ({ url }, door) => {
        const offset = wholeNumber(url, 'offset', 0, 10_000_000);
        const limit = wholeNumber(url, 'limit', 48, PAGE_MAX);
        return { json: await door.o.frame.photos(offset, limit) };
      },
    },
    {
      method: 'GET',
      path: '/api/photos/:id',
      access: 'signed-in',
      handler: async ({ params }, door) => {
        const record = await door.o.frame.photo(photoId(params.id!));
        if (!record)
          throw new WebError(404, 'PHOTO_NOT_FOUND', `no photo ${JSON.stringify(params.id)} in the offline library`);
        const { file: _file, ...rest } = record;
        return { json: rest };
      },
    },
    {
      method: 'GET',
      path: '/api/photos/:id/thumbnail',
      access: 'signed-in',
      handler: async ({ params, res }, door) => {
        const id = photoId(params.id!);
        const record = await door.o.frame.photo(id);
        if (!record) throw new WebError(404, 'NOT_FOUND', `no photo ${JSON.stringify(id)} in the offline library`);
        const bytes = await door.thumbnails().get(id, record.file);
        res.writeHead(200, {
          'content-type': 'image/webp',
          'cache-control': 'private, max-age=86400',
          'content-length': bytes.length,
        });
        res.end(bytes);
      },
    },
    {
      method: 'POST',
      path: '/api/preview/filters',
      access: 'signed-in',
      handler: async (call, door) => ({
        json: await door.o.frame.previewFilters(selectionFilters(await proposed(call, door)), 24),
      }),
    },
    {
      method: 'POST',
      path: '/api/preview/frame.png',
      access: 'signed-in',
      handler: async (call, door) => {
        const c = await proposed(call, door);
        const bytes = await door.heavy.run(() =>
          door.o.frame.previewFrame({ ...renderOptionsFromConfig(c), ...frameOptionsFromConfig(c) }),
        );
        if (!bytes) throw new WebError(404, 'NOT_FOUND', 'nothing is on the glass yet to preview');
        png(call.res, bytes);
      },
    },
    {
      method: 'POST',
      path: '/api/preview/schedule',
      access: 'signed-in',
      handler: async (call, door) => {
        const c = await proposed(call, door);
        const times = nextRefreshTimes(refreshPolicyOf(c, door.o.minRefreshMs), new Date(), 5);
        return { json: { next: times.map((t) => t.toISOString()) } };
      },
    },
    {
      method: 'GET',
      path: '/api/config',
      access: 'signed-in',
      handler: (_call, door) => ({ json: maskedSettings(running(door)) }),
    },
    {
      method: 'POST',
      path: '/api/config/check',
      access: 'signed-in',
      handler: async (call, door) => {
        await proposed(call, door);
        return { json: { ok: true, message: 'these settings are valid' } };
      },
    },
    { method: 'PUT', path: '/api/config', access: 'signed-in', handler: saveHandler },
    { method: 'POST', path: '/api/config', access: 'signed-in', handler: saveHandler },
    {
      method: 'POST',
      path: '/api/connect',
      access: 'signed-in',
      handler: async ({ fields }, door) => {
        const saved = running(door);
        const url =
          typeof fields.immich_url === 'string' && fields.immich_url.trim()
            ? fields.immich_url.trim()
            : saved.immich_url;
        const key =
          typeof fields.immich_api_key === 'string' && fields.immich_api_key.trim()
            ? fields.immich_api_key.trim()
            : saved.immich_api_key;
        door.o.redactor.add(key);
        // The same URL rule as the config file's, before anything is sent anywhere.
        await checkSettings(door.o.configPath, { immich_url: url }, door.o.redactor);
        try {
          const lists = await door.o.lists(url, key);
          return {
            json: { message: `connected: ${lists.albums.length} albums, ${lists.people.length} people`, ...lists },
          };
        } catch (err) {
          throw new WebError(502, 'SERVER_ERROR', door.o.redactor.redact(describeError(err)));
        }
      },
    },
    {
      method: 'GET',
      path: '/api/logs',
      access: 'signed-in',
      handler: ({ url }, door) => {
        const level = (url.searchParams.get('level') ?? 'info') as LogLevel;
        if (!LOG_LEVELS.includes(level))
          throw new WebError(
            400,
            'BAD_REQUEST',
            `level = ${JSON.stringify(level.slice(0, 20))} is not allowed; expected ${LOG_LEVELS.join(' | ')}`,
          );
        const limit = wholeNumber(url, 'limit', 500, door.o.logRing.capacity);
        return { json: { level, lines: door.o.logRing.lines(level, limit) } };
      },
    },
    {
      method: 'GET',
      path: '/api/health',
      access: 'signed-in',
      handler: async (_call, door) => ({ json: await door.o.frame.health() }),
    },
  ];
}

async function saveHandler(call: Call, door: Door): Promise<Answer> {
  const changes = valuesFromForm(call.fields);
  let saved;
  try {
    saved = await saveSettings(door.o.configPath, changes, door.o.redactor);
  } catch (err) {
    if (err instanceof ConfigError) throw new WebError(422, 'CONFIG_INVALID', err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code)
      throw new WebError(
        500,
        'STORAGE',
        `cannot write ${door.o.configPath}: ${code} (the folder of the config must be writable by the frame's user; install.sh sets that up)`,
      );
    throw err;
  }
  const { config, restartNeeded } = saved;
  await door.o.frame.restart({ ...config, path: door.o.configPath } as FrameConfig);
  door.log.info('settings saved from the page; the frame took them', {
    keys: Object.keys(changes).filter((k) => !k.startsWith('_') && k !== 'immich_api_key'),
  });
  const message =
    restartNeeded.length > 0
      ? `saved; the frame took the new settings. ${restartNeeded.join(', ')} take effect when the service starts again (sudo systemctl restart artframe-immich)`
      : 'saved; the frame took the new settings';
  return { json: { ok: true, message, restart_needed: restartNeeded, config: maskedSettings(config) } };
}
