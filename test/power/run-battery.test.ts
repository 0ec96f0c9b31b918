// `run` with power "battery" as systemd starts it at boot: a real process that shows a photo, sets
// the kernel RTC's wake alarm (a simulated sysfs folder), leaves the panel asleep and runs the
// injected power-off command (here: a script that records that it ran), then exits 0.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { parseTrace } from '../../drivers/transports/trace.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { replayTrace } from '../emulator/panel-emulator.js';
import { syncedConfig } from '../support/synced-config.js';
import { rtcFolder } from './sim-boards.js';

const BIN = path.resolve('bin/artframe-immich.js');

describe('run, power "battery"', () => {
  it('one wake: photo, wake alarm, panel asleep, power-off command, exit 0', async () => {
    const sim = await startImmichSim({ seed: 4 });
    try {
      const seeded = await seedSampleLibrary(sim, { count: 3, seed: 4, withVideo: false });
      const dir = await mkdtemp(path.join(os.tmpdir(), 'run-battery-'));
      const rtc = await rtcFolder(new Date());
      const marker = path.join(dir, 'powered-off');
      const { config, file } = await syncedConfig(sim, seeded.album.id, {
        panel: 'waveshare-7in3e',
        transport: `trace:${path.join(dir, 'panel.jsonl')}`,
        power: 'battery',
        battery: {
          wake: 'rtc',
          rtc_dir: rtc,
          poweroff_command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'off')`],
        },
      });

      const started = Date.now();
      const child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, stderr).toBe(0);
      const msgs = stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg);
      expect(msgs.indexOf('photo shown')).toBeLessThan(msgs.indexOf('wake alarm set'));
      expect(msgs.indexOf('panel asleep')).toBeLessThan(msgs.indexOf('powering off'));
      expect(await readFile(marker, 'utf8')).toBe('off');
      // The next refresh an hour on, in the RTC's clock.
      const alarm = Number(await readFile(path.join(rtc, 'wakealarm'), 'utf8')) * 1000;
      expect(alarm - started).toBeGreaterThan(59 * 60_000);
      expect(alarm - started).toBeLessThan(61 * 60_000 + 30_000);
      const driver = driverFor(findPanel('waveshare-7in3e'));
      const emu = await replayTrace(
        parseTrace(await readFile(path.join(dir, 'panel.jsonl'), 'utf8')),
        CONTROLLERS[driver.name]!,
        HATS[driver.hat].pins,
      );
      expect(emu.shown).toHaveLength(1);
      expect(emu.isAsleep).toBe(true);
      expect((await stat(instancePaths(config).serviceStatePath)).size).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });
});
