// Cursor paging (issue 10, point 7): on a server that offers `nextCursor` (Immich v3.2+) the
// listing follows the cursor; on v3.1 and older it asks by page number, as before.
import { afterEach, describe, expect, it } from 'vitest';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function setUp(minor: number) {
  const s: ImmichSim = await startImmichSim({ version: { major: 3, minor, patch: 0 }, seed: 9 });
  cleanups.push(() => s.close());
  const seeded = await seedSampleLibrary(s, { count: 12, seed: 9, withVideo: false });
  const c = new ImmichClient({ baseUrl: s.url, apiKey: s.apiKey, pageSize: 5 });
  cleanups.push(() => c.close());
  return { s, c, seeded };
}

const searchBodies = (s: ImmichSim) =>
  s.requests.filter((r) => r.route === 'search').map((r) => r.body as Record<string, unknown>);

describe('search paging', () => {
  it('v3.2: follows nextCursor to the end, every image once', async () => {
    const { s, c, seeded } = await setUp(2);
    const list = await c.listAssets(seeded.album.id);
    expect(list.map((a) => a.id).sort()).toEqual(seeded.photos.map((p) => p.id).sort());
    const bodies = searchBodies(s);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toMatchObject({ page: 1 });
    expect(bodies[0]).not.toHaveProperty('cursor');
    for (const b of bodies.slice(1)) {
      expect(typeof b['cursor']).toBe('string');
      expect(b).not.toHaveProperty('page');
    }
  });

  it('v3.1: page numbers, no cursor', async () => {
    const { s, c, seeded } = await setUp(1);
    const list = await c.listAssets(seeded.album.id);
    expect(list).toHaveLength(12);
    expect(searchBodies(s).map((b) => [b['page'], b['cursor']])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
    ]);
  });
});
