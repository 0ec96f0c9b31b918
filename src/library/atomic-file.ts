// Durable replacement of a small file: write a temp file beside it, fsync, rename over the old
// one, fsync the folder. A crash at any point leaves the old file or the new one, never half.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Temp files of writeFileAtomic are `<name>.tmp-<hex>`: reconciliation removes leftovers. */
export function isAtomicTemp(fileName: string, target: string): boolean {
  return fileName.startsWith(`${target}.tmp-`);
}

/** fsync a folder so a rename or unlink inside it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
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

/** fsync a file already written and closed (its data and size survive a power cut). Linux
 * flushes a file through any descriptor of it, a read-only one included. */
export async function syncFile(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  const fh = await open(tmp, 'wx', STATE_FILE_MODE);
  try {
    await fh.writeFile(data);
    await fh.sync();
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
  await syncDir(path.dirname(file));
}
