// `npm run bench -- immich`: the Immich client against the simulator in this process.
// 1. Listing: a 20,000-image album (v3.1, pages of 1000) against a baseline measured in the same
//    run, the bare cost of fetching and JSON-parsing the same pages with undici; the ratio is
//    what paging, validation, dedupe and mapping add. Also the heap kept by the listing.
// 2. Streaming: downloading a 96 MB original through download() and counting the bytes, with the
//    peak RSS growth against the file's size: a client that buffered the photo would grow by at
//    least the file; a streaming one by a small constant.
// 3. Photo requests: 1,000 GETs of small originals (28 KB, the sync bench's album), 4 at a time,
//    each body read to its end, in a child process per run so its own CPU is the transport's (the
//    simulator stays in this process): a bare undici Agent (8 connections, no interceptors),
//    node:http with a keep-alive Agent, the lean HTTP/1.1 client every request uses now
//    (api-fetch.ts over http1-agent.ts: key, retries, redirects), and the whole
//    ImmichClient.download on it. Runs interleaved; ratios per round against undici.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { quickAsset } from '../../src/immich/asset-quick.js';
import { ImmichClient } from '../../src/immich/client.js';
import { assetSchema } from '../../src/immich/schemas.js';
import { startImmichSim } from '../../src/immich-sim/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

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

  // The reading of each asset alone, on the answers the sync gets (with exif and people): the
  // quick read (asset-quick.ts) against the schema it stands in for, interleaved, a ratio a round.
  const items: unknown[] = [];
  for (let page: number | null = 1; page !== null; ) {
    const res = await request(`${sim.url}/api/search/metadata`, {
      method: 'POST',
      headers: { 'x-api-key': sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ albumIds: [album.id], type: 'IMAGE', page, size: 1000, withExif: true, withPeople: true }),
    });
    const body = (await res.body.json()) as { assets: { items: unknown[]; nextPage: string | null } };
    items.push(...body.assets.items);
    page = body.assets.nextPage === null ? null : Number(body.assets.nextPage);
  }
  const readAll = (read: (item: unknown) => unknown) => {
    const t = performance.now();
    let ok = 0;
    for (const item of items) if (read(item) !== undefined) ok += 1;
    if (ok !== items.length) throw new Error(`read ${ok} of ${items.length} assets`);
    return performance.now() - t;
  };
  const bySchema = (item: unknown) => {
    const r = assetSchema.safeParse(item);
    return r.success ? r.data : undefined;
  };
  const rounds: number[] = [];
  let quickMs = 0;
  let schemaMs = 0;
  for (let i = 0; i < 7; i++) {
    let q: number;
    let z: number;
    if (i % 2 === 0) {
      q = readAll(quickAsset);
      z = readAll(bySchema);
    } else {
      z = readAll(bySchema);
      q = readAll(quickAsset);
    }
    rounds.push(q / z);
    quickMs += q;
    schemaMs += z;
  }
  rounds.sort((a, b) => a - b);
  console.log(
    `  reading each of the ${items.length} assets (with exif and people): quick read ${((quickMs * 1000) / 7 / items.length).toFixed(1)} us, ` +
      `the schema ${((schemaMs * 1000) / 7 / items.length).toFixed(1)} us; ratio ${rounds[3]!.toFixed(2)} (${rounds[0]!.toFixed(2)}-${rounds[6]!.toFixed(2)}) over 7 rounds`,
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

const PHOTO_REQUESTS = 1000;
const PHOTO_ROUNDS = Number(process.env.PHOTO_BENCH_ROUNDS ?? 5);
type Transport = 'undici' | 'node:http' | 'lean' | 'client';
const TRANSPORTS: Transport[] = ['undici', 'node:http', 'lean', 'client'];

/** The child: GETs every id's original over `transport`, 4 at a time, and prints its own CPU and
 * wall time for the requests (module loading left out) and the bytes it read. */
function photoChildScript(): string {
  const mod = (p: string) => pathToFileURL(path.resolve(here, '../../src/immich', p)).href;
  const undici = pathToFileURL(createRequire(import.meta.url).resolve('undici')).href;
  return `
import http from 'node:http';
import { Agent } from '${undici}';
import { Http1Agent } from '${mod('http1-agent.js')}';
import { ApiFetcher } from '${mod('api-fetch.js')}';
import { DEFAULT_RETRY_POLICY } from '${mod('retry.js')}';
import { ImmichClient } from '${mod('client.js')}';
const [transport, url, key, idsJson] = process.argv.slice(2);
const ids = JSON.parse(idsJson);
const timeouts = { connectMs: 10000, headersMs: 30000, bodyMs: 30000 };
let get;
let close = async () => {};
if (transport === 'undici') {
  const base = new Agent({ connect: { timeout: 10000 }, headersTimeout: 30000, bodyTimeout: 30000,
    keepAliveTimeout: 10000, connections: 8 });
  const origin = new URL(url).origin;
  get = async (id) => {
    const res = await base.request({ origin, path: '/api/assets/' + id + '/original', method: 'GET',
      headers: { accept: 'application/json', 'x-api-key': key }, signal: new AbortController().signal });
    return res.body;
  };
  close = () => base.close();
} else if (transport === 'node:http') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const { hostname, port } = new URL(url);
  get = (id) => new Promise((resolve, reject) => {
    http.get({ agent, hostname, port, path: '/api/assets/' + id + '/original',
      headers: { accept: 'application/json', 'x-api-key': key }, signal: new AbortController().signal },
      resolve).on('error', reject);
  });
  close = async () => agent.destroy();
} else if (transport === 'lean') {
  const agent = new Http1Agent({ connections: 8, connectMs: 10000, keepAliveMs: 10000 });
  const f = new ApiFetcher({ agent, origin: url, apiKey: key, retry: DEFAULT_RETRY_POLICY, hooks: {}, timeouts });
  get = async (id) => (await f.get('/api/assets/' + id + '/original', new AbortController().signal)).body;
  close = async () => agent.close();
} else {
  const client = new ImmichClient({ baseUrl: url, apiKey: key });
  get = async (id) => (await client.download({ id, originalFileName: id + '.jpg', originalMimeType: 'image/jpeg',
    fileCreatedAt: '2020-01-01T00:00:00.000Z', localDateTime: null, updatedAt: '2020-01-01T00:00:00.000Z',
    checksum: '', archived: false }, 'original')).body;
  close = () => client.close();
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let next = 0;
let bytes = 0;
await Promise.all([0, 1, 2, 3].map(async () => {
  while (next < ids.length) {
    const body = await get(ids[next++]);
    for await (const chunk of body) bytes += chunk.length;
  }
}));
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await close();
process.stdout.write(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, ms, bytes }));
`;
}

async function photoRequestsBench(): Promise<void> {
  const sim = await startImmichSim({ seed: 4 });
  const work = await mkdtemp(path.join(os.tmpdir(), 'photo-requests-'));
  try {
    const ids: string[] = [];
    let expected = 0;
    for (let i = 0; i < PHOTO_REQUESTS; i++) {
      const bytes = Buffer.alloc(28 * 1024 + (i % 512), i % 251);
      expected += bytes.length;
      ids.push(sim.addAsset({ bytes, originalFileName: `IMG_${i}.jpg` }).id);
    }
    const script = path.join(work, 'photo-child.mjs');
    await writeFile(script, photoChildScript());
    const run = async (t: Transport) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [script, t, sim.url, sim.apiKey, JSON.stringify(ids)],
        {
          maxBuffer: 1 << 20,
        },
      );
      const r = JSON.parse(stdout) as { cpuMs: number; ms: number; bytes: number };
      if (r.bytes !== expected) throw new Error(`${t}: read ${r.bytes} bytes of ${expected}`);
      return r;
    };
    for (const t of TRANSPORTS) await run(t); // warm the simulator and the disk cache
    const cpu = new Map<Transport, number[]>(TRANSPORTS.map((t) => [t, []]));
    const wall = new Map<Transport, number[]>(TRANSPORTS.map((t) => [t, []]));
    const ratio = new Map<Transport, number[]>(TRANSPORTS.map((t) => [t, []]));
    for (let round = 0; round < PHOTO_ROUNDS; round++) {
      // A different order each round: no transport always runs first.
      const order = TRANSPORTS.map((_, i) => TRANSPORTS[(i + round) % TRANSPORTS.length]!);
      const got = new Map<Transport, number>();
      for (const t of order) {
        const r = await run(t);
        cpu.get(t)!.push(r.cpuMs);
        wall.get(t)!.push(r.ms);
        got.set(t, r.cpuMs);
      }
      for (const t of TRANSPORTS) ratio.get(t)!.push(got.get(t)! / got.get('undici')!);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(
      `${PHOTO_REQUESTS} photo GETs (${(expected / 1024 / 1024).toFixed(0)} MB, 4 at a time), the child's own CPU over ${PHOTO_ROUNDS} interleaved rounds:`,
    );
    for (const t of TRANSPORTS) {
      const r = ratio.get(t)!;
      console.log(
        `  ${t.padEnd(9)} CPU median ${median(cpu.get(t)!).toFixed(0)} ms, wall ${median(wall.get(t)!).toFixed(0)} ms; ` +
          `CPU ratio to undici ${median(r).toFixed(2)} (${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)})`,
      );
    }
  } finally {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  // IMMICH_BENCH_ONLY=listing|photos runs that part alone.
  const only = process.env.IMMICH_BENCH_ONLY;
  if (only !== 'photos') await listingBench();
  if (only === undefined) await streamingBench();
  if (only !== 'listing') await photoRequestsBench();
}
