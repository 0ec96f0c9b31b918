// The listing bound at its real size (issue 21): a 20,000-photo library in Immich's real shape
// lists in full within two thirds of it, and the hostile listings of the sync bench (pages of
// photos with 1,000 people each, pages of 7 KB descriptions: sync-hostile.bench.ts) are refused at it with one line
// naming the server. Slow: some 20-60 MB of answers through the simulator over loopback HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { BadResponseError } from '../../src/core/errors.js';
import { ImmichClient, type ImmichClientOptions } from '../../src/immich/client.js';
import { MAX_LISTING_BYTES } from '../../src/immich/kept.js';
import { generateSamplePhoto } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

/** A simulator whose first photo is a typical one of a real library (the recorded v3.1.0 shapes,
 * fixtures/immich-v3.1.0/asset-get-otd-2019-gps.json and asset-get-with-people.json): exif with
 * a place, a zone and a short description, a rating, three named people. The big-items fault
 * copies it under fresh ids, 1,000 a page. */
async function realLibrary(options: Partial<ImmichClientOptions> = {}) {
  const sim = await startImmichSim({ seed: 2121 });
  cleanups.push(() => sim.close());
  const photo = await generateSamplePhoto(0, { seed: 21 });
  const asset = sim.addAsset({
    bytes: photo.bytes,
    originalFileName: 'PXL_20190714_101502123.jpg',
    fileCreatedAt: '2019-07-14T10:15:02.123Z',
    width: photo.width,
    height: photo.height,
    info: {
      rating: 4,
      description: 'Picnic by the river with the whole family',
      timeZone: 'Europe/Paris',
      city: 'Paris',
      state: 'Île-de-France',
      country: 'France',
      latitude: 48.8566,
      longitude: 2.3522,
      orientation: 1,
    },
  });
  for (const name of ['Alice Example', 'Bob Example', 'Carol Example']) {
    const person = sim.addPerson({ name });
    sim.addFace({
      assetId: asset.id,
      personId: person.id,
      x1: 10,
      y1: 10,
      x2: 60,
      y2: 60,
      imageWidth: photo.width,
      imageHeight: photo.height,
    });
  }
  const client = new ImmichClient({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 1 },
    ...options,
  });
  cleanups.push(() => client.close());
  return { sim, client };
}

describe('the listing bound at its real size', () => {
  it("a 20,000-photo library in Immich's real shape lists in full within two thirds of the bound", async () => {
    const { sim, client } = await realLibrary({ paging: { maxKeptBytes: Math.floor((MAX_LISTING_BYTES * 2) / 3) } });
    sim.injectFault({ route: 'search', times: 20, fault: { kind: 'big-items', perPage: 1000 } });
    sim.injectFault({ route: 'search', fault: { kind: 'empty-listing' } });
    const list = await client.listAssets('');
    expect(list).toHaveLength(20_000);
    const last = list[19_999]!;
    expect(last.info).toMatchObject({ city: 'Paris', state: 'Île-de-France', rating: 4, timeZone: 'Europe/Paris' });
    expect(last.info!.people!.map((p) => p.name).sort()).toEqual(['Alice Example', 'Bob Example', 'Carol Example']);
    // The people are shared, one object each for all 20,000 photos.
    expect(list[0]!.info!.people![0]).toBe(last.info!.people!.find((p) => p.id === list[0]!.info!.people![0]!.id));
  }, 120_000);

  it.each([
    ['30 photos a page with 1,000 people each (40-character names)', { perPage: 30, people: 1000, nameChars: 40 }],
    // 800, not the bench's 1,000: this model's people make 1,000 such items more than a page's 8 MiB.
    ['800 photos a page with 7 KB descriptions', { perPage: 800, descriptionChars: 7000 }],
  ])(
    '%s, paging on: refused at the bound, naming the server',
    async (_, fault) => {
      const { sim, client } = await realLibrary();
      const f = sim.injectFault({ route: 'search', times: Infinity, fault: { kind: 'big-items', ...fault } });
      const err = await client.listAssets('').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadResponseError);
      expect(err).toMatchObject({ code: 'ANSWER_TOO_LARGE' });
      const message = (err as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(
        new RegExp(
          `^the Immich server at ${sim.url.replace(/[.]/g, '\\.')} \\(POST /api/search/metadata\\): the listing's names and descriptions passed ${MAX_LISTING_BYTES / (1024 * 1024)} MiB \\(\\d+ assets\\)`,
        ),
      );
      // Refused while it pages, not after: fewer photos than a real 20,000-photo library.
      const assets = Number(/\((\d+) assets\)/.exec(message)![1]);
      expect(assets).toBeLessThan(20_000);
      expect(f.hits).toBeLessThan(100);
    },
    120_000,
  );
});
