// `npm run bench -- calibration`: what calibrating a frame buys. A simulated unit (its true inks
// differing from the catalogue's, or matching them) shows its swatch to a simulated phone camera;
// the photo is read into inks. Then the quality bench's photos are rendered through the real
// pipeline twice, with the catalogue's inks and with the calibrated ones, and both frames are
// judged as that unit's glass really shows them (its true inks), by the quality bench's metric:
// mean OKLab distance x100 in linear light after a viewing blur, against the photo on the unit's
// own black..white ("vs paper") and against the photo itself ("vs photo"). Ratio calibrated /
// catalogue: below 1 is better.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { findPanel } from '../../drivers/panels.js';
import type { PanelProfile } from '../../drivers/panels.js';
import { deltaE2000, linearToLab } from '../../src/calibration/cielab.js';
import { calibratedPanel, inksFile } from '../../src/calibration/inks-file.js';
import { READ_SIDE, readSwatchPhoto } from '../../src/calibration/photo.js';
import { SRGB_TO_LINEAR } from '../../src/render/colour.js';
import { renderForPanel } from '../../src/render/pipeline.js';
import { HARD_SHOT, catalogueUnit, differingUnit, photographSwatch } from '../support/swatch-camera.js';
import type { UnitInks } from '../support/swatch-camera.js';
import {
  H,
  VIEW_SIGMA,
  W,
  adaptToPaper,
  blur,
  meanOklabDistance,
  shownInMeasuredInks,
  testPhotos,
  toLinearPlanes,
} from './quality.bench.js';

const labOf = (rgb: readonly number[]) =>
  linearToLab(SRGB_TO_LINEAR[rgb[0]!]!, SRGB_TO_LINEAR[rgb[1]!]!, SRGB_TO_LINEAR[rgb[2]!]!);

function unitPanel(panel: PanelProfile, unit: UnitInks): PanelProfile {
  return calibratedPanel(
    panel,
    inksFile(
      panel,
      panel.colours.map((c) => ({ name: c.name, rgb: unit[c.name]! })),
      'hand',
    ),
  );
}

/** What reading costs on a phone-size photo: the cases, each also run alone in a child for its peak RSS. */
const COST_CASES = {
  /** The floor: sharp decoding the JPEG, upright, to the size the reading works at. */
  'decode only (sharp, to the reading size)': async (file: string) => {
    await sharp(file, { failOn: 'error' })
      .autoOrient()
      .resize(READ_SIDE, READ_SIDE, { fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer();
  },
  'readSwatchPhoto (decode, markers, patches, paper)': async (file: string) => {
    const r = await readSwatchPhoto(file, findPanel('waveshare-7in3e'));
    if (!r.ok) throw new Error(r.message);
  },
} as const;
type CostCase = keyof typeof COST_CASES;
const COST_RUNS = 5;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

async function cost(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'calibration-bench-'));
  try {
    const panel = findPanel('waveshare-7in3e');
    const small = await photographSwatch(panel, differingUnit(panel), { ...HARD_SHOT, width: 1600, height: 1200 });
    const file = path.join(dir, 'phone.jpg');
    // A 12-megapixel phone photo of the swatch.
    await writeFile(file, await sharp(small).resize(4032, 3024).jpeg({ quality: 90 }).toBuffer());
    const names = Object.keys(COST_CASES) as CostCase[];
    const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<CostCase, number[]>;
    for (const n of names) await COST_CASES[n](file); // warm up
    for (let i = 0; i < COST_RUNS; i++) {
      for (const n of names) {
        const t = performance.now();
        await COST_CASES[n](file);
        times[n].push(performance.now() - t);
      }
    }
    console.log(`
reading a 4032x3024 JPEG of the swatch: median of ${COST_RUNS} interleaved runs; peak RSS in a child`);
    const self = fileURLToPath(import.meta.url);
    for (const n of names) {
      const child = spawnSync(process.execPath, [self, n, file], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`bench child ${n} failed: ${child.stderr}`);
      const { maxRSS } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { maxRSS: number };
      const ratio = median(times[n].map((t, i) => t / times[names[0]!][i]!));
      console.log(
        `  ${n.padEnd(52)} ${median(times[n]).toFixed(0).padStart(6)} ms  x${ratio.toFixed(2)} decode  peak RSS ${(maxRSS / 1024).toFixed(0)} MiB`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await cost();
  const photos = await testPhotos();
  const names = Object.keys(photos);
  const inputs = Object.fromEntries(
    await Promise.all(
      names.map(async (n) => {
        const p = photos[n]!;
        const png = await sharp(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.length), {
          raw: { width: W, height: H, channels: 3 },
        })
          .png({ compressionLevel: 0 })
          .toBuffer();
        return [n, png] as const;
      }),
    ),
  );
  let verdict = true;
  console.log(`mean OKLab distance x100 after a ${VIEW_SIGMA}px blur, judged in the unit's TRUE inks; lower is better`);
  for (const panelId of ['waveshare-7in3e', 'waveshare-7in3f']) {
    const panel = findPanel(panelId);
    for (const [kind, unit] of [
      ['differs from the catalogue', differingUnit(panel)],
      ['matches the catalogue', catalogueUnit(panel)],
    ] as const) {
      const truth = unitPanel(panel, unit);
      const photo = await photographSwatch(panel, unit, HARD_SHOT);
      const started = performance.now();
      const reading = await readSwatchPhoto(photo, panel);
      const readMs = performance.now() - started;
      if (!reading.ok) throw new Error(`the bench's swatch photo was refused: ${reading.message}`);
      const calibrated = unitPanel(panel, Object.fromEntries(reading.inks.map((i) => [i.name, i.rgb])));
      const worst = Math.max(...reading.inks.map((i) => deltaE2000(labOf(unit[i.name]!), i.lab)));
      const offCatalogue = Math.max(...panel.colours.map((c) => deltaE2000(labOf(unit[c.name]!), labOf(c.measured))));

      const totals = { catalogue: { photo: 0, paper: 0 }, calibrated: { photo: 0, paper: 0 } };
      const rows: string[] = [];
      for (const n of names) {
        const src = toLinearPlanes(photos[n]!.data);
        const refPhoto = blur(src, VIEW_SIGMA);
        const refPaper = blur(adaptToPaper(src, truth), VIEW_SIGMA);
        const judge = async (p: PanelProfile) => {
          const frame = await renderForPanel(inputs[n]!, p, {});
          const seen = blur(toLinearPlanes(shownInMeasuredInks(frame.indices, truth)), VIEW_SIGMA);
          return { photo: meanOklabDistance(refPhoto, seen), paper: meanOklabDistance(refPaper, seen) };
        };
        // Interleaved: the two renders of a photo run back to back.
        const a = await judge(panel);
        const b = await judge(calibrated);
        totals.catalogue.photo += a.photo;
        totals.catalogue.paper += a.paper;
        totals.calibrated.photo += b.photo;
        totals.calibrated.paper += b.paper;
        rows.push(
          `    ${n.padEnd(18)} vs paper ${a.paper.toFixed(2).padStart(6)} -> ${b.paper.toFixed(2).padStart(6)} (x${(b.paper / a.paper).toFixed(3)})   vs photo ${a.photo.toFixed(2).padStart(6)} -> ${b.photo.toFixed(2).padStart(6)} (x${(b.photo / a.photo).toFixed(3)})`,
        );
      }
      const ratio = totals.calibrated.paper / totals.catalogue.paper;
      const ratioPhoto = totals.calibrated.photo / totals.catalogue.photo;
      const ok = kind === 'matches the catalogue' ? ratio <= 1.02 : ratio < 1;
      if (!ok) verdict = false;
      console.log(
        `\n${panel.id}, a unit that ${kind} (worst ink ΔE2000 ${offCatalogue.toFixed(1)} from the catalogue); reading the swatch photo: worst ink ΔE2000 ${worst.toFixed(2)} from the truth, ${readMs.toFixed(0)} ms`,
      );
      console.log('  catalogue inks -> calibrated inks, per photo:');
      for (const r of rows) console.log(r);
      console.log(
        `  mean: vs paper x${ratio.toFixed(3)}, vs photo x${ratioPhoto.toFixed(3)} (calibrated / catalogue) ${ok ? 'ok' : 'NOT OK'}: ${kind === 'matches the catalogue' ? 'must be no worse (<= x1.02)' : 'must be better (< x1)'}`,
      );
    }
  }
  if (!verdict) process.exitCode = 1;
}

// Child mode: `node calibration.bench.js <case> <file>` runs one cost case and prints its peak RSS.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) {
  await COST_CASES[process.argv[2] as CostCase](process.argv[3]!);
  console.log(JSON.stringify({ maxRSS: process.resourceUsage().maxRSS }));
}
