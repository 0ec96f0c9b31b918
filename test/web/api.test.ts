// The page's API through the real HTTP server, a real FrameService on the virtual panel and the
// simulated Immich: sign-in, CSRF, limits, commands, the glass, settings, the library, the log,
// pairing, and the API key and password absent from every answer.
import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { findPanel } from '../../drivers/panels.js';
import { renderNotice } from '../../src/frame/notice.js';
import { framePng } from '../../drivers/virtual-panel.js';
import {
  ApiClient,
  nextRefresh,
  PAIRING_CODE,
  PASSWORD,
  startWebFrame,
  type WebFrame,
  pixels,
  until,
} from './web-frame.js';

describe('the page API', () => {
  let frame: WebFrame;
  const clients: ApiClient[] = [];
  const client = () => {
    const c = new ApiClient(frame.url);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    frame = await startWebFrame();
    await until(() => frame.host.snapshot().shown);
  }, 60_000);

  afterAll(async () => {
    // The API key and the password never reached an answer, and the key never reached the log.
    const bodies = clients.flatMap((c) => c.bodies);
    expect(bodies.length).toBeGreaterThan(30);
    for (const body of bodies) {
      expect(body).not.toContain(frame.apiKey);
      expect(body).not.toContain(PASSWORD);
    }
    for (const line of frame.logLines) {
      expect(line).not.toContain(frame.apiKey);
      expect(line).not.toContain(PASSWORD);
    }
    await frame?.close();
  });

  it('refuses everything but the sign-in without a session; pages send the person to sign in', async () => {
    const c = client();
    const status = await c.get('/api/status');
    expect(status.status).toBe(401);
    expect(status.json.error.code).toBe('UNAUTHORIZED');
    expect((await c.get('/api/frame.png')).status).toBe(401);
    const page = await c.get('/');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    const doc = await c.get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(['/api/status', '/api/frame.png', '/api/config', '/api/photos']),
    );
  });

  it('sets the security headers: a CSP without inline script, no framing, no sniffing', async () => {
    const res = await client().get('/login');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(res.bytes.toString()).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('refuses a state change without the CSRF token, signed in or not', async () => {
    const c = client();
    await c.get('/api/session');
    const token = c.csrf;
    c.csrf = '';
    const login = await c.post('/api/login', { password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.json.error.code).toBe('CSRF_REJECTED');
    c.csrf = token;
    expect((await c.post('/api/login', { password: PASSWORD })).status).toBe(200);
    const signedIn = c.csrf;
    c.csrf = '';
    const next = await c.post('/api/commands/next');
    expect(next.status).toBe(403);
    expect(next.json.error.code).toBe('CSRF_REJECTED');
    c.csrf = 'forged-token';
    expect((await c.post('/api/commands/pause')).status).toBe(403);
    c.csrf = signedIn;
    expect(frame.host.snapshot().paused).toBe(false);
  });

  it('shows the glass as the virtual panel received it, and a new frame after next', async () => {
    const c = client();
    expect(await c.signIn()).toBe(200);
    const before = await c.get('/api/frame.png');
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toBe('image/png');
    // Buffer.equals: a deep toEqual of a megabyte of pixels takes seconds.
    expect((await pixels(before.bytes)).equals(await pixels(await readFile(frame.glass)))).toBe(true);
    const seq = Number(before.headers.get('x-frame-seq'));
    const next = nextRefresh(frame, seq);
    const outcome = await c.post('/api/commands/next');
    expect(outcome.status).toBe(200);
    expect(outcome.json).toMatchObject({ ok: true, command: 'next' });
    await next;
    const after = await until(async () => {
      const r = await c.get('/api/frame.png');
      return Number(r.headers.get('x-frame-seq')) > seq ? r : null;
    });
    const glass = await until(async () => {
      const g = await readFile(frame.glass);
      return (await pixels(g)).equals(await pixels(after.bytes)) ? g : null;
    });
    expect((await pixels(glass)).equals(await pixels(before.bytes))).toBe(false);
    const status = await c.get('/api/status');
    expect(status.json.shown.seq).toBe(Number(after.headers.get('x-frame-seq')));
  });

  it('refuses a forged path: photos are named by id only', async () => {
    const c = client();
    await c.signIn();
    for (const forged of ['..%2F..%2Fetc%2Fpasswd', 'file:..%2Fconfig.json', '..', '%2Fetc%2Fpasswd']) {
      const thumb = await c.get(`/api/photos/${forged}/thumbnail`);
      expect([400, 404]).toContain(thumb.status);
      expect(thumb.json.error.code).toMatch(/BAD_REQUEST|NOT_FOUND/);
      const show = await c.post(`/api/photos/${forged}/show`);
      expect([400, 404]).toContain(show.status);
    }
    const bad = await c.get('/api/photos/..%2F..%2Fetc%2Fpasswd');
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('not a path');
    expect((await c.get('/api/photos/..%2Fconfig.json/thumbnail')).bytes.toString()).not.toContain('immich_url');
  });

  it('refuses a body over the limit before reading it whole', async () => {
    const c = client();
    await c.signIn();
    const big = await c.request('PUT', '/api/config', JSON.stringify({ caption: 'x'.repeat(200_000) }), {
      'content-type': 'application/json',
    });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('BODY_TOO_LARGE');
  });

  it('reads the settings with the key masked, refuses a bad value with the config message, saves and applies a good one', async () => {
    const c = client();
    await c.signIn();
    const read = await c.get('/api/config');
    expect(read.json.immich_api_key).toBeUndefined();
    expect(read.json.immich_api_key_set).toBe(true);
    expect(read.json.min_rating).toBe(0);

    const bad = await c.request('PUT', '/api/config', { min_rating: 9 });
    expect(bad.status).toBe(422);
    expect(bad.json.error).toEqual({
      code: 'CONFIG_INVALID',
      message: 'config: min_rating = 9 is not allowed; expected a whole number from 0 (no minimum) to 5',
    });
    // A form post (the page without its script) is checked by the same rule.
    const form = await c.request(
      'POST',
      '/api/config',
      `_csrf=${encodeURIComponent(c.csrf)}&_back=%2Fsettings&refresh_interval_minutes=0`,
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
    );
    expect(form.status).toBe(303);
    expect(decodeURIComponent(form.headers.get('location')!)).toContain(
      '/settings?error=config: refresh_interval_minutes = 0 is not allowed',
    );

    const before = await readFile(frame.configPath, 'utf8');
    const good = await c.request('PUT', '/api/config', {
      caption: ['date'],
      refresh_interval_minutes: 30,
      immich_api_key: '',
    });
    expect(good.status).toBe(200);
    expect(good.json.message).toContain('saved');
    expect(await readFile(`${frame.configPath}.prev`, 'utf8')).toBe(before);
    const saved = JSON.parse(await readFile(frame.configPath, 'utf8'));
    expect(saved).toMatchObject({ caption: ['date'], refresh_interval_minutes: 30, immich_api_key: frame.apiKey });
    expect(((await stat(frame.configPath)).mode & 0o777).toString(8)).toBe('600');
    // The running frame took them without a restart of the process.
    expect(frame.host.settings!.refresh_interval_minutes).toBe(30);
    expect(frame.host.settings!.caption).toEqual(['date']);
  });

  it('lists the library in pages and makes each thumbnail once', async () => {
    const c = client();
    await c.signIn();
    const page = await c.get('/api/photos?offset=0&limit=4');
    expect(page.json.total).toBe(6);
    expect(page.json.photos).toHaveLength(4);
    const rest = await c.get('/api/photos?offset=4&limit=4');
    expect(rest.json.photos).toHaveLength(2);
    const ids = [...page.json.photos, ...rest.json.photos].map((p: { id: string }) => p.id);
    expect(new Set(ids).size).toBe(6);
    expect((await c.get('/api/photos?limit=100000')).json.error.code).toBe('BAD_REQUEST');

    const id = ids[0]!;
    const record = await c.get(`/api/photos/${id}`);
    expect(record.json).toMatchObject({ id, edited: false });
    expect(record.json.bytes).toBeGreaterThan(0);
    expect(record.json.file).toBeUndefined();
    const thumb = await c.get(`/api/photos/${id}/thumbnail`);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(thumb.bytes).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(160);
    const again = await c.get(`/api/photos/${id}/thumbnail`);
    expect(again.bytes.equals(thumb.bytes)).toBe(true);
  });

  it('previews proposed filters: how many photos match and which, nothing saved', async () => {
    const c = client();
    await c.signIn();
    const before = await readFile(frame.configPath, 'utf8');
    const p = await c.post('/api/preview/filters', { people: 'Ada' });
    expect(p.status).toBe(200);
    expect(p.json.matching).toBe(2);
    expect(p.json.total).toBe(6);
    expect(p.json.photos).toHaveLength(2);
    const bad = await c.post('/api/preview/filters', { min_rating: '7' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toContain('min_rating = 7 is not allowed');
    expect(await readFile(frame.configPath, 'utf8')).toBe(before);
  });

  it('previews the next five refreshes of a proposed schedule', async () => {
    const c = client();
    await c.signIn();
    const p = await c.post('/api/preview/schedule', { refresh_cron: '0 8,18 * * *' });
    expect(p.json.next).toHaveLength(5);
    for (const t of p.json.next) expect([8, 18]).toContain(new Date(t).getHours());
  });

  it('hides a photo: it never comes again', async () => {
    const c = client();
    await c.signIn();
    // The frame restarted with new settings above: the glass is known again once drawn.
    await c.get('/api/frame.png');
    const shown = frame.host.snapshot().shown!.photos[0]!.id;
    const hide = await c.post(`/api/photos/${shown}/hide`);
    expect(hide.status).toBe(200);
    expect(hide.json.message).toContain('hidden');
    let seq = frame.host.snapshot().shown!.seq;
    for (let i = 0; i < 7; i++) {
      const next = nextRefresh(frame, seq);
      await c.post('/api/commands/next');
      seq = await next;
      expect(frame.host.snapshot().shown!.photos.map((p) => p.id)).not.toContain(shown);
    }
    expect((await c.get(`/api/photos/${shown}`)).json.hidden).toBe(true);
    const missing = await c.post('/api/photos/0000-nope/hide');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('PHOTO_NOT_FOUND');
  });

  it('streams sync progress as server-sent events', async () => {
    const c = client();
    await c.signIn();
    const controller = new AbortController();
    const res = await fetch(frame.url + '/api/events', { headers: { cookie: c.cookie }, signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    await c.post('/api/commands/sync');
    while (!text.includes('event: sync-finished')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain('event: sync-started');
    expect(text).toMatch(/event: sync-finished\ndata: \{"type":"sync-finished"/);
    c.bodies.push(text);
  });

  it('keeps the last log lines, filtered by level', async () => {
    const c = client();
    await c.signIn();
    const all = await c.get('/api/logs?level=debug');
    const warn = await c.get('/api/logs?level=warn');
    expect(all.json.lines.length).toBeGreaterThan(warn.json.lines.length);
    expect(all.json.lines.some((l: { line: string }) => l.line.includes('photo shown'))).toBe(true);
    for (const l of warn.json.lines) expect(['warn', 'error']).toContain(l.level);
    expect((await c.get('/api/logs?level=loud')).json.error.code).toBe('BAD_REQUEST');
  });

  it('connects to the server with the saved key and lists its albums and people', async () => {
    const c = client();
    await c.signIn();
    const r = await c.post('/api/connect', {});
    expect(r.status).toBe(200);
    expect(r.json.people).toEqual([{ id: frame.people.ada, name: 'Ada' }]);
    expect(r.json.albums.length).toBeGreaterThan(0);
    const wrong = await c.post('/api/connect', { immich_api_key: 'a-wrong-key-1234' });
    expect(wrong.status).toBe(502);
    expect(wrong.json.error.message).not.toContain('a-wrong-key-1234');
  });

  it('serves the screens to a signed-in person', async () => {
    const c = client();
    await c.signIn();
    for (const screen of ['/', '/library', '/settings', '/health']) {
      const r = await c.get(screen);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/html');
    }
  });
});

describe('sign-in limits', () => {
  it('refuses a wrong password, then limits the failed attempts from one address', async () => {
    const frame = await startWebFrame();
    try {
      const c = new ApiClient(frame.url);
      await c.get('/api/session');
      const wrong = await c.post('/api/login', { password: 'not the password' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error).toEqual({ code: 'UNAUTHORIZED', message: 'wrong password' });
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await c.post('/api/login', { password: `guess ${i}` })).status);
      expect(codes).toContain(429);
      const limited = await c.post('/api/login', { password: PASSWORD });
      expect(limited.status).toBe(429);
      expect(limited.json.error.code).toBe('RATE_LIMITED');
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await frame.close();
    }
  }, 60_000);
});

describe('pairing', () => {
  it('shows a code on the glass of a frame without a password, and only that code sets one', async () => {
    const frame = await startWebFrame({ password: false });
    try {
      // The glass shows the notice with the code, exactly as the notice renders it.
      const notice = await renderNotice(
        `To set this frame's password, open ${frame.url}/pair and enter the code ${PAIRING_CODE}`,
        findPanel('waveshare-7in3e'),
        { rotate: 0 },
      );
      const expected = await pixels(await framePng(notice.buffer, findPanel('waveshare-7in3e')));
      await until(async () => (await pixels(await readFile(frame.glass))).equals(expected));

      const c = new ApiClient(frame.url);
      await c.get('/api/session');
      expect((await c.get('/')).headers.get('location')).toBe('/pair');
      const login = await c.post('/api/login', { password: 'anything at all' });
      expect(login.json.error.code).toBe('PAIRING_REFUSED');
      const wrong = await c.post('/api/pair', { code: '0000 0000', password: 'a new password' });
      expect(wrong.status).toBe(403);
      expect(wrong.json.error.code).toBe('PAIRING_REFUSED');
      const short = await c.post('/api/pair', { code: PAIRING_CODE, password: 'short' });
      expect(short.json.error.message).toContain('at least 8');
      const paired = await c.post('/api/pair', { code: '12345678', password: 'a new password' });
      expect(paired.status).toBe(200);
      expect((await c.get('/api/status')).status).toBe(200);
      const stored = await readFile(frame.configPath.replace('config.json', 'web-password'), 'utf8');
      expect(stored).toMatch(/^scrypt\$/);
      expect(stored).not.toContain('a new password');
      // Paired once: the code no longer works, the password does.
      const again = new ApiClient(frame.url);
      await again.get('/api/session');
      expect((await again.post('/api/pair', { code: PAIRING_CODE, password: 'another one!' })).status).toBe(409);
      expect(await again.signIn('a new password')).toBe(200);
      // The frame shows photos again.
      await until(() => (frame.host.snapshot().shown?.photos.length ?? 0) > 0);
    } finally {
      await frame.close();
    }
  }, 60_000);
});
