// Can the library be written to? A read-only filesystem, a folder we may not write, or a disk
// below the reserve disables syncing (the frame keeps showing what it has); `status` and the
// service say why. Also the free-space figure downloads check against the reserve.
import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import { formatBytes } from './words.js';
import type { InstancePaths } from './instance.js';

/** Free space a sync never takes the filesystem below: room for the OS, logs and the metadata. */
export const DEFAULT_RESERVE_BYTES = 64 * 1024 * 1024;

/** Bytes an unprivileged process may still write on the filesystem holding `dir`; null if unknown. */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** Why a sync cannot write the library now, or null when it can. */
export async function storageProblem(
  paths: InstancePaths,
  reserveBytes = DEFAULT_RESERVE_BYTES,
): Promise<string | null> {
  try {
    await access(paths.instanceDir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `the filesystem holding ${paths.instanceDir} is read-only`;
    if (code === 'EACCES' || code === 'EPERM') return `no permission to write ${paths.instanceDir}`;
    // Missing: the first sync creates it.
    if (code !== 'ENOENT') return `cannot write ${paths.instanceDir} (${code ?? String(err)})`;
    return null;
  }
  const free = await freeBytes(paths.instanceDir);
  if (free !== null && free < reserveBytes) {
    return `the disk is full: ${formatBytes(free)} free, below the ${formatBytes(reserveBytes)} kept in reserve`;
  }
  return null;
}
