// A hostile server against the client's bounds (issue 12, points 1-3): an endless JSON body is cut
// at the cap, endless paging with fresh ids stops at the listing's bound, and a body that trickles
// a byte at a time meets the request's deadline. Real loopback HTTP through the simulator's faults;
// the limits are made small so each case runs quickly, and only outcomes are asserted.
import { afterEach, describe, expect, it } from 'vitest';
import { BadResponseError, DeadlineError } from '../../src/core/errors.js';
import { ImmichClient, type ImmichClientOptions } from '../../src/immich/client.js';
import { ListingStore } from '../../src/immich/listing-store.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function setup(extra: Partial<ImmichClientOptions> = {}) {
  const sim = await startImmichSim({ seed: 12 });
  cleanups.push(() => sim.close());
  const { album } = await seedSampleLibrary(sim, { count: 3, seed: 12, withVideo: false });
  const client = new ImmichClient({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
  cleanups.push(() => client.close());
  return { sim, client, albumId: album.id };
}

const searches = (sim: ImmichSim) => sim.requests.filter((r) => r.route === 'search');

describe('a JSON answer is capped (point 1)', () => {
  it('an endless search answer fails at the cap with one line naming the server and route', async () => {
    const { sim, client, albumId } = await setup({ limits: { maxJsonBytes: 256 * 1024 } });
    sim.injectFault({ route: 'search', fault: { kind: 'endless-body' } });
    const err = await client.listAssets(albumId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err).toMatchObject({ code: 'ANSWER_TOO_LARGE' });
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(sim.url);
    expect(message).toContain('POST /api/search/metadata');
    // Not retried: an answer that is too large is not a passing fault.
    expect(searches(sim)).toHaveLength(1);
  });

  it('a large but finite answer is refused the same way, and a normal one still reads', async () => {
    const { sim, client, albumId } = await setup({ limits: { maxJsonBytes: 64 * 1024 } });
    sim.injectFault({ route: 'search', fault: { kind: 'endless-body', bytes: 1024 * 1024 } });
    await expect(client.listAssets(albumId)).rejects.toMatchObject({ code: 'ANSWER_TOO_LARGE' });
    await expect(client.listAssets(albumId)).resolves.toHaveLength(3);
  });

  it('the error answer of a photo route is capped too', async () => {
    const { sim, client, albumId } = await setup({ limits: { maxJsonBytes: 64 * 1024 } });
    const [asset] = await client.listAssets(albumId);
    sim.injectFault({
      route: 'original',
      fault: { kind: 'status', status: 400, body: { message: 'x'.repeat(200 * 1024) } },
    });
    await expect(client.download(asset!, 'original')).rejects.toMatchObject({ code: 'ANSWER_TOO_LARGE' });
  });
});

describe('a listing is bounded (point 2)', () => {
  it('endless paging with fresh ids stops at the bound with a clear refusal', async () => {
    const { sim, client, albumId } = await setup({ pageSize: 100, paging: { maxItems: 450 } });
    sim.injectFault({ route: 'search', times: Infinity, fault: { kind: 'endless-paging' } });
    const err = await client.listAssets(albumId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadResponseError);
    expect((err as Error).message).toMatch(/passed 450 assets .*choose an album/);
    // Five pages of 100 fresh ids pass 450: the sixth is never asked for.
    expect(searches(sim)).toHaveLength(5);
  });

  it("a long listing is held to the album's own assetCount", async () => {
    const { sim, client, albumId } = await setup({ pageSize: 500, paging: { askTotalAfter: 600 } });
    sim.injectFault({ route: 'search', times: Infinity, fault: { kind: 'endless-paging' } });
    const err = await client.listAssets(albumId).catch((e: unknown) => e);
    // The album holds 3: the bound is 3 + 1000 (room for assets added while paging).
    expect((err as Error).message).toMatch(
      /passed 1003 assets \(page 3\), more than the 3 assets the server counts in it/,
    );
    expect(searches(sim)).toHaveLength(3);
    expect(sim.requests.filter((r) => r.route === 'album').map((r) => r.query)).toEqual([{ withoutAssets: 'true' }]);
  });
});

describe('deadlines (point 3)', () => {
  it('a search answer that trickles a byte at a time meets the request deadline', async () => {
    const { sim, client, albumId } = await setup({ limits: { requestMs: 400 }, timeouts: { bodyMs: 10_000 } });
    sim.injectFault({ route: 'search', fault: { kind: 'trickle', everyMs: 20 } });
    const err = await client.listAssets(albumId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as Error).message).toContain('POST /api/search/metadata');
    expect((err as Error).message).toContain(sim.url);
  });

  it("a photo that trickles meets its download deadline as that photo's failure", async () => {
    const { sim, client, albumId } = await setup({ limits: { photoFloorMs: 400 }, timeouts: { bodyMs: 10_000 } });
    const [asset] = await client.listAssets(albumId);
    sim.injectFault({ route: 'original', fault: { kind: 'trickle', everyMs: 20 } });
    const dl = await client.download(asset!, 'original');
    const drained = (async () => {
      for await (const _ of dl.body) void _;
    })();
    await expect(drained).rejects.toMatchObject({ code: 'ASSET_UNAVAILABLE', reason: 'too-slow' });
  });

  it('a deadline that is not reached changes nothing', async () => {
    const { client, albumId } = await setup({ limits: { requestMs: 60_000 } });
    await expect(client.listAssets(albumId)).resolves.toHaveLength(3);
  });
});

describe('server text we print (point 10)', () => {
  it('control characters are escaped and the length is capped', async () => {
    const { sim, client } = await setup({ retry: { maxAttempts: 1 } });
    const hostile = '\u001b[2J\u001b[31mPWNED\u001b[0m\r\nforged log line\u202e' + 'A'.repeat(5000);
    sim.injectFault({ route: 'version', fault: { kind: 'status', status: 500, body: { message: hostile } } });
    const err = await client.serverVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadResponseError);
    const message = (err as Error).message;
    expect(message).toContain('\\x1b[2J\\x1b[31mPWNED\\x1b[0m\\x0d\\x0aforged log line\\u202e');
    // eslint-disable-next-line no-control-regex
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(message).toContain('(5036 characters)');
    expect(message.length).toBeLessThan(500);
  });
});

describe('a listing page read as it arrives (issue 21 point 1)', () => {
  it('a page cut off in the middle of its body is asked again, and the listing is whole', async () => {
    const { sim, client, albumId } = await setup({ retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    const whole = await client.listAssets(albumId);
    sim.injectFault({ route: 'search', fault: { kind: 'truncate' } });
    const again = await client.listAssets(albumId);
    expect(again.map((a) => a.id)).toEqual(whole.map((a) => a.id));
    expect(sim.requests.filter((r) => r.route === 'search').length).toBe(2 + 1);
  });

  it('a page asked again stores its rows once: a listing that fits the bound still fits after a retry', async () => {
    const { sim, client } = await setup({ retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    const bigger = await seedSampleLibrary(sim, { count: 40, seed: 13, withVideo: false });
    const whole = await client.listAssets(bigger.album.id);
    expect(whole).toHaveLength(40);
    // What this listing holds (listing-store.ts): each asset's row and its id. The bound is set to
    // exactly that, so a second copy of any row would pass it.
    const store = new ListingStore();
    for (const a of whole) store.record(a.id, store.add(a));
    const exact = new ImmichClient({
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      paging: { maxKeptBytes: store.bytes },
    });
    cleanups.push(() => exact.close());
    await expect(exact.listAssets(bigger.album.id)).resolves.toHaveLength(40);
    // Cut off half way (some twenty assets read and stored before it is asked again).
    sim.clearRequests();
    sim.injectFault({ route: 'search', fault: { kind: 'truncate' } });
    const again = await exact.listAssets(bigger.album.id);
    expect(again).toEqual(whole);
    expect(searches(sim)).toHaveLength(2);
  });

  it('a page cut off every time ends as a network failure naming the server', async () => {
    const { sim, client, albumId } = await setup({ retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 } });
    sim.injectFault({ route: 'search', times: Infinity, fault: { kind: 'truncate' } });
    const err = await client.listAssets(albumId).catch((e: unknown) => e);
    expect((err as Error).message).toContain(sim.url);
    expect(sim.requests.filter((r) => r.route === 'search')).toHaveLength(2);
  });
});
