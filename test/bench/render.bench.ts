// `npm run bench -- render`: a 24-megapixel JPEG to a packed 800x480 Spectra 6 frame buffer,
// against the floor of sharp alone decoding and resizing the same file to 800x480, measured in
// the same run; peak RSS of each in its own child process; and the quantizer's time per
// algorithm at 800x480. The frame's extras (a caption, a face crop, a portrait pair) are also
// given as a ratio to the plain render of the same run. RENDER_VS=<dir> adds another build's
// renderFrame (<dir>/src/render/frame.js, as `tsc -p tsconfig.bench.json` writes it to build/)
// as a case, interleaved with this one's: a before/after of the render in the same run.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { findPanel } from '../../drivers/panels.js';
import { DITHER_ALGORITHMS, ditherGrid, ditherToPalette } from '../../src/render/dither.js';
import { gamutMap, gamutTable } from '../../src/render/gamut.js';
import { inkPalette, toneTable } from '../../src/render/palette.js';
import { preparePhoto, renderForPanel } from '../../src/render/pipeline.js';
import { renderFrame } from '../../src/render/frame.js';
import type { FramePhoto } from '../../src/render/frame-input.js';
import { takeChildUsage, writeUsagePreload } from './child-usage.js';

const RUNS = 9;
const panel = findPanel('waveshare-7in3e');

/** What the library knows of a photo: enough for every caption field. */
const known = (source: string): FramePhoto => ({
  source,
  takenAt: '2019-04-01T10:00:00Z',
  timeZone: 'Europe/Paris',
  city: 'Paris',
  country: 'France',
  people: ['Alice', 'Bob'],
  description: 'A picnic by the lake on a sunny Sunday',
});
const ALL_FIELDS = ['description', 'people', 'date', 'years_ago', 'place'] as const;
/** The portrait twin of the bench photo, beside it. */
const portraitOf = (file: string) => path.join(path.dirname(file), 'big-portrait.jpg');

const PLAIN = 'renderFrame, one photo, no extras';
const VS = 'RENDER_VS renderFrame, one photo, no extras';
const vsDir = process.env.RENDER_VS;
const renderFrameVs: typeof renderFrame | undefined = vsDir
  ? (
      (await import(pathToFileURL(path.resolve(vsDir, 'src/render/frame.js')).href)) as {
        renderFrame: typeof renderFrame;
      }
    ).renderFrame
  : undefined;
const FLOOR = 'floor: sharp decode + resize to 800x480';
const PAIR = 'renderFrame, portrait pair + 2 captions';
const PAIR_FLOOR = 'floor of the pair: decode + resize of both to 400x480';
const CASES = {
  [FLOOR]: (file: string) => sharp(file).resize(800, 480).raw().toBuffer(),
  [PAIR_FLOOR]: async (file: string) => {
    for (let i = 0; i < 2; i++) await sharp(portraitOf(file)).resize(400, 480).raw().toBuffer();
  },
  'our sharp stage alone (preparePhoto, defaults)': (file: string) => preparePhoto(file, panel),
  'renderForPanel, defaults (attention crop, gamut map, FS)': (file: string) => renderForPanel(file, panel),
  "sharp's own attention crop (the floor with position: attention)": (file: string) =>
    sharp(file).resize(800, 480, { position: sharp.strategy.attention }).raw().toBuffer(),
  'renderForPanel, centre crop': (file: string) => renderForPanel(file, panel, { crop: 'centre' }),
  [PLAIN]: (file: string) => renderFrame({ photos: [{ source: file }], panel }),
  [VS]: (file: string) => renderFrameVs!({ photos: [{ source: file }], panel }),
  'renderFrame + caption (all fields, auto corner)': (file: string) =>
    renderFrame({ photos: [known(file)], panel, options: { caption: ALL_FIELDS } }),
  'renderFrame + face crop (two faces)': (file: string) =>
    renderFrame({
      photos: [
        {
          source: file,
          faces: [
            { x1: 4000, y1: 800, x2: 4600, y2: 1500 },
            { x1: 4900, y1: 1000, x2: 5400, y2: 1600 },
          ],
        },
      ],
      panel,
    }),
  [PAIR]: (file: string) =>
    renderFrame({
      photos: [known(portraitOf(file)), known(portraitOf(file))],
      panel,
      options: { caption: ALL_FIELDS },
    }),
} as const;
type Case = keyof typeof CASES;
const CASE_NAMES = (Object.keys(CASES) as Case[]).filter((c) => c !== VS || renderFrameVs);

/**
 * Time every case RUNS times, interleaved, so a busy machine slows them all alike: wall time, and
 * the CPU the whole process spent (every libvips thread too), which a shared machine disturbs less.
 */
async function timeCases(file: string): Promise<{ wall: Record<Case, number[]>; cpu: Record<Case, number[]> }> {
  const empty = () => Object.fromEntries(CASE_NAMES.map((c) => [c, [] as number[]])) as Record<Case, number[]>;
  const wall = empty();
  const cpu = empty();
  for (const c of CASE_NAMES) await CASES[c](file); // warm up: libvips caches, the JIT
  for (let i = 0; i < RUNS; i++) {
    // Every other round in reverse: a case pays for the garbage and the cache misses the case
    // before it leaves (a render measured right after another came out ~8% slower either way
    // round), so each case runs after each of its neighbours alike.
    for (const c of i % 2 ? [...CASE_NAMES].reverse() : CASE_NAMES) {
      const used = process.cpuUsage();
      const t = performance.now();
      await CASES[c](file);
      wall[c].push(performance.now() - t);
      const spent = process.cpuUsage(used);
      cpu[c].push((spent.user + spent.system) / 1000);
    }
  }
  return { wall, cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** A 6000x4000 photo-like JPEG: smooth colour fields with fine grain (so the JPEG is not trivially small). */
async function makeLargeJpeg(file: string): Promise<void> {
  const w = 750;
  const h = 500;
  const small = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      small[o] = 128 + 100 * Math.sin(x / 37) * Math.cos(y / 53);
      small[o + 1] = 128 + 100 * Math.sin((x + y) / 71);
      small[o + 2] = 128 + 100 * Math.cos((x - 2 * y) / 45);
    }
  }
  const grain = await sharp({
    create: {
      width: 6000,
      height: 4000,
      channels: 3,
      background: '#000000',
      noise: { type: 'gaussian', mean: 0, sigma: 12 },
    },
  })
    .raw()
    .toBuffer();
  await sharp(small, { raw: { width: w, height: h, channels: 3 } })
    .resize(6000, 4000, { kernel: 'cubic' })
    .composite([{ input: grain, raw: { width: 6000, height: 4000, channels: 3 }, blend: 'add' }])
    .jpeg({ quality: 90 })
    .toFile(file);
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-bench-'));
  const file = path.join(dir, 'big.jpg');
  try {
    await makeLargeJpeg(file);
    await sharp(file).rotate(90).jpeg({ quality: 90 }).toFile(portraitOf(file));
    const meta = await sharp(file).metadata();
    console.log(
      `input: ${meta.width}x${meta.height} JPEG; time: median of ${RUNS} interleaved runs; peak RSS: one run a case, each in its own process`,
    );
    const self = fileURLToPath(import.meta.url);
    const preload = await writeUsagePreload(dir);
    const { wall: times, cpu } = await timeCases(file);
    const floorMs = median(times[FLOOR]);
    /** Paired: each round's time of `c` over `base`'s in the same round, the median of those. */
    const pairedRatio = (c: Case, base: Case, of = times) => median(of[c].map((t, i) => t / of[base][i]!));
    for (const c of CASE_NAMES) {
      // The child's own peak (VmHWM), not getrusage's, which on Linux reports the bench's own.
      const usageFile = path.join(dir, 'usage.json');
      const child = spawnSync(process.execPath, ['--import', preload, self, c, file], {
        encoding: 'utf8',
        env: { ...process.env, BENCH_USAGE_FILE: usageFile },
      });
      if (child.status !== 0) throw new Error(`bench child ${c} failed: ${child.stderr}`);
      const usage = await takeChildUsage(usageFile);
      if (!usage) throw new Error(`bench child ${c} reported no usage`);
      const maxRSS = usage.rssKb;
      const ms = median(times[c]);
      // Paired: each run's time over the floor's (or the plain render's) in the same round, the
      // median of those, so a machine that slows down for a while slows both sides alike.
      const vsPlain =
        c.startsWith('renderFrame') && c !== PLAIN ? `  ${pairedRatio(c, PLAIN).toFixed(2)}x plain render` : '';
      const vsOther =
        c === VS
          ? `  this build's plain render: ${pairedRatio(PLAIN, VS).toFixed(3)}x this (CPU ${pairedRatio(PLAIN, VS, cpu).toFixed(3)}x)`
          : '';
      const vsPairFloor =
        c === PAIR
          ? `  ${pairedRatio(c, PAIR_FLOOR).toFixed(2)}x its floor (CPU ${pairedRatio(c, PAIR_FLOOR, cpu).toFixed(2)}x)`
          : '';
      console.log(
        `${c.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms  ${pairedRatio(c, FLOOR).toFixed(2)}x floor  CPU ${median(cpu[c]).toFixed(0).padStart(4)} ms ${pairedRatio(c, FLOOR, cpu).toFixed(2)}x floor  peak RSS ${(maxRSS / 1024).toFixed(0)} MiB${vsPlain}${vsPairFloor}${vsOther}`,
      );
    }

    // The quantizer alone, on the prepared 800x480 photo.
    const image = await preparePhoto(file, panel, { crop: 'centre' });
    const palette = inkPalette(panel);
    const tone = toneTable(palette, 'paper');
    const table = gamutTable(palette, 'paper')!;
    const mapTimes: number[] = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const t = performance.now();
      gamutMap(image, table);
      if (i >= 3) mapTimes.push(performance.now() - t);
    }
    console.log(`\ngamut map alone, 800x480 (table built once a panel): ${median(mapTimes).toFixed(1)} ms`);
    // With the nearest-ink grid kept across frames, as quantize() keeps it.
    const grid = ditherGrid(palette);
    console.log('quantizer alone, 800x480 Spectra 6 (median of 9):');
    for (const algorithm of DITHER_ALGORITHMS) {
      for (let i = 0; i < 3; i++) ditherToPalette(image, palette, algorithm, { tone, grid }); // warm up the JIT
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        ditherToPalette(image, palette, algorithm, { tone, grid });
        times.push(performance.now() - t);
      }
      const ms = median(times);
      console.log(
        `  ${algorithm.padEnd(22)} ${ms.toFixed(1).padStart(6)} ms  ${(ms / floorMs).toFixed(2)}x floor  ${((800 * 480) / ms / 1000).toFixed(1)} Mpx/s`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Child mode: `node --import <usage preload> render.bench.js <case> <file>` runs the case once;
// the preload (child-usage.ts) writes its peak RSS at exit.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  await CASES[process.argv[2] as Case](process.argv[3]!);
}
