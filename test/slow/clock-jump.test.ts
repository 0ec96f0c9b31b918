// A wall clock set back a day while `run` is up (issue 21, point 9): a real process whose clock a
// preload moves (Date, as the timers and the state read it; the monotonic clock is untouched, as
// with a real `date -s`). The next refresh still comes one interval after the last (the panel's
// 180 s minimum), not a day later, and the status's next_refresh follows the new time. Slow: the
// panel allows one refresh every 3 minutes.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readServiceState } from '../../src/frame/state.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncedConfig } from '../support/synced-config.js';

const BIN = path.resolve('bin/artframe-immich.js');
const DAY = 24 * 3_600_000;

/** Moves Date (now and new Date()) by JUMP_MS when the process gets SIGUSR2. */
const PRELOAD = `
const RealDate = Date;
let offset = 0;
class ShiftedDate extends RealDate {
  constructor(...a) { super(...(a.length ? a : [RealDate.now() + offset])); }
  static now() { return RealDate.now() + offset; }
}
globalThis.Date = ShiftedDate;
process.on('SIGUSR2', () => { offset = Number(process.env.JUMP_MS); });
`;

describe('a wall clock set back a day (point 9)', () => {
  it('the next refresh comes one interval after the last, on the monotonic clock', async () => {
    const sim = await startImmichSim({ seed: 9 });
    try {
      const seeded = await seedSampleLibrary(sim, { count: 3, seed: 9, withVideo: false });
      const { dir, config, file } = await syncedConfig(sim, seeded.album.id, (folder) => ({
        panel: 'waveshare-7in3e',
        transport: `trace:${path.join(folder, 'panel.jsonl')}`,
        refresh_interval_minutes: 3,
        sync_interval_hours: 24,
      }));
      const preload = path.join(dir, 'shift.mjs');
      await writeFile(preload, PRELOAD);

      const child = spawn(process.execPath, ['--import', preload, BIN, 'run', '--config', file], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, JUMP_MS: String(-DAY) },
      });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      const shownCount = () => stdout.split('"msg":"photo shown"').length - 1;
      const waitFor = async (ok: () => boolean, ms: number) => {
        const until = Date.now() + ms;
        while (!ok() && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
        return ok();
      };
      try {
        expect(await waitFor(() => shownCount() >= 1, 30_000)).toBe(true);
        const firstAt = Date.now();
        child.kill('SIGUSR2');
        // One interval (3 min) after the first, with room for a slow machine.
        expect(await waitFor(() => shownCount() >= 2, 240_000)).toBe(true);
        expect(Date.now() - firstAt).toBeGreaterThan(170_000);
        const state = await readServiceState(instancePaths(config));
        // next_refresh follows the clock as it now reads: about a day before the real time.
        const next = Date.parse(state.next_refresh!);
        expect(next).toBeLessThan(Date.now() - DAY + 10 * 60_000);
        expect(next).toBeGreaterThan(Date.now() - DAY);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    } finally {
      await sim.close();
    }
  }, 300_000);
});
