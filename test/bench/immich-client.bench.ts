// `npm run bench -- immich`: the Immich client against the simulator in this process.
// 1. Listing: a 20,000-image album (v3.1, pages of 1000) against a baseline measured in the same
//    run, the bare cost of fetching and JSON-parsing the same pages with undici; the ratio is
//    what paging, validation, dedupe and mapping add. Also the heap kept by the listing.
// 2. Streaming: downloading a 96 MB original through download() and counting the bytes, with the
//    peak RSS growth against the file's size: a client that buffered the photo would grow by at
//    least the file; a streaming one by a small constant.
import { request } from 'undici';
import { ImmichClient } from '../../src/immich/client.js';
import { startImmichSim } from '../../src/immich-sim/server.js';

const MB = 1024 * 1024;

async function listingBench(): Promise<void> {
  const N = 20_000;
  const sim = await startImmichSim({ seed: 1 });
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    ids.push(
      sim.addAsset({
        bytes: { generate: () => Buffer.from(`asset-${i}`) },
        originalFileName: `IMG_${i}.jpg`,
        fileCreatedAt: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
        width: 4000,
        height: 3000,
      }).id,
    );
  }
  const album = sim.addAlbum({ albumName: 'Big', assetIds: ids });
  const client = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await client.listAssets(album.id); // warm: checksums computed, renderings of JSON paths hot

  // Baseline: the same pages, fetched and parsed with nothing else.
  const baseline = async () => {
    let page: number | null = 1;
    let count = 0;
    while (page !== null) {
      const res = await request(`${sim.url}/api/search/metadata`, {
        method: 'POST',
        headers: { 'x-api-key': sim.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ albumIds: [album.id], type: 'IMAGE', page, size: 1000 }),
      });
      const body = (await res.body.json()) as { assets: { items: unknown[]; nextPage: string | null } };
      count += body.assets.items.length;
      page = body.assets.nextPage === null ? null : Number(body.assets.nextPage);
    }
    return count;
  };
  const time = async (f: () => Promise<unknown>, runs = 3) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await f();
      times.push(performance.now() - t);
    }
    return Math.min(...times);
  };
  const base = await time(baseline);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let kept: unknown = null;
  const ours = await time(async () => {
    kept = await client.listAssets(album.id);
  });
  global.gc?.();
  const heapKept = process.memoryUsage().heapUsed - heapBefore;
  console.log(
    `listing ${N} images: client ${ours.toFixed(0)} ms, bare fetch+parse ${base.toFixed(0)} ms, ratio ${(ours / base).toFixed(2)}`,
  );
  console.log(
    `  per image ${((ours * 1000) / N).toFixed(1)} us; listing kept ${Array.isArray(kept) ? kept.length : 0} images${global.gc ? `, heap held ${(heapKept / MB).toFixed(1)} MB (${(heapKept / N).toFixed(0)} B each)` : ' (run node with --expose-gc for the heap figure)'}`,
  );
  await client.close();
  await sim.close();
}

async function streamingBench(): Promise<void> {
  const SIZE = 96 * MB;
  const sim = await startImmichSim({ seed: 2 });
  // The bytes live in the simulator (same process), so its copy is counted before we start.
  const bytes = Buffer.alloc(SIZE, 7);
  const asset = sim.addAsset({ bytes, originalFileName: 'huge.jpg' });
  const client = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  const remote = (await client.listAssets(''))[0]!;
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const t = performance.now();
  const dl = await client.download(remote, 'original');
  let received = 0;
  for await (const chunk of dl.body) received += (chunk as Buffer).length;
  const ms = performance.now() - t;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const growth = peak - before;
  console.log(
    `streaming a ${(SIZE / MB).toFixed(0)} MB original: ${received === SIZE ? 'complete' : `SHORT (${received})`}, ${(SIZE / MB / (ms / 1000)).toFixed(0)} MB/s, ` +
      `peak RSS growth ${(growth / MB).toFixed(1)} MB = ${((growth / SIZE) * 100).toFixed(1)}% of the file (the simulator's own send buffers included)`,
  );
  void asset;
  await client.close();
  await sim.close();
}

export async function run(): Promise<void> {
  await listingBench();
  await streamingBench();
}
