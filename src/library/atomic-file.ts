// Durable replacement of a small file: write a temp file beside it, fsync, rename over the old
// one, fsync the folder. A crash at any point leaves the old file or the new one, never half.
// `durable: false` skips both fsyncs for state that is cheap to lose (what the panel shows, the
// selection's place): each fsync forces an ext4 journal commit, the larger part of a refresh
// tick's writes to the SD card. The rename still replaces the file whole (ext4's auto_da_alloc
// writes a renamed-over file's data before the rename commits), and `sync` before a battery
// power-off (power/cycle.ts) flushes everything.
import { uniqueHex } from '../core/unique-hex.js';
import { FdFile, rename, unlink } from '../core/fs-async.js';
import path from 'node:path';

/** Temp files of writeFileAtomic are `<name>.tmp-<hex>`: reconciliation removes leftovers. */
export function isAtomicTemp(fileName: string, target: string): boolean {
  return fileName.startsWith(`${target}.tmp-`);
}

/** fsync a folder so a rename or unlink inside it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await FdFile.open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some filesystems (and platforms) refuse fsync on a directory; the rename still happened.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw err;
  } finally {
    await fh.close();
  }
}

/** Every state file holds text a server wrote (names, descriptions, errors): the owner's alone. */
const STATE_FILE_MODE = 0o600;

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { durable?: boolean; mode?: number } = {},
): Promise<void> {
  const durable = options.durable ?? true;
  const tmp = `${file}.tmp-${uniqueHex(6)}`;
  const fh = await FdFile.open(tmp, 'wx', options.mode ?? STATE_FILE_MODE);
  try {
    await fh.writeAll(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  if (durable) await syncDir(path.dirname(file));
}

/** fsync files written with `durable: false` (and their folder) before the power goes: the
 * battery wake cycle's last step. A missing file is skipped. */
export async function flushFiles(files: string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const file of files) {
    const fh = await FdFile.open(file, 'r').catch(() => null);
    if (!fh) continue;
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    dirs.add(path.dirname(file));
  }
  for (const dir of dirs) await syncDir(dir);
}
