// A library synced from the simulator and the config file that names it: what the tests of a
// real `run` process start from (the command reads the file; the sync ran in the test).
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type FrameConfig, parseConfig } from '../../src/config/config.js';
import { ImmichClient } from '../../src/immich/client.js';
import type { ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';

export interface SyncedConfig {
  /** The temp folder holding the storage and the config file. */
  dir: string;
  raw: Record<string, unknown>;
  config: FrameConfig;
  /** The config file, written after the sync. */
  file: string;
}

/** Album `albumId` synced into a fresh folder; `extra` config keys over the server's (given the
 * folder, for keys that name a file in it). */
export async function syncedConfig(
  sim: ImmichSim,
  albumId: string,
  extra: Record<string, unknown> | ((dir: string) => Record<string, unknown>) = {},
): Promise<SyncedConfig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'synced-'));
  const raw = {
    immich_url: sim.url,
    immich_api_key: sim.apiKey,
    album_id: albumId,
    storage_dir: path.join(dir, 'storage'),
    ...(typeof extra === 'function' ? extra(dir) : extra),
  };
  const config = parseConfig(raw);
  const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await syncLibrary({ paths: instancePaths(config), source, config });
  await source.close();
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(raw));
  return { dir, raw, config, file };
}
