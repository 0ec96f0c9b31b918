// `artframe-immich run` on storage it cannot write (issue 12, point 5), as a real process: the
// library on a read-only tmpfs. It must not stop at the sync lock (it used to exit 4): it shows a
// cached photo, says why syncs are off, `status` says it too, and SIGTERM still ends it with 0.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { parseTrace } from '../../drivers/transports/trace.js';
import { parseConfig } from '../../src/config/config.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { replayTrace } from '../emulator/panel-emulator.js';
import { runCli } from '../support/run-cli.js';
import { mountTmpfs, skipReason } from '../support/tmpfs.js';

const BIN = path.resolve('bin/artframe-immich.js');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

describe('run on read-only storage', () => {
  it.skipIf(skipReason !== null)('shows a cached photo, reports syncs disabled, and exits 0 on SIGTERM', async () => {
    const sim = await startImmichSim({ seed: 8 });
    cleanups.push(() => sim.close());
    const seeded = await seedSampleLibrary(sim, { count: 2, seed: 8, withVideo: false });
    const disk = await mountTmpfs(64 * 1024 * 1024);
    cleanups.push(() => disk.unmount());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'run-ro-'));
    const tracePath = path.join(dir, 'panel.jsonl');
    const raw = {
      immich_url: sim.url,
      immich_api_key: sim.apiKey,
      album_id: seeded.album.id,
      storage_dir: disk.dir,
      panel: 'waveshare-7in3e',
      transport: `trace:${tracePath}`,
      web: { enabled: false },
    };
    const config = parseConfig(raw);
    const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
    await syncLibrary({ paths: instancePaths(config), source, config, downloadLimits: { reserveBytes: 1024 * 1024 } });
    await source.close();
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify(raw));
    await disk.readOnly();

    const child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('"msg":"photo shown"')) resolve();
      });
      void exited.then((code) => reject(new Error(`run exited ${code} early:\n${stdout}\n${stderr}`)));
    });
    expect(stdout).toMatch(/cannot reconcile the library; showing the cached photos, syncs wait for writable storage/);
    const status = await runCli(['status', '--config', file]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/syncs +disabled: the filesystem holding .* is read-only/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const driver = driverFor(findPanel('waveshare-7in3e'));
    const emu = await replayTrace(
      parseTrace(await readFile(tracePath, 'utf8')),
      CONTROLLERS[driver.name]!,
      HATS[driver.hat].pins,
    );
    expect(emu.shown).toHaveLength(1);
    expect(emu.isAsleep).toBe(true);
    expect(stdout + stderr).not.toContain(sim.apiKey);
  });
});
