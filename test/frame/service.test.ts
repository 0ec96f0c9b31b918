// The frame end to end: the service against the simulated Immich, the real driver speaking through
// the trace transport to the panel emulator, buttons fed as pin levels, and a manual clock. One
// story, in order: start offline (a cached photo at once), tick, button next, long-press sync
// with the server down, the server back with a new photo, SIGTERM (panel asleep).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { SpiPanel } from '../../drivers/spi-panel.js';
import type { Level } from '../../drivers/transports/transport.js';
import { parseTrace, TraceTransport } from '../../drivers/transports/trace.js';
import { watchGpioButtons, type GpioInputs } from '../../src/frame/button-input.js';
import { parseConfig, type FrameConfig } from '../../src/config/config.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { readMetadata } from '../../src/library/store.js';
import { syncLibrary } from '../../src/library/sync.js';
import { createLogger } from '../../src/core/log.js';
import { renderForPanel } from '../../src/render/pipeline.js';
import { renderOptionsFromConfig } from '../../src/render/options.js';
import { FrameService } from '../../src/frame/service.js';
import { readServiceState } from '../../src/frame/state.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { PanelEmulator, replayTrace } from '../emulator/panel-emulator.js';
import { ManualClock } from '../support/manual-clock.js';
import { instancePaths } from '../../src/library/instance.js';
import { calibratedPanel, inksFile, saveInksFile } from '../../src/calibration/inks-file.js';
import { differingUnit } from '../support/swatch-camera.js';

const SEED = 11;
const PANEL = findPanel('waveshare-7in3e');
const DRIVER = driverFor(PANEL);
const PINS = HATS[DRIVER.hat].pins;
const BUTTON = 5;

/** Pins a test can press: levels set by hand, watchers called as rpio.poll would. */
class PinBank implements GpioInputs {
  private levels = new Map<number, Level>();
  private watchers = new Map<number, (l: Level) => void>();
  openInput(pin: number, pull: 'up' | 'down' | 'off'): void {
    this.levels.set(pin, pull === 'up' ? 1 : 0);
  }
  read(pin: number): Level {
    return this.levels.get(pin) ?? 0;
  }
  watch(pin: number, onEdge: (l: Level) => void): () => void {
    this.watchers.set(pin, onEdge);
    return () => this.watchers.delete(pin);
  }
  close(pin: number): void {
    this.levels.delete(pin);
  }
  set(pin: number, level: Level): void {
    if (this.levels.get(pin) === level) return;
    this.levels.set(pin, level);
    this.watchers.get(pin)?.(level);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startSim(port = 0): Promise<{ sim: ImmichSim; albumId: string }> {
  const sim = await startImmichSim({ seed: SEED, port });
  const seeded = await seedSampleLibrary(sim, { count: 5, seed: SEED, withVideo: true });
  return { sim, albumId: seeded.album.id };
}

/** A simulated server and a library already synced from it (an earlier run of the frame). */
async function syncedFrame(
  prefix: string,
  extra: Record<string, unknown> = {},
): Promise<{ sim: ImmichSim; config: FrameConfig }> {
  const { sim, albumId } = await startSim();
  const storage = await mkdtemp(path.join(os.tmpdir(), prefix));
  const config = parseConfig({
    immich_url: sim.url,
    immich_api_key: sim.apiKey,
    album_id: albumId,
    storage_dir: storage,
    panel: PANEL.id,
    ...extra,
  });
  const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await syncLibrary({ paths: instancePaths(config), source, config });
  await source.close();
  return { sim, config };
}

/** A service on a manual clock whose panel is `panels` in turn (a reset opens the next one). */
function frameService(
  sim: ImmichSim,
  config: FrameConfig,
  panels: PanelEmulator[],
  clock = new ManualClock(new Date('2026-11-25T09:00:00Z')),
): FrameService {
  return new FrameService({
    config,
    panel: PANEL,
    openPanel: async () => new SpiPanel(DRIVER, panels.length > 1 ? panels.shift()! : panels[0]!, PINS),
    createSource: () => new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey }),
    clock,
    logger: createLogger({ write: () => {} }),
  });
}

describe('the frame service, end to end', () => {
  let sim: ImmichSim;
  let port: number;
  let albumId: string;
  let config: FrameConfig;
  let clock: ManualClock;
  let emulator: PanelEmulator;
  let service: FrameService;
  let pins: PinBank;
  let stopButtons: () => void;
  let buttonMs = 0;

  /** Press the button, hold it `ms` on the buttons' clock (past the 5 ms debounce), release it. */
  async function hold(ms: number): Promise<void> {
    pins.set(BUTTON, 0);
    buttonMs += 10;
    await sleep(20); // the debounce settles: pressed
    buttonMs += ms - 10;
    await sleep(80); // a pending long-press wait (at most 60 ms) fires
    pins.set(BUTTON, 1);
    buttonMs += 10;
    await sleep(20); // the release settles
  }
  const trace: string[] = [];
  const logs: string[] = [];
  const expectedPhotos: string[] = [];

  const client = () =>
    new ImmichClient({
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    });

  /** The frame the emulator should have received for a photo: the same render, done here. */
  async function expectFrame(n: number, photo: string) {
    const frame = await renderForPanel(photo, PANEL, renderOptionsFromConfig(config));
    expect(emulator.shown).toHaveLength(n);
    expect(Buffer.from(emulator.shown[n - 1]!).equals(Buffer.from(frame.indices))).toBe(true);
  }

  async function photosByCaptureTime(): Promise<string[]> {
    const read = await readMetadata(instancePaths(config));
    if (read.kind !== 'ok') throw new Error('no metadata');
    return Object.values(read.metadata.synced_assets)
      .sort((a, b) => b.file_created_at.localeCompare(a.file_created_at))
      .map((e) => path.join(instancePaths(config).photosDir, e.local_path));
  }

  beforeAll(async () => {
    ({ sim, albumId } = await startSim());
    port = Number(new URL(sim.url).port);
    const storage = await mkdtemp(path.join(os.tmpdir(), 'frame-e2e-'));
    config = parseConfig({
      immich_url: sim.url,
      immich_api_key: sim.apiKey,
      album_id: albumId,
      storage_dir: storage,
      selection_mode: 'newest',
      refresh_interval_minutes: 60,
      sync_interval_hours: 6,
      panel: PANEL.id,
      transport: 'trace:unused',
    });
    clock = new ManualClock(new Date('2026-11-25T09:00:00Z'));
    // An earlier run synced the album; then the server went away.
    const source = client();
    await syncLibrary({ paths: instancePaths(config), source, config, now: () => clock.now() });
    await source.close();
    await sim.close();

    emulator = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS);
    service = new FrameService({
      config,
      panel: PANEL,
      openPanel: async () =>
        new SpiPanel(DRIVER, new TraceTransport((l) => void trace.push(l), PINS, { inner: emulator }), PINS),
      createSource: client,
      clock,
      logger: createLogger({ write: (l) => void logs.push(l) }),
      rng: () => 0.5,
      pid: 4242,
    });
    pins = new PinBank();
    // Short thresholds keep the test quick; the debounce logic itself is proven in buttons.test.ts.
    // The buttons run on their own clock, moved by hand: a press lasts exactly as long as the test
    // says, however slow the machine. Real time only lets their timers fire (Node runs timers in
    // the order they fall due, so a sleep longer than a pending wait always comes after it).
    stopButtons = watchGpioButtons(
      pins,
      [BUTTON],
      (kind) => service.press(kind),
      { debounceMs: 5, longPressMs: 60 },
      () => buttonMs,
    );
  });

  afterAll(async () => {
    stopButtons?.();
    await service?.stop();
    await sim?.close().catch(() => {});
  });

  it('starts offline and shows the newest cached photo at once', async () => {
    await service.start();
    await service.idle();
    const photos = await photosByCaptureTime();
    expectedPhotos.push(...photos);
    await expectFrame(1, photos[0]!);
    expect(emulator.isAsleep).toBe(true);
    expect(service.status.next_refresh).toBe('2026-11-25T10:00:00.000Z');
    // The sync is not due for six hours: nothing tried to reach the (absent) server.
    expect(service.status.next_sync).toBe('2026-11-25T15:00:00.000Z');
  });

  it('a tick shows the next photo', async () => {
    clock.advanceTo(new Date('2026-11-25T10:00:00Z'));
    await service.idle();
    await expectFrame(2, expectedPhotos[1]!);
  });

  it('a short press shows the next photo, once the panel minimum interval has passed', async () => {
    clock.advance(30_000);
    await hold(10);
    await service.idle();
    expect(emulator.shown).toHaveLength(2); // the panel needs 180 s between refreshes
    clock.advanceTo(new Date('2026-11-25T10:03:00Z'));
    await service.idle();
    await expectFrame(3, expectedPhotos[2]!);
    expect(service.status.next_refresh).toBe('2026-11-25T11:03:00.000Z');
  });

  it('a long press syncs; with the server down the sync fails clearly and the frame carries on', async () => {
    await hold(120);
    await service.idle();
    const state = service.status;
    expect(state.last_sync?.ok).toBe(false);
    expect(state.last_sync?.summary).toMatch(/cannot reach the Immich server at http:\/\/127\.0\.0\.1:\d+/);
    expect(state.sync_failures).toBe(1);
    expect(state.next_sync).not.toBeNull();
    expect(emulator.shown).toHaveLength(3); // a long press is not a refresh
    expect(logs.join('\n')).not.toContain(config.immich_api_key);
  });

  it('when the server is back, the retry syncs a new photo and, being newest, it comes next', async () => {
    ({ sim } = await startSim(port));
    const bytes = await readFile(expectedPhotos[0]!);
    const fresh = sim.addAsset({
      bytes: Buffer.concat([bytes, Buffer.from('new')]),
      originalFileName: 'new_arrival.jpg',
      fileCreatedAt: '2030-01-01T12:00:00.000Z',
    });
    sim.addToAlbum(albumId, [fresh.id]);
    clock.advanceTo(new Date(service.status.next_sync!));
    await service.idle();
    expect(service.status.last_sync?.ok).toBe(true);
    expect(service.status.last_sync?.summary).toBe('1 added, 0 updated, 0 removed, 5 kept');
    expect(service.status.sync_failures).toBe(0);
    const newest = (await photosByCaptureTime())[0]!;
    expect(path.basename(newest)).toBe('new_arrival.jpg');
    clock.advanceTo(new Date('2026-11-25T11:03:00Z'));
    await service.idle();
    await expectFrame(4, newest);
  });

  it('SIGTERM leaves the panel asleep and saves the state; a restart does not refresh again', async () => {
    await service.stop();
    expect(emulator.isAsleep).toBe(true);
    const saved = await readServiceState(instancePaths(config));
    expect(saved.running).toBe(false);
    expect(saved.panel_shows?.photo).toMatch(/new_arrival\.jpg$/);

    // The whole trace replays cleanly into a fresh emulator: the same four frames, no violation.
    const replayed = await replayTrace(parseTrace(trace.join('\n')), CONTROLLERS[DRIVER.name]!, PINS);
    expect(replayed.shown).toHaveLength(4);

    // The panel still shows our photo, so a new start leaves it alone until the next tick.
    const again = new FrameService({
      config,
      panel: PANEL,
      openPanel: async () => new SpiPanel(DRIVER, new TraceTransport(() => {}, PINS, { inner: emulator }), PINS),
      createSource: client,
      clock,
      logger: createLogger({ write: () => {} }),
    });
    await again.start();
    await again.idle();
    expect(emulator.shown).toHaveLength(4);
    await again.stop();
  });
});

describe('the frame service, alone', () => {
  it('with an empty library it shows nothing, syncs, then shows the first photo', async () => {
    const { sim, albumId } = await startSim();
    try {
      const storage = await mkdtemp(path.join(os.tmpdir(), 'frame-first-'));
      const config = parseConfig({
        immich_url: sim.url,
        immich_api_key: sim.apiKey,
        album_id: albumId,
        storage_dir: storage,
        panel: PANEL.id,
      });
      const emulator = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS);
      const service = frameService(sim, config, [emulator]);
      await service.start();
      await service.idle();
      expect(emulator.shown).toHaveLength(1);
      expect(service.status.last_sync?.summary).toBe('5 added, 0 updated, 0 removed, 0 kept');
      await service.stop();
    } finally {
      await sim.close();
    }
  });

  it('a damaged photo is skipped and the next one is shown', async () => {
    const { sim, config } = await syncedFrame('frame-damaged-', { selection_mode: 'oldest' });
    try {
      const read = await readMetadata(instancePaths(config));
      if (read.kind !== 'ok') throw new Error('no metadata');
      const byAge = Object.values(read.metadata.synced_assets).sort((a, b) =>
        a.file_created_at.localeCompare(b.file_created_at),
      );
      // The oldest photo's file is damaged on disk (a bad SD card): it cannot be rendered.
      await writeFile(path.join(instancePaths(config).photosDir, byAge[0]!.local_path), 'not an image any more');
      const emulator = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS);
      const service = frameService(sim, config, [emulator]);
      await service.start();
      await service.idle();
      const second = path.join(instancePaths(config).photosDir, byAge[1]!.local_path);
      const frame = await renderForPanel(second, PANEL, renderOptionsFromConfig(config));
      expect(emulator.shown).toHaveLength(1);
      expect(Buffer.from(emulator.shown[0]!).equals(Buffer.from(frame.indices))).toBe(true);
      await service.stop();
    } finally {
      await sim.close();
    }
  });
});

describe('the frame service and calibrated inks', () => {
  it("renders with the frame's own inks once they are saved, read at the refresh", async () => {
    const { sim, config } = await syncedFrame('frame-inks-', { selection_mode: 'oldest' });
    try {
      const paths = instancePaths(config);
      const unit = differingUnit(PANEL);
      const file = inksFile(
        PANEL,
        PANEL.colours.map((c) => ({ name: c.name, rgb: unit[c.name]! })),
        'photo',
      );
      // Saved while the service is constructed but before its first refresh, as `calibrate --save` would.
      const emulator = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS);
      const service = frameService(sim, config, [emulator]);
      await saveInksFile(paths, file);
      await service.start();
      await service.idle();
      const read = await readMetadata(paths);
      if (read.kind !== 'ok') throw new Error('no metadata');
      const oldest = Object.values(read.metadata.synced_assets).sort((a, b) =>
        a.file_created_at.localeCompare(b.file_created_at),
      )[0]!;
      const photo = path.join(paths.photosDir, oldest.local_path);
      const own = await renderForPanel(photo, calibratedPanel(PANEL, file), renderOptionsFromConfig(config));
      const catalogue = await renderForPanel(photo, PANEL, renderOptionsFromConfig(config));
      expect(emulator.shown).toHaveLength(1);
      expect(Buffer.from(emulator.shown[0]!).equals(Buffer.from(own.indices))).toBe(true);
      expect(Buffer.from(own.indices).equals(Buffer.from(catalogue.indices))).toBe(false);
      await service.stop();
    } finally {
      await sim.close();
    }
  });
});

describe('the frame service and a panel that stops answering', () => {
  it('resets the panel, tries again, shows the photo and reports it in the status', async () => {
    const { sim, config } = await syncedFrame('frame-busy-');
    try {
      // The first time, BUSY never releases (a loose cable); after the reset the panel answers.
      const stuck = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS, { stuckBusy: true });
      const healthy = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS);
      const service = frameService(sim, config, [stuck, healthy]);
      await service.start();
      await service.idle();
      expect(stuck.shown).toHaveLength(0);
      expect(healthy.shown).toHaveLength(1);
      expect(service.status.panel_resets).toBe(1);
      expect(service.status.panel_error).toMatch(
        /panel did not become ready in 40 s.*check the HAT's wiring and its switches/,
      );
      expect((await readServiceState(instancePaths(config))).panel_resets).toBe(1);
      await service.stop();
    } finally {
      await sim.close();
    }
  });

  it('when the reset does not help either, the refresh error is recorded and the frame keeps running', async () => {
    const { sim, config } = await syncedFrame('frame-dead-');
    try {
      const service = frameService(sim, config, [
        new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS, { stuckBusy: true }),
      ]);
      await service.start();
      await service.idle();
      expect(service.status.last_refresh_error).toMatch(/panel did not become ready/);
      expect(service.status.panel_resets).toBe(1);
      // The next tick is still armed: the frame tries again instead of giving up or spinning.
      expect(service.status.next_refresh).toBe('2026-11-25T10:00:00.000Z');
      await service.stop();
    } finally {
      await sim.close();
    }
  });
});
