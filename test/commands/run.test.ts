// `artframe-immich run` as systemd starts it: a real process, JSON logs on stdout, the panel behind
// the trace transport, and a real SIGTERM, which must finish cleanly (exit 0, panel asleep).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { parseTrace } from '../../drivers/transports/trace.js';
import { parseConfig } from '../../src/config/config.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';
import { readServiceState } from '../../src/frame/state.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { runCli } from '../support/run-cli.js';
import { syncedConfig } from '../support/synced-config.js';
import { replayTrace } from '../emulator/panel-emulator.js';
import { instancePaths } from '../../src/library/instance.js';

const BIN = path.resolve('bin/artframe-immich.js');

describe('run', () => {
  it('shows a photo, then on SIGTERM leaves the panel asleep, saves its state and exits 0', async () => {
    const sim = await startImmichSim({ seed: 3 });
    try {
      const seeded = await seedSampleLibrary(sim, { count: 3, seed: 3, withVideo: false });
      const { dir, config, file } = await syncedConfig(sim, seeded.album.id, (folder) => ({
        panel: 'waveshare-7in3e',
        transport: `trace:${path.join(folder, 'panel.jsonl')}`,
      }));
      const tracePath = path.join(dir, 'panel.jsonl');

      const child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const shown = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          stdout += d;
          if (stdout.includes('"msg":"photo shown"')) resolve();
        });
        child.once('exit', () => reject(new Error(`run exited early:\n${stdout}\n${stderr}`)));
      });
      await shown;
      // While it runs, status reports the live frame: its pid, the photo on the glass, what is next.
      type Frame = { running: boolean; pid: number; next_refresh: string | null };
      let frame: Frame | undefined;
      // The state is saved just after the log line; wait for it rather than race it.
      for (let i = 0; i < 100 && !frame?.next_refresh; i++) {
        const live = await runCli(['status', '--json', '--config', file]);
        expect(live.code).toBe(0);
        frame = (JSON.parse(live.stdout) as { frame: Frame }).frame;
        if (!frame.next_refresh) await new Promise((r) => setTimeout(r, 50));
      }
      expect(frame!.running).toBe(true);
      expect(frame!.pid).toBe(child.pid);
      expect(Date.parse(frame!.next_refresh!) - Date.now()).toBeGreaterThan(55 * 60_000);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);

      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string });
      expect(lines.map((l) => l.msg)).toContain('frame stopped');
      expect(stdout + stderr).not.toContain(sim.apiKey);

      const driver = driverFor(findPanel('waveshare-7in3e'));
      const emu = await replayTrace(
        parseTrace(await readFile(tracePath, 'utf8')),
        CONTROLLERS[driver.name]!,
        HATS[driver.hat].pins,
      );
      expect(emu.shown).toHaveLength(1);
      expect(emu.isAsleep).toBe(true);
      expect(emu.closed).toBe(true);
      const state = await readServiceState(instancePaths(config));
      expect(state.running).toBe(false);
      expect(state.panel_shows).not.toBeNull();
      const after = await runCli(['status', '--config', file]);
      expect(after.stdout).toContain(`service      stopped (last started ${state.started_at})`);
      expect(after.stdout).toContain(`on panel     ${state.panel_shows!.photo}`);
    } finally {
      await sim.close();
    }
  });

  it('a bad config is exit code 2 with one line naming the key (systemd does not restart on 2)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'run-bad-'));
    const file = path.join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({ immich_url: 'http://x.invalid', immich_api_key: 'k-123456', panel: 'kindle' }),
    );
    const child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('panel = "kindle" is not allowed');
  });
});

describe('run: buttons and the panel share the GPIO header', () => {
  it('a button on a pin the panel uses is a config error naming both', async () => {
    const { buttonPinsFor } = await import('../../src/commands/run.js');
    const base = parseConfig({ immich_url: 'http://x.invalid', immich_api_key: 'k-123456' });
    expect(() => buttonPinsFor({ ...base, button_pins: [24] }, 'waveshare')).toThrow(
      "button_pins: BCM 24 is the panel's busy pin on the Waveshare e-Paper HAT / e-Paper Driver HAT",
    );
    expect(buttonPinsFor({ ...base, button_pins: [5] }, 'waveshare')).toEqual([5]);
    // Moving the panel's BUSY line frees BCM 24 for a button.
    expect(buttonPinsFor({ ...base, button_pins: [24], panel_pins: 'busy=23' }, 'waveshare')).toEqual([24]);
    // The Inky's own four buttons do not collide with its panel pins.
    expect(buttonPinsFor(base, 'inky')).toEqual([5, 6, 16, 24]);
    // On the Impression 13.3" BCM 16 is the second chip select: button C is on 25 there.
    expect(buttonPinsFor(base, 'inky-13in3')).toEqual([5, 6, 25, 24]);
    expect(() => buttonPinsFor({ ...base, button_pins: [16] }, 'inky-13in3')).toThrow(
      'button_pins: BCM 16 is the panel\'s cs1 pin on the Pimoroni Inky Impression 13.3"',
    );
    expect(buttonPinsFor(base, 'waveshare-13in3e')).toEqual([]);
  });
});
