// The frame service when things go wrong underneath it (issue 12): a sync stuck on a trickling
// server is abandoned by its deadline or by a long press (point 3), read-only storage still shows
// the cached photos with syncs disabled and the reason in the status (point 5), a metadata file
// that turns unreadable fails a sync rather than the process (point 6), and a last refresh stamped
// in the "future" by a clock that jumped back does not freeze the frame (point 7). The simulator,
// the panel emulator, real files (a tmpfs for read-only), and a manual clock.
import { mkdtemp, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { SpiPanel } from '../../drivers/spi-panel.js';
import { parseConfig, type FrameConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/core/log.js';
import { FrameService, type FrameServiceOptions } from '../../src/frame/service.js';
import { initialServiceState, writeServiceState } from '../../src/frame/state.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { PanelEmulator } from '../emulator/panel-emulator.js';
import { ManualClock } from '../support/manual-clock.js';
import { mountTmpfs, skipReason } from '../support/tmpfs.js';

const PANEL = findPanel('waveshare-7in3e');
const DRIVER = driverFor(PANEL);
const PINS = HATS[DRIVER.hat].pins;
const MINUTE = 60_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

interface Rig {
  sim: ImmichSim;
  config: FrameConfig;
  clock: ManualClock;
  emulator: PanelEmulator;
  service: FrameService;
  logs: string[];
}

/** A server, a library synced from it at the clock's time, and a service over both. */
async function rig(options: { storage?: string; service?: Partial<FrameServiceOptions> } = {}): Promise<Rig> {
  const sim = await startImmichSim({ seed: 12 });
  cleanups.push(() => sim.close());
  const seeded = await seedSampleLibrary(sim, { count: 3, seed: 12, withVideo: false });
  const storage = options.storage ?? (await mkdtemp(path.join(os.tmpdir(), 'frame-bounds-')));
  const config = parseConfig({
    immich_url: sim.url,
    immich_api_key: sim.apiKey,
    album_id: seeded.album.id,
    storage_dir: storage,
    panel: PANEL.id,
    selection_mode: 'oldest',
  });
  const clock = new ManualClock(new Date());
  const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await syncLibrary({
    paths: instancePaths(config),
    source,
    config,
    now: () => clock.now(),
    downloadLimits: { reserveBytes: 1024 * 1024 },
  });
  await source.close();
  const emulator = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS);
  const logs: string[] = [];
  const service = new FrameService({
    config,
    panel: PANEL,
    openPanel: async () => new SpiPanel(DRIVER, emulator, PINS),
    createSource: () =>
      new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey, retry: { baseDelayMs: 5, maxDelayMs: 10 } }),
    clock,
    logger: createLogger({ write: (l) => void logs.push(l) }),
    rng: () => 0.5,
    ...options.service,
  });
  cleanups.push(() => service.stop());
  return { sim, config, clock, emulator, service, logs };
}

/** Wait (in real time, briefly) until the server has seen a request to `route`. */
async function untilRequested(sim: ImmichSim, route: string): Promise<void> {
  for (let i = 0; i < 400 && !sim.requests.some((r) => r.route === route); i++)
    await new Promise((r) => setTimeout(r, 5));
  if (!sim.requests.some((r) => r.route === route)) throw new Error(`no ${route} request arrived`);
}

describe('a stuck sync (point 3)', () => {
  it('a long press abandons a sync that made no progress, and syncs again', async () => {
    const r = await rig();
    await r.service.start();
    await r.service.idle();
    r.sim.clearRequests();
    const trickle = r.sim.injectFault({ route: 'search', times: Infinity, fault: { kind: 'trickle', everyMs: 1000 } });
    r.service.press('long');
    await untilRequested(r.sim, 'search');
    expect(r.service.status.sync_running).toBe(true);
    // Soon after it started, a long press leaves a sync alone.
    r.service.press('long');
    expect(r.logs.some((l) => l.includes('a sync is already running'))).toBe(true);
    expect(r.service.status.sync_running).toBe(true);
    // Five quiet minutes later the next long press abandons it; the server is well again.
    r.clock.advance(5 * MINUTE);
    trickle.cancel();
    r.service.press('long');
    await r.service.idle();
    expect(r.logs.some((l) => l.includes('abandoning it and syncing again'))).toBe(true);
    expect(r.service.status.sync_running).toBe(false);
    expect(r.service.status.last_sync).toMatchObject({ ok: true, summary: '0 added, 0 updated, 0 removed, 3 kept' });
  });

  it('a sync past its deadline is abandoned and reported, and the frame keeps its schedule', async () => {
    const r = await rig({ service: { syncDeadlineMs: 10 * MINUTE } });
    await r.service.start();
    await r.service.idle();
    r.sim.injectFault({ route: 'search', times: Infinity, fault: { kind: 'trickle', everyMs: 1000 } });
    r.service.press('long');
    await untilRequested(r.sim, 'search');
    r.clock.advance(10 * MINUTE);
    await r.service.idle();
    expect(r.service.status.sync_running).toBe(false);
    expect(r.service.status.last_sync?.ok).toBe(false);
    expect(r.service.status.last_sync?.summary).toMatch(/did not finish within 10 min and was abandoned/);
    // A retry is scheduled, and the next photo tick too.
    expect(r.service.status.next_sync).not.toBeNull();
    expect(r.service.status.next_refresh).not.toBeNull();
  });
});

describe('storage that cannot be written (point 5)', () => {
  it.skipIf(skipReason !== null)(
    'on a read-only filesystem the frame starts, shows a cached photo, and says why syncs are off',
    async () => {
      const disk = await mountTmpfs(64 * 1024 * 1024);
      cleanups.push(() => disk.unmount());
      const r = await rig({ storage: disk.dir });
      await disk.readOnly();
      await r.service.start();
      await r.service.idle();
      expect(r.emulator.shown).toHaveLength(1);
      expect(r.service.status.sync_disabled).toMatch(/read-only/);
      r.service.press('long');
      await r.service.idle();
      expect(r.service.status.last_sync?.summary).toMatch(
        /^syncing is disabled: the filesystem holding .* is read-only/,
      );
      expect(r.service.status.sync_disabled).toMatch(/read-only/);
      expect(r.service.status.next_sync).not.toBeNull();
    },
  );
});

describe('a metadata file that turns unreadable (point 6)', () => {
  it('fails the sync with a clear error and the frame carries on', async () => {
    const r = await rig();
    await r.service.start();
    await r.service.idle();
    // A symlink loop: unreadable even for root (ELOOP), unlike a chmod.
    const meta = instancePaths(r.config).metadataPath;
    await unlink(meta);
    await symlink(path.basename(meta), meta);
    r.service.press('long');
    await r.service.idle();
    expect(r.service.status.sync_running).toBe(false);
    expect(r.service.status.last_sync?.ok).toBe(false);
    expect(r.service.status.last_sync?.summary).toContain('sync_metadata.json');
    expect(r.service.status.next_sync).not.toBeNull();
  });
});

describe('a clock that jumped back (point 7)', () => {
  it('a last refresh stamped a year ahead does not hold the next photo back', async () => {
    const r = await rig();
    const paths = instancePaths(r.config);
    const future = new Date(r.clock.now().getTime() + 365 * 24 * 60 * MINUTE).toISOString();
    const shown = { at: future, photo: 'x.jpg', reason: 'tick' };
    await writeFile(paths.serviceStatePath, '');
    await writeServiceState(paths, { ...initialServiceState(), last_refresh: shown, panel_shows: shown });
    await r.service.start();
    await r.service.idle();
    const next = Date.parse(r.service.status.next_refresh!);
    expect(next).toBeLessThanOrEqual(r.clock.now().getTime() + 60 * MINUTE);
    r.clock.advance(60 * MINUTE);
    await r.service.idle();
    expect(r.emulator.shown).toHaveLength(1);
  });
});
