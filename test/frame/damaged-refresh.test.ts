// A damaged photo found at a later refresh (issue 21, point 12): the service re-arms its sync for
// the refetch (within the hour, as when found at start) instead of waiting out the interval, and
// the frame's next sync is the library's. The service on a manual clock, the simulator, real files.
import { readFile, writeFile } from 'node:fs/promises';
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
import { libraryStatus } from '../../src/library/status.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { PanelEmulator } from '../emulator/panel-emulator.js';
import { startFrame } from '../support/frame-sim.js';
import { ManualClock } from '../support/manual-clock.js';

const PANEL = findPanel('waveshare-7in3e');
const DRIVER = driverFor(PANEL);
const PINS = HATS[DRIVER.hat].pins;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

describe('a damaged photo found at a later refresh (point 12)', () => {
  it('the sync is re-armed for the refetch within the hour, and the frame and library agree on it', async () => {
    const f = await startFrame({ count: 4, withVideo: false });
    cleanups.push(() => f.close());
    f.config = { ...f.config, selection_mode: 'oldest', sync_interval_hours: 24, panel: PANEL.id };
    await f.sync();
    const clock = new ManualClock(new Date());
    const service = new FrameService({
      config: f.config,
      panel: PANEL,
      openPanel: async () => new SpiPanel(DRIVER, new PanelEmulator(CONTROLLERS[DRIVER.name]!, PINS), PINS),
      createSource: () => new ImmichClient({ baseUrl: f.sim.url, apiKey: f.sim.apiKey }),
      clock,
      logger: createLogger({ write: () => {} }),
    });
    cleanups.push(() => service.stop());
    await service.start();
    await service.idle();
    const before = await readServiceState(f.paths);
    // A day away: the interval.
    expect(Date.parse(before.next_sync!) - clock.now().getTime()).toBeGreaterThan(23 * 3_600_000);

    // The second-oldest photo, the next to be shown, rots on the card.
    const byAge = Object.values((await f.metadata()).synced_assets).sort((a, b) =>
      a.file_created_at.localeCompare(b.file_created_at),
    );
    const file = path.join(f.paths.photosDir, byAge[1]!.local_path);
    const bytes = await readFile(file);
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 8; i++) bytes[i] = bytes[i]! ^ 0x55;
    await writeFile(file, bytes);

    f.sim.clearRequests();
    clock.advance(61 * 60_000);
    for (let i = 0; i < 20 && !f.downloads().length; i++) {
      await service.idle();
      await new Promise((r) => setTimeout(r, 50));
    }
    await service.idle();
    // The photo is fetched again now, not a day later at the interval...
    const id = Object.entries((await f.metadata()).synced_assets).find(
      ([, e]) => e.local_path === byAge[1]!.local_path,
    )?.[0];
    expect(id).toBeDefined();
    expect(f.downloads().map((d) => d.assetId)).toEqual([id]);
    // ...and the frame's next sync is the library's.
    const after = await readServiceState(f.paths);
    const library = await libraryStatus(f.paths, f.config, clock.now());
    expect(after.next_sync).toBe(library.next_due);
  });
});
