// kill -9 at random moments: a real `artframe-immich sync` child process talking to the simulated
// server over loopback is killed (at a seeded delay, or once some photos have landed), then a
// clean rerun must finish the job: every photo present with the right bytes, valid and complete
// metadata, nothing extra, and nothing that had already landed downloaded again.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { type ImmichSim, startImmichSim } from '../../src/immich-sim/server.js';
import { parseMetadata } from '../../src/library/metadata.js';
import { nameKey } from '../../src/library/names.js';
import { isPhotoTemp } from '../../src/library/store.js';
import { sha1Base64 } from '../support/library.js';
import { instancePaths, type InstancePaths } from '../../src/library/instance.js';

const BIN = path.resolve('bin/artframe-immich.js');
/** Scenario seeds: fixed, so a failure can be replayed. */
const SEEDS = [3, 17, 29, 41, 58, 62, 77, 85, 93, 104, 118, 131, 147, 150, 166, 179];

let sim: ImmichSim;
let albumA: string;
let albumB: string;
let template: string;
let root: string;

function rng(seed: number): () => number {
  let s = seed * 2654435761;
  return () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

async function writeConfig(storage: string, albumId: string): Promise<string> {
  await mkdir(storage, { recursive: true });
  const file = path.join(storage, 'config.json');
  await writeFile(
    file,
    JSON.stringify({ immich_url: sim.url, immich_api_key: sim.apiKey, album_id: albumId, storage_dir: storage }),
  );
  return file;
}

function runSync(configFile: string): { done: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, [BIN, 'sync', '--force', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(stderr);
      resolve(code);
    }),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

/** Photos (not temps) in photos/ right now. */
async function landedFiles(paths: InstancePaths): Promise<string[]> {
  return (await readdir(paths.photosDir).catch(() => [] as string[])).filter((n) => !isPhotoTemp(n));
}

beforeAll(async () => {
  sim = await startImmichSim({ seed: 5 });
  const { album, photos } = await seedSampleLibrary(sim, { count: 40, seed: 5, sizes: 'mixed' });
  albumA = album.id;
  albumB = sim.addAlbum({ albumName: 'B', assetIds: [...photos.slice(20).map((p) => p.id)] }).id;
  const extra = await seedSampleLibrary(sim, {
    count: 12,
    seed: 6,
    sizes: 'mixed',
    withVideo: false,
    albumName: 'extra',
  });
  sim.addToAlbum(
    albumB,
    extra.photos.map((p) => p.id),
  );

  root = await mkdtemp(path.join(os.tmpdir(), 'sync-kill-'));
  template = path.join(root, 'template');
  const code = await runSync(await writeConfig(template, albumA)).done;
  if (code !== 0) throw new Error(`the template sync failed with ${code}`);
}, 120_000);

afterAll(async () => {
  await sim?.close();
});

describe('kill -9 during a sync', () => {
  it.each(SEEDS)(
    'seed %i: after a kill at a random moment, a clean rerun completes the library',
    async (seed) => {
      const random = rng(seed);
      const switching = random() < 0.5;
      const storage = path.join(root, `run-${seed}`);
      if (switching) await cp(template, storage, { recursive: true });
      const albumId = switching ? albumB : albumA;
      const configFile = await writeConfig(storage, albumId);
      const paths = instancePaths({ storage_dir: storage, instance_id: 'default' });

      // Kill either after a delay (anywhere from start-up to the end) or once some photos are in.
      const first = runSync(configFile);
      const byCount = random() < 0.5;
      if (byCount) {
        // A fresh library fills from 0 to 40; a switching one grows from 40 (album A) to 52.
        const target = switching ? 41 + Math.floor(random() * 12) : 1 + Math.floor(random() * 39);
        const poll = (async () => {
          while ((await landedFiles(paths)).length < target) await new Promise((r) => setTimeout(r, 3));
        })();
        await Promise.race([poll, first.done]);
      } else {
        await new Promise((r) => setTimeout(r, 150 + random() * 1000));
      }
      first.kill();
      await first.done;

      // What survived the kill, to check afterwards that none of it is fetched again.
      const survivors = await landedFiles(paths);
      const survivorSha1 = new Set<string>();
      for (const n of survivors) survivorSha1.add(sha1Base64(await readFile(path.join(paths.photosDir, n))));
      const survivorKeys = new Set(survivors.map(nameKey));

      sim.clearRequests();
      expect(await runSync(configFile).done).toBe(0);

      const listing = [...sim.library.assets.values()].filter(
        (a) => a.type === 'IMAGE' && sim.library.albums.get(albumId)!.assetIds.includes(a.id),
      );
      const m = parseMetadata(JSON.parse(await readFile(paths.metadataPath, 'utf8')));
      expect(m.ok).toBe(true);
      if (!m.ok) return;
      const meta = m.metadata;
      expect(meta.sync_in_progress).toBeNull();
      expect(meta.album_id).toBe(albumId);
      expect(Object.keys(meta.adopted)).toEqual([]);
      expect(Object.keys(meta.synced_assets).sort()).toEqual(listing.map((a) => a.id).sort());

      for (const [id, e] of Object.entries(meta.synced_assets)) {
        const sha1 = sha1Base64(await readFile(path.join(paths.photosDir, e.local_path)));
        expect(sha1, e.local_path).toBe(e.sha1);
        if (e.rendition === 'original') expect(sha1).toBe(sim.asset(id).checksum);
      }
      const files = (await readdir(paths.photosDir)).sort();
      expect(files).toEqual(
        Object.values(meta.synced_assets)
          .map((e) => e.local_path)
          .sort(),
      );
      // (sync_attempts.json: the rerun's outcome, recorded for `status`; no temp file left over;
      // sync_no_change.json only where the rerun changed nothing: checked below)
      const instanceFiles = (await readdir(paths.instanceDir)).sort();
      expect(instanceFiles.filter((n) => n !== 'sync_no_change.json')).toEqual([
        'photos',
        'sync_attempts.json',
        'sync_metadata.json',
      ]);
      expect(await readdir(storage)).toEqual(expect.arrayContaining(['config.json', 'plugins']));

      // Exactly the photos that had not landed were downloaded: originals are recognised by their
      // SHA-1, renderings by their name.
      const fetched = sim.requests.filter((r) => r.route === 'original' || r.route === 'thumbnail').map((r) => r.path);
      const expected = listing.filter((a) => {
        const e = meta.synced_assets[a.id]!;
        return e.rendition === 'original' ? !survivorSha1.has(e.checksum) : !survivorKeys.has(nameKey(e.local_path));
      });
      const fetchedIds = [...new Set(fetched.map((p) => /\/assets\/([^/]+)\//.exec(p)![1]))].sort();
      expect(fetchedIds).toEqual(expected.map((a) => a.id).sort());
      // A kill after the last photo was recorded leaves a rerun with nothing to do: that rerun, and
      // only that one, records what it saw for the next no-change check (library/no-change.ts).
      if (instanceFiles.includes('sync_no_change.json')) expect(fetchedIds).toEqual([]);
    },
    60_000,
  );
});
