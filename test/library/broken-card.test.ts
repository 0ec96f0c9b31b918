// A broken card (issue 21, points 10 and 11): on a read-only card the selection still moves on
// (its state kept in memory when the disk refuses it), and metadata the frame's user cannot read
// still leaves the photos on disk shown, with status saying who owns the file, its mode and the
// fix. Real filesystems: a read-only tmpfs (root only), and the real CLI run as `nobody` against
// a root-owned 0600 metadata file (skipped with the reason where the test cannot switch user).
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { instancePaths } from '../../src/library/instance.js';
import { forgetLoadedPhotos, nextPhoto } from '../../src/library/selection/state.js';
import { syncLibrary } from '../../src/library/sync.js';
import { startFrame, type TestFrame } from '../support/frame-sim.js';
import { mountTmpfs, skipReason } from '../support/tmpfs.js';

const MiB = 1024 * 1024;
const BIN = path.resolve('bin/artframe-immich.js');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function frame(count = 3): Promise<TestFrame> {
  const f = await startFrame({ count, withVideo: false });
  cleanups.push(() => f.close());
  return f;
}

describe('a read-only card (point 10)', () => {
  it.skipIf(skipReason !== null)(
    'sequential and newest still move on at every pick; the state lives in memory',
    async () => {
      const f = await frame(3);
      const disk = await mountTmpfs(32 * MiB);
      cleanups.push(() => disk.unmount());
      const config = { ...f.config, storage_dir: disk.dir };
      const paths = instancePaths(config);
      await syncLibrary({ paths, source: f.client, config, force: true, downloadLimits: { reserveBytes: MiB } });
      await disk.readOnly();
      for (const mode of ['sequential', 'newest'] as const) {
        const picks: string[] = [];
        for (let i = 0; i < 6; i++) picks.push((await nextPhoto(paths, mode)).id);
        expect(new Set(picks.slice(0, 3)).size).toBe(3);
        expect(picks.slice(3)).toEqual(picks.slice(0, 3));
      }
    },
  );
});

const canSwitchUser = process.platform === 'linux' && process.getuid?.() === 0;

/** The real CLI as `nobody` (uid 65534): root reads every file whatever its mode. */
function runAsNobody(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      uid: 65534,
      gid: 65534,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('metadata the frame cannot read (point 11)', () => {
  it.skipIf(!canSwitchUser)(
    'status says the owner, the mode and the fix; next still picks a photo on disk',
    async () => {
      const f = await frame(3);
      const root = await mkdtemp(path.join(os.tmpdir(), 'unreadable-'));
      await chmod(root, 0o755);
      const config = { ...f.config, storage_dir: root };
      const paths = instancePaths(config);
      await syncLibrary({ paths, source: f.client, config, force: true });
      // Everything readable by others but the metadata (root's, 0600, as a `sudo sync` leaves it).
      for (const dir of [path.dirname(paths.instanceDir), paths.instanceDir, paths.photosDir]) await chmod(dir, 0o755);
      for (const name of await readdir(paths.photosDir)) await chmod(path.join(paths.photosDir, name), 0o644);
      await chmod(paths.metadataPath, 0o600);
      let dir = path.dirname(path.dirname(paths.instanceDir));
      while (dir.startsWith(root) && dir !== root) {
        await chmod(dir, 0o755);
        dir = path.dirname(dir);
      }
      const file = path.join(root, 'config.json');
      await writeFile(file, JSON.stringify({ ...config, immich_api_key: f.sim.apiKey }), { mode: 0o644 });

      const status = await runAsNobody(['status', '--config', file]);
      expect(status.stderr).toBe('');
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        /metadata +cannot read .*sync_metadata\.json: permission denied; it is owned by uid 0 with mode 0600, and this process runs as uid 65534 \(nobody\): run `sudo chown nobody /,
      );
      expect(status.stdout).toMatch(/photos +3 /);

      const next = await runAsNobody(['next', '--config', file]);
      expect(next.code).toBe(0);
      expect(next.stdout).toContain(paths.photosDir);
      forgetLoadedPhotos();
    },
  );
});
