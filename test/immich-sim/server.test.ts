// The simulated Immich server on its own: the facts of each dialect (history.ts), faults, the
// request log, mutations, renderings, hostile file names and the sample photos.
import { createHash } from 'node:crypto';
import http from 'node:http';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { heicStandIn } from '../../src/immich-sim/heic.js';
import { generateSamplePhotos, seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim, type ImmichSimOptions } from '../../src/immich-sim/server.js';

const v = (major: number, minor: number, patch = 0) => ({ major, minor, patch });
const sims: ImmichSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(version = v(3, 1), options: ImmichSimOptions = {}): Promise<ImmichSim> {
  const s = await startImmichSim({ version, seed: 11, ...options });
  sims.push(s);
  return s;
}

interface Got {
  status: number;
  headers: Headers;
  json: () => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  bytes: () => Promise<Buffer>;
}

async function call(
  s: ImmichSim,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = s.apiKey,
  headers: Record<string, string> = {},
): Promise<Got> {
  const h: Record<string, string> = { ...headers };
  if (key !== null) h['x-api-key'] = key;
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(s.url + path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const buf = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    headers: res.headers,
    json: async () => JSON.parse(buf.toString('utf8')),
    bytes: async () => buf,
  };
}

const jpeg = (w: number, h: number, colour = '#3060a0') =>
  sharp({ create: { width: w, height: h, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();

async function withPhotos(s: ImmichSim, n = 3) {
  const assets = [];
  for (let i = 0; i < n; i++) {
    assets.push(
      s.addAsset({
        bytes: await jpeg(32, 24, `#${(i * 40 + 20).toString(16).padStart(2, '0')}4080`),
        originalFileName: `p${i}.jpg`,
        fileCreatedAt: `2021-0${i + 1}-01T00:00:00.000Z`,
      }),
    );
  }
  const album = s.addAlbum({ albumName: 'A', assetIds: assets.map((a) => a.id) });
  return { assets, album };
}

describe('version routes by dialect', () => {
  it('v1.106 only has /api/server-info/version (the rename came in v1.107), without prerelease', async () => {
    const s = await sim(v(1, 106, 4));
    expect((await call(s, 'GET', '/api/server/version', undefined, null)).status).toBe(404);
    const got = await call(s, 'GET', '/api/server-info/version', undefined, null);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ major: 1, minor: 106, patch: 4 });
  });

  it('v1.110 has both routes, v1.118 only /api/server', async () => {
    const both = await sim(v(1, 110));
    expect((await call(both, 'GET', '/api/server/version', undefined, null)).status).toBe(200);
    expect((await call(both, 'GET', '/api/server-info/ping', undefined, null)).status).toBe(200);
    const only = await sim(v(1, 118));
    expect((await call(only, 'GET', '/api/server-info/version', undefined, null)).status).toBe(404);
    expect(await (await call(only, 'GET', '/api/server/ping', undefined, null)).json()).toEqual({ res: 'pong' });
  });
});

describe('albums by dialect', () => {
  it('up to v2.x the album body lists its assets, and withoutAssets=true empties the list', async () => {
    const s = await sim(v(2, 5, 6));
    const { album, assets } = await withPhotos(s);
    const full = await (await call(s, 'GET', `/api/albums/${album.id}`)).json();
    expect(full.assets.map((a: { id: string }) => a.id).sort()).toEqual(assets.map((a) => a.id).sort());
    expect(full).toMatchObject({ ownerId: s.userId, assetCount: 3 });
    expect((await (await call(s, 'GET', `/api/albums/${album.id}?withoutAssets=true`)).json()).assets).toEqual([]);
  });

  it('v3 album bodies have no assets, whatever the query', async () => {
    const s = await sim();
    const { album } = await withPhotos(s);
    const body = await (await call(s, 'GET', `/api/albums/${album.id}?withoutAssets=false`)).json();
    expect(body).not.toHaveProperty('assets');
    expect(body.assetCount).toBe(3);
  });
});

describe('search by dialect', () => {
  it('before v1.135 albumIds is dropped silently: the answer is the whole library', async () => {
    const s = await sim(v(1, 132));
    const { album } = await withPhotos(s);
    const outside = s.addAsset({ bytes: await jpeg(8, 8), originalFileName: 'outside.jpg' });
    const got = await call(s, 'POST', '/api/search/metadata', { albumIds: [album.id] });
    expect(got.status).toBe(200);
    expect((await got.json()).assets.items.map((a: { id: string }) => a.id)).toContain(outside.id);
  });

  it.each([
    ['v2.5 leaves them out', v(2, 5), false],
    ['v3.1 includes them', v(3, 1), true],
  ])("a search by a shared album and other members' assets: %s", async (_n, version, included) => {
    const s = await sim(version);
    const friend = s.addUser({ name: 'Friend' });
    const mine = s.addAsset({ bytes: await jpeg(8, 8), originalFileName: 'mine.jpg' });
    const theirs = s.addAsset({ bytes: await jpeg(8, 8), originalFileName: 'theirs.jpg', ownerId: friend.user.id });
    const album = s.addAlbum({
      albumName: 'Family',
      ownerId: friend.user.id,
      sharedWith: [s.userId],
      assetIds: [mine.id, theirs.id],
    });
    const ids = (
      await (await call(s, 'POST', '/api/search/metadata', { albumIds: [album.id] })).json()
    ).assets.items.map((a: { id: string }) => a.id);
    expect(ids.includes(mine.id)).toBe(true);
    expect(ids.includes(theirs.id)).toBe(included);
  });

  it('a strict server rejects albumIds with a class-validator message', async () => {
    const s = await sim(v(1, 132), { rejectUnknownProperties: true });
    const { album } = await withPhotos(s);
    const got = await call(s, 'POST', '/api/search/metadata', { albumIds: [album.id] });
    expect(got.status).toBe(400);
    expect(await got.json()).toMatchObject({
      message: ['property albumIds should not exist'],
      error: 'Bad Request',
      statusCode: 400,
    });
  });

  it.each([
    ['v1.118', v(1, 118), {}, false],
    ['v1.118 withArchived', v(1, 118), { withArchived: true }, true],
    ['v2.5', v(2, 5), {}, false],
    ['v2.5 visibility archive', v(2, 5), { visibility: 'archive' }, true],
    ['v3.1', v(3, 1), {}, true],
  ])('archived assets in a library search on %s: %s', async (_n, version, extra, included) => {
    const s = await sim(version);
    const { assets } = await withPhotos(s);
    s.archive(assets[0]!.id);
    const ids = (await (await call(s, 'POST', '/api/search/metadata', extra)).json()).assets.items.map(
      (a: { id: string }) => a.id,
    );
    expect(ids.includes(assets[0]!.id)).toBe(included);
  });

  it('v1/v2 accept page as a numeric string and word errors the class-validator way', async () => {
    const s = await sim(v(1, 118));
    await withPhotos(s);
    expect((await call(s, 'POST', '/api/search/metadata', { page: '1', size: '2' })).status).toBe(200);
    const bad = await call(s, 'POST', '/api/search/metadata', { size: 5000 });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body).toMatchObject({
      message: ['size must not be greater than 1000'],
      error: 'Bad Request',
      statusCode: 400,
    });
    expect(typeof body.correlationId).toBe('string');
  });

  it('v3 refuses page as a string with the recorded zod issue', async () => {
    const s = await sim();
    const got = await call(s, 'POST', '/api/search/metadata', { page: '2' });
    expect(got.status).toBe(400);
    expect((await got.json()).errors[0]).toMatchObject({ code: 'invalid_type', path: ['page'], expected: 'number' });
  });

  it('the default page size is 250 and nextPage counts on as a string', async () => {
    const s = await sim();
    for (let i = 0; i < 260; i++)
      s.addAsset({ bytes: Buffer.from(`b${i}`), originalFileName: `b${i}.jpg`, width: 1, height: 1 });
    const first = await (await call(s, 'POST', '/api/search/metadata', {})).json();
    expect(first.assets).toMatchObject({ total: 250, count: 250, nextPage: '2' });
    const second = await (await call(s, 'POST', '/api/search/metadata', { page: 2 })).json();
    expect(second.assets).toMatchObject({ total: 10, count: 10, nextPage: null });
  });

  it('on v1.118 fullsize is not a size yet', async () => {
    const s = await sim(v(1, 118));
    const { assets } = await withPhotos(s, 1);
    const got = await call(s, 'GET', `/api/assets/${assets[0]!.id}/thumbnail?size=fullsize`);
    expect(got.status).toBe(400);
    expect((await got.json()).message).toEqual(['size must be one of the following values: preview, thumbnail']);
  });
});

describe('faults', () => {
  it('a status fault answers that status with Retry-After, for the given number of requests', async () => {
    const s = await sim();
    const f = s.injectFault({ route: 'search', times: 2, fault: { kind: 'status', status: 429, retryAfter: 7 } });
    const a = await call(s, 'POST', '/api/search/metadata', {});
    expect([a.status, a.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await call(s, 'POST', '/api/search/metadata', {})).status).toBe(429);
    expect((await call(s, 'POST', '/api/search/metadata', {})).status).toBe(200);
    expect(f.hits).toBe(2);
  });

  it('a fault for one asset leaves the others alone; cancel stops it', async () => {
    const s = await sim();
    const { assets } = await withPhotos(s, 2);
    const f = s.injectFault({ assetId: assets[0]!.id, times: Infinity, fault: { kind: 'status', status: 502 } });
    expect((await call(s, 'GET', `/api/assets/${assets[0]!.id}/original`)).status).toBe(502);
    expect((await call(s, 'GET', `/api/assets/${assets[1]!.id}/original`)).status).toBe(200);
    f.cancel();
    expect((await call(s, 'GET', `/api/assets/${assets[0]!.id}/original`)).status).toBe(200);
  });

  function raw(
    s: ImmichSim,
    path: string,
  ): Promise<{ status?: number; declared?: number; received: number; error?: string }> {
    return new Promise((resolve) => {
      const out: { status?: number; declared?: number; received: number; error?: string } = { received: 0 };
      const req = http.get(s.url + path, { headers: { 'x-api-key': s.apiKey } }, (res) => {
        out.status = res.statusCode;
        out.declared = Number(res.headers['content-length']);
        res.on('data', (c: Buffer) => (out.received += c.length));
        res.on('end', () => resolve(out));
        res.on('error', (e) => resolve({ ...out, error: (e as NodeJS.ErrnoException).code ?? e.message }));
        res.on('aborted', () => resolve({ ...out, error: 'aborted' }));
      });
      req.setTimeout(400, () => {
        req.destroy();
        resolve({ ...out, error: 'timeout' });
      });
      req.on('error', (e) => resolve({ ...out, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    });
  }

  it('truncate announces the full length, sends part of it and closes', async () => {
    const s = await sim();
    const { assets } = await withPhotos(s, 1);
    s.injectFault({ route: 'original', fault: { kind: 'truncate', afterBytes: 100 } });
    const got = await raw(s, `/api/assets/${assets[0]!.id}/original`);
    expect(got.status).toBe(200);
    expect(got.declared).toBe((await s.bytesOf(assets[0]!.id)).length);
    expect(got.received).toBe(100);
    expect(got.error).toBeDefined();
  });

  it('stall-body sends the headers and part of the body, then nothing', async () => {
    const s = await sim();
    const { assets } = await withPhotos(s, 1);
    s.injectFault({ route: 'original', fault: { kind: 'stall-body', afterBytes: 10 } });
    const got = await raw(s, `/api/assets/${assets[0]!.id}/original`);
    expect(got).toMatchObject({ status: 200, received: 10, error: 'timeout' });
  });

  it('stall accepts the request and never answers; the log keeps it unanswered', async () => {
    const s = await sim();
    s.injectFault({ route: 'version', fault: { kind: 'stall' } });
    const got = await raw(s, '/api/server/version');
    expect(got).toEqual({ received: 0, error: 'timeout' });
    expect(s.requests[0]).toMatchObject({ path: '/api/server/version', status: null });
  });

  it('reset drops the connection without an answer', async () => {
    const s = await sim();
    s.injectFault({ route: 'version', fault: { kind: 'reset' } });
    const got = await raw(s, '/api/server/version');
    expect(got.status).toBeUndefined();
    expect(['ECONNRESET', 'socket hang up']).toContain(got.error);
  });

  it('wrong-bytes keeps the length and breaks the checksum', async () => {
    const s = await sim();
    const { assets } = await withPhotos(s, 1);
    s.injectFault({ route: 'original', fault: { kind: 'wrong-bytes' } });
    const bytes = await (await call(s, 'GET', `/api/assets/${assets[0]!.id}/original`)).bytes();
    expect(bytes.length).toBe((await s.bytesOf(assets[0]!.id)).length);
    expect(createHash('sha1').update(bytes).digest('base64')).not.toBe(s.asset(assets[0]!.id).checksum);
  });
});

describe('request log', () => {
  it('records method, path, query, body and whether a key came, never the key', async () => {
    const s = await sim();
    const { assets } = await withPhotos(s, 1);
    await call(s, 'POST', '/api/search/metadata', { size: 3 });
    await call(s, 'GET', `/api/assets/${assets[0]!.id}/thumbnail?size=preview`, undefined, null);
    expect(
      s.requests.map(({ method, path, query, body, apiKey, route, status }) => ({
        method,
        path,
        query,
        body,
        apiKey,
        route,
        status,
      })),
    ).toEqual([
      {
        method: 'POST',
        path: '/api/search/metadata',
        query: {},
        body: { size: 3 },
        apiKey: true,
        route: 'search',
        status: 200,
      },
      {
        method: 'GET',
        path: `/api/assets/${assets[0]!.id}/thumbnail`,
        query: { size: 'preview' },
        body: undefined,
        apiKey: false,
        route: 'thumbnail',
        status: 401,
      },
    ]);
    expect(JSON.stringify(s.requests)).not.toContain(s.apiKey);
  });
});

describe('mutations', () => {
  it('trash and archive move updatedAt; removing from an album does not', async () => {
    const s = await sim();
    const { assets, album } = await withPhotos(s);
    const before = assets.map((a) => a.updatedAt);
    const albumBefore = album.updatedAt;
    s.removeFromAlbum(album.id, [assets[0]!.id]);
    expect(s.asset(assets[0]!.id).updatedAt).toBe(before[0]);
    expect(album.updatedAt > albumBefore).toBe(true);
    s.trash(assets[1]!.id);
    s.archive(assets[2]!.id);
    expect(s.asset(assets[1]!.id).updatedAt > before[1]!).toBe(true);
    expect(s.asset(assets[2]!.id).updatedAt > before[2]!).toBe(true);
  });

  it('replacing the bytes changes the checksum to the SHA-1 of the new bytes', async () => {
    const s = await sim();
    const { assets } = await withPhotos(s, 1);
    const fresh = await jpeg(40, 30, '#ff0000');
    s.replaceBytes(assets[0]!.id, fresh);
    const listed = (await (await call(s, 'POST', '/api/search/metadata', {})).json()).assets.items[0];
    expect(listed.checksum).toBe(createHash('sha1').update(fresh).digest('base64'));
    expect((await (await call(s, 'GET', `/api/assets/${assets[0]!.id}/original`)).bytes()).equals(fresh)).toBe(true);
  });

  it('force-delete: /original 404 Not Found, asset 400, gone from albums', async () => {
    const s = await sim();
    const { assets, album } = await withPhotos(s, 2);
    s.forceDelete(assets[0]!.id);
    expect([
      (await call(s, 'GET', `/api/assets/${assets[0]!.id}/original`)).status,
      (await call(s, 'GET', `/api/assets/${assets[0]!.id}`)).status,
    ]).toEqual([404, 400]);
    expect(album.assetIds).toEqual([assets[1]!.id]);
  });

  it("an external library's asset has the SHA-1 of its path as checksum, not of its bytes", async () => {
    const s = await sim();
    const bytes = await jpeg(8, 8);
    const a = s.addAsset({ bytes, originalFileName: 'scan.jpg', libraryId: '5d9d6a3c-1c3b-4a55-9a51-6d2a6d7e1f00' });
    const listed = (await (await call(s, 'POST', '/api/search/metadata', {})).json()).assets.items[0];
    expect(listed.libraryId).toBe('5d9d6a3c-1c3b-4a55-9a51-6d2a6d7e1f00');
    expect(listed.checksum).toBe(createHash('sha1').update(`path:${listed.originalPath}`).digest('base64'));
    const served = await (await call(s, 'GET', `/api/assets/${a.id}/original`)).bytes();
    expect(served.equals(bytes)).toBe(true);
    expect(createHash('sha1').update(served).digest('base64')).not.toBe(listed.checksum);
  });

  it('bytes made on demand are checksummed when first listed', async () => {
    const s = await sim();
    let made = 0;
    const bytes = Buffer.from('lazy bytes');
    s.addAsset({ bytes: { generate: () => (made++, bytes) }, originalFileName: 'lazy.jpg', width: 1, height: 1 });
    expect(made).toBe(0);
    const listed = (await (await call(s, 'POST', '/api/search/metadata', {})).json()).assets.items[0];
    expect(listed.checksum).toBe(createHash('sha1').update(bytes).digest('base64'));
    expect(made).toBe(1);
  });
});

describe('renderings', () => {
  it('the preview of an EXIF-rotated JPEG is upright, short side 1440 at most, never upscaled', async () => {
    const s = await sim();
    const stored = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#888' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const big = s.addAsset({ bytes: stored, originalFileName: 'rot.jpg' });
    const small = s.addAsset({ bytes: await jpeg(300, 200), originalFileName: 'small.jpg' });
    const p = await sharp(
      await (await call(s, 'GET', `/api/assets/${big.id}/thumbnail?size=preview`)).bytes(),
    ).metadata();
    expect([p.format, p.width, p.height]).toEqual(['jpeg', 1440, 1920]);
    const q = await sharp(
      await (await call(s, 'GET', `/api/assets/${small.id}/thumbnail?size=preview`)).bytes(),
    ).metadata();
    expect([q.width, q.height]).toEqual([300, 200]);
    const t = await sharp(await (await call(s, 'GET', `/api/assets/${big.id}/thumbnail`)).bytes()).metadata();
    expect([t.format, t.width, t.height]).toEqual(['webp', 250, 333]);
  });

  it('fullsize redirects a web format to "original?" and a HEIC to its preview', async () => {
    const s = await sim();
    const j = s.addAsset({ bytes: await jpeg(20, 20), originalFileName: 'a.jpg' });
    const h = s.addAsset({
      bytes: heicStandIn(20, 20, 1),
      originalFileName: 'b.heic',
      renderSource: await jpeg(20, 20),
    });
    expect((await call(s, 'GET', `/api/assets/${j.id}/thumbnail?size=fullsize`)).headers.get('location')).toBe(
      'original?',
    );
    expect((await call(s, 'GET', `/api/assets/${h.id}/thumbnail?size=fullsize`)).headers.get('location')).toBe(
      `/api/assets/${h.id}/thumbnail?size=preview`,
    );
  });
});

describe('hostile file names are just data', () => {
  const NAMES = [
    '../../etc/passwd',
    '/abs/x.jpg',
    'a\\b.jpg',
    '..',
    '',
    'CON',
    'x'.repeat(300) + '.jpg',
    'фото 📷.jpg',
    'tab\there\nnew.jpg',
    'quote".jpg',
  ];

  it.each(NAMES.map((n) => [JSON.stringify(n).slice(0, 40), n]))(
    '%s is listed verbatim and served with an encoded content-disposition',
    async (_label, name) => {
      const s = await sim();
      const a = s.addAsset({ bytes: await jpeg(8, 8), originalFileName: name, originalMimeType: 'image/jpeg' });
      const listed = (await (await call(s, 'POST', '/api/search/metadata', {})).json()).assets.items[0];
      expect(listed.originalFileName).toBe(name);
      const got = await call(s, 'GET', `/api/assets/${a.id}/original`);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-disposition')).toBe(`inline; filename*=UTF-8''${encodeURIComponent(name)}`);
    },
  );
});

describe('sample photos', () => {
  it('are the same for the same seed and differ for another', async () => {
    const a = await generateSamplePhotos({ count: 4, seed: 5 });
    const b = await generateSamplePhotos({ count: 4, seed: 5 });
    const c = await generateSamplePhotos({ count: 4, seed: 6 });
    expect(a.map((p) => p.bytes.equals(b[a.indexOf(p)]!.bytes))).toEqual([true, true, true, true]);
    expect(a.some((p, i) => !p.bytes.equals(c[i]!.bytes))).toBe(true);
  });

  it('mix formats, orientations and capture dates', async () => {
    const photos = await generateSamplePhotos({ count: 10, seed: 1 });
    expect(new Set(photos.map((p) => p.mimeType))).toEqual(
      new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic']),
    );
    expect(new Set(photos.map((p) => p.orientation))).toEqual(new Set([1, 3, 6, 8]));
    expect(new Set(photos.map((p) => p.fileCreatedAt)).size).toBe(10);
    for (const p of photos.filter((x) => x.mimeType === 'image/jpeg')) {
      const m = await sharp(p.bytes).metadata();
      expect(m.orientation ?? 1).toBe(p.orientation);
      const shown = (m.orientation ?? 1) >= 5 ? [m.height, m.width] : [m.width, m.height];
      expect(shown).toEqual([p.width, p.height]);
    }
  });

  it('the HEIC stand-in reads as HEVC HEIF and cannot be decoded by sharp, like a real one', async () => {
    const [heic] = (await generateSamplePhotos({ count: 8, seed: 1 })).filter((p) => p.mimeType === 'image/heic');
    const meta = await sharp(heic!.bytes).metadata();
    expect([meta.format, meta.compression, meta.width, meta.height]).toEqual([
      'heif',
      'hevc',
      heic!.width,
      heic!.height,
    ]);
    await expect(sharp(heic!.bytes).png().toBuffer()).rejects.toThrow();
  });

  it('seed an album with photos and a video', async () => {
    const s = await sim();
    const { album, photos, video } = await seedSampleLibrary(s, { count: 5, seed: 2 });
    expect(album.assetIds).toEqual([...photos.map((p) => p.id), video!.id]);
    expect(video!.type).toBe('VIDEO');
  });
});
