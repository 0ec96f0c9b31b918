// A folder and the folders above it that are missing, each level tried once. Not Node's
// `mkdir(dir, { recursive: true })`: where a folder cannot be made inside one that exists and the
// answer is ENOENT (procfs: a storage_dir or a cache folder under /proc), Node 20's tries again
// for ever, a command spinning at full CPU (seen: `sync` never ended, and `status` spun at exit
// making its code cache's folder). Here that is an error, ENOENT, like any folder not made.
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from './fs-async.js';
import path from 'node:path';

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** `dir` and the missing folders above it (with `mode`); a folder that is there already is kept,
 * a file in its place is an error (EEXIST), as with Node's recursive mkdir. */
export async function makeFolders(dir: string, mode?: number): Promise<void> {
  try {
    await mkdir(dir, mode);
  } catch (err) {
    if (codeOf(err) === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw err;
    }
    const parent = path.dirname(dir);
    if (codeOf(err) !== 'ENOENT' || parent === dir) throw err;
    await makeFolders(parent, mode);
    await mkdir(dir, mode).catch(async (again: unknown) => {
      // Made meanwhile by another process: as good as made here.
      if (codeOf(again) !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw again;
    });
  }
}

/** makeFolders, synchronously (for the code cache, which saves as the process exits). */
export function makeFoldersSync(dir: string, mode?: number): void {
  try {
    mkdirSync(dir, { mode });
  } catch (err) {
    if (codeOf(err) === 'EEXIST') {
      if (statSync(dir).isDirectory()) return;
      throw err;
    }
    const parent = path.dirname(dir);
    if (codeOf(err) !== 'ENOENT' || parent === dir) throw err;
    makeFoldersSync(parent, mode);
    try {
      mkdirSync(dir, { mode });
    } catch (again) {
      if (codeOf(again) !== 'EEXIST' || !statSync(dir).isDirectory()) throw again;
    }
  }
}
