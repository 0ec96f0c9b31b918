// `npm run bench -- sync`: the sync engine on a 1,000-photo album. The simulated server runs in
// this (the bench) process; every measured sync runs as its own child process
// (`node bin/artframe-immich.js sync`), like the baseline curl, so the server's work is never
// counted against the sync and each child's peak RSS is its own. Every figure is paired: a run of
// the sync and a run of its baseline back to back (in alternating order), a ratio per pair, and
// the median of those ratios (with their range), so a machine busy for a while slows both sides
// of a ratio alike.
// 1. Initial sync against `curl --parallel --parallel-max 4` fetching the same originals (or, without
//    curl, a plain parallel undici fetch to files), whole process each. Then the sync, a plain
//    parallel fetch written in Node (node:http, no code of ours, each file fdatasynced) and curl
//    with the same fdatasyncs, and the two fetches again without them, in the same rounds: how much
//    of the gap to curl is Node's own.
// 2. A no-change resync against the listing requests alone (version, search pages, stacks; undici
//    and JSON.parse), both in this process so Node's start-up does not swamp the figure; the child's
//    wall time is shown too. The search asks what the sync asks (withExif, withPeople: each photo's
//    info comes with the listing), so both sides get the same answers; the figure against the
//    smaller answers without them (the baseline before) is shown beside it. The first resync is a
//    full one that records what it saw; the measured ones find it again and take the no-change
//    fast path (library/no-change.ts), which the figure says. SYNC_BEFORE_BUILD=<an older
//    checkout's build/ folder, made by its own `npm run bench`> pairs that build's resync
//    against this one's, in this process, by wall time and CPU.
// 3. Peak RSS of the sync child for 1,000 small photos and for a few 96 MB photos: flat if bodies
//    are streamed, growing with the photo if they were buffered.
// 4. An initial sync of a 41-photo album of 106 MB (2.6 MB a photo, a phone's) against curl: the
//    per-photo overhead of step 1 (temp file, hash, fsync, rename, checkpoints) against a
//    realistic amount of bytes.
// 5. An initial sync of the simulator's sample library, 1,000 photos of every kind it makes (JPEGs
//    with EXIF, PNGs, WebPs, photos the server renders): what the header reader spares sharp in a
//    real library's mix, against the durable floor of the same originals (and SYNC_VS).
// Steps 1 and 4 are also paired against curl followed by an fdatasync of every file it wrote
// (4 at once) and of their folder: the least a copy that survives a power cut costs on this disk,
// which curl alone never pays.
// SYNC_VS=<another build's bin> adds, to steps 1, 4 and 5, rounds of this build, that one and the
// durable floor in rotating order: before and after measured side by side, by wall time and by
// the child's own CPU. SYNC_BENCH_STEPS=1,4 runs only the steps named.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { parseConfig } from '../../src/config/config.js';
import { ImmichClient } from '../../src/immich/client.js';
import { generateSamplePhoto, seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { type ImmichSim, startImmichSim } from '../../src/immich-sim/server.js';
import { syncLibrary } from '../../src/library/sync.js';
import { instancePaths } from '../../src/library/instance.js';
import { takeChildUsage, writeUsagePreload } from './child-usage.js';
import { INSTALLED_NODE_FLAG } from '../support/installed-node.js';

const MB = 1024 * 1024;
const PHOTOS = 1000;
const BIG = 96 * MB;
const PHONE_PHOTOS = 41;
/** 41 photos of 106 MB in all. */
const PHONE = Math.round((106 * MB) / PHONE_PHOTOS);
/** Pairs (sync, baseline) per figure. */
const PAIRS = Number(process.env.SYNC_BENCH_PAIRS ?? 5);
const here = path.dirname(fileURLToPath(import.meta.url));
// SYNC_BIN measures another build (an older checkout's bin) against the same baselines.
const BIN = process.env.SYNC_BIN ?? path.resolve(here, '../../../bin/artframe-immich.js');
// SYNC_VS pairs this build with another one (its bin) in the same run, interleaved: the initial
// syncs of steps 1, 4 and 5 by wall time and by the child's own CPU, a ratio per pair.
const VS = process.env.SYNC_VS;
const STEPS = new Set((process.env.SYNC_BENCH_STEPS ?? '1,2,3,4,5').split(',').map((x) => Number(x.trim())));
const exec = promisify(execFile);

/** A JPEG made unique by a comment segment after its SOI marker: still a valid JPEG. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text);
  const seg = Buffer.alloc(4);
  seg.writeUInt16BE(0xfffe, 0);
  seg.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), seg, body, jpeg.subarray(2)]);
}

async function albumOfPhotos(
  sim: ImmichSim,
  count: number,
): Promise<{ albumId: string; ids: string[]; bytes: number }> {
  const bases: Buffer[] = [];
  for (let i = 0; bases.length < 40; i++) {
    // JPEG bases only: every photo is then an original, as for the curl baseline.
    const p = await generateSamplePhoto(i, { seed: 9, sizes: 'mixed' });
    if (p.mimeType === 'image/jpeg') bases.push(p.bytes);
  }
  const ids: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const b = withComment(bases[i % bases.length]!, `bench photo ${i}`);
    bytes += b.length;
    ids.push(
      sim.addAsset({
        bytes: b,
        originalFileName: `IMG_${String(i).padStart(5, '0')}.jpg`,
        fileCreatedAt: new Date(Date.UTC(2015, 0, 1) + i * 3_600_000).toISOString(),
      }).id,
    );
  }
  return { albumId: sim.addAlbum({ albumName: `bench ${count}`, assetIds: ids }).id, ids, bytes };
}

/** How the CLI child starts: as the installed command does (test/support/installed-node.ts), or
 * with the flags in SYNC_NODE_FLAGS (empty: plain `node`). */
const CLI_FLAGS = (process.env.SYNC_NODE_FLAGS ?? INSTALLED_NODE_FLAG).split(' ').filter(Boolean);

/** Run the CLI as a child; returns wall ms and the child's peak RSS (from a preloaded exit hook). */
function cliChild(
  args: string[],
  preload: string,
  bin = BIN,
): Promise<{ ms: number; maxRssMb: number; cpuMs: number; code: number | null }> {
  return nodeChild([...CLI_FLAGS, bin, ...args], preload);
}

async function nodeChild(
  args: string[],
  preload: string,
  env: Record<string, string> = {},
): Promise<{ ms: number; maxRssMb: number; cpuMs: number; code: number | null }> {
  const rssFile = path.join(os.tmpdir(), `bench-rss-${process.pid}-${Math.random().toString(16).slice(2)}`);
  const t = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', preload, ...args], {
      stdio: ['ignore', 'ignore', 'ignore'],
      // NODE_EXTRA_CA_CERTS left out as in the startup bench: Node 20 parses the named bundle at
      // every start (~40 ms on this VM), a cost curl never pays and a Pi's Node does not have.
      env: { ...process.env, NODE_EXTRA_CA_CERTS: undefined, ...env, BENCH_USAGE_FILE: rssFile },
    });
    child.on('exit', (c) => resolve(c));
  });
  const ms = performance.now() - t;
  const usage = await takeChildUsage(rssFile);
  return { ms, maxRssMb: (usage?.rssKb ?? 0) / 1024, cpuMs: usage?.cpuMs ?? 0, code };
}

async function hasCurl(): Promise<boolean> {
  return exec('curl', ['--version']).then(
    () => true,
    () => false,
  );
}

/** fdatasync every file of `ids` in `dir`, 4 at once, then the folder: what makes a copy durable. */
async function flushAll(dir: string, ids: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < ids.length) {
        const fh = await open(path.join(dir, ids[next++]!), 'r');
        await fh.datasync();
        await fh.close();
      }
    }),
  );
  const d = await open(dir, 'r');
  await d.sync();
  await d.close();
}

/** The baseline fetch: every original, 4 at a time, straight to files; with `durable`, each file
 * then flushed to disk (flushAll) inside the time. */
async function baselineFetch(
  sim: ImmichSim,
  ids: string[],
  dir: string,
  useCurl: boolean,
  durable = false,
): Promise<number> {
  const t = performance.now();
  const ms = await fetchOnly(sim, ids, dir, useCurl);
  if (!durable) return ms;
  await flushAll(dir, ids);
  return performance.now() - t;
}

async function fetchOnly(sim: ImmichSim, ids: string[], dir: string, useCurl: boolean): Promise<number> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (useCurl) {
    const cfg = path.join(dir, 'curl.cfg');
    await writeFile(
      cfg,
      ids.map((id) => `url = "${sim.url}/api/assets/${id}/original"\noutput = "${path.join(dir, id)}"\n`).join(''),
    );
    const t = performance.now();
    await exec('curl', [
      '--silent',
      '--fail',
      '--parallel',
      '--parallel-max',
      '4',
      '-H',
      `x-api-key: ${sim.apiKey}`,
      '-K',
      cfg,
    ]);
    return performance.now() - t;
  }
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const res = await request(`${sim.url}/api/assets/${id}/original`, { headers: { 'x-api-key': sim.apiKey } });
        await pipeline(res.body, createWriteStream(path.join(dir, id)));
      }
    }),
  );
  return performance.now() - t;
}

/** The listing's requests alone. `detail`: ask each photo's exif and people, as the sync does. */
async function listingAlone(sim: ImmichSim, albumId: string, detail = true): Promise<number> {
  const t = performance.now();
  await (await request(`${sim.url}/api/server/version`)).body.json();
  // Each photo's stack comes from here (search items carry none), so a sync must ask it too.
  await (await request(`${sim.url}/api/stacks`, { headers: { 'x-api-key': sim.apiKey } })).body.json();
  let page: number | null = 1;
  while (page !== null) {
    const res = await request(`${sim.url}/api/search/metadata`, {
      method: 'POST',
      headers: { 'x-api-key': sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        albumIds: [albumId],
        type: 'IMAGE',
        page,
        size: 1000,
        ...(detail ? { withExif: true, withPeople: true } : {}),
      }),
    });
    const body = (await res.body.json()) as { assets: { nextPage: string | null } };
    page = body.assets.nextPage === null ? null : Number(body.assets.nextPage);
  }
  return performance.now() - t;
}

/** An older build's resync of the same library (its own client), for a same-run before/after. */
async function beforeResync(
  build: string,
  sim: ImmichSim,
  config: ReturnType<typeof parseConfig>,
): Promise<{ run: () => Promise<number>; close: () => Promise<void> }> {
  const sync = (await import(pathToFileURL(path.join(build, 'src/library/sync.js')).href)) as {
    syncLibrary: typeof syncLibrary;
  };
  const immich = (await import(pathToFileURL(path.join(build, 'src/immich/client.js')).href)) as {
    ImmichClient: typeof ImmichClient;
  };
  const client = new immich.ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  return {
    run: async () => {
      const t = performance.now();
      const out = await sync.syncLibrary({ paths: instancePaths(config), source: client, config, force: true });
      if (out.kind !== 'synced' || out.result.kept !== PHOTOS)
        throw new Error('the older resync was not a no-change sync');
      return performance.now() - t;
    },
    close: () => client.close(),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Pair ratios as `median (min-max) over N pairs`. */
function ratios(xs: number[]): string {
  return `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}) over ${xs.length} pairs`;
}

/** Run `a` and `b` back to back PAIRS times, alternating which goes first: the a/b ratio of
 * each pair, and each side's times. */
async function paired(
  pairs: number,
  a: (i: number) => Promise<number>,
  b: (i: number) => Promise<number>,
): Promise<{ ratios: number[]; a: number[]; b: number[] }> {
  const out = { ratios: [] as number[], a: [] as number[], b: [] as number[] };
  for (let i = 0; i < pairs; i++) {
    let ta: number;
    let tb: number;
    if (i % 2 === 0) {
      ta = await a(i);
      tb = await b(i);
    } else {
      tb = await b(i);
      ta = await a(i);
    }
    out.a.push(ta);
    out.b.push(tb);
    out.ratios.push(ta / tb);
  }
  return out;
}

/** Run every function of `fns` once a round, `rounds` times, each round starting one further
 * along (so none is always first or last): each function's times, round by round. */
async function rotating(rounds: number, fns: ((i: number) => Promise<number>)[]): Promise<number[][]> {
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < fns.length; k++) {
      const j = (i + k) % fns.length;
      out[j]!.push(await fns[j]!(i));
    }
  }
  return out;
}

/** This build against SYNC_VS and the durable floor, in the same rounds: a ratio per round. */
async function versusBuild(
  what: string,
  sync: (bin: string, i: number) => Promise<{ ms: number; cpuMs: number }>,
  floor: () => Promise<number>,
): Promise<void> {
  if (!VS) return;
  const cpu = { now: [] as number[], vs: [] as number[] };
  const [now, vs, fl] = await rotating(PAIRS, [
    async (i) => {
      const r = await sync(BIN, i);
      cpu.now.push(r.cpuMs);
      return r.ms;
    },
    async (i) => {
      const r = await sync(VS, i);
      cpu.vs.push(r.cpuMs);
      return r.ms;
    },
    floor,
  ]);
  const per = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!);
  console.log(
    `  ${what}, this build vs SYNC_VS (${VS}) in the same ${PAIRS} rounds: wall ratio ${ratios(per(now!, vs!))}, ` +
      `child CPU ratio ${ratios(per(cpu.now, cpu.vs))} (medians ${median(cpu.now).toFixed(0)} and ${median(cpu.vs).toFixed(0)} ms); ` +
      `vs the durable floor (median ${median(fl!).toFixed(0)} ms): this build ${ratios(per(now!, fl!))}, SYNC_VS ${ratios(per(vs!, fl!))}`,
  );
}

/** The same downloads through the same ImmichClient, 4 at a time, straight to files: no
 * verification, fsync, rename or metadata. Tells the engine's cost from the client's. */
function plainClientScript(): string {
  const client = pathToFileURL(path.resolve(here, '../../src/immich/client.js')).href;
  return [
    `import { ImmichClient } from '${client}';`,
    "import { mkdir, open } from 'node:fs/promises';",
    "import { pipeline } from 'node:stream/promises';",
    'const [url, album, dir] = process.argv.slice(2);',
    'const client = new ImmichClient({ baseUrl: url, apiKey: process.env.BENCH_KEY });',
    'const list = await client.listAssets(album);',
    'await mkdir(dir, { recursive: true });',
    'let n = 0;',
    'await Promise.all([0, 1, 2, 3].map(async () => {',
    '  while (n < list.length) {',
    "    const a = list[n++]; const d = await client.download(a, 'original');",
    "    const fh = await open(dir + '/' + a.id, 'w'); await pipeline(d.body, fh.createWriteStream());",
    '  }',
    '}));',
    'await client.close();',
    '',
  ].join('\n');
}

/** The strongest usual alternative written in Node, none of our code: node:http with a keep-alive
 * agent, the given originals 4 at a time, each body written to its file; with `durable` (its
 * fourth argument) each file fdatasynced and then the folder synced, as the durable floor does
 * after curl. No listing: the ids come on a file. What is left between it and curl is Node's own
 * cost, which no sync written in Node can go below. */
function plainNodeScript(): string {
  return [
    "import http from 'node:http';",
    "import { mkdir, open, readFile } from 'node:fs/promises';",
    'const [url, idsFile, dir, how] = process.argv.slice(2);',
    "const durable = how === 'durable';",
    "const ids = JSON.parse(await readFile(idsFile, 'utf8'));",
    'const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });',
    "const headers = { 'x-api-key': process.env.BENCH_KEY };",
    'await mkdir(dir, { recursive: true });',
    'let n = 0;',
    'await Promise.all([0, 1, 2, 3].map(async () => {',
    '  while (n < ids.length) {',
    '    const id = ids[n++];',
    '    const res = await new Promise((ok, bad) => {',
    '      http.get(`${url}/api/assets/${id}/original`, { agent, headers }, ok).on("error", bad);',
    '    });',
    '    if (res.statusCode !== 200) throw new Error(`${id}: HTTP ${res.statusCode}`);',
    '    const chunks = [];',
    '    for await (const c of res) chunks.push(c);',
    "    const fh = await open(dir + '/' + id, 'w');",
    '    await fh.writev(chunks);',
    '    if (durable) await fh.datasync();',
    '    await fh.close();',
    '  }',
    '}));',
    'if (durable) {',
    "  const d = await open(dir, 'r');",
    '  await d.sync();',
    '  await d.close();',
    '}',
    'agent.destroy();',
    '',
  ].join('\n');
}

export async function run(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'sync-bench-'));
  const preload = await writeUsagePreload(work);
  const sim = await startImmichSim({ seed: 3 });
  try {
    const album = await albumOfPhotos(sim, PHOTOS);
    const configFor = async (name: string, albumId: string) => {
      const storage = path.join(work, name);
      await mkdir(storage, { recursive: true });
      const file = path.join(storage, 'config.json');
      await writeFile(
        file,
        JSON.stringify({ immich_url: sim.url, immich_api_key: sim.apiKey, album_id: albumId, storage_dir: storage }),
      );
      return { storage, file };
    };
    console.log(
      `album: ${PHOTOS} JPEG originals, ${(album.bytes / MB).toFixed(0)} MB; simulator in the bench process, each sync a child process`,
    );

    const startup = await cliChild(['--version'], preload);
    const useCurl = await hasCurl();
    const baselineName = useCurl ? 'curl --parallel --parallel-max 4' : 'parallel undici fetch (4)';
    await baselineFetch(sim, album.ids.slice(0, 50), path.join(work, 'warm'), useCurl); // warm the server
    const plainScript = path.join(work, 'plain-client.mjs');
    await writeFile(plainScript, plainClientScript());
    const nodeScript = path.join(work, 'plain-node.mjs');
    await writeFile(nodeScript, plainNodeScript());
    const idsFile = path.join(work, 'ids.json');
    await writeFile(idsFile, JSON.stringify(album.ids));
    /** An initial sync of `albumId` by `bin` into a fresh folder, removed afterwards. */
    const syncThenDrop = async (what: string, albumId: string, name: string, bin: string) => {
      const c = await configFor(name, albumId);
      const r = await cliChild(['sync', '--config', c.file], preload, bin);
      if (r.code !== 0) throw new Error(`the ${what} sync exited ${r.code}`);
      await rm(c.storage, { recursive: true, force: true });
      return r;
    };
    const initial: { ms: number; maxRssMb: number; cpuMs: number }[] = [];
    const initialSync = async (name: string, bin = BIN) => {
      const cfg = await configFor(name, album.albumId);
      const r = await cliChild(['sync', '--config', cfg.file], preload, bin);
      if (r.code !== 0) throw new Error(`the initial sync exited ${r.code}`);
      return r;
    };
    const syncChild = async (i: number) => {
      const r = await initialSync(`initial-${i}`);
      initial.push(r);
      return r.ms;
    };
    // Step 2 resyncs the library of the first initial sync: made here when step 1 is skipped.
    if (!STEPS.has(1) && STEPS.has(2)) await syncChild(0);
    if (STEPS.has(1)) {
      const vsCurl = await paired(PAIRS, syncChild, () =>
        baselineFetch(sim, album.ids, path.join(work, 'baseline'), useCurl),
      );
      const plainChild = async () => {
        await rm(path.join(work, 'plain'), { recursive: true, force: true });
        const p = await nodeChild([plainScript, sim.url, album.albumId, path.join(work, 'plain')], preload, {
          BENCH_KEY: sim.apiKey,
        });
        if (p.code !== 0) throw new Error(`the plain client child exited ${p.code}`);
        return p.ms;
      };
      const vsPlain = await paired(PAIRS, (i) => syncChild(PAIRS + i), plainChild);
      const vsDurable = await paired(
        PAIRS,
        (i) => syncChild(2 * PAIRS + i),
        () => baselineFetch(sim, album.ids, path.join(work, 'baseline'), useCurl, true),
      );
      // In the same rounds, in rotating order: the sync; the plain Node fetch and curl, each made
      // durable as the sync is; and the two again as they come, with no fdatasync.
      const nodeDir = path.join(work, 'plain-node');
      const plainNode = async (durable: boolean) => {
        await rm(nodeDir, { recursive: true, force: true });
        const args = [nodeScript, sim.url, idsFile, nodeDir, durable ? 'durable' : 'plain'];
        const p = await nodeChild(args, preload, { BENCH_KEY: sim.apiKey });
        if (p.code !== 0) throw new Error(`the plain Node fetch exited ${p.code}`);
        return p.ms;
      };
      const [withSync, withNode, withCurl, bareNode, bareCurl] = await rotating(PAIRS, [
        async (i) => {
          const ms = await syncChild(3 * PAIRS + i);
          await rm(path.join(work, `initial-${3 * PAIRS + i}`), { recursive: true, force: true });
          return ms;
        },
        () => plainNode(true),
        () => baselineFetch(sim, album.ids, path.join(work, 'baseline'), useCurl, true),
        () => plainNode(false),
        () => baselineFetch(sim, album.ids, path.join(work, 'baseline'), useCurl),
      ]);
      const per = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!);
      const syncMs = median(vsCurl.a);
      console.log(
        `initial sync of ${PHOTOS} photos vs ${baselineName}, whole process each: ratio ${ratios(vsCurl.ratios)}; ` +
          `medians ${syncMs.toFixed(0)} ms (incl. ${startup.ms.toFixed(0)} ms Node start-up) and ${median(vsCurl.b).toFixed(0)} ms ` +
          `(${(((album.bytes / MB) * 1000) / syncMs).toFixed(0)} MB/s, ${((PHOTOS * 1000) / syncMs).toFixed(0)} photos/s)`,
      );
      // CPU is what a loaded machine does not stretch as it does wall time: the figure to compare
      // builds by (SYNC_BIN) when other work shares the cores.
      console.log(
        `  the sync child's own CPU (user + system, all its threads): median ${median(initial.map((r) => r.cpuMs)).toFixed(0)} ms; ` +
          `\`--version\` alone ${startup.cpuMs.toFixed(0)} ms`,
      );
      console.log(
        `  vs the same ImmichClient downloading to files in a Node child (no verify, fsync, rename, metadata): ` +
          `ratio ${ratios(vsPlain.ratios)}`,
      );
      console.log(
        `  vs ${baselineName} then an fdatasync of every file (the floor of a copy that survives a power cut): ` +
          `ratio ${ratios(vsDurable.ratios)}; median ${median(vsDurable.b).toFixed(0)} ms`,
      );
      console.log(
        `  vs a plain parallel fetch in Node (node:http keep-alive, 4 at a time, each file fdatasynced, no listing), ` +
          `whole process: ratio ${ratios(per(withSync!, withNode!))}; that fetch vs ${baselineName} then an fdatasync ` +
          `of every file, in the same ${PAIRS} rounds: ${ratios(per(withNode!, withCurl!))} (medians ` +
          `${median(withNode!).toFixed(0)} and ${median(withCurl!).toFixed(0)} ms): Node's own share, below which no sync in Node goes`,
      );
      console.log(
        `  the same two with no fdatasync, in the same rounds: the plain Node fetch vs ${baselineName} ` +
          `${ratios(per(bareNode!, bareCurl!))} (medians ${median(bareNode!).toFixed(0)} and ${median(bareCurl!).toFixed(0)} ms)`,
      );
      await versusBuild(
        `initial sync of ${PHOTOS} photos`,
        async (bin, i) => {
          const r = await initialSync(`versus-${i}-${bin === BIN ? 'this' : 'vs'}`, bin);
          await rm(path.join(work, `versus-${i}-${bin === BIN ? 'this' : 'vs'}`), { recursive: true, force: true });
          return r;
        },
        () => baselineFetch(sim, album.ids, path.join(work, 'baseline'), useCurl, true),
      );
    }

    if (STEPS.has(2)) {
      // No-change resync, in process against the bare listing; then as the CLI would run it.
      const cfg = await configFor('initial-0', album.albumId);
      const config = {
        ...parseConfig({
          immich_url: sim.url,
          immich_api_key: sim.apiKey,
          album_id: album.albumId,
          storage_dir: cfg.storage,
        }),
      };
      const client = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
      const taken = { replayed: 0, all: 0 };
      const resync = async () => {
        sim.clearRequests();
        const t = performance.now();
        const out = await syncLibrary({ paths: instancePaths(config), source: client, config, force: true });
        const ms = performance.now() - t;
        const fetched = sim.requests.filter((r) => r.route === 'original' || r.route === 'thumbnail').length;
        if (out.kind !== 'synced' || out.result.kept !== PHOTOS || fetched !== 0)
          throw new Error('the resync was not a no-change sync');
        taken.all += 1;
        if (out.replayed) taken.replayed += 1;
        return ms;
      };
      const clientListing = async () => {
        const t = performance.now();
        await client.serverVersion();
        await client.listAssets(album.albumId);
        await client.listStacks();
        return performance.now() - t;
      };
      await resync(); // warm: the JIT, the disk cache
      // CPU of this process on each side too (user + system, all threads; the simulator's share is
      // the same on both): what a machine busy with other work stretches less than wall time.
      const cpu = { resync: [] as number[], listing: [] as number[] };
      const withCpu = (f: () => Promise<number>, into: number[]) => async () => {
        const u = process.cpuUsage();
        const ms = await f();
        const d = process.cpuUsage(u);
        into.push((d.user + d.system) / 1000);
        return ms;
      };
      const vsListing = await paired(
        2 * PAIRS + 1,
        withCpu(resync, cpu.resync),
        withCpu(() => listingAlone(sim, album.albumId), cpu.listing),
      );
      const vsSmaller = await paired(2 * PAIRS + 1, resync, () => listingAlone(sim, album.albumId, false));
      const vsClient = await paired(2 * PAIRS + 1, resync, clientListing);
      const before = process.env.SYNC_BEFORE_BUILD
        ? await beforeResync(path.resolve(process.env.SYNC_BEFORE_BUILD), sim, config)
        : null;
      const vsBefore = before
        ? { cpu: { resync: [] as number[], listing: [] as number[] }, pairs: null as null | { ratios: number[] } }
        : null;
      if (before && vsBefore) {
        await before.run();
        vsBefore.pairs = await paired(
          2 * PAIRS + 1,
          withCpu(resync, vsBefore.cpu.resync),
          withCpu(before.run, vsBefore.cpu.listing),
        );
        await before.close();
      }
      await client.close();
      const child = await cliChild(['sync', '--force', '--config', cfg.file], preload);
      console.log(
        `no-change resync vs the listing requests alone (version, search pages with exif and people, stacks): ratio ${ratios(vsListing.ratios)}; ` +
          `medians ${median(vsListing.a).toFixed(0)} ms and ${median(vsListing.b).toFixed(0)} ms ` +
          `(0 downloads, 0 deletions; as a CLI child ${child.ms.toFixed(0)} ms incl. start-up)`,
      );
      console.log(
        `  the same pairs by CPU: ratio ${ratios(cpu.resync.map((c, i) => c / cpu.listing[i]!))}; ` +
          `medians ${median(cpu.resync).toFixed(0)} ms and ${median(cpu.listing).toFixed(0)} ms`,
      );
      console.log(
        `  vs the same requests without exif and people (smaller answers; the baseline before): ratio ${ratios(vsSmaller.ratios)}; ` +
          `median ${median(vsSmaller.b).toFixed(0)} ms`,
      );
      console.log(
        `  vs the ImmichClient's own listing (version probe, pages, validation, stacks): ratio ${ratios(vsClient.ratios)}; ` +
          `a full resync adds reconciling ${PHOTOS} files, planning and refreshing the info; the fast path digests the answers instead of parsing them`,
      );
      console.log(
        `  ${taken.replayed} of ${taken.all} resyncs took the no-change fast path (every answer as the last unchanged sync saw it: no parse, no plan)`,
      );
      if (vsBefore?.pairs) {
        console.log(
          `  vs the resync of ${process.env.SYNC_BEFORE_BUILD} (the same library, in this process): ratio ${ratios(vsBefore.pairs.ratios)}; ` +
            `by CPU ${ratios(vsBefore.cpu.resync.map((c, i) => c / vsBefore.cpu.listing[i]!))}`,
        );
      }
    }

    const head = withComment((await generateSamplePhoto(0, { seed: 9 })).bytes, 'big');
    if (STEPS.has(3)) {
      // RSS with a few very large photos.
      const bigIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        const bytes = Buffer.alloc(BIG, i + 1);
        head.copy(bytes);
        bigIds.push(sim.addAsset({ bytes, originalFileName: `HUGE_${i}.jpg` }).id);
      }
      const bigAlbum = sim.addAlbum({ albumName: 'big', assetIds: bigIds }).id;
      const bigCfg = await configFor('big', bigAlbum);
      const big = await cliChild(['sync', '--config', bigCfg.file], preload);
      if (big.code !== 0) throw new Error(`the big-photo sync exited ${big.code}`);
      const initialRss = initial.length > 0 ? Math.max(...initial.map((r) => r.maxRssMb)) : NaN;
      console.log(
        `peak RSS of the sync process: ${initialRss.toFixed(0)} MB for ${PHOTOS} photos (${(album.bytes / MB).toFixed(0)} MB), ` +
          `${big.maxRssMb.toFixed(0)} MB for 3 photos of ${BIG / MB} MB each (${((3 * BIG) / MB).toFixed(0)} MB); ` +
          `\`artframe-immich --version\` alone: ${startup.maxRssMb.toFixed(0)} MB`,
      );
      console.log(
        `  RSS with 96 MB photos / RSS with small photos: ${(big.maxRssMb / initialRss).toFixed(2)} (flat: bodies are streamed, never held whole)`,
      );
    }

    if (STEPS.has(4)) {
      // Phone-sized photos: the same comparison as step 1 with a realistic amount of bytes a photo.
      const phoneIds: string[] = [];
      for (let i = 0; i < PHONE_PHOTOS; i++) {
        const bytes = Buffer.alloc(PHONE, (i % 250) + 1);
        head.copy(bytes);
        bytes.writeUInt32BE(i, head.length);
        phoneIds.push(sim.addAsset({ bytes, originalFileName: `PXL_${i}.jpg` }).id);
      }
      const phoneAlbum = sim.addAlbum({ albumName: 'phone', assetIds: phoneIds }).id;
      const phoneCpu: number[] = [];
      const phoneRun = (name: string, bin = BIN) => syncThenDrop('phone-photo', phoneAlbum, name, bin);
      const phoneSync = async (name: string) => {
        const r = await phoneRun(name);
        phoneCpu.push(r.cpuMs);
        return r.ms;
      };
      const phone = await paired(
        PAIRS,
        (i) => phoneSync(`phone-${i}`),
        () => baselineFetch(sim, phoneIds, path.join(work, 'phone-baseline'), useCurl),
      );
      const phoneDurable = await paired(
        PAIRS,
        (i) => phoneSync(`phone-durable-${i}`),
        () => baselineFetch(sim, phoneIds, path.join(work, 'phone-baseline'), useCurl, true),
      );
      const phoneMb = (PHONE_PHOTOS * PHONE) / MB;
      console.log(
        `initial sync of a ${PHONE_PHOTOS}-photo album of ${phoneMb.toFixed(0)} MB vs ${baselineName}, whole process each: ` +
          `ratio ${ratios(phone.ratios)}; medians ${median(phone.a).toFixed(0)} ms (incl. ${startup.ms.toFixed(0)} ms Node start-up) ` +
          `and ${median(phone.b).toFixed(0)} ms (${((phoneMb * 1000) / median(phone.a)).toFixed(0)} MB/s)`,
      );
      console.log(
        `  vs ${baselineName} then an fdatasync of every file: ratio ${ratios(phoneDurable.ratios)}; ` +
          `median ${median(phoneDurable.b).toFixed(0)} ms; the sync child's own CPU: median ${median(phoneCpu).toFixed(0)} ms`,
      );
      await versusBuild(
        `initial sync of the ${PHONE_PHOTOS}-photo album`,
        (bin, i) => phoneRun(`phone-versus-${i}`, bin),
        () => baselineFetch(sim, phoneIds, path.join(work, 'phone-baseline'), useCurl, true),
      );
    }

    if (STEPS.has(5)) {
      const mixed = await seedSampleLibrary(sim, { count: PHOTOS, seed: 3, withVideo: false, albumName: 'mixed' });
      const mixedIds = mixed.photos.map((p) => p.id);
      const mixedCpu: number[] = [];
      const mixedRun = (name: string, bin = BIN) => syncThenDrop('mixed-library', mixed.album.id, name, bin);
      const floor = () => baselineFetch(sim, mixedIds, path.join(work, 'mixed-baseline'), useCurl, true);
      const durable = await paired(
        PAIRS,
        async (i) => {
          const r = await mixedRun(`mixed-${i}`);
          mixedCpu.push(r.cpuMs);
          return r.ms;
        },
        floor,
      );
      console.log(
        `initial sync of the simulator's ${PHOTOS} sample photos of every kind vs ${baselineName} then an fdatasync of every ` +
          `original: ratio ${ratios(durable.ratios)}; medians ${median(durable.a).toFixed(0)} ms and ${median(durable.b).toFixed(0)} ms; ` +
          `the sync child's own CPU: median ${median(mixedCpu).toFixed(0)} ms`,
      );
      await versusBuild(
        `initial sync of the ${PHOTOS} sample photos`,
        (bin, i) => mixedRun(`mixed-versus-${i}`, bin),
        floor,
      );
    }
  } finally {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  }
}
