// `npm run bench -- render-child`: what drawing a frame in a child process the service can kill
// (src/render/isolated.ts, issue 21 point 8) costs over drawing it in this process: the same
// 12-megapixel JPEG to an 800x480 Spectra 6 frame, the two ways interleaved in one run, median
// wall time of each and their ratio. The child is forked per frame (no process waits between
// refreshes: nothing idle to budget); its start (Node and sharp loading) is the price.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { findPanel } from '../../drivers/panels.js';
import { renderFrame } from '../../src/render/frame.js';
import { renderFrameStoppable } from '../../src/render/isolated.js';

const RUNS = 7;
const panel = findPanel('waveshare-7in3e');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-child-bench-'));
  try {
    const file = path.join(dir, 'big.jpg');
    const width = 4000;
    const height = 3000;
    const data = Buffer.alloc(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    await sharp(data, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(file);
    const request = { photos: [{ source: file }], panel };
    // One of each first: file cache, JIT, gamut table.
    await renderFrame(request);
    await renderFrameStoppable(request, { deadlineMs: 120_000 });
    const inline: number[] = [];
    const child: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      await renderFrame(request);
      inline.push(performance.now() - t);
      t = performance.now();
      await renderFrameStoppable(request, { deadlineMs: 120_000 });
      child.push(performance.now() - t);
    }
    const a = median(inline);
    const b = median(child);
    console.log(`in this process: median ${a.toFixed(0)} ms (${RUNS} runs, interleaved)`);
    console.log(`in a child (forked per frame, killable): median ${b.toFixed(0)} ms`);
    console.log(`ratio child / in-process: ${(b / a).toFixed(2)} (+${(b - a).toFixed(0)} ms a frame)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
