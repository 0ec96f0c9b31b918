// Can the library be written to? A read-only filesystem, a folder we may not write, or a disk
// below the reserve disables syncing (the frame keeps showing what it has); `status` and the
// service say why. Also the free-space figure downloads check against the reserve.
import { fs } from '../core/node-fs.js';
import { access, statfs } from '../core/fs-async.js';
import { formatBytes } from './words.js';
import type { InstancePaths } from './instance.js';
const { constants } = fs;

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

/** Free space is measured again after a 64th of what was free at the last look, between 1 MiB
 * and 64 MiB of writes: often near a full disk, seldom on a roomy one (a 106 MB album was a
 * hundred statfs calls at a fixed 1 MiB). */
const RECHECK_MIN_BYTES = 1024 * 1024;
const RECHECK_MAX_BYTES = 64 * 1024 * 1024;

function recheckAfter(free: number | null): number {
  if (free === null) return RECHECK_MIN_BYTES;
  return Math.min(RECHECK_MAX_BYTES, Math.max(RECHECK_MIN_BYTES, Math.floor(free / 64)));
}

/**
 * The free space of one sync's disk, shared by its downloads: measured (statfs) once, then
 * counted down by what the sync writes, and measured again after a share of it is written
 * (other programs write to the disk too). A photo of 30 KB no longer costs a statfs of its own.
 */
export class FreeSpace {
  private free: number | null = null;
  private measured = false;
  private since = 0;
  private measuring: Promise<number | null> | null = null;
  private recheck = RECHECK_MIN_BYTES;

  constructor(private readonly dir: string) {}

  /** Our bytes just written. */
  wrote(bytes: number): void {
    this.since += bytes;
  }

  /** Free bytes by the last look less what was written since; undefined when a look is due;
   * null when the filesystem does not say. */
  estimate(): number | null | undefined {
    if (!this.measured || this.since >= this.recheck) return undefined;
    return this.free === null ? null : this.free - this.since;
  }

  /** The estimate, looking again first when one is due (one look at a time, shared). */
  async now(): Promise<number | null> {
    const e = this.estimate();
    if (e !== undefined) return e;
    this.measuring ??= freeBytes(this.dir).then((f) => {
      this.free = f;
      this.recheck = recheckAfter(f);
      this.measured = true;
      this.since = 0;
      this.measuring = null;
      return f;
    });
    return this.measuring;
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
