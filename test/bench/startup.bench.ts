// Start-up cost of the installed command: CPU (user + system) and peak RSS of `--version`,
// `status`, `next`, `panels` and a `sync` that finds nothing due, each as a ratio to bare
// `node -e 0` measured in the same round: the cases run in turn, round after round, and each round
// gives each case its own ratio to that round's `node -e 0` (the median of those ratios is quoted,
// with their range). Each child reports its own process.resourceUsage() at exit through a preload
// that the baseline gets too, so both sides pay the same for measuring.
// STARTUP_VS=/other/bin/artframe-immich.js adds that build's `status`, `next` and `sync` to the
// same rounds (a change against main, measured side by side); STARTUP_PHOTOS sets the library's
// size (12 by default).
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';
import { type ChildUsage, writeUsagePreload } from './child-usage.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// STARTUP_BIN measures another build (an older checkout's bin) against the same baseline.
const BIN = process.env.STARTUP_BIN ?? path.resolve(here, '../../../bin/artframe-immich.js');
const RUNS = Number(process.env.STARTUP_RUNS ?? 9);
const VS = process.env.STARTUP_VS;
const PHOTOS = Number(process.env.STARTUP_PHOTOS ?? 12);

interface Usage {
  cpuMs: number;
  rssMb: number;
}

function measure(args: string[], env: NodeJS.ProcessEnv, usageFile: string, reporter: string): Usage {
  const r = spawnSync(process.execPath, ['--require', reporter, ...args], {
    env: { ...env, BENCH_USAGE_FILE: usageFile },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const u = JSON.parse(readFileSync(usageFile, 'utf8')) as ChildUsage;
  return { cpuMs: u.cpuMs, rssMb: u.rssKb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'startup-bench-'));
  const sim = await startImmichSim();
  try {
    // A small real library, synced by the real command, so `status` and `next` read real files.
    const { album } = await seedSampleLibrary(sim, { count: PHOTOS, seed: 3, withVideo: false });
    const config = path.join(work, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        immich_url: sim.url,
        immich_api_key: sim.apiKey,
        album_id: album.id,
        storage_dir: path.join(work, 'storage'),
      }),
    );
    // Without NODE_EXTRA_CA_CERTS: where it names the system's bundle (this VM does), Node 20
    // parses every certificate at each start, ~40 ms that `node -e 0` pays too and that flatters
    // every ratio. A Pi's Node does not set it.
    // The compiled-code caches (bin/, code-cache.ts) start empty in the bench's own folder; one
    // run of each case before the rounds fills them, as a frame's first start does.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ARTFRAME_IMMICH_CONFIG: config,
      XDG_CACHE_HOME: path.join(work, 'cache'),
    };
    delete env.NODE_EXTRA_CA_CERTS;
    // Asynchronously: the simulator answers from this process.
    await promisify(execFile)(process.execPath, [BIN, 'sync'], { env, maxBuffer: 64 * 1024 * 1024 });
    await sim.close();

    const reporter = await writeUsagePreload(work);
    const usageFile = path.join(work, 'usage.json');
    // The other build keeps its code caches in a folder of its own: its entries differ from this
    // build's, and in a shared folder each would refuse and rewrite the other's at every run (both
    // measured without a cache, as this bench did before).
    const vsEnv: NodeJS.ProcessEnv = { ...env, XDG_CACHE_HOME: path.join(work, 'cache-vs') };
    const cases: [string, string[], NodeJS.ProcessEnv?][] = [
      ['node -e 0', ['-e', '0']],
      ['--version', [BIN, '--version']],
      ['status', [BIN, 'status']],
      ['next', [BIN, 'next']],
      ['panels', [BIN, 'panels']],
      // Synced by the bench a moment ago: the library's own answer that no sync is due.
      ['sync, not due', [BIN, 'sync']],
      ...(VS
        ? ([
            ['status (vs)', [VS, 'status'], vsEnv],
            ['next (vs)', [VS, 'next'], vsEnv],
            ['sync, not due (vs)', [VS, 'sync'], vsEnv],
          ] as [string, string[], NodeJS.ProcessEnv][])
        : []),
    ];
    const samples = new Map<string, Usage[]>(cases.map(([name]) => [name, []]));
    for (const [, args, caseEnv] of cases) measure(args, caseEnv ?? env, usageFile, reporter); // the disk and code caches
    for (let i = 0; i < RUNS; i++) {
      for (const [name, args, caseEnv] of cases)
        samples.get(name)!.push(measure(args, caseEnv ?? env, usageFile, reporter));
    }
    const base = samples.get('node -e 0')!;
    const pct = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return `${median(xs).toFixed(2)}x (${sorted[0]!.toFixed(2)}-${sorted[sorted.length - 1]!.toFixed(2)})`;
    };
    console.log(
      `${RUNS} rounds after one to fill the caches, ${PHOTOS} photos${VS ? `, (vs) = ${VS}` : ''}; ratio = command / bare node in the same round, median (min-max)`,
    );
    console.log('command              cpu ms   cpu ratio                peak RSS MB   RSS ratio');
    for (const [name] of cases) {
      const s = samples.get(name)!;
      const cpuRatios = s.map((u, i) => u.cpuMs / base[i]!.cpuMs);
      const rssRatios = s.map((u, i) => u.rssMb / base[i]!.rssMb);
      console.log(
        `${name.padEnd(19)} ${median(s.map((u) => u.cpuMs))
          .toFixed(0)
          .padStart(6)}   ${pct(cpuRatios).padEnd(22)} ${median(s.map((u) => u.rssMb))
          .toFixed(1)
          .padStart(11)}   ${pct(rssRatios)}`,
      );
    }
    if (VS) {
      // The change itself, round by round: this build's command over the other build's.
      for (const name of ['status', 'next', 'sync, not due']) {
        const mine = samples.get(name)!;
        const theirs = samples.get(`${name} (vs)`)!;
        console.log(`${name}: this build / (vs) cpu ${pct(mine.map((u, i) => u.cpuMs / theirs[i]!.cpuMs))}`);
      }
    }
  } finally {
    await sim.close().catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}
