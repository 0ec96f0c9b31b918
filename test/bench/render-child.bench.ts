// `npm run bench -- render-child`: what drawing a frame in the render child the service can kill
// (src/render/isolated.ts, issue 21 point 8) costs over drawing it in this process, and what the
// long-lived child costs while it waits. The same 12-megapixel JPEG to an 800x480 Spectra 6
// frame three ways, interleaved in one run: in this process; in the long-lived child (started
// once, reused); in a child forked for the frame (the child killed before each frame: what every
// frame cost before the child was kept). Then the child's own RSS and CPU, waiting between frames,
// against this process's (read from /proc, as test/bench/child-usage.ts does for a child).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { findPanel } from '../../drivers/panels.js';
import { renderFrame } from '../../src/render/frame.js';
import { renderChildPid, renderFrameStoppable, stopRenderChild } from '../../src/render/isolated.js';
import { processUsage } from './child-usage.js';

const RUNS = 7;
/** How long the waiting child is watched for CPU: longer than any timer it could have. */
const IDLE_MS = 10_000;
const panel = findPanel('waveshare-7in3e');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;

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
    const deadline = { deadlineMs: 120_000 };
    const cases = {
      'in this process': () => renderFrame(request),
      'long-lived child (reused)': () => renderFrameStoppable(request, deadline),
      'child forked for the frame (before)': async () => {
        stopRenderChild();
        await renderFrameStoppable(request, deadline);
      },
    };
    type Case = keyof typeof cases;
    const names = Object.keys(cases) as Case[];
    const times = Object.fromEntries(names.map((c) => [c, [] as number[]])) as Record<Case, number[]>;
    // One of each first: file cache, JIT, gamut table.
    for (const c of names) await cases[c]();
    for (let i = 0; i < RUNS; i++) {
      for (const c of names) {
        const t = performance.now();
        await cases[c]();
        times[c].push(performance.now() - t);
      }
    }
    const base = times['in this process'];
    console.log(`${RUNS} interleaved runs; ratio: the median of each run's time over the in-process time of that run`);
    for (const c of names) {
      const ratio = median(times[c].map((t, i) => t / base[i]!));
      const extra = median(times[c].map((t, i) => t - base[i]!));
      console.log(
        `${c.padEnd(38)} median ${median(times[c]).toFixed(0).padStart(5)} ms  ${ratio.toFixed(2)}x in-process  (+${extra.toFixed(0)} ms a frame)`,
      );
    }

    // The child as it waits for the next refresh, after drawing a frame.
    await renderFrameStoppable(request, deadline);
    const pid = renderChildPid()!;
    const before = (await processUsage(pid))!;
    const own0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const after = (await processUsage(pid))!;
    const ownCpu = process.cpuUsage(own0);
    const self = (await processUsage(process.pid))!;
    console.log(
      `\nthe child waiting between frames: RSS ${mib(after.rssKb)} (peak ${mib(after.peakKb)}); ` +
        `CPU ${after.cpuMs - before.cpuMs} ms in ${IDLE_MS / 1000} s (this process meanwhile: ${((ownCpu.user + ownCpu.system) / 1000).toFixed(0)} ms); ` +
        `this process: RSS ${mib(self.rssKb)} (peak ${mib(self.peakKb)})`,
    );
    stopRenderChild();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
