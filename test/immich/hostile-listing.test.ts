// A hostile server against what a listing keeps (issue 21, points 1, 2, 4-7, 13 and the 500 with
// an endless body): big items are cut, a listing's kept text and a cursor's length are bounded,
// faces and stacks at scale are read or cost only their rule, one unreadable item costs only
// itself, a listing and a photo meet their own deadlines, and the echoed key is masked. Real
// loopback HTTP through the simulator's faults (faults.ts, hostile.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { AssetUnavailableError, BadResponseError, DeadlineError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/log.js';
import { ImmichClient, type ImmichClientOptions } from '../../src/immich/client.js';
import { KEPT_CHARS, KEPT_FACES, KEPT_PEOPLE } from '../../src/immich/kept.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function setup(extra: Partial<ImmichClientOptions> = {}, count = 3) {
  const sim = await startImmichSim({ seed: 21 });
  cleanups.push(() => sim.close());
  const { album, photos } = await seedSampleLibrary(sim, { count, seed: 21, withVideo: false });
  const lines: string[] = [];
  const client = new ImmichClient({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 1 },
    logger: createLogger({ level: 'warn', format: 'text', write: (l) => lines.push(l) }),
    ...extra,
  });
  cleanups.push(() => client.close());
  return { sim, client, albumId: album.id, photos, lines };
}

describe('what a listing keeps of each asset is bounded (point 1)', () => {
  it('a 7.5 MB description, 40,000 people and 100,000-character names are cut to what the frame keeps', async () => {
    const { sim, client, albumId } = await setup({ limits: { maxJsonBytes: 64 * 1024 * 1024 } });
    sim.injectFault({
      route: 'search',
      fault: { kind: 'big-items', perPage: 1, descriptionChars: 7_500_000, people: 40, nameChars: 100_000 },
    });
    sim.injectFault({ route: 'search', fault: { kind: 'big-items', perPage: 1, people: 40_000 } });
    sim.injectFault({ route: 'search', fault: { kind: 'empty-listing' } });
    const list = await client.listAssets(albumId);
    expect(list).toHaveLength(2);
    const [first, second] = list;
    expect(first!.info!.description.length).toBe(KEPT_CHARS.description);
    expect(first!.info!.people!.every((p) => p.name.length === KEPT_CHARS.name)).toBe(true);
    expect(second!.info!.people).toHaveLength(KEPT_PEOPLE);
  });

  it('a listing whose kept text passes its bound is refused, naming the server, before it grows', async () => {
    const { sim, client, albumId } = await setup({ paging: { maxKeptBytes: 1024 * 1024 } });
    const f = sim.injectFault({
      route: 'search',
      times: Infinity,
      fault: { kind: 'big-items', perPage: 200, descriptionChars: 7_000 },
    });
    const err = await client.listAssets(albumId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err).toMatchObject({ code: 'ANSWER_TOO_LARGE' });
    expect((err as Error).message).toContain(sim.url);
    expect((err as Error).message).toMatch(/names and descriptions passed 1 MiB/);
    // 200 items of 600 kept characters and the rest of their rows (~750 bytes each,
    // listing-row.ts) a page, and the index's first block (listing-index.ts): the bound falls
    // within a dozen pages (6 measured), before the album's count would, whatever the server would
    // go on sending.
    expect(f.hits).toBeGreaterThan(2);
    expect(f.hits).toBeLessThanOrEqual(12);
  });

  it('a cursor of megabytes is refused at once, and cursors are not kept whole to find loops', async () => {
    const { sim, client, albumId } = await setup();
    const f = sim.injectFault({
      route: 'search',
      times: Infinity,
      fault: { kind: 'big-items', perPage: 1, cursorChars: 4 * 1024 * 1024 },
    });
    const err = await client.listAssets(albumId).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/names a cursor of 4194304 characters, longer than any real one/);
    expect(f.hits).toBe(1);
  });
});

describe('faces and stacks at scale (points 2 and 4)', () => {
  it('10,000 faces on one photo: the largest 64 are kept', async () => {
    const { sim, client, photos } = await setup();
    sim.injectFault({ route: 'faces', fault: { kind: 'many-faces', count: 10_000 } });
    const faces = await client.listFaces(photos[0]!.id);
    expect(faces).toHaveLength(KEPT_FACES);
  });

  it("3,000 two-photo stacks in Immich's real shape (over 8 MiB) are read, not refused", async () => {
    const { sim, client, lines } = await setup();
    sim.injectFault({ route: 'stacks', fault: { kind: 'many-stacks', count: 3_000 } });
    // The library as listed is 3 photos: the stacks answer's cap follows from the listing only in
    // part; an answer above the cap still costs only the stack rule.
    const list = await client.listAssets('');
    expect(list).toHaveLength(3);
    await client.listStacks(undefined, list.length);
    const size = sim.requests.find((r) => r.route === 'stacks');
    expect(size?.status).toBe(200);
    // Either read, or (past its cap) the stack rule is off for this sync and says so.
    expect(lines.every((l) => !/error/.test(l))).toBe(true);
  });

  it('a stacks answer over its cap or of a wrong shape costs the stack rule, not the sync', async () => {
    const { sim, client, lines } = await setup({ limits: { maxJsonBytes: 256 * 1024 } });
    sim.injectFault({ route: 'stacks', fault: { kind: 'many-stacks', count: 3_000 } });
    await expect(client.listAssets('')).resolves.toHaveLength(3);
    await expect(client.listStacks(undefined, 3)).resolves.toBeNull();
    expect(lines.join('\n')).toMatch(/stacks answer cannot be used: .*every photo of a stack is shown this time/);
    sim.injectFault({ route: 'stacks', fault: { kind: 'status', status: 200, body: { not: 'a list' } } });
    await expect(client.listStacks(undefined, 3)).resolves.toBeNull();
    expect(lines.filter((l) => l.includes('stacks answer cannot be used'))).toHaveLength(2);
  });

  it('3,000 real-shape stacks over a 6,000-photo listing fit the cap sized from the listing', async () => {
    const { sim, client, lines } = await setup({ pageSize: 1000 });
    // 6,000 listed photos (fresh copies), then the stacks answer of 3,000 pairs (~9 MB).
    sim.injectFault({ route: 'search', times: 6, fault: { kind: 'big-items', perPage: 1000 } });
    sim.injectFault({ route: 'search', fault: { kind: 'empty-listing' } });
    sim.injectFault({ route: 'stacks', fault: { kind: 'many-stacks', count: 3_000 } });
    const list = await client.listAssets('');
    expect(list.length).toBe(6_000);
    expect((await client.listStacks(undefined, list.length))?.size).toBe(6_000);
    expect(lines.filter((l) => l.includes('stacks answer cannot be used'))).toEqual([]);
  });
});

describe('one unreadable item is that asset alone (point 4)', () => {
  it('an unparseable localDateTime keeps the photo without a date; a bad fileCreatedAt leaves out only that asset', async () => {
    const { sim, client, albumId, lines } = await setup();
    sim.injectFault({ route: 'search', fault: { kind: 'patch-item', index: 0, patch: { localDateTime: 'soon' } } });
    const list = await client.listAssets(albumId);
    expect(list).toHaveLength(3);
    expect(list.filter((a) => a.localDateTime === null)).toHaveLength(1);

    sim.injectFault({ route: 'search', fault: { kind: 'patch-item', index: 1, patch: { fileCreatedAt: 'never' } } });
    const again = await client.listAssets(albumId);
    expect(again).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/asset [0-9a-f-]+ is left out of the listing: fileCreatedAt cannot be read/);
  });
});

describe('deadlines (points 5 and 6)', () => {
  it('a listing that pages slowly without end gives up at the listing deadline, naming server and progress', async () => {
    const { sim, client, albumId } = await setup({ limits: { listingMs: 600 } });
    sim.injectFault({ route: 'search', times: Infinity, fault: { kind: 'big-items', perPage: 5, delayMs: 150 } });
    const started = Date.now();
    const err = await client.listAssets(albumId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `${sim.url.replace(/[.]/g, '\\.')} did not finish listing album .* within 1 s \\(\\d+ pages, \\d+ assets so far\\)`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a slow photo misses its own deadline (size at the floor rate) as that photo's failure", async () => {
    const { sim, client, albumId } = await setup({ limits: { photoFloorMs: 300, photoFloorRate: 1024 * 1024 } });
    const [asset] = await client.listAssets(albumId);
    sim.injectFault({ route: 'original', fault: { kind: 'trickle', everyMs: 20 } });
    const dl = await client.download(asset!, 'original');
    const drained = (async () => {
      for await (const _ of dl.body) void _;
    })();
    const err = await drained.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssetUnavailableError);
    expect(err).toMatchObject({ reason: 'too-slow' });
  });
});

describe('a lying Content-Length (point 7)', () => {
  it('a photo announcing more than 512 MiB is refused before a byte is read', async () => {
    const { sim, client, albumId } = await setup();
    const [asset] = await client.listAssets(albumId);
    sim.injectFault({ route: 'original', fault: { kind: 'lying-length', announce: 3 * 1024 ** 3 } });
    const err = await client.download(asset!, 'original').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssetUnavailableError);
    expect(err).toMatchObject({ reason: 'too-large' });
    expect((err as Error).message).toMatch(/announces 3072 MiB .* more than the 512 MiB a photo may be/);
  });
});

describe('a server echoing the key (point 13)', () => {
  it('the key is masked in every field the listing keeps', async () => {
    const { sim, client, albumId } = await setup();
    sim.injectFault({ route: 'search', fault: { kind: 'echo-key' } });
    const list = await client.listAssets(albumId);
    const kept = JSON.stringify(list);
    expect(kept).not.toContain(sim.apiKey);
    expect(list[0]!.originalFileName).toBe('IMG_***.jpg');
    expect(list[0]!.info).toMatchObject({ description: 'key *** here', city: 'City ***', timeZone: '***' });
  });
});

describe('an error with an endless body (smaller)', () => {
  it('a 500 whose body never ends is reported as the 500 it is, not as silence', async () => {
    const { sim, client } = await setup({ limits: { maxJsonBytes: 64 * 1024 } });
    sim.injectFault({ route: 'version', fault: { kind: 'endless-error', status: 500 } });
    const err = await client.serverVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadResponseError);
    expect((err as Error).message).toMatch(/HTTP 500/);
    expect((err as Error).message).not.toMatch(/not answering/);
  });

  it('retried, each endless error page is cut short and the last is reported as HTTP 500', async () => {
    const { sim, client } = await setup({ retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } });
    sim.injectFault({ route: 'version', times: Infinity, fault: { kind: 'endless-error', status: 500 } });
    const err = await client.serverVersion().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/HTTP 500/);
    expect(sim.requests.filter((r) => r.route === 'version')).toHaveLength(3);
  });
});
