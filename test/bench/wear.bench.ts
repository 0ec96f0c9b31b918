// SD-card wear: the bytes a real `run` process writes per refresh tick (no sync), per no-change
// sync (`sync --force` on an up-to-date album), and per day at one refresh an hour, from Linux
// /proc/<pid>/io write_bytes (what the process sent towards the block device, page-granular).
// Ticks come every 3 min (the panel's minimum); a preload runs the child's wall clock 60x faster
// (Date and setTimeout), so five ticks take seconds. WEAR_BEFORE_BIN=<another build's bin> measures
// that build too, interleaved, against the same library copy: the before/after pair in one run.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const AFTER_BIN = path.resolve(here, '../../../bin/artframe-immich.js');
const BEFORE_BIN = process.env.WEAR_BEFORE_BIN;
const PHOTOS = Number(process.env.WEAR_PHOTOS ?? 300);
const TICKS = Number(process.env.WEAR_TICKS ?? 9);
const SPEED = 60;

/** Runs the child's wall clock SPEED times faster: Date and the global setTimeout. */
const FAST_CLOCK = [
  `const F = ${SPEED};`,
  'const RealDate = Date; const t0 = RealDate.now();',
  'const fake = () => t0 + (RealDate.now() - t0) * F;',
  'class FastDate extends RealDate { constructor(...a) { if (a.length === 0) super(fake()); else super(...a); } static now() { return fake(); } }',
  'globalThis.Date = FastDate;',
  'const realSetTimeout = globalThis.setTimeout;',
  'globalThis.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, Math.max(0, (ms ?? 0) / F), ...args);',
  '',
].join('\n');

/** Writes /proc/self/io at exit to WEAR_IO_FILE (for a short command that exits by itself). */
const IO_AT_EXIT = [
  "import { readFileSync, writeFileSync } from 'node:fs';",
  "process.on('exit', () => writeFileSync(process.env.WEAR_IO_FILE, readFileSync('/proc/self/io', 'utf8')));",
  '',
].join('\n');

interface Io {
  writeBytes: number;
  syscw: number;
}

function parseIo(text: string): Io {
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { writeBytes: field('write_bytes'), syscw: field('syscw') };
}

const ioOf = async (pid: number) => parseIo(await readFile(`/proc/${pid}/io`, 'utf8'));

interface TickFigures {
  bytesPerTick: number;
  writesPerTick: number;
  logBytesPerTick: number;
}

/** A `run` process on the virtual panel (its PNG in /dev/shm, not the card); write_bytes over TICKS whole ticks. */
async function measureTicks(bin: string, config: string, preload: string): Promise<TickFigures> {
  const child = spawn(process.execPath, ['--import', preload, bin, 'run', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const marks: { io: Io; logBytes: number }[] = [];
  let logBytes = 0;
  let buffered = '';
  const done = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      marks.length > TICKS ? resolve() : reject(new Error(`run exited ${code} early: ${stderr}`)),
    );
    child.stdout.on('data', (d: Buffer) => {
      logBytes += d.length;
      buffered += d.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        // Each tick's "photo shown" marks the same point of its cycle: the window between two is one whole tick.
        if (!line.includes('"msg":"photo shown"')) continue;
        const at = logBytes;
        void ioOf(child.pid!).then((io) => {
          marks.push({ io, logBytes: at });
          if (marks.length > TICKS) child.kill('SIGTERM');
        });
      }
    });
  });
  await done;
  const first = marks[1]!;
  const last = marks[TICKS]!;
  const n = TICKS - 1;
  return {
    bytesPerTick: (last.io.writeBytes - first.io.writeBytes) / n,
    writesPerTick: (last.io.syscw - first.io.syscw) / n,
    logBytesPerTick: (last.logBytes - first.logBytes) / n,
  };
}

/** `sync --force` on an album that has not changed: what the whole process wrote. */
async function measureSync(
  bin: string,
  config: string,
  preload: string,
  ioFile: string,
): Promise<Io & { logBytes: number }> {
  const child = spawn(process.execPath, ['--import', preload, bin, 'sync', '--force', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WEAR_IO_FILE: ioFile },
  });
  let logBytes = 0;
  child.stdout.on('data', (d: Buffer) => (logBytes += d.length));
  child.stderr.on('data', (d: Buffer) => (logBytes += d.length));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`sync --force exited ${code}`);
  return { ...parseIo(await readFile(ioFile, 'utf8')), logBytes };
}

const kb = (b: number) => (b / 1024).toFixed(1).padStart(7);

export async function run(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'wear-bench-'));
  const shm = await mkdtemp(path.join('/dev/shm', 'wear-bench-'));
  const sim = await startImmichSim({ seed: 5 });
  try {
    const { album } = await seedSampleLibrary(sim, { count: PHOTOS, seed: 5, withVideo: false });
    const fastClock = path.join(work, 'fast-clock.mjs');
    const ioAtExit = path.join(work, 'io-at-exit.mjs');
    await writeFile(fastClock, FAST_CLOCK);
    await writeFile(ioAtExit, IO_AT_EXIT);
    const configFor = async (name: string) => {
      const file = path.join(work, `${name}.json`);
      await writeFile(
        file,
        JSON.stringify({
          immich_url: sim.url,
          immich_api_key: sim.apiKey,
          album_id: album.id,
          storage_dir: path.join(work, name),
          panel: 'waveshare-7in3e',
          transport: `virtual:${path.join(shm, `${name}.png`)}`,
          refresh_interval_minutes: 1,
          sync_interval_hours: 168,
        }),
      );
      return file;
    };
    // One library synced once, copied for each build so both start from the same files.
    const seedConfig = await configFor('seed');
    await measureSync(AFTER_BIN, seedConfig, ioAtExit, path.join(work, 'io.txt'));

    const builds: [string, string][] = [['this build', AFTER_BIN]];
    if (BEFORE_BIN) builds.unshift(['before', path.resolve(BEFORE_BIN)]);
    console.log(
      `${PHOTOS} photos, ${TICKS - 1} whole ticks of a real run process (clock ${SPEED}x), virtual panel in /dev/shm`,
    );
    console.log(
      'build         KB/tick  writes/tick  log KB/tick   KB/no-change sync  writes/sync   KB/day (24 ticks + 4 syncs)',
    );
    const results: { name: string; tick: TickFigures; sync: Io }[] = [];
    for (const [name, bin] of builds) {
      await cp(path.join(work, 'seed'), path.join(work, name.replace(/ /g, '-')), { recursive: true });
      const config = await configFor(name.replace(/ /g, '-'));
      const tick = await measureTicks(bin, config, fastClock);
      const sync = await measureSync(bin, config, ioAtExit, path.join(work, 'io.txt'));
      results.push({ name, tick, sync });
      // sync_interval_hours defaults to 6: four syncs a day beside 24 ticks.
      const day = 24 * tick.bytesPerTick + 4 * sync.writeBytes;
      console.log(
        `${name.padEnd(12)} ${kb(tick.bytesPerTick)}  ${tick.writesPerTick.toFixed(1).padStart(11)}  ${kb(
          tick.logBytesPerTick,
        )}      ${kb(sync.writeBytes)}        ${String(sync.syscw).padStart(6)}     ${kb(day)}`,
      );
    }
    if (results.length === 2) {
      const [b, a] = results as [(typeof results)[0], (typeof results)[0]];
      console.log(
        `ratio this/before: per tick ${(a.tick.bytesPerTick / Math.max(1, b.tick.bytesPerTick)).toFixed(2)}x, per no-change sync ${(
          a.sync.writeBytes / Math.max(1, b.sync.writeBytes)
        ).toFixed(2)}x`,
      );
    }
  } finally {
    await sim.close().catch(() => {});
    await rm(work, { recursive: true, force: true });
    await rm(shm, { recursive: true, force: true });
  }
}
