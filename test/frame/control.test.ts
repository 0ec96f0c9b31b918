// The frame's one way in: commands and events through the real service, on the virtual panel (the
// PNG a door shows must be the PNG the glass would show), against a library synced from the
// simulated Immich, on a clock moved by hand. And the one pick: the hide list holds for the
// service, `next` and `show` alike.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { openPanel } from '../../drivers/registry.js';
import { parseConfig, type FrameConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/core/log.js';
import { parseFrameCommand, type FrameEvent } from '../../src/frame/control.js';
import { FrameHost } from '../../src/frame/host.js';
import { FrameService } from '../../src/frame/service.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { readMetadata } from '../../src/library/store.js';
import { syncLibrary } from '../../src/library/sync.js';
import { ManualClock } from '../support/manual-clock.js';
import { runCli } from '../support/run-cli.js';

const PANEL = findPanel('waveshare-7in3e');
const MIN_INTERVAL_MS = PANEL.minRefreshIntervalSeconds * 1000;

let sim: ImmichSim;
let storage: string;
let base: FrameConfig;
let ids: string[];

beforeAll(async () => {
  sim = await startImmichSim({ seed: 5 });
  const seeded = await seedSampleLibrary(sim, { count: 6, seed: 5 });
  storage = await mkdtemp(path.join(os.tmpdir(), 'frame-control-'));
  base = parseConfig({
    immich_url: sim.url,
    immich_api_key: sim.apiKey,
    album_id: seeded.album.id,
    storage_dir: storage,
    selection_mode: 'newest',
    panel: PANEL.id,
    transport: `virtual:${path.join(storage, 'glass.png')}`,
    portrait_pairs: false,
    caption: [],
  });
  const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await syncLibrary({ paths: instancePaths(base), source, config: base });
  await source.close();
  const read = await readMetadata(instancePaths(base));
  if (read.kind !== 'ok') throw new Error('no metadata');
  ids = Object.keys(read.metadata.synced_assets);
});

afterAll(async () => {
  await sim.close();
});

/** A frame of its own (instance), its events, on a clock moved by hand. */
async function frame(instance: string, extra: Record<string, unknown> = {}) {
  const config = parseConfig({ ...base, instance_id: 'default', ...extra });
  // Each frame gets a copy of the synced instance, so hide lists and rounds do not mix.
  const dir = instancePaths({ storage_dir: storage, instance_id: instance }).instanceDir;
  await import('node:fs/promises').then((fs) =>
    fs.cp(instancePaths(base).instanceDir, dir, { recursive: true, force: true }),
  );
  const glass = path.join(storage, `${instance}.png`);
  const cfg = parseConfig({ ...config, instance_id: instance, transport: `virtual:${glass}` });
  // Now: the library was synced a moment ago, so no sync is due at start.
  const clock = new ManualClock(new Date());
  const events: FrameEvent[] = [];
  const make = (c: FrameConfig) =>
    new FrameService({
      config: c,
      panel: PANEL,
      openPanel: () => openPanel(PANEL, c.transport, { rotate: c.rotate }),
      createSource: () => new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey }),
      clock,
      logger: createLogger({ write: () => {} }),
    });
  const host = new FrameHost(make, createLogger({ write: () => {} }));
  host.subscribe((e) => void events.push(e));
  await host.start(cfg);
  return { host, clock, events, glass, config: cfg };
}

type Frame = Awaited<ReturnType<typeof frame>>;

/** Move past the panel's minimum interval and let the refresh a command queued run. */
async function settle(f: Frame): Promise<void> {
  f.clock.advanceTo(new Date(f.clock.now().getTime() + MIN_INTERVAL_MS + 1000));
  await f.host.idle();
}

function refreshed(f: Frame) {
  return f.events.filter((e): e is FrameEvent & { type: 'refreshed' } => e.type === 'refreshed');
}

describe('the frame through its one way in', () => {
  let f: Frame;
  beforeEach(async () => {
    f = await frame(`i${Math.random().toString(36).slice(2, 8)}`);
  });

  it('the PNG a door is given is the PNG the glass shows, and its facts name the photo', async () => {
    const shown = await f.host.framePng();
    expect(shown).not.toBeNull();
    expect(shown!.png.equals(await readFile(f.glass))).toBe(true);
    expect(ids).toContain(shown!.frame.photos[0]!.id);
    expect(shown!.frame.why).toMatch(/newest/);
    await f.host.stop();
  });

  it('next waits for the panel minimum, says when, then shows a new frame and tells every door', async () => {
    const first = f.host.snapshot().shown!.photos[0]!.id;
    const outcome = await f.host.command({ type: 'next' }, 'test');
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && outcome.message).toMatch(/^next photo in \d+ min( \d+ s)?: the panel needs 3 min/);
    expect(refreshed(f)).toHaveLength(1); // the start's own refresh only
    await settle(f);
    const after = refreshed(f);
    expect(after).toHaveLength(2);
    expect(after[1]!.frame.reason).toBe('test');
    expect(after[1]!.frame.photos[0]!.id).not.toBe(first);
    const png = await f.host.framePng();
    expect(png!.frame.seq).toBe(after[1]!.frame.seq);
    expect(png!.png.equals(await readFile(f.glass))).toBe(true);
    await f.host.stop();
  });

  it('previous goes back to the photo shown before, and refuses when there is none', async () => {
    expect((await f.host.command({ type: 'previous' }, 'test')).ok).toBe(false);
    const first = f.host.snapshot().shown!.photos[0]!.id;
    await f.host.command({ type: 'next' }, 'test');
    await settle(f);
    expect(f.host.snapshot().shown!.photos[0]!.id).not.toBe(first);
    const back = await f.host.command({ type: 'previous' }, 'test');
    expect(back.ok).toBe(true);
    await settle(f);
    expect(f.host.snapshot().shown!.photos[0]!.id).toBe(first);
    await f.host.stop();
  });

  it('pause holds the photo through scheduled ticks and a restart; resume arms the schedule again', async () => {
    const held = f.host.snapshot().shown!.photos[0]!.id;
    await f.host.command({ type: 'pause' }, 'test');
    expect(f.host.snapshot().paused).toBe(true);
    expect(f.host.snapshot().next_refresh).toBeNull();
    f.clock.advanceTo(new Date(f.clock.now().getTime() + 5 * 3_600_000));
    await settle(f);
    expect(refreshed(f)).toHaveLength(1);
    await f.host.restart(f.config);
    expect(f.host.snapshot().paused).toBe(true);
    expect((await f.host.framePng())!.frame.photos[0]!.id).toBe(held);
    await f.host.command({ type: 'resume' }, 'test');
    expect(f.host.snapshot().next_refresh).not.toBeNull();
    f.clock.advanceTo(new Date(f.clock.now().getTime() + 2 * 3_600_000));
    await settle(f);
    expect(refreshed(f).length).toBeGreaterThan(1);
    await f.host.stop();
  });

  it('show puts the named photo on the glass; an unknown id is refused with a code', async () => {
    const target = ids.find((id) => id !== f.host.snapshot().shown!.photos[0]!.id)!;
    const outcome = await f.host.command({ type: 'show', photo: target }, 'test');
    expect(outcome.ok).toBe(true);
    await settle(f);
    expect(f.host.snapshot().shown!.photos[0]!.id).toBe(target);
    const missing = await f.host.command({ type: 'show', photo: '00000000-0000-4000-8000-000000000000' }, 'test');
    expect(missing).toMatchObject({ ok: false, code: 'PHOTO_NOT_FOUND' });
    await f.host.stop();
  });

  it('a hidden photo leaves the glass and never comes back, through restarts and every round', async () => {
    const hidden = f.host.snapshot().shown!.photos[0]!.id;
    const outcome = await f.host.command({ type: 'hide', photo: hidden }, 'test');
    expect(outcome.ok && outcome.message).toMatch(/^hidden; it will not be shown again/);
    await settle(f);
    const seen = new Set<string>();
    // A whole round and more, with a restart inside it.
    for (let i = 0; i < ids.length + 1; i++) {
      seen.add(f.host.snapshot().shown!.photos[0]!.id);
      await f.host.command({ type: 'next' }, 'test');
      await settle(f);
      if (i === 2) await f.host.restart(f.config);
    }
    expect(seen.has(hidden)).toBe(false);
    expect(seen.size).toBe(ids.length - 1);
    expect((await f.host.health()).library.hidden).toBe(1);
    await f.host.command({ type: 'unhide', photo: hidden }, 'test');
    expect((await f.host.health()).library.hidden).toBe(0);
    await f.host.stop();
  }, 120_000);

  it('health is one record for every door: library, disk, panel, version, no battery board here', async () => {
    const h = await f.host.health();
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(h.version).toBe(pkg.version);
    expect(h.library).toMatchObject({ photos: ids.length, hidden: 0, sync_running: false });
    expect(h.library.last_sync).not.toBeNull();
    expect(h.disk.free_bytes).toBeGreaterThan(0);
    expect(h.disk.library_bytes).toBeGreaterThan(0);
    expect(h.panel).toMatchObject({ id: PANEL.id, resets: 0, answering: true });
    expect(h.panel.last_refresh).toBe(f.host.snapshot().last_refresh!.at);
    expect(h.battery).toBeNull();
    expect(h.storage_problem).toBeNull();
    await f.host.stop();
  });

  it('sync now: the doors see it start, progress and finish', async () => {
    const outcome = await f.host.command({ type: 'sync' }, 'test');
    expect(outcome).toMatchObject({ ok: true, message: 'syncing now' });
    await settle(f);
    const types = f.events.map((e) => e.type);
    expect(types).toContain('sync-started');
    expect(types).toContain('sync-progress');
    const done = f.events.find((e) => e.type === 'sync-finished');
    expect(done).toMatchObject({ ok: true });
    await f.host.stop();
  });

  it('a stopped frame refuses commands with a code, and a door that throws does not stop the frame', async () => {
    f.host.subscribe(() => {
      throw new Error('a broken door');
    });
    await f.host.command({ type: 'next' }, 'test');
    await settle(f);
    expect(refreshed(f)).toHaveLength(2);
    await f.host.stop();
    expect(await f.host.command({ type: 'next' }, 'test')).toMatchObject({ ok: false, code: 'FRAME_STOPPED' });
  });
});

describe("a door's words", () => {
  it('are validated once for every door: known commands, photo ids, never paths', () => {
    expect(parseFrameCommand({ type: 'next' })).toEqual({ type: 'next' });
    expect(parseFrameCommand({ type: 'show', photo: 'a1b2c3d4-0000-4000-8000-000000000000' })).toMatchObject({
      type: 'show',
    });
    expect(parseFrameCommand({ type: 'show', photo: '../../etc/passwd' })).toMatch(/photo id/);
    expect(parseFrameCommand({ type: 'hide', photo: 'file:../x.jpg' })).toMatch(/photo id/);
    expect(parseFrameCommand({ type: 'reboot' })).toMatch(/^unknown command; expected one of next, previous/);
    expect(parseFrameCommand('next')).toMatch(/^unknown command/);
  });
});

describe('one pick for every door', () => {
  it('next and show (without a photo) never pick a hidden photo, as the service does not', async () => {
    const instance = 'cli-hide';
    const dir = instancePaths({ storage_dir: storage, instance_id: instance }).instanceDir;
    const fs = await import('node:fs/promises');
    await fs.cp(instancePaths(base).instanceDir, dir, { recursive: true, force: true });
    const glass = path.join(storage, 'cli-hide.png');
    const configFile = path.join(storage, 'cli-hide.json');
    await writeFile(
      configFile,
      JSON.stringify({ ...base, instance_id: instance, transport: `virtual:${glass}`, selection_mode: 'sequential' }),
    );
    // Hidden through the frame's own door, then picked through the CLI's.
    const f = await frame(instance, { selection_mode: 'sequential' });
    const hidden = ids[1]!;
    await f.host.command({ type: 'hide', photo: hidden }, 'test');
    await f.host.stop();
    const picked: string[] = [];
    for (let i = 0; i < ids.length * 2; i++) {
      const r = await runCli(['next', '--json', '--config', configFile]);
      expect(r.code).toBe(0);
      picked.push((JSON.parse(r.stdout) as { id: string }).id);
    }
    expect(picked).not.toContain(hidden);
    expect(new Set(picked).size).toBe(ids.length - 1);
    for (let i = 0; i < ids.length; i++) {
      const r = await runCli(['show', '--json', '--config', configFile]);
      expect(r.code).toBe(0);
      const shown = (JSON.parse(r.stdout) as { photo: string }).photo;
      const read = await readMetadata(instancePaths({ storage_dir: storage, instance_id: instance }));
      if (read.kind !== 'ok') throw new Error('no metadata');
      expect(path.basename(shown)).not.toBe(read.metadata.synced_assets[hidden]!.local_path);
    }
  });
});
