// The sync lock: `sync.lock` in the instance folder, created with O_EXCL and holding the owner's
// pid, so the service and a CLI `sync` never apply plans to one library at the same time. A lock
// whose process is gone (or that predates the last boot) is stale and taken over. The record is
// written whole to a temp file and then linked into place, so a lock file is never empty or half
// written (a full disk cannot leave a 0-byte lock that later starts take for a live one).
import { uniqueHex } from '../core/unique-hex.js';
import { fs, nodeOs } from '../core/node-fs.js';
import { FdFile, link, readFile, rename, stat, unlink } from '../core/fs-async.js';
import { LibraryBusyError } from '../core/errors.js';
import { storageError } from './store.js';
import type { InstancePaths } from './instance.js';

interface LockRecord {
  pid: number;
  host: string;
  token: string;
  started_at: string;
}

export interface SyncLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** Is this pid running? Injectable so tests can declare a pid dead without killing anything. */
  isAlive?: (pid: number) => boolean;
  now?: () => Date;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user (the service, say): alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseRecord(text: string): LockRecord | null {
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    return typeof r.pid === 'number' && typeof r.token === 'string' ? (r as LockRecord) : null;
  } catch {
    return null;
  }
}

async function judge(
  file: string,
  isAlive: (pid: number) => boolean,
): Promise<{ stale: boolean; record: LockRecord | null; text: string } | null> {
  let text: string;
  let mtime: number;
  try {
    [text, mtime] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mtimeMs)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw storageError(err, 'read', file);
  }
  const record = parseRecord(text);
  // Locks are linked into place whole: an empty or unreadable one belongs to no live process.
  if (!record) return { stale: true, record, text };
  const bootedAt = Date.now() - nodeOs().uptime() * 1000;
  const sameHost = record.host === nodeOs().hostname();
  // After a reboot the old pid may belong to some other process: a lock from before boot is dead.
  const stale = (sameHost && !isAlive(record.pid)) || mtime < bootedAt - 5_000;
  return { stale, record, text };
}

export async function acquireSyncLock(paths: InstancePaths, options: LockOptions = {}): Promise<SyncLock> {
  const isAlive = options.isAlive ?? processAlive;
  const now = options.now ?? (() => new Date());
  const file = paths.lockPath;
  const mine: LockRecord = {
    pid: process.pid,
    host: nodeOs().hostname(),
    token: uniqueHex(8),
    started_at: now().toISOString(),
  };
  const text = JSON.stringify(mine) + '\n';

  // Named like writeFileAtomic's temps, so start-up reconciliation removes one a crash left.
  const temp = `${file}.tmp-${uniqueHex(6)}`;
  try {
    const fh = await FdFile.open(temp, 'wx', 0o644);
    try {
      // Not fsynced: a lock matters only while its process lives. After a power cut every lock is
      // from before the boot (stale by its time, below) and an empty one is stale too, so a flush
      // (a journal commit on every sync) would protect nothing.
      await fh.writeAll(text);
    } finally {
      await fh.close();
    }
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw storageError(err, 'create the lock', file);
  }
  try {
    return await linkInPlace(temp, file, isAlive, mine.token);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

async function linkInPlace(
  temp: string,
  file: string,
  isAlive: (pid: number) => boolean,
  token: string,
): Promise<SyncLock> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // link() fails with EEXIST when a lock is there: the same exclusivity as O_EXCL.
      await link(temp, file);
      return { release: () => releaseLock(file, token) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storageError(err, 'create the lock', file);
    }
    const held = await judge(file, isAlive);
    if (!held) continue;
    if (!held.stale) {
      const who = held.record ? `pid ${held.record.pid} since ${held.record.started_at}` : 'another process';
      throw new LibraryBusyError(
        `a sync is already running for this library (${who}); wait for it to finish, or delete ${file} if no sync is running`,
      );
    }
    // Take the stale lock over by renaming it away: only one contender's rename can move it.
    const aside = `${file}.stale-${uniqueHex(4)}`;
    try {
      await rename(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw storageError(err, 'remove the stale lock', file);
    }
    const moved = await readFile(aside, 'utf8').catch(() => '');
    if (moved !== held.text) {
      // Someone replaced the stale lock with a live one between our read and our rename: put it back.
      await link(aside, file).catch(() => {});
    }
    await unlink(aside).catch(() => {});
  }
  throw new LibraryBusyError(`could not take the sync lock ${file}; another sync keeps taking it, try again`);
}

async function releaseLock(file: string, token: string): Promise<void> {
  // The lock is a line of JSON: read at once (a promise read is four thread-pool trips).
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // gone or unreadable: not ours to remove
  }
  const record = parseRecord(text);
  if (record?.token === token) await unlink(file).catch(() => {});
}

/** Who holds the lock now, if anyone: for `status`. */
export async function lockHolder(paths: InstancePaths): Promise<{ pid: number; started_at: string } | null> {
  const file = paths.lockPath;
  const judged = await judge(file, processAlive).catch(() => null);
  if (!judged || judged.stale || !judged.record) return null;
  return { pid: judged.record.pid, started_at: judged.record.started_at };
}
