// The long-lived render child (src/render/isolated.ts, issue 21 point 8 and issue 15): one child
// draws frame after frame; a frame past its deadline, an abort, or the child's death ends it, and
// the next frame gets a fresh one; a killed parent leaves no child behind. Real processes
// throughout (the child is dist/render/render-child.js, and `run` is the built CLI: npm run build).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';
import { renderFrame } from '../../src/render/frame.js';
import {
  renderChildHasFrame,
  renderChildPid,
  renderFrameStoppable,
  stopRenderChild,
} from '../../src/render/isolated.js';
import { syncedConfig } from '../support/synced-config.js';

const PANEL = findPanel('waveshare-7in3e');
const BIN = path.resolve('bin/artframe-immich.js');
/** Seconds of librsvg work at the panel's size (see test/frame/heavy-svg.test.ts). */
const HEAVY_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="8000" height="8000">
<defs><filter id="f" x="0" y="0" width="1" height="1"><feTurbulence type="fractalNoise" baseFrequency="0.01" numOctaves="10"/><feGaussianBlur stdDeviation="300"/></filter></defs>
${Array.from({ length: 8 }, () => '<rect width="8000" height="8000" filter="url(#f)"/>').join('\n')}
</svg>`;

let dir: string;
let photo: string;
let heavy: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'render-child-'));
  photo = path.join(dir, 'photo.jpg');
  await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3080c0' } })
    .jpeg()
    .toFile(photo);
  heavy = path.join(dir, 'heavy.svg');
  await writeFile(heavy, HEAVY_SVG);
});
afterEach(() => stopRenderChild());

const DEADLINE = { deadlineMs: 60_000 };

/** Whether `pid` is a live process (a zombie, dead but not yet reaped, is not). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && !/^\d+ \(.*\) Z/.test(stat);
}

async function gone(pid: number, ms = 5000): Promise<boolean> {
  for (let t = 0; t < ms; t += 50) {
    if (!(await alive(pid))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Processes whose parent is `ppid`, with their command lines. */
async function childrenOf(ppid: number): Promise<{ pid: number; cmd: string }[]> {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== ppid || fields[0] === 'Z') continue;
    const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    found.push({ pid: Number(name), cmd });
  }
  return found;
}

describe('the long-lived render child', () => {
  it('draws frame after frame in one child, each exactly as in this process', async () => {
    const request = { photos: [{ source: photo }], panel: PANEL };
    const inside = await renderFrame(request);
    const first = await renderFrameStoppable(request, DEADLINE);
    const pid = renderChildPid()!;
    expect(await alive(pid)).toBe(true);
    const second = await renderFrameStoppable(request, DEADLINE);
    expect(renderChildPid()).toBe(pid);
    for (const f of [first, second]) expect(Buffer.from(f.buffer).equals(Buffer.from(inside.buffer))).toBe(true);
    // The only child of this process that draws.
    expect((await childrenOf(process.pid)).filter((c) => c.cmd.includes('render-child')).map((c) => c.pid)).toEqual([
      pid,
    ]);
  });

  it('frames asked at once are drawn one after the other by the one child', async () => {
    const request = { photos: [{ source: photo }], panel: PANEL };
    const frames = await Promise.all([1, 2, 3].map(() => renderFrameStoppable(request, DEADLINE)));
    expect(frames.map((f) => f.shown)).toEqual([[0], [0], [0]]);
    expect((await childrenOf(process.pid)).filter((c) => c.cmd.includes('render-child'))).toHaveLength(1);
  });

  it('a child killed between frames: the next frame starts a fresh one', async () => {
    const request = { photos: [{ source: photo }], panel: PANEL };
    await renderFrameStoppable(request, DEADLINE);
    const pid = renderChildPid()!;
    process.kill(pid, 'SIGKILL');
    expect(await gone(pid)).toBe(true);
    const frame = await renderFrameStoppable(request, DEADLINE);
    expect(frame.shown).toEqual([0]);
    expect(renderChildPid()).not.toBe(pid);
  });

  it('a child that dies drawing fails that frame only; the next frame gets a fresh child', async () => {
    const drawing = renderFrameStoppable({ photos: [{ source: heavy }], panel: PANEL }, DEADLINE).catch(
      (e: unknown) => e,
    );
    // Killed only once the child has the frame: a child killed while still starting (a loaded
    // machine takes seconds to load sharp) never had it, and its frame rightly goes to a fresh one.
    for (let i = 0; i < 1500 && !renderChildHasFrame(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(renderChildHasFrame()).toBe(true);
    const pid = renderChildPid()!;
    await new Promise((r) => setTimeout(r, 200));
    process.kill(pid, 'SIGKILL');
    const err = await drawing;
    expect(err).toMatchObject({ code: 'RENDER' });
    expect((err as Error).message).toMatch(/heavy\.svg: the render process ended \(SIGKILL\)/);
    const frame = await renderFrameStoppable({ photos: [{ source: photo }], panel: PANEL }, DEADLINE);
    expect(frame.shown).toEqual([0]);
    expect(renderChildPid()).not.toBe(pid);
  });

  it('a frame past its deadline kills the child; the frame waiting behind it is drawn by a fresh one', async () => {
    const late = renderFrameStoppable({ photos: [{ source: heavy }], panel: PANEL }, { deadlineMs: 1500 }).catch(
      (e: unknown) => e,
    );
    const next = renderFrameStoppable({ photos: [{ source: photo }], panel: PANEL }, DEADLINE);
    for (let i = 0; i < 100 && renderChildPid() === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    const pid = renderChildPid()!;
    expect(await late).toMatchObject({ code: 'RENDER_DEADLINE' });
    expect((await next).shown).toEqual([0]);
    expect(await gone(pid)).toBe(true);
    expect(renderChildPid()).not.toBe(pid);
  });

  it("the caller's abort between frames (the frame stopping) ends the waiting child", async () => {
    const stop = new AbortController();
    await renderFrameStoppable({ photos: [{ source: photo }], panel: PANEL }, { ...DEADLINE, signal: stop.signal });
    const pid = renderChildPid()!;
    expect(await alive(pid)).toBe(true);
    stop.abort(new Error('the frame is stopping'));
    expect(await gone(pid)).toBe(true);
    expect(renderChildPid()).toBeUndefined();
  });

  it('a `run` killed with SIGKILL leaves no render child running', async () => {
    const sim = await startImmichSim({ seed: 3 });
    try {
      const seeded = await seedSampleLibrary(sim, { count: 2, seed: 3, withVideo: false });
      const { dir: runDir, raw } = await syncedConfig(sim, seeded.album.id, { panel: PANEL.id });
      const file = path.join(runDir, 'config.json');
      await writeFile(file, JSON.stringify({ ...raw, transport: `trace:${path.join(runDir, 'panel.jsonl')}` }));
      const run = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      run.stdout.on('data', (d) => (stdout += d));
      try {
        for (let i = 0; i < 600 && !stdout.includes('"msg":"photo shown"'); i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(stdout).toContain('"msg":"photo shown"');
        // The frame is on the glass and the child waits for the next refresh.
        const drawers = (await childrenOf(run.pid!)).filter((c) => c.cmd.includes('render-child'));
        expect(drawers).toHaveLength(1);
        run.kill('SIGKILL');
        expect(await gone(drawers[0]!.pid)).toBe(true);
      } finally {
        if (run.exitCode === null) run.kill('SIGKILL');
      }
    } finally {
      await sim.close();
    }
  }, 60_000);
});
