// Battery mode's awake time: a real `run` process with power "battery" (kernel RTC in a simulated
// sysfs folder, the power-off command a no-op), from process start to the panel's sleep (its
// "panel asleep" log line, performance.now() in the child), as a ratio to the render alone: the
// `render` command drawing a photo of the same library for the same panel, start to exit. Runs
// interleaved, no sync due; target: at most 1.5x. Virtual panels write to /dev/shm.
// WAKE_VS=<another build's bin> adds that build's wake cycle to the same rounds (its own fresh copy
// of the library), with the ratio of the two per round.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(here, '../../../bin/artframe-immich.js');
const RUNS = Number(process.env.WAKE_RUNS ?? 5);
const VS = process.env.WAKE_VS;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Writes performance.now() (ms since the process started) at exit. */
const EXIT_TIME = [
  "import { writeFileSync } from 'node:fs';",
  "process.on('exit', () => writeFileSync(process.env.WAKE_TIME_FILE, String(performance.now())));",
  '',
].join('\n');

async function wakeOnce(config: string, bin = BIN): Promise<{ asleepMs: number; refreshMs: number }> {
  const child = spawn(process.execPath, [bin, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`run exited ${code}: ${err}`);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; ms_since_start?: number; time: string });
  const asleep = lines.find((l) => l.msg === 'panel asleep');
  if (!asleep) throw new Error(`no "panel asleep" in:\n${out}`);
  const shown = lines.find((l) => l.msg === 'photo shown');
  const wake = lines.find((l) => l.msg === 'wake');
  return {
    asleepMs: asleep.ms_since_start!,
    refreshMs: shown && wake ? Date.parse(shown.time) - Date.parse(wake.time) : NaN,
  };
}

async function renderOnce(photo: string, out: string, preload: string, timeFile: string): Promise<number> {
  await promisify(execFile)(
    process.execPath,
    ['--import', preload, BIN, 'render', photo, '--panel', 'waveshare-7in3e', '--out', out],
    { env: { ...process.env, WAKE_TIME_FILE: timeFile } },
  );
  return Number(await readFile(timeFile, 'utf8'));
}

export async function run(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'wake-bench-'));
  const shm = await mkdtemp(path.join('/dev/shm', 'wake-bench-'));
  const sim = await startImmichSim({ seed: 8 });
  try {
    const { album } = await seedSampleLibrary(sim, { count: 12, seed: 8, withVideo: false, sizes: 'mixed' });
    const rtc = path.join(work, 'rtc0');
    await mkdir(rtc);
    await writeFile(path.join(rtc, 'since_epoch'), String(Math.floor(Date.now() / 1000)));
    await writeFile(path.join(rtc, 'wakealarm'), '');
    const raw = (storage: string) => ({
      immich_url: sim.url,
      immich_api_key: sim.apiKey,
      album_id: album.id,
      storage_dir: storage,
      panel: 'waveshare-7in3e',
      transport: `virtual:${path.join(shm, 'wake.png')}`,
      sync_interval_hours: 168,
      power: 'battery',
      battery: { wake: 'rtc', rtc_dir: rtc, poweroff_command: [process.execPath, '-e', '0'] },
    });
    const seedConfig = path.join(work, 'seed.json');
    await writeFile(seedConfig, JSON.stringify(raw(path.join(work, 'seed'))));
    await promisify(execFile)(process.execPath, [BIN, 'sync', '--config', seedConfig]);
    const photosDir = path.join(work, 'seed', 'plugins', 'immich', 'default', 'photos');
    const photos = (await readdir(photosDir)).map((f) => path.join(photosDir, f));
    const preload = path.join(work, 'exit-time.mjs');
    await writeFile(preload, EXIT_TIME);

    const wakes: number[] = [];
    const refreshes: number[] = [];
    const renders: number[] = [];
    const vsRatios: number[] = [];
    /** A fresh copy of the synced library: no refresh yet, so the wake shows at once. */
    const freshConfig = async (name: string) => {
      const storage = path.join(work, name);
      await cp(path.join(work, 'seed'), storage, { recursive: true });
      const config = path.join(work, `${name}.json`);
      await writeFile(config, JSON.stringify(raw(storage)));
      return config;
    };
    for (let i = 0; i < RUNS; i++) {
      const config = await freshConfig(`wake-${i}`);
      // With WAKE_VS, the two builds take turns going first.
      const other = VS && i % 2 === 1 ? await wakeOnce(await freshConfig(`vs-${i}`), VS) : null;
      const w = await wakeOnce(config);
      const otherAfter = VS && i % 2 === 0 ? await wakeOnce(await freshConfig(`vs-${i}`), VS) : null;
      const vs = other ?? otherAfter;
      if (vs) vsRatios.push(w.asleepMs / vs.asleepMs);
      wakes.push(w.asleepMs);
      refreshes.push(w.refreshMs);
      renders.push(
        await renderOnce(photos[i % photos.length]!, path.join(shm, 'render.png'), preload, path.join(work, 't')),
      );
    }
    const wake = median(wakes);
    const render = median(renders);
    console.log(`median of ${RUNS} interleaved runs, 12 photos (mixed sizes), waveshare-7in3e, no sync due`);
    console.log(`render alone (process start to exit):           ${render.toFixed(0).padStart(6)} ms`);
    console.log(`wake cycle (process start to the panel's sleep): ${wake.toFixed(0).padStart(6)} ms`);
    console.log(`  of which the refresh (wake to photo shown):    ${median(refreshes).toFixed(0).padStart(6)} ms`);
    console.log(`ratio wake / render: ${(wake / render).toFixed(2)}x (target <= 1.5x)`);
    if (VS) {
      const r = [...vsRatios].sort((a, b) => a - b);
      console.log(
        `wake cycle, this build / WAKE_VS (${VS}) per round: ${median(r).toFixed(2)}x (${r[0]!.toFixed(2)}-${r[r.length - 1]!.toFixed(2)}) over ${r.length} rounds`,
      );
    }
  } finally {
    await sim.close().catch(() => {});
    await rm(work, { recursive: true, force: true });
    await rm(shm, { recursive: true, force: true });
  }
}
