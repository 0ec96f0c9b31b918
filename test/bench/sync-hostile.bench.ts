// `npm run bench -- sync`: peak RSS of a `sync` child against a hostile server, next to the same
// child's peak for a normal sync of the same album in the same run (issue 12). The simulator runs
// in this process with a fault on every matching request; each sync is its own child process, its
// peak read from /proc/self/status (VmHWM) at exit, so the server's memory is never counted.
// Cases: an endless JSON answer to the search (cut at the 8 MiB cap), the same on a v2 server's
// album route (its cap is larger: a whole album in one answer), and endless paging with fresh ids
// (cut at the listing bound). Each hostile child must fail with the matching error, not crash.
// Issue 21 adds listings of big items: 1,000 assets a page with 7 KB descriptions, pages of
// assets with 1,000 people each, a 4 MB cursor on every page (all refused at their bound), and
// 3,000 real-shape stacks in whole-library mode (read: the sync succeeds), and endless paging in
// whole-library mode (no album count: the listing's bound alone holds it), and an album of three
// 96 MB photos (no fault: big bodies alone, each run into a fresh library). A listing's answers are
// read as they arrive (src/immich/json-reader.ts), so an answer is also refused once it holds more
// assets than it was asked for.
// Each child runs as the installed command runs it (install.sh: 1 MiB semi-spaces, the young
// generation the service gets from its MemoryMax) and as plain `node`, runs of both interleaved,
// each figure a ratio to the normal sync launched the same way. SYNC_LAUNCH=installed or plain
// measures one of them.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSamplePhoto } from '../../src/immich-sim/sample-photos.js';
import { type ImmichSim, startImmichSim } from '../../src/immich-sim/server.js';
import type { FaultRule } from '../../src/immich-sim/faults.js';
import { takeChildUsage, writeUsagePreload } from './child-usage.js';
import { INSTALLED_NODE_FLAG } from '../support/installed-node.js';

// The album size of sync.bench.ts, whose normal-sync peak RSS is the figure to stay within.
const PHOTOS = 1000;
/** Runs of each case; the largest peak counts, as in sync.bench.ts. */
const RUNS = 3;
const here = path.dirname(fileURLToPath(import.meta.url));
// SYNC_BIN measures another build (an older checkout's bin) the same way, as in sync.bench.ts.
const BIN = process.env.SYNC_BIN ?? path.resolve(here, '../../../bin/artframe-immich.js');

interface Launch {
  name: string;
  flags: string[];
}
const LAUNCHES: Launch[] = [
  { name: 'as installed', flags: [INSTALLED_NODE_FLAG] },
  { name: 'plain node', flags: [] },
].filter((l) => !process.env['SYNC_LAUNCH'] || l.name.includes(process.env['SYNC_LAUNCH']));

interface Child {
  ms: number;
  maxRssMb: number;
  code: number | null;
  stderr: string;
}

async function syncChild(launch: Launch, preload: string, config: string, force: boolean): Promise<Child> {
  const rssFile = path.join(os.tmpdir(), `bench-rss-${process.pid}-${Math.random().toString(16).slice(2)}`);
  const t = performance.now();
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      [...launch.flags, '--import', preload, BIN, 'sync', ...(force ? ['--force'] : []), '--config', config],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, BENCH_USAGE_FILE: rssFile } },
    );
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('exit', (c) => resolve(c));
  });
  const ms = performance.now() - t;
  const kb = (await takeChildUsage(rssFile))?.rssKb ?? 0;
  return { ms, maxRssMb: kb / 1024, code, stderr };
}

async function album(sim: ImmichSim): Promise<string> {
  // JPEG originals only (as in sync.bench.ts), each made unique by bytes after its end marker.
  const bases: Buffer[] = [];
  for (let i = 0; bases.length < 40; i++) {
    const p = await generateSamplePhoto(i, { seed: 4 });
    if (p.mimeType === 'image/jpeg') bases.push(p.bytes);
  }
  const ids: string[] = [];
  for (let i = 0; i < PHOTOS; i++) {
    const bytes = Buffer.concat([bases[i % bases.length]!, Buffer.from(`bench ${i}`)]);
    ids.push(sim.addAsset({ bytes, originalFileName: `IMG_${i}.jpg` }).id);
  }
  return sim.addAlbum({ albumName: 'hostile bench', assetIds: ids }).id;
}

/** Three photos of BIG_PHOTO_BYTES: a real JPEG, then its padding past the end marker (unique each). */
const BIG_PHOTO_BYTES = 96 * 1024 * 1024;
async function bigAlbum(sim: ImmichSim): Promise<string> {
  const ids: string[] = [];
  for (let i = 0; ids.length < 3; i++) {
    const p = await generateSamplePhoto(i, { seed: 4 });
    if (p.mimeType !== 'image/jpeg') continue;
    const bytes = Buffer.alloc(BIG_PHOTO_BYTES, ids.length + 1);
    p.bytes.copy(bytes);
    ids.push(sim.addAsset({ bytes, originalFileName: `BIG_${i}.jpg` }).id);
  }
  return sim.addAlbum({ albumName: 'big photos', assetIds: ids }).id;
}

export async function run(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'sync-hostile-bench-'));
  const preload = await writeUsagePreload(work);
  const sim = await startImmichSim({ seed: 5 });
  try {
    const albumId = await album(sim);
    // Added when its case runs, the last: the whole-library cases before it list and sync the
    // library of the normal figure, not three 96 MB photos besides.
    let bigAlbumId: string | undefined;
    const config = async (name: string, album = albumId) => {
      const storage = path.join(work, name);
      await mkdir(storage, { recursive: true });
      const file = path.join(storage, 'config.json');
      await writeFile(
        file,
        JSON.stringify({ immich_url: sim.url, immich_api_key: sim.apiKey, album_id: album, storage_dir: storage }),
      );
      return file;
    };

    // The normal figure as sync.bench.ts takes it: the largest peak of three initial syncs (each
    // into a fresh library), and of the no-change resyncs after them; per launch.
    const normals = LAUNCHES.map(() => [] as Child[]);
    let normalCfg = '';
    for (let i = 0; i < RUNS; i++) {
      for (const [k, launch] of LAUNCHES.entries()) {
        normalCfg = await config(`normal-${i}-${k}`);
        const first = await syncChild(launch, preload, normalCfg, false);
        if (first.code !== 0) throw new Error(`the normal sync exited ${first.code}: ${first.stderr}`);
        const again = await syncChild(launch, preload, normalCfg, true);
        if (again.code !== 0) throw new Error(`the no-change resync exited ${again.code}`);
        normals[k]!.push(first, again);
      }
    }
    const normalPeaks = normals.map((runs) => Math.max(...runs.map((r) => r.maxRssMb)));
    for (const [k, launch] of LAUNCHES.entries()) {
      console.log(
        `normal sync of ${PHOTOS} photos, ${launch.name} (${launch.flags.join(' ') || 'no flags'}): peak RSS ${normalPeaks[k]!.toFixed(0)} MB ` +
          `(largest of ${RUNS} initial syncs and ${RUNS} no-change resyncs; smallest ${Math.min(...normals[k]!.map((r) => r.maxRssMb)).toFixed(0)} MB)`,
      );
    }

    const libraryCfg = path.join(work, 'library-config.json');
    await writeFile(libraryCfg, JSON.stringify({ ...JSON.parse(await readFile(normalCfg, 'utf8')), album_id: '' }));
    const underCfg = path.join(work, 'under-config.json');
    await mkdir(path.join(work, 'under'));
    await writeFile(
      underCfg,
      JSON.stringify({
        ...JSON.parse(await readFile(normalCfg, 'utf8')),
        album_id: '',
        storage_dir: path.join(work, 'under'),
      }),
    );
    let bigRuns = 0;
    const cases: {
      name: string;
      /** The fault (none: the server is sound, the album is what is hard). */
      rule?: FaultRule;
      /** What the expected failure is called in the figures (default: refused). */
      ends?: string;
      /** A rule after it (the listing's end). */
      then?: FaultRule;
      /** The refusal expected, or 'ok' for a sync that must succeed. */
      expect: RegExp | 'ok';
      version?: { major: number; minor: number };
      config?: string;
      /** A config of its own for each run (a fresh library), removed after it. */
      fresh?: () => Promise<string>;
    }[] = [
      {
        name: 'endless JSON answer to the search',
        rule: { route: 'search', times: Infinity, fault: { kind: 'endless-body' } },
        // Cut at the 8 MiB cap, or (its items read as they arrive) at the page's 1,000 assets.
        expect: /sent more than (?:8 MiB for|1000 assets in one answer to) POST \/api\/search\/metadata/,
      },
      {
        name: 'endless JSON answer to GET /api/albums/{id} (a v2.5 server)',
        rule: { route: 'album', times: Infinity, fault: { kind: 'endless-body' } },
        expect: /sent more than (?:\d+ MiB for|\d+ assets in one answer to) GET \/api\/albums\//,
        version: { major: 2, minor: 5 },
      },
      {
        name: 'endless paging with fresh ids',
        rule: { route: 'search', times: Infinity, fault: { kind: 'endless-paging' } },
        expect: /the listing passed \d+ assets/,
      },
      {
        // Real-shape items without end and no album count: only the listing's bound (7 MiB held,
        // some 37,000 such assets) stops it.
        name: 'endless paging with fresh ids (whole library)',
        rule: { route: 'search', times: Infinity, fault: { kind: 'endless-paging' } },
        expect: /names and descriptions passed \d+ MiB|the listing passed \d+ assets/,
        config: libraryCfg,
      },
      {
        name: '1,000 assets a page with 7 KB descriptions, paging on (whole library: no album count to hold it)',
        rule: { route: 'search', times: Infinity, fault: { kind: 'big-items', perPage: 1000, descriptionChars: 7000 } },
        expect: /names and descriptions passed \d+ MiB/,
        config: libraryCfg,
      },
      {
        name: '30 assets a page with 1,000 people each (40-character names), paging on (whole library)',
        rule: {
          route: 'search',
          times: Infinity,
          fault: { kind: 'big-items', perPage: 30, people: 1000, nameChars: 40 },
        },
        expect: /names and descriptions passed \d+ MiB/,
        config: libraryCfg,
      },
      {
        name: 'a fresh 4 MB cursor on every page',
        rule: {
          route: 'search',
          times: Infinity,
          fault: { kind: 'big-items', perPage: 1, cursorChars: 4 * 1024 * 1024 },
        },
        expect: /names a cursor of \d+ characters/,
      },
      {
        // Just under the bound, so listed in full and built: a hundred people kept a photo, none
        // of them on another photo (each a person object of its own once built). The photos are
        // no files the server has: each fails alone (404), the sync exits 3.
        // (The bound refuses such a listing at its 300th photo.)
        name: '270 photos with 1,000 fresh people each (9 pages of 30), then the listing ends (whole library, a library of its own)',
        rule: { route: 'search', times: 9, fault: { kind: 'big-items', perPage: 30, people: 1000, nameChars: 40 } },
        then: { route: 'search', fault: { kind: 'empty-listing' } },
        expect: /270 of 270 photos failed to download/,
        ends: 'listed, its photos failed',
        config: underCfg,
      },
      {
        name: "3,000 two-photo stacks in Immich's real shape (whole library)",
        rule: { route: 'stacks', times: Infinity, fault: { kind: 'many-stacks', count: 3000 } },
        expect: 'ok',
        config: libraryCfg,
      },
      {
        name: 'an album of 3 photos of 96 MB each (big bodies, into a fresh library each run)',
        expect: 'ok',
        fresh: async () => config(`big-${bigRuns++}`, (bigAlbumId ??= await bigAlbum(sim))),
      },
    ];
    const peaks = LAUNCHES.map(() => [] as number[]);
    // BENCH_CASES=word,word: only the cases whose name holds one (the normal figure is always taken).
    const only = process.env['BENCH_CASES']?.split(',');
    for (const c of cases.filter((k) => !only || only.some((w) => k.name.includes(w)))) {
      const runs = LAUNCHES.map(() => [] as Child[]);
      for (let i = 0; i < RUNS; i++) {
        // Interleaved, the order turned every other run.
        const order = i % 2 === 0 ? [...LAUNCHES.keys()] : [...LAUNCHES.keys()].reverse();
        for (const k of order) {
          sim.clearFaults();
          if (c.version) sim.setVersion({ ...c.version, patch: 0 });
          if (c.rule) sim.injectFault(c.rule);
          if (c.then) sim.injectFault(c.then);
          const cfg = c.fresh ? await c.fresh() : (c.config ?? normalCfg);
          const r = await syncChild(LAUNCHES[k]!, preload, cfg, true);
          if (c.fresh) await rm(path.dirname(cfg), { recursive: true, force: true });
          sim.clearFaults();
          sim.setVersion({ major: 3, minor: 1, patch: 0 });
          const as = c.expect === 'ok' ? r.code === 0 : r.code !== 0 && c.expect.test(r.stderr);
          if (!as) throw new Error(`${c.name}: exit ${r.code}, not as expected: ${r.stderr.slice(-500)}`);
          runs[k]!.push(r);
        }
      }
      const figures = LAUNCHES.map((launch, k) => {
        const peak = Math.max(...runs[k]!.map((r) => r.maxRssMb));
        peaks[k]!.push(peak);
        return `${launch.name} ${peak.toFixed(0)} MB, ratio ${(peak / normalPeaks[k]!).toFixed(2)}`;
      });
      const all = runs.flat();
      console.log(
        `  hostile: ${c.name}: ${c.expect === 'ok' ? 'synced' : (c.ends ?? 'refused')} every time (exit ${all[0]!.code}) after ${(Math.max(...all.map((r) => r.ms)) / 1000).toFixed(1)} s at most; ` +
          `peak RSS (largest of ${RUNS}) and its ratio to the normal sync launched the same way: ${figures.join('; ')}`,
      );
    }
    for (const [k, launch] of LAUNCHES.entries()) {
      // No hostile case ran (BENCH_CASES named none): there is no worst case to report.
      if (peaks[k]!.length === 0) continue;
      const most = Math.max(...peaks[k]!);
      console.log(
        `peak RSS under a hostile server, ${launch.name}: at most ${most.toFixed(0)} MB vs ${normalPeaks[k]!.toFixed(0)} MB for a normal sync ` +
          `(ratio ${(most / normalPeaks[k]!).toFixed(2)}; ${most <= normalPeaks[k]! * 1.2 ? 'within' : 'ABOVE'} 1.2x the normal figure)`,
      );
    }
  } finally {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  }
}
