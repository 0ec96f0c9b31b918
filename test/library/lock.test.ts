import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibraryBusyError } from '../../src/core/errors.js';
import { acquireSyncLock, lockHolder } from '../../src/library/lock.js';
import { tempLibrary } from '../support/library.js';

async function lockedLibrary() {
  const { paths } = await tempLibrary('lock-');
  await mkdir(paths.instanceDir, { recursive: true });
  return paths;
}

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('sync lock', () => {
  it('a second sync cannot take the lock while the first holds it, and is told who holds it', async () => {
    const paths = await lockedLibrary();
    const lock = await acquireSyncLock(paths);
    const err = await acquireSyncLock(paths).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibraryBusyError);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    expect(await lockHolder(paths)).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('a released lock can be taken again, and leaves no file behind', async () => {
    const paths = await lockedLibrary();
    await (await acquireSyncLock(paths)).release();
    expect(await readdir(paths.instanceDir)).not.toContain(path.basename(paths.lockPath));
    await (await acquireSyncLock(paths)).release();
  });

  it('a lock left by a process that died is stale and taken over', async () => {
    const paths = await lockedLibrary();
    const stale = { pid: deadPid(), host: os.hostname(), token: 'old', started_at: '2025-01-01T00:00:00Z' };
    await writeFile(paths.lockPath, JSON.stringify(stale));
    const lock = await acquireSyncLock(paths);
    const now = JSON.parse(await readFile(paths.lockPath, 'utf8')) as { pid: number };
    expect(now.pid).toBe(process.pid);
    await lock.release();
    expect((await readdir(paths.instanceDir)).filter((n) => n.startsWith(path.basename(paths.lockPath)))).toEqual([]);
  });

  it('releasing does not remove a lock someone else holds now', async () => {
    const paths = await lockedLibrary();
    const lock = await acquireSyncLock(paths);
    const other = {
      pid: process.pid,
      host: os.hostname(),
      token: 'someone-else',
      started_at: new Date().toISOString(),
    };
    await writeFile(paths.lockPath, JSON.stringify(other));
    await lock.release();
    expect(await readdir(paths.instanceDir)).toContain(path.basename(paths.lockPath));
  });
});
