// A heavy SVG cannot hold the frame (issue 21, point 8): an 8000x8000 SVG with filters, small
// enough to pass the SVG size limit, that librsvg would draw for many minutes. The frame is drawn
// in a child process (src/render/isolated.ts): the service kills it at the render deadline and
// shows the next photo, and a SIGTERM to `run` ends it within seconds. Real processes throughout
// (the render child, and `run` itself from dist/: npm run build first).
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { SpiPanel } from '../../drivers/spi-panel.js';
import { createLogger } from '../../src/core/log.js';
import { FrameService } from '../../src/frame/service.js';
import { readServiceState } from '../../src/frame/state.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { renderFrame } from '../../src/render/frame.js';
import { renderFrameStoppable } from '../../src/render/isolated.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { PanelEmulator } from '../emulator/panel-emulator.js';
import { ManualClock } from '../support/manual-clock.js';
import { syncedConfig } from '../support/synced-config.js';

const PANEL = findPanel('waveshare-7in3e');
const DRIVER = driverFor(PANEL);
const PINS = HATS[DRIVER.hat].pins;
const BIN = path.resolve('bin/artframe-immich.js');

/** 8000x8000 with turbulence, a wide blur and a dilation over the whole area: under 1 KB. */
const HEAVY_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="8000" height="8000" viewBox="0 0 8000 8000">
<defs><filter id="f" x="0" y="0" width="1" height="1"><feTurbulence type="fractalNoise" baseFrequency="0.01" numOctaves="10"/><feGaussianBlur stdDeviation="300"/><feMorphology operator="dilate" radius="200"/></filter></defs>
<rect width="8000" height="8000" filter="url(#f)"/>
<rect width="8000" height="8000" filter="url(#f)" opacity="0.5"/>
</svg>`;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

/** A server whose newest photo is the heavy SVG, and a library synced from it. */
async function libraryWithHeavySvg(extra: Record<string, unknown> = {}) {
  const sim: ImmichSim = await startImmichSim({ seed: 8 });
  cleanups.push(() => sim.close());
  const seeded = await seedSampleLibrary(sim, { count: 2, seed: 8, withVideo: false });
  const svg = sim.addAsset({
    bytes: Buffer.from(HEAVY_SVG),
    originalFileName: 'heavy.svg',
    originalMimeType: 'image/svg+xml',
    fileCreatedAt: '2030-01-01T00:00:00.000Z',
    width: 8000,
    height: 8000,
  });
  sim.addToAlbum(seeded.album.id, [svg.id]);
  const { dir, raw, config } = await syncedConfig(sim, seeded.album.id, {
    panel: PANEL.id,
    selection_mode: 'newest',
    ...extra,
  });
  return { sim, dir, raw, config, svgId: svg.id };
}

describe('rendering in a child that can be stopped', () => {
  it('draws a normal frame exactly as in this process', async () => {
    const { config } = await libraryWithHeavySvg();
    const photos = instancePaths(config).photosDir;
    const { readdir } = await import('node:fs/promises');
    const jpeg = (await readdir(photos)).find((n) => !n.endsWith('.svg'))!;
    const request = { photos: [{ source: path.join(photos, jpeg) }], panel: PANEL };
    const inside = await renderFrame(request);
    const child = await renderFrameStoppable(request, { deadlineMs: 60_000 });
    expect(Buffer.from(child.buffer).equals(Buffer.from(inside.buffer))).toBe(true);
  });

  it('a heavy SVG is stopped at the deadline with a RenderError naming it', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'svg-')), 'heavy.svg');
    await writeFile(file, HEAVY_SVG);
    const err = await renderFrameStoppable({ photos: [{ source: file }], panel: PANEL }, { deadlineMs: 1500 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'RENDER_DEADLINE' });
    expect((err as Error).message).toMatch(/heavy\.svg: drawing it took longer than 2 s and was stopped/);
  });

  it('an abort (the service stopping) ends the child at once', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'svg-')), 'heavy.svg');
    await writeFile(file, HEAVY_SVG);
    const stop = new AbortController();
    const drawing = renderFrameStoppable(
      { photos: [{ source: file }], panel: PANEL },
      {
        deadlineMs: 600_000,
        signal: stop.signal,
      },
    ).catch((e: unknown) => e);
    setTimeout(() => stop.abort(new Error('stopping')), 500);
    expect(await drawing).toMatchObject({ message: 'stopping' });
  });
});

describe('the frame with a heavy SVG (point 8)', () => {
  it('the service stops the render at its deadline and shows the next photo', async () => {
    const { sim, config, svgId } = await libraryWithHeavySvg();
    const lines: string[] = [];
    const emulator = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS);
    const service = new FrameService({
      config,
      panel: PANEL,
      openPanel: async () => new SpiPanel(DRIVER, emulator, PINS),
      createSource: () => new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey }),
      clock: new ManualClock(new Date('2026-11-25T09:00:00Z')),
      logger: createLogger({ write: (l) => lines.push(l) }),
      renderDeadlineMs: 8_000,
    });
    cleanups.push(() => service.stop());
    await service.start();
    await service.idle();
    const log = lines.join('\n');
    expect(log).toMatch(
      new RegExp(`cannot render a photo; trying the next one.*cannot render ${svgId}: drawing it took longer than 8 s`),
    );
    const state = await readServiceState(instancePaths(config));
    expect(state?.last_refresh?.photo).toBeDefined();
    expect(state!.last_refresh!.photo).not.toMatch(/\.svg$/);
    expect(emulator.shown.length).toBeGreaterThan(0);
  });

  it('SIGTERM ends `run` within 10 s while the heavy SVG is being drawn', async () => {
    const { dir, raw } = await libraryWithHeavySvg();
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ ...raw, transport: `trace:${path.join(dir, 'panel.jsonl')}` }));
    const child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Started and drawing the newest photo, the SVG.
    for (let i = 0; i < 200 && !stdout.includes('"msg":"library reconciled"'); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    expect(stdout).not.toContain('"msg":"photo shown"');
    const killedAt = Date.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 12_000))]);
    if (code !== 0) console.log(stdout, stderr);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(code).toBe(0);
  }, 30_000);
});
