// The Immich client against the simulated server over real loopback HTTP: complete, filtered
// listings in every dialect, renditions and redirects, retries and their bounds, and each error
// with its message. What the client sent is read from the simulator's request log.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AlbumNotFoundError,
  AssetUnavailableError,
  AuthRejectedError,
  BadResponseError,
  ServerUnreachableError,
  TlsError,
  UnsupportedServerError,
} from '../../src/core/errors.js';
import { ImmichClient, type ImmichClientOptions } from '../../src/immich/client.js';
import type { RemoteAsset, ServerVersion } from '../../src/immich/types.js';
import { createLogger } from '../../src/core/log.js';
import type { SimAsset } from '../../src/immich-sim/library.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import {
  startImmichSim,
  type ImmichSim,
  type ImmichSimOptions,
  type RecordedRequest,
} from '../../src/immich-sim/server.js';

const v = (major: number, minor: number, patch = 0): ServerVersion => ({ major, minor, patch });
const V3_1 = v(3, 1);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function sim(version: ServerVersion = V3_1, options: ImmichSimOptions = {}): Promise<ImmichSim> {
  const s = await startImmichSim({ version, seed: 42, ...options });
  cleanups.push(() => s.close());
  return s;
}

function client(s: { url: string; apiKey: string }, extra: Partial<ImmichClientOptions> = {}): ImmichClient {
  const c = new ImmichClient({
    baseUrl: s.url,
    apiKey: s.apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
  cleanups.push(() => c.close());
  return c;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

const BASE = Date.UTC(2023, 0, 1);
/** `n` images with tiny lazily made bytes (the listing never decodes them), one minute apart. */
function addImages(s: ImmichSim, n: number, prefix: string, extra: { ownerId?: string } = {}): SimAsset[] {
  return Array.from({ length: n }, (_, i) =>
    s.addAsset({
      bytes: { generate: () => Buffer.from(`${prefix}-${i}`) },
      originalFileName: `${prefix}_${i}.jpg`,
      fileCreatedAt: new Date(BASE - i * 60_000).toISOString(),
      width: 640,
      height: 480,
      ...extra,
    }),
  );
}

interface Scene {
  albumId: string;
  /** What a listing of the album must return. */
  albumImages: string[];
  /** What a listing of the library must return. */
  libraryImages: string[];
  archived: string[];
}

/** An album of `n` images (some trashed, some archived) and a few videos, beside images outside
 * the album and another user's album. */
function scene(s: ImmichSim, n: number): Scene {
  const inAlbum = addImages(s, n, 'album');
  const videos = Array.from({ length: 5 }, (_, i) =>
    s.addAsset({
      bytes: Buffer.from(`video-${i}`),
      originalFileName: `clip_${i}.mp4`,
      type: 'VIDEO',
      width: 640,
      height: 360,
    }),
  );
  const outside = addImages(s, 10, 'outside');
  const other = s.addUser({ name: 'Other' });
  const theirs = addImages(s, 3, 'theirs', { ownerId: other.user.id });
  s.addAlbum({ albumName: 'Theirs', ownerId: other.user.id, assetIds: theirs.map((a) => a.id) });
  const album = s.addAlbum({ albumName: 'Frame', assetIds: [...inAlbum, ...videos].map((a) => a.id) });
  const trashed = [inAlbum[1]!, inAlbum[n - 1]!, outside[0]!];
  for (const a of trashed) s.trash(a.id);
  const archived = [inAlbum[2]!, inAlbum[Math.floor(n / 2)]!, outside[1]!];
  for (const a of archived) s.archive(a.id);
  const gone = new Set(trashed.map((a) => a.id));
  return {
    albumId: album.id,
    albumImages: inAlbum
      .filter((a) => !gone.has(a.id))
      .map((a) => a.id)
      .sort(),
    libraryImages: [...inAlbum, ...outside]
      .filter((a) => !gone.has(a.id))
      .map((a) => a.id)
      .sort(),
    archived: archived.map((a) => a.id),
  };
}

const ids = (list: RemoteAsset[]) => list.map((a) => a.id).sort();
const searches = (s: ImmichSim) => s.requests.filter((r) => r.route === 'search');
const albumGets = (s: ImmichSim) => s.requests.filter((r) => r.route === 'album');
const bodyOf = (r: RecordedRequest) => r.body as Record<string, unknown>;

interface DialectCase {
  name: string;
  version: ServerVersion;
  /** The version routes the client asks, in order. */
  probes: string[];
  albumBy: 'album-route' | 'search';
  /** The search bodies (less page/size/albumIds) of one listing. */
  passes: Record<string, unknown>[];
}

const DIALECTS: DialectCase[] = [
  {
    name: 'v1.106.4',
    version: v(1, 106, 4),
    probes: ['/api/server/version', '/api/server-info/version'],
    albumBy: 'album-route',
    passes: [{ type: 'IMAGE', withArchived: true }],
  },
  {
    name: 'v1.118.0',
    version: v(1, 118),
    probes: ['/api/server/version'],
    albumBy: 'album-route',
    passes: [{ type: 'IMAGE', withArchived: true }],
  },
  {
    name: 'v1.132.3',
    version: v(1, 132, 3),
    probes: ['/api/server/version'],
    albumBy: 'album-route',
    passes: [{ type: 'IMAGE', withArchived: true }],
  },
  {
    name: 'v2.5.6',
    version: v(2, 5, 6),
    probes: ['/api/server/version'],
    albumBy: 'album-route',
    passes: [
      { type: 'IMAGE', visibility: 'timeline' },
      { type: 'IMAGE', visibility: 'archive' },
    ],
  },
  { name: 'v3.1.0', version: V3_1, probes: ['/api/server/version'], albumBy: 'search', passes: [{ type: 'IMAGE' }] },
];

describe('listing in each dialect', () => {
  it.each(DIALECTS)(
    '$name: a 2,345-image album is listed complete through pages of 1000, without videos or trashed, with archived',
    async (d) => {
      const s = await sim(d.version);
      const sc = scene(s, 2345);
      const list = await client(s).listAssets(sc.albumId);
      expect(ids(list)).toEqual(sc.albumImages);
      for (const id of sc.archived.filter((a) => sc.albumImages.includes(a)))
        expect(list.find((a) => a.id === id)?.archived).toBe(true);
      expect(s.requests.filter((r) => r.route === 'version').map((r) => r.path)).toEqual(d.probes);
      if (d.albumBy === 'album-route') {
        expect(searches(s)).toHaveLength(0);
        expect(albumGets(s).map((r) => r.query)).toEqual([{ withoutAssets: 'false' }]);
      } else {
        // Past 2,000 assets the listing asks the album's own count, once (paging.ts).
        expect(albumGets(s).map((r) => r.query)).toEqual([{ withoutAssets: 'true' }]);
        for (const r of searches(s)) {
          expect(bodyOf(r)).toMatchObject({ albumIds: [sc.albumId], size: 1000 });
          expect(typeof bodyOf(r)['page']).toBe('number');
        }
        // Every pass walked to its end: pages 1, 2, ... for each pass.
        const pagesPerPass = d.passes.map((p) =>
          searches(s)
            .filter((r) => r.body && Object.entries(p).every(([k, val]) => bodyOf(r)[k] === val))
            .map((r) => bodyOf(r)['page']),
        );
        expect(pagesPerPass[0]).toEqual([1, 2, 3]);
      }
    },
  );

  it.each(DIALECTS)(
    '$name: the whole library is every image of the user, archived in, trashed and videos out',
    async (d) => {
      const s = await sim(d.version);
      const sc = scene(s, 40);
      const list = await client(s, { pageSize: 7 }).listAssets('');
      expect(ids(list)).toEqual(sc.libraryImages);
      expect(
        searches(s).map((r) => {
          // Every listing search asks for the metadata too (issue 11).
          const { page: _p, size: _s, withExif, withPeople, ...rest } = bodyOf(r);
          expect([withExif, withPeople]).toEqual([true, true]);
          return rest;
        }),
      ).toEqual(
        d.passes.flatMap((p) => {
          const n = searches(s).filter((r) => Object.entries(p).every(([k, val]) => bodyOf(r)[k] === val)).length;
          return Array.from({ length: n }, () => p);
        }),
      );
      expect(searches(s).some((r) => 'albumIds' in bodyOf(r))).toBe(false);
    },
  );

  it.each(DIALECTS.filter((d) => d.albumBy === 'search'))(
    '$name: small pages are followed to the end (total counts only the page)',
    async (d) => {
      const s = await sim(d.version);
      const sc = scene(s, 60);
      const list = await client(s, { pageSize: 7 }).listAssets(sc.albumId);
      expect(ids(list)).toEqual(sc.albumImages);
      const timelinePages = searches(s)
        .filter((r) => bodyOf(r)['visibility'] !== 'archive')
        .map((r) => bodyOf(r)['page']);
      expect(timelinePages).toEqual(Array.from({ length: timelinePages.length }, (_, i) => i + 1));
      expect(timelinePages.length).toBeGreaterThanOrEqual(8);
    },
  );

  it('never sends albumIds to a server older than v1.135, which would ignore it and answer with the whole library', async () => {
    const s = await sim(v(1, 134, 0));
    const sc = scene(s, 30);
    expect(ids(await client(s).listAssets(sc.albumId))).toEqual(sc.albumImages);
    expect(searches(s)).toHaveLength(0);
    expect(albumGets(s)).toHaveLength(1);
  });

  it.each([
    ['v2.5 (album route; its search by album would miss them)', v(2, 5, 6)],
    ['v3.1 (search by album)', V3_1],
  ])('a shared album lists what other members added too: %s', async (_n, version) => {
    const s = await sim(version);
    const mine = addImages(s, 4, 'mine');
    const friend = s.addUser({ name: 'Friend' });
    const theirs = addImages(s, 3, 'theirs', { ownerId: friend.user.id });
    const album = s.addAlbum({
      albumName: 'Family',
      ownerId: friend.user.id,
      sharedWith: [s.userId],
      assetIds: [...mine, ...theirs].map((a) => a.id),
    });
    expect(ids(await client(s).listAssets(album.id))).toEqual([...mine, ...theirs].map((a) => a.id).sort());
  });

  it('falls back to the album route when a server rejects albumIds with a 400', async () => {
    const s = await sim(V3_1, {
      dialectOverrides: { searchAlbumIds: false, albumAssetsInBody: true },
      rejectUnknownProperties: true,
    });
    const sc = scene(s, 30);
    const lines: string[] = [];
    const list = await client(s, { logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) }).listAssets(
      sc.albumId,
    );
    expect(ids(list)).toEqual(sc.albumImages);
    expect(searches(s).map((r) => r.status)).toEqual([400]);
    expect(albumGets(s).map((r) => r.status)).toEqual([200]);
    expect(lines.some((l) => l.includes('rejected albumIds'))).toBe(true);
  });

  it('an album that lost its assets field on an old-dialect server is a BadResponseError, not an empty album', async () => {
    const s = await sim(v(1, 118), { dialectOverrides: { albumAssetsInBody: false } });
    const sc = scene(s, 5);
    const err = await failureOf(client(s).listAssets(sc.albumId));
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err.message).toContain(`GET /api/albums/${sc.albumId}`);
  });

  it('marks external-library images, whose checksum is a path hash, and only those', async () => {
    const s = await sim();
    const uploaded = s.addAsset({ bytes: Buffer.from('u'), originalFileName: 'u.jpg', width: 1, height: 1 });
    const external = s.addAsset({
      bytes: Buffer.from('e'),
      originalFileName: 'e.jpg',
      width: 1,
      height: 1,
      libraryId: '5d9d6a3c-1c3b-4a55-9a51-6d2a6d7e1f00',
    });
    const list = await client(s).listAssets('');
    expect(list.find((a) => a.id === external.id)?.checksumIsContentHash).toBe(false);
    expect(list.find((a) => a.id === uploaded.id)).not.toHaveProperty('checksumIsContentHash');
  });

  it('maps each listed image to the contract: names, mime, dates, checksum', async () => {
    const s = await sim();
    const { album, photos } = await seedSampleLibrary(s, { count: 8, seed: 2 });
    const list = await client(s).listAssets(album.id);
    const heic = photos.find((p) => p.originalMimeType === 'image/heic')!;
    const got = list.find((a) => a.id === heic.id)!;
    expect(got).toEqual({
      id: heic.id,
      originalFileName: heic.originalFileName,
      originalMimeType: 'image/heic',
      fileCreatedAt: heic.fileCreatedAt,
      localDateTime: heic.localDateTime,
      updatedAt: heic.updatedAt,
      checksum: createHash('sha1')
        .update(await s.bytesOf(heic.id))
        .digest('base64'),
      archived: false,
      info: expect.objectContaining({ favorite: false, people: [], width: heic.width, height: heic.height }),
    });
  });
});

describe('renditions and redirects', () => {
  async function seeded(version: ServerVersion = V3_1) {
    const s = await sim(version);
    const { album } = await seedSampleLibrary(s, { count: 8, seed: 6, withVideo: false });
    const c = client(s);
    const list = await c.listAssets(album.id);
    const jpeg = list.find((a) => a.originalMimeType === 'image/jpeg')!;
    const heic = list.find((a) => a.originalMimeType === 'image/heic')!;
    s.clearRequests();
    return { s, c, jpeg, heic };
  }

  it('photo_size original downloads a JPEG from /original, bytes matching the checksum', async () => {
    const { s, c, jpeg } = await seeded();
    const dl = await c.download(jpeg, 'original');
    const bytes = await readAll(dl.body);
    expect(dl).toMatchObject({ rendition: 'original', contentType: 'image/jpeg', contentLength: bytes.length });
    expect(createHash('sha1').update(bytes).digest('base64')).toBe(jpeg.checksum);
    expect(s.requests.map((r) => r.path)).toEqual([`/api/assets/${jpeg.id}/original`]);
  });

  it('photo_size original takes the fullsize rendering of a HEIC, which redirects to the preview JPEG', async () => {
    const { s, c, heic } = await seeded();
    const dl = await c.download(heic, 'original');
    const bytes = await readAll(dl.body);
    expect(dl.rendition).toBe('fullsize');
    expect(dl.contentType).toBe('image/jpeg');
    expect((await sharp(bytes).metadata()).format).toBe('jpeg');
    expect(s.requests.map((r) => [r.path, r.query, r.status, r.apiKey])).toEqual([
      [`/api/assets/${heic.id}/thumbnail`, { size: 'fullsize' }, 302, true],
      [`/api/assets/${heic.id}/thumbnail`, { size: 'preview' }, 200, true],
    ]);
  });

  it('fullsize of a JPEG follows the relative "original?" redirect to the original bytes', async () => {
    const { s, c, jpeg } = await seeded();
    const dl = await c.download(jpeg, 'fullsize');
    const bytes = await readAll(dl.body);
    expect(bytes.equals(await s.bytesOf(jpeg.id))).toBe(true);
    expect(s.requests.map((r) => [r.path, r.status, r.apiKey])).toEqual([
      [`/api/assets/${jpeg.id}/thumbnail`, 302, true],
      [`/api/assets/${jpeg.id}/original`, 200, true],
    ]);
  });

  it('preview is the server JPEG with the short side at most 1440', async () => {
    const { c, jpeg } = await seeded();
    const dl = await c.download(jpeg, 'preview');
    const meta = await sharp(await readAll(dl.body)).metadata();
    expect(dl.rendition).toBe('preview');
    expect(meta.format).toBe('jpeg');
    expect(Math.min(meta.width!, meta.height!)).toBeLessThanOrEqual(1440);
  });

  it('a server without fullsize (v1.118) serves the preview instead, known from its version', async () => {
    const { s, c, heic } = await seeded(v(1, 118));
    const dl = await c.download(heic, 'original');
    expect(dl.rendition).toBe('preview');
    await readAll(dl.body);
    expect(s.requests.map((r) => r.query)).toEqual([{ size: 'preview' }]);
  });

  it('a server without fullsize answers 400 to it, and the client falls back to the preview', async () => {
    const s = await sim(v(1, 118));
    const { photos } = await seedSampleLibrary(s, { count: 8, seed: 6, withVideo: false });
    const heic = photos.find((p) => p.originalMimeType === 'image/heic')!;
    const remote: RemoteAsset = {
      id: heic.id,
      originalFileName: heic.originalFileName,
      originalMimeType: 'image/heic',
      fileCreatedAt: heic.fileCreatedAt,
      localDateTime: null,
      updatedAt: heic.updatedAt,
      checksum: 'x',
      archived: false,
    };
    const dl = await client(s).download(remote, 'original');
    expect(dl.rendition).toBe('preview');
    await readAll(dl.body);
    expect(s.requests.map((r) => [r.query['size'], r.status])).toEqual([
      ['fullsize', 400],
      ['preview', 200],
    ]);
  });

  it('a redirect to another origin is followed without the API key', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const elsewhere = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '4' }).end('jpeg');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => elsewhere.close(r)));
    const { s, c, jpeg } = await seeded();
    const other = `http://localhost:${(elsewhere.address() as AddressInfo).port}/cdn/photo.jpg`;
    s.injectFault({
      route: 'thumbnail',
      fault: { kind: 'status', status: 302, body: {}, headers: { location: other } },
    });
    const dl = await c.download(jpeg, 'preview');
    expect((await readAll(dl.body)).toString()).toBe('jpeg');
    expect(s.requests[0]!.apiKey).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]!['x-api-key']).toBeUndefined();
  });

  it('download() hands over a stream, not a buffer: a body cut short surfaces as a stream error', async () => {
    const { s, c, jpeg } = await seeded();
    s.injectFault({ route: 'original', fault: { kind: 'truncate' } });
    const dl = await c.download(jpeg, 'original');
    await expect(readAll(dl.body)).rejects.toThrow();
    // Not retried inside the client: the sync engine retries the whole download.
    expect(s.requests.filter((r) => r.route === 'original')).toHaveLength(1);
  });

  it('a body that stalls past the body timeout surfaces as a stream error', async () => {
    const s = await sim();
    const { album } = await seedSampleLibrary(s, { count: 1, seed: 6, withVideo: false });
    const c = client(s, { timeouts: { bodyMs: 300 } });
    const [one] = await c.listAssets(album.id);
    s.injectFault({ route: 'original', fault: { kind: 'stall-body' } });
    const dl = await c.download(one!, 'original');
    await expect(readAll(dl.body)).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('bytes that differ from the checksum reach the caller unchanged (the sync engine verifies)', async () => {
    const { s, c, jpeg } = await seeded();
    s.injectFault({ route: 'original', fault: { kind: 'wrong-bytes' } });
    const bytes = await readAll((await c.download(jpeg, 'original')).body);
    expect(bytes.length).toBe((await s.bytesOf(jpeg.id)).length);
    expect(createHash('sha1').update(bytes).digest('base64')).not.toBe(jpeg.checksum);
  });

  it('an asset deleted since the listing fails that asset alone (not-found), naming it', async () => {
    const { s, c, jpeg } = await seeded();
    s.forceDelete(jpeg.id);
    const err = await failureOf(c.download(jpeg, 'original'));
    expect(err).toBeInstanceOf(AssetUnavailableError);
    expect((err as AssetUnavailableError).reason).toBe('not-found');
    expect(err.message).toContain(`asset ${jpeg.id} was not found on the Immich server at ${s.url}`);
  });

  it('a rendering the server has not made is "not rendered", never "gone"', async () => {
    const { s, c, jpeg } = await seeded();
    s.injectFault({
      route: 'thumbnail',
      assetId: jpeg.id,
      fault: { kind: 'status', status: 404, body: { message: 'Asset media not found' } },
    });
    const err = await failureOf(c.download(jpeg, 'preview'));
    expect(err).toBeInstanceOf(AssetUnavailableError);
    expect((err as AssetUnavailableError).reason).toBe('not-rendered');
    expect(err.message).toContain('has no preview rendering of it (yet)');
    expect(err.message).toContain('the next sync tries again');
    expect(err.message).not.toMatch(/gone|drops out/);
  });
});

describe('retries', () => {
  it('a search answered 503 twice is retried and the listing completes', async () => {
    const s = await sim();
    const sc = scene(s, 20);
    s.injectFault({ route: 'search', times: 2, fault: { kind: 'status', status: 503 } });
    expect(ids(await client(s).listAssets(sc.albumId))).toEqual(sc.albumImages);
    expect(searches(s).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('a download answered 500 once is retried', async () => {
    const s = await sim();
    const { album } = await seedSampleLibrary(s, { count: 1, seed: 8, withVideo: false });
    const c = client(s);
    const [one] = await c.listAssets(album.id);
    s.injectFault({ route: 'original', fault: { kind: 'status', status: 500 } });
    const bytes = await readAll((await c.download(one!, 'original')).body);
    expect(createHash('sha1').update(bytes).digest('base64')).toBe(one!.checksum);
    expect(s.requests.filter((r) => r.route === 'original').map((r) => r.status)).toEqual([500, 200]);
  });

  it('a photo whose connection is reset before the answer is retried on a fresh one', async () => {
    const s = await sim();
    const { album } = await seedSampleLibrary(s, { count: 1, seed: 8, withVideo: false });
    const c = client(s);
    const [one] = await c.listAssets(album.id);
    s.injectFault({ route: 'original', fault: { kind: 'reset' } });
    const bytes = await readAll((await c.download(one!, 'original')).body);
    expect(createHash('sha1').update(bytes).digest('base64')).toBe(one!.checksum);
    expect(s.requests.filter((r) => r.route === 'original')).toHaveLength(2);
  });

  it('a photo answered 500 with an endless body every time: retried, then that photo fails as an HTTP 500', async () => {
    const s = await sim();
    const { album } = await seedSampleLibrary(s, { count: 1, seed: 8, withVideo: false });
    const c = client(s, { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } });
    const [one] = await c.listAssets(album.id);
    s.injectFault({ route: 'original', times: Infinity, fault: { kind: 'endless-error', status: 500 } });
    const err = await failureOf(c.download(one!, 'original'));
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err.message).toMatch(/answered GET \/api\/assets\/[^ ]+\/original with HTTP 500/);
    expect(s.requests.filter((r) => r.route === 'original')).toHaveLength(3);
  });

  it('a connection reset before the answer is retried', async () => {
    const s = await sim();
    const sc = scene(s, 5);
    s.injectFault({ route: 'search', fault: { kind: 'reset' } });
    expect(ids(await client(s).listAssets(sc.albumId))).toEqual(sc.albumImages);
    expect(searches(s).map((r) => r.status)).toEqual([null, 200]);
  });

  it('a 429 with Retry-After: 1 is retried no sooner than a second later', async () => {
    const s = await sim();
    const sc = scene(s, 5);
    s.injectFault({ route: 'search', fault: { kind: 'status', status: 429, retryAfter: 1 } });
    await client(s).listAssets(sc.albumId);
    const [first, second] = searches(s);
    expect(first!.status).toBe(429);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
  });

  it('gives up after the bounded number of attempts: a server that stays unavailable is unreachable', async () => {
    const s = await sim();
    const sc = scene(s, 5);
    s.injectFault({ route: 'search', times: Infinity, fault: { kind: 'status', status: 503 } });
    const err = await failureOf(
      client(s, { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } }).listAssets(sc.albumId),
    );
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect(err.message).toBe(
      `cannot reach the Immich server at ${s.url}: it kept answering HTTP 503 (Service Unavailable) to POST /api/search/metadata; check immich_url and that the server is running`,
    );
    expect(searches(s)).toHaveLength(4);
  });

  it('a server that accepts and never answers runs into the headers timeout, retried, then unreachable', async () => {
    const s = await sim();
    s.injectFault({ route: 'version', times: Infinity, fault: { kind: 'stall' } });
    const err = await failureOf(
      client(s, { timeouts: { headersMs: 250 }, retry: { maxAttempts: 2, baseDelayMs: 1 } }).listAssets(''),
    );
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect(err.message).toBe(
      `cannot reach the Immich server at ${s.url}: no answer within 0.3 s (GET /api/server/version); check immich_url and that the server is running`,
    );
    expect(s.requests).toHaveLength(2);
  });

  it('an abort signal stops a listing waiting out a long Retry-After', async () => {
    const s = await sim();
    const sc = scene(s, 5);
    s.injectFault({ route: 'search', fault: { kind: 'status', status: 503, retryAfter: 30 } });
    const ctrl = new AbortController();
    const listing = client(s).listAssets(sc.albumId, ctrl.signal);
    while (searches(s).length === 0) await new Promise((r) => setTimeout(r, 5));
    setTimeout(() => ctrl.abort(), 20);
    const started = Date.now();
    const err = await failureOf(listing);
    expect(err.name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an abort signal stops a download in the middle of its body', async () => {
    const s = await sim();
    const { album } = await seedSampleLibrary(s, { count: 1, seed: 8, withVideo: false });
    const c = client(s);
    const [one] = await c.listAssets(album.id);
    s.injectFault({ route: 'original', fault: { kind: 'stall-body' } });
    const ctrl = new AbortController();
    const dl = await c.download(one!, 'original', ctrl.signal);
    setTimeout(() => ctrl.abort(), 20);
    await expect(readAll(dl.body)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('errors name the culprit and what to do', () => {
  it('connection refused: ServerUnreachableError', async () => {
    const s = await startImmichSim();
    const url = s.url;
    await s.close();
    const err = await failureOf(client({ url, apiKey: 'k-refused' }, { retry: { maxAttempts: 1 } }).listAssets(''));
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect(err.message).toBe(
      `cannot reach the Immich server at ${url}: connection refused (GET /api/server/version); check immich_url and that the server is running`,
    );
  });

  it('an unknown host name: ServerUnreachableError about DNS', async () => {
    const err = await failureOf(
      client({ url: 'http://frame-test.invalid:2283', apiKey: 'k-dns' }, { retry: { maxAttempts: 1 } }).listAssets(''),
    );
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect(err.message).toContain(
      'cannot reach the Immich server at http://frame-test.invalid:2283: host name not found (DNS)',
    );
  });

  it('a certificate nobody vouches for: TlsError with the reason', async () => {
    const dir = new URL('../fixtures/immich-tls/', import.meta.url);
    const server = https.createServer(
      { key: readFileSync(new URL('key.pem', dir)), cert: readFileSync(new URL('cert.pem', dir)) },
      (_req, res) => res.end('{}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const url = `https://localhost:${(server.address() as AddressInfo).port}`;
    const err = await failureOf(client({ url, apiKey: 'k-tls' }, { retry: { maxAttempts: 1 } }).serverVersion());
    expect(err).toBeInstanceOf(TlsError);
    expect(err.message).toMatch(new RegExp(`^TLS with the Immich server at ${url} failed: self[- ]signed certificate`));
  });

  it('a wrong key (v3 body): AuthRejectedError with the server reason and the fix', async () => {
    const s = await sim();
    const sc = scene(s, 3);
    const err = await failureOf(client({ url: s.url, apiKey: 'not-the-key-1234' }).listAssets(sc.albumId));
    expect(err).toBeInstanceOf(AuthRejectedError);
    expect(err.message).toBe(
      `the Immich server at ${s.url} rejected the API key (Invalid API key): create a key in Account Settings > API Keys and set immich_api_key`,
    );
  });

  it('a wrong key (v1.118 body with error and statusCode): the same message', async () => {
    const s = await sim(v(1, 118));
    const sc = scene(s, 3);
    const err = await failureOf(client({ url: s.url, apiKey: 'not-the-key-5678' }).listAssets(sc.albumId));
    expect(err).toBeInstanceOf(AuthRejectedError);
    expect(err.message).toBe(
      `the Immich server at ${s.url} rejected the API key (Invalid API key): create a key in Account Settings > API Keys and set immich_api_key`,
    );
  });

  it('a key without asset.download: that photo fails (permission), naming the permission', async () => {
    const s = await sim();
    const { album } = await seedSampleLibrary(s, { count: 1, seed: 3, withVideo: false });
    const key = s.addApiKey(s.userId, ['asset.read', 'album.read', 'asset.view']);
    const c = client({ url: s.url, apiKey: key });
    const [one] = await c.listAssets(album.id);
    const err = await failureOf(c.download(one!, 'original'));
    expect(err).toBeInstanceOf(AssetUnavailableError);
    expect((err as AssetUnavailableError).reason).toBe('permission');
    expect(err.message).toContain('give the key asset.download (or all)');
    expect(err.message).toContain('Account Settings > API Keys');
  });

  it.each([
    ['v3.1 (search)', V3_1],
    ['v1.118 (album route)', v(1, 118)],
  ])('an unknown album on %s: AlbumNotFoundError', async (_n, version) => {
    const s = await sim(version);
    scene(s, 3);
    const unknown = '0ae5e60b-3ca6-407b-8ea1-5ce6ddf1223b';
    const err = await failureOf(client(s).listAssets(unknown));
    expect(err).toBeInstanceOf(AlbumNotFoundError);
    expect(err.message).toBe(
      `album ${unknown} was not found on ${s.url}, or this API key's user cannot read it (Not found or no album.read access): check album_id`,
    );
  });

  it("another user's album: AlbumNotFoundError", async () => {
    const s = await sim();
    const other = s.addUser();
    const theirs = s.addAlbum({
      albumName: 'Theirs',
      ownerId: other.user.id,
      assetIds: addImages(s, 2, 'x', { ownerId: other.user.id }).map((a) => a.id),
    });
    expect(await failureOf(client(s).listAssets(theirs.id))).toBeInstanceOf(AlbumNotFoundError);
  });

  it('a server older than v1.106: UnsupportedServerError naming its version', async () => {
    const s = await sim(v(1, 105, 1));
    const err = await failureOf(client(s).listAssets(''));
    expect(err).toBeInstanceOf(UnsupportedServerError);
    expect(err.message).toBe(
      `the Immich server at ${s.url} runs v1.105.1; this frame needs v1.106.0 or later: update Immich`,
    );
  });

  it('an answer missing a field we rely on: BadResponseError naming server, route and field', async () => {
    const s = await sim();
    const sc = scene(s, 3);
    s.injectFault({
      route: 'search',
      fault: {
        kind: 'status',
        status: 200,
        body: {
          albums: {},
          assets: {
            items: [
              {
                id: 'a',
                type: 'IMAGE',
                originalFileName: 'a.jpg',
                fileCreatedAt: '2020-01-01T00:00:00.000Z',
                updatedAt: '2020-01-01T00:00:00.000Z',
                isTrashed: false,
              },
            ],
            nextPage: null,
          },
        },
      },
    });
    const err = await failureOf(client(s).listAssets(sc.albumId));
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err.message).toMatch(
      new RegExp(
        `^the Immich server at ${s.url} answered POST /api/search/metadata with a shape this frame does not understand: assets\\.items\\.0\\.checksum: `,
      ),
    );
  });

  it('a server whose nextPage does not move forward is refused instead of looped on', async () => {
    const s = await sim();
    const sc = scene(s, 3);
    s.injectFault({
      route: 'search',
      times: Infinity,
      fault: {
        kind: 'status',
        status: 200,
        body: { albums: {}, assets: { items: [], nextPage: '1', total: 0, count: 0 } },
      },
    });
    const err = await failureOf(client(s).listAssets(sc.albumId));
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err.message).toContain('does not move forward');
    expect(searches(s)).toHaveLength(1);
  });

  it('something that is not an Immich server: BadResponseError asking about immich_url', async () => {
    const page = http.createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>router login</html>'),
    );
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => page.close(r)));
    const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    const err = await failureOf(client({ url, apiKey: 'k-html' }).serverVersion());
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err.message).toContain('is immich_url the Immich server itself?');
  });

  it('the API key appears in no error message and no log line, retries and failures included', async () => {
    const s = await sim();
    const sc = scene(s, 12);
    const { album } = await seedSampleLibrary(s, { count: 2, seed: 9, withVideo: false });
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    const messages: string[] = [];
    const c = client(s, { logger, pageSize: 5 });
    s.injectFault({ route: 'search', times: 2, fault: { kind: 'status', status: 503 } });
    await c.listAssets(sc.albumId);
    const photos = await c.listAssets(album.id);
    s.injectFault({ route: 'original', times: Infinity, fault: { kind: 'status', status: 502 } });
    messages.push((await failureOf(c.download(photos[0]!, 'original'))).message);
    messages.push(
      (await failureOf(client({ url: s.url, apiKey: s.apiKey + 'x' }, { logger }).listAssets(sc.albumId))).message,
    );
    messages.push((await failureOf(c.listAssets('0ae5e60b-3ca6-407b-8ea1-5ce6ddf1223b'))).message);
    expect(lines.some((l) => l.includes('retrying'))).toBe(true);
    for (const text of [...lines, ...messages]) {
      expect(text).not.toContain(s.apiKey);
      // Redaction would have left this mark: nothing even tried to print the key.
      expect(text).not.toContain('***');
    }
  });
});
