// A small real filesystem for tests of full and read-only storage: a tmpfs of a given size,
// mounted on a temp folder, that a test can fill or turn read-only. Needs root (CI and this
// machine run tests as root); elsewhere `skipReason` says why the caller should skip.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Tmpfs {
  dir: string;
  readOnly(): Promise<void>;
  writable(): Promise<void>;
  unmount(): Promise<void>;
}

/** Why tmpfs tests cannot run here, or null when they can. */
export const skipReason: string | null =
  process.platform !== 'linux'
    ? 'tmpfs mounts need Linux'
    : process.getuid?.() !== 0
      ? 'mounting a tmpfs needs root (CI runs the tests as root)'
      : null;

export async function mountTmpfs(sizeBytes: number): Promise<Tmpfs> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tmpfs-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', dir]);
  const remount = (mode: 'ro' | 'rw') => run('mount', ['-o', `remount,${mode}`, dir]).then(() => {});
  return {
    dir,
    readOnly: () => remount('ro'),
    writable: () => remount('rw'),
    async unmount() {
      await run('umount', ['-l', dir]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
