// A frame and its server for the sync suites: the simulated Immich (src/immich-sim) with sample
// photos in an album, a library in a temp folder, and a sync function wired to both through the
// real ImmichClient. Retries are kept quick so fault tests stay fast.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type FrameConfig, parseConfig } from '../../src/config/config.js';
import { ImmichClient, type ImmichClientOptions } from '../../src/immich/client.js';
import { seedSampleLibrary, type SeededLibrary } from '../../src/immich-sim/sample-photos.js';
import { type ImmichSim, startImmichSim } from '../../src/immich-sim/server.js';
import type { LibraryMetadata } from '../../src/library/metadata.js';
import { readMetadata } from '../../src/library/store.js';
import { type SyncOutcome, type SyncRequest, syncLibrary } from '../../src/library/sync.js';
import { sha1Base64, tempLibrary } from './library.js';
import { type InstancePaths } from '../../src/library/instance.js';
import type { ServerVersion } from '../../src/immich/types.js';

export interface TestFrame {
  sim: ImmichSim;
  seeded: SeededLibrary;
  root: string;
  paths: InstancePaths;
  client: ImmichClient;
  config: FrameConfig;
  sync(
    over?: Omit<Partial<SyncRequest>, 'config'> & { config?: Partial<FrameConfig> },
  ): Promise<SyncOutcome & { kind: 'synced' }>;
  metadata(): Promise<LibraryMetadata>;
  /** Files in photos/, sorted. */
  files(): Promise<string[]>;
  /** Requests for photo bytes (originals and renderings) since the last clearRequests(). */
  downloads(): { path: string; assetId: string | undefined; status: number | null }[];
  close(): Promise<void>;
}

export async function startFrame(
  options: {
    count?: number;
    seed?: number;
    withVideo?: boolean;
    version?: ServerVersion;
    /** Client settings over the quick defaults (limits, say). */
    client?: Partial<ImmichClientOptions>;
  } = {},
): Promise<TestFrame> {
  const sim = await startImmichSim({
    seed: options.seed ?? 7,
    ...(options.version ? { version: options.version } : {}),
  });
  const seeded = await seedSampleLibrary(sim, {
    count: options.count ?? 6,
    seed: options.seed ?? 7,
    withVideo: options.withVideo ?? true,
  });
  const { root, paths } = await tempLibrary('sync-');
  const client = new ImmichClient({
    baseUrl: sim.url,
    apiKey: sim.apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    timeouts: { bodyMs: 1_000, headersMs: 2_000 },
    ...options.client,
  });
  const config: FrameConfig = {
    ...parseConfig({ immich_url: sim.url, immich_api_key: sim.apiKey }),
    album_id: seeded.album.id,
    storage_dir: root,
    instance_id: 'test',
  };
  const frame: TestFrame = {
    sim,
    seeded,
    root,
    paths,
    client,
    config,
    async sync(over = {}) {
      const { config: configOver, ...rest } = over;
      const outcome = await syncLibrary({
        paths,
        source: client,
        config: { ...frame.config, ...configOver },
        force: true,
        retry: { attempts: 3, baseDelayMs: 5 },
        ...rest,
      });
      if (outcome.kind !== 'synced') throw new Error(`expected a sync, got ${outcome.kind}`);
      return outcome;
    },
    async metadata() {
      const r = await readMetadata(paths);
      if (r.kind !== 'ok') throw new Error(`metadata ${r.kind}`);
      return r.metadata;
    },
    async files() {
      return (await readdir(paths.photosDir)).sort();
    },
    downloads() {
      return sim.requests
        .filter((r) => r.route === 'original' || r.route === 'thumbnail')
        .map((r) => ({ path: r.path, assetId: /\/assets\/([^/]+)\//.exec(r.path)?.[1], status: r.status }));
    },
    async close() {
      await client.close();
      await sim.close();
    },
  };
  return frame;
}

/** Every record's file exists and has the SHA-1 recorded (= the server's checksum for originals). */
export async function expectIntactLibrary(frame: TestFrame): Promise<LibraryMetadata> {
  const m = await frame.metadata();
  for (const e of Object.values(m.synced_assets)) {
    const bytes = await readFile(path.join(frame.paths.photosDir, e.local_path));
    const sha1 = sha1Base64(bytes);
    if (e.sha1 !== sha1) throw new Error(`${e.local_path}: SHA-1 ${sha1}, recorded ${e.sha1}`);
    if (e.rendition === 'original' && !e.edited && sha1 !== e.checksum)
      throw new Error(`${e.local_path}: not the original`);
    if (e.bytes !== bytes.length) throw new Error(`${e.local_path}: ${bytes.length} bytes, recorded ${e.bytes}`);
  }
  return m;
}
