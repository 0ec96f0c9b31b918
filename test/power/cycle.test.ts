// The battery wake cycle through the real frame (FrameHost and FrameService, the real driver into
// the panel emulator, a library synced from the simulated Immich) and a simulated wake board; the
// power-off is a recorded callback (tests never power anything off). Clock edge cases: quiet hours,
// a DST change, a board RTC behind the system clock, a wake with no network, a battery under each
// threshold, a relay wake where the board's alarm cannot reach the next refresh, a button pressed
// while awake.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { SpiPanel } from '../../drivers/spi-panel.js';
import type { Clock, Timer } from '../../src/core/clock.js';
import { parseConfig, type FrameConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/core/log.js';
import type { FrameEvent } from '../../src/frame/control.js';
import { FrameHost } from '../../src/frame/host.js';
import { FrameService } from '../../src/frame/service.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';
import type { WakeBoard } from '../../src/power/board.js';
import { fromBcd } from '../../src/power/board.js';
import { CHARGE_ME, WakeCycle } from '../../src/power/cycle.js';
import { PiSugar } from '../../src/power/pisugar.js';
import { KernelRtc } from '../../src/power/rtc.js';
import { WittyPi } from '../../src/power/witty-pi.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { PanelEmulator } from '../emulator/panel-emulator.js';
import { rtcFolder, startPiSugarSim, WittyPiRegisters, type PiSugarSim } from './sim-boards.js';

const PANEL = findPanel('waveshare-7in3e');
const DRIVER = driverFor(PANEL);
const PINS = HATS[DRIVER.hat].pins;
const SYNCED_AT = new Date('2026-06-01T00:00:00Z');

/** Wall time the test sets; a timer due now fires at once, later ones when the test advances. */
class TestClock implements Clock {
  private pending: { when: number; fn: () => void; cancelled: boolean }[] = [];
  constructor(public t: number) {}
  now(): Date {
    return new Date(this.t);
  }
  at(when: Date, fn: () => void): Timer {
    const p = { when: when.getTime(), fn, cancelled: false };
    if (p.when <= this.t) setImmediate(() => !p.cancelled && fn());
    else this.pending.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }
  advance(ms: number): void {
    this.t += ms;
    for (const p of this.pending.splice(0)) {
      if (p.cancelled) continue;
      if (p.when <= this.t) setImmediate(p.fn);
      else this.pending.push(p);
    }
  }
}

let sim: ImmichSim;
let albumId: string;
const savedTz = process.env.TZ;
beforeAll(async () => {
  process.env.TZ = 'Europe/Berlin';
  sim = await startImmichSim({ seed: 21 });
  albumId = (await seedSampleLibrary(sim, { count: 4, seed: 21, withVideo: false })).album.id;
});
afterAll(async () => {
  await sim.close();
  process.env.TZ = savedTz;
});
const pisugars: PiSugarSim[] = [];
afterEach(async () => {
  for (const s of pisugars.splice(0)) await s.close();
});

async function syncedConfig(extra: Record<string, unknown> = {}): Promise<FrameConfig> {
  const storage = await mkdtemp(path.join(os.tmpdir(), 'wake-'));
  const config = parseConfig({
    immich_url: sim.url,
    immich_api_key: sim.apiKey,
    album_id: albumId,
    storage_dir: storage,
    panel: PANEL.id,
    power: 'battery',
    ...extra,
  });
  const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await syncLibrary({ paths: instancePaths(config), source, config, now: () => SYNCED_AT });
  await source.close();
  return config;
}

interface Wake {
  cycle: WakeCycle;
  host: FrameHost<FrameConfig>;
  events: FrameEvent[];
  emulator: PanelEmulator;
  order: string[];
  run(): ReturnType<WakeCycle['run']>;
}

/** One wake of the frame at `clock`'s time, with `board`; a fresh process's worth of objects. */
async function wake(config: FrameConfig, clock: TestClock, board: WakeBoard, url = sim.url): Promise<Wake> {
  const emulator = new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS);
  const order: string[] = [];
  const logger = createLogger({ write: () => {} });
  let cycle: WakeCycle | null = null;
  const host = new FrameHost(
    (c: FrameConfig) =>
      new FrameService({
        config: c,
        panel: PANEL,
        openPanel: async () => new SpiPanel(DRIVER, emulator, PINS),
        createSource: () =>
          new ImmichClient({
            baseUrl: url,
            apiKey: sim.apiKey,
            retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
          }),
        clock,
        logger,
        wakeCycle: true,
        notice: () => cycle?.noticeText() ?? null,
        battery: () => board.battery(),
      }),
    logger,
  );
  const events: FrameEvent[] = [];
  host.subscribe((e) => {
    events.push(e);
    order.push(e.type);
  });
  await host.start(config);
  cycle = new WakeCycle({
    frame: host,
    board,
    config: config.battery,
    now: () => clock.now(),
    log: logger,
    stopFrame: async () => {
      await host.stop();
      order.push(emulator.isAsleep && emulator.closed ? 'panel asleep' : 'panel awake');
    },
    flush: async () => void order.push('flush'),
    powerOff: async () => void order.push('power off'),
    sleep: async (ms) => clock.advance(ms),
  });
  return { cycle, host, events, emulator, order, run: () => cycle!.run() };
}

const pisugarAt = async (clock: TestClock, o: { level?: number; plugged?: boolean; rtcOffsetMs?: number } = {}) => {
  const s = await startPiSugarSim({ ...o, now: () => clock.t });
  pisugars.push(s);
  return s;
};

describe('the battery wake cycle', () => {
  it('shows the photo first, then syncs, sets the alarm for the next refresh, sleeps the panel, flushes, powers off', async () => {
    const config = await syncedConfig();
    const clock = new TestClock(Date.parse('2026-06-01T09:00:00Z')); // 9 h after the sync: one is due
    const sugar = await pisugarAt(clock, { level: 80 });
    const w = await wake(config, clock, new PiSugar(sugar.address));
    const outcome = await w.run();
    expect(outcome).toMatchObject({ refreshed: true, synced: true, poweredOff: true, relay: false });
    expect(outcome.battery).toEqual({ level_pct: 80, charging: false, board: 'pisugar3' });
    expect(w.emulator.shown).toHaveLength(1);
    // The refresh before the sync; the power goes last, after the panel sleeps and the files are flushed.
    const seq = w.order.filter((e) => ['refreshed', 'sync-started', 'panel asleep', 'flush', 'power off'].includes(e));
    expect(seq).toEqual(['refreshed', 'sync-started', 'panel asleep', 'flush', 'power off']);
    // The next refresh is an hour on (refresh_interval_minutes 60); that is the alarm.
    expect(outcome.alarm).toBe('2026-06-01T10:00:00.000Z');
    expect(sugar.alarms).toEqual(['2026-06-01T10:00:00+00:00']);
  });

  it('a wake with no network still shows its photo, sets the alarm and powers off', async () => {
    const config = await syncedConfig();
    const clock = new TestClock(Date.parse('2026-06-01T09:00:00Z'));
    const dir = await rtcFolder(clock.now());
    const gone = await startImmichSim({ seed: 1 });
    const deadUrl = gone.url;
    await gone.close();
    const w = await wake(config, clock, new KernelRtc(dir), deadUrl);
    const outcome = await w.run();
    expect(outcome).toMatchObject({ refreshed: true, synced: true, poweredOff: true });
    expect(w.events.find((e) => e.type === 'sync-finished')).toMatchObject({ ok: false });
    expect(w.emulator.shown).toHaveLength(1);
    expect(Number(await readFile(path.join(dir, 'wakealarm'), 'utf8'))).toBe(Date.parse('2026-06-01T10:00:00Z') / 1000);
  });

  it('under no_sync_below_pct no sync runs; under charge_me_below_pct the photo carries "charge me" and no alarm is set', async () => {
    const config = await syncedConfig();
    const clock = new TestClock(Date.parse('2026-06-01T09:00:00Z'));
    const low = await pisugarAt(clock, { level: 20 });
    const w = await wake(config, clock, new PiSugar(low.address));
    const outcome = await w.run();
    expect(outcome).toMatchObject({ refreshed: true, synced: false, poweredOff: true });
    expect(w.order).not.toContain('sync-started');
    expect(low.alarms).toHaveLength(1);
    expect(w.cycle.noticeText()).toBeNull();

    clock.advance(3_600_000);
    const flat = await pisugarAt(clock, { level: 6 });
    const last = await wake(config, clock, new PiSugar(flat.address));
    const end = await last.run();
    expect(end).toMatchObject({ refreshed: true, synced: false, poweredOff: true, alarm: null });
    expect(last.cycle.noticeText()).toBe(CHARGE_ME);
    expect(flat.alarms).toHaveLength(0);
    expect(flat.requests).toContain('rtc_alarm_disable');
    // Charging lifts both limits.
    clock.advance(3_600_000);
    const charging = await pisugarAt(clock, { level: 6, plugged: true });
    const plugged = await wake(config, clock, new PiSugar(charging.address));
    expect(await plugged.run()).toMatchObject({ synced: true, alarm: '2026-06-01T12:00:00.000Z' });
  });

  it('a next refresh in the quiet hours wakes at their end, across the spring DST change (Witty Pi, local-time registers)', async () => {
    const config = await syncedConfig({ quiet_hours: '22:00-07:00', sync_interval_hours: 168 });
    // Saturday 28 March 2026, 21:30 in Berlin (CET, UTC+1); the clocks go forward that night.
    const clock = new TestClock(Date.parse('2026-03-28T20:30:00Z'));
    const regs = new WittyPiRegisters({ rtc: new Date(clock.t - 45_000) }); // the board RTC 45 s behind
    const board = new WittyPi({ bus: 1, open: () => regs.device(), emptyVolts: 3.3, fullVolts: 4.1 });
    const w = await wake(config, clock, board);
    const outcome = await w.run();
    // 07:00 CEST on the 29th is 05:00Z (not 06:00Z: the night was an hour shorter).
    expect(outcome.alarm).toBe('2026-03-29T05:00:00.000Z');
    // In the board's clock, 45 s earlier: 29th, 06:59:15 local.
    expect([regs.regs[30], regs.regs[29], regs.regs[28], regs.regs[27]].map((b) => fromBcd(b!))).toEqual([
      29, 6, 59, 15,
    ]);
  });

  it('a refresh beyond the board alarm reach wakes at a relay, which goes back to sleep without a refresh', async () => {
    const config = await syncedConfig({ refresh_interval_minutes: 2880, sync_interval_hours: 168 });
    const clock = new TestClock(Date.parse('2026-06-01T09:00:00Z'));
    const sugar = await pisugarAt(clock);
    const first = await wake(config, clock, new PiSugar(sugar.address));
    const one = await first.run();
    const horizon = new PiSugar(sugar.address).horizonMs;
    const due = Date.parse('2026-06-03T09:00:00Z');
    expect(one).toMatchObject({ refreshed: true, relay: true, alarm: new Date(due - horizon).toISOString() });

    clock.t = due - horizon + 20_000; // the relay wake, 20 s after its alarm (boot)
    const relay = await wake(config, clock, new PiSugar(sugar.address));
    const two = await relay.run();
    expect(two).toMatchObject({ refreshed: false, relay: false, alarm: new Date(due).toISOString(), poweredOff: true });
    expect(relay.emulator.shown).toHaveLength(0);
  });

  it('a button pressed while awake shows its photo (after the panel minimum) before the power goes', async () => {
    const config = await syncedConfig({ sync_interval_hours: 168 });
    const clock = new TestClock(Date.parse('2026-06-01T09:00:00Z'));
    const w = await wake(config, clock, new KernelRtc(await rtcFolder(clock.now())));
    w.events.length = 0;
    // The button goes down as the wake's photo reaches the glass.
    let pressed: Promise<void> | null = null;
    w.host.subscribe((e) => {
      if (e.type === 'refreshed' && e.frame.reason === 'power') pressed = w.cycle.press('short');
    });
    const outcome = await w.run();
    await pressed;
    const reasons = w.events.flatMap((e) => (e.type === 'refreshed' ? [e.frame.reason] : []));
    expect(reasons).toEqual(['power', 'button']);
    expect(w.emulator.shown).toHaveLength(2);
    expect(outcome.poweredOff).toBe(true);
    expect(w.order.indexOf('power off')).toBeGreaterThan(w.order.lastIndexOf('refreshed'));
  });

  it('an alarm that cannot be set keeps the frame on: no power-off', async () => {
    const config = await syncedConfig({ sync_interval_hours: 168 });
    const clock = new TestClock(Date.parse('2026-06-01T09:00:00Z'));
    const w = await wake(config, clock, new KernelRtc('/nonexistent/rtc0'));
    const outcome = await w.run();
    expect(outcome).toMatchObject({ refreshed: true, poweredOff: false, stayOn: true, alarm: null });
    expect(w.order).not.toContain('power off');
  });
});
