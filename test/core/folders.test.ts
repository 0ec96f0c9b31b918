// Making a folder and the ones above it (core/folders.ts): what Node's recursive mkdir does, and an
// error where Node 20's loops for ever (a folder that cannot be made in one that exists, ENOENT:
// procfs).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFolders, makeFoldersSync } from '../../src/core/folders.js';
import { ensureLibraryDirs } from '../../src/library/store.js';
import { instancePaths } from '../../src/library/instance.js';
import { parseConfig } from '../../src/config/config.js';

describe('making folders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'folders-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes the missing levels with the mode asked, keeps what is there, refuses a file in the way', async () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    await makeFolders(deep, 0o700);
    for (const d of [path.join(dir, 'a'), path.join(dir, 'a', 'b'), deep]) {
      const s = await stat(d);
      expect({ d, dir: s.isDirectory(), mode: s.mode & 0o777 }).toEqual({ d, dir: true, mode: 0o700 });
    }
    await makeFolders(deep);
    makeFoldersSync(path.join(deep, 'd', 'e'));
    expect((await stat(path.join(deep, 'd', 'e'))).isDirectory()).toBe(true);
    makeFoldersSync(path.join(deep, 'd', 'e'));

    await writeFile(path.join(dir, 'file'), 'not a folder');
    await expect(makeFolders(path.join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeFolders(path.join(dir, 'file', 'inside'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(() => makeFoldersSync(path.join(dir, 'file'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it('makes the same folders from many callers at once', async () => {
    const target = path.join(dir, 'race', 'x', 'y');
    await Promise.all(Array.from({ length: 8 }, () => makeFolders(target)));
    expect((await stat(target)).isDirectory()).toBe(true);
  });

  it.runIf(existsSync('/proc/self'))(
    'fails with ENOENT under procfs, where Node 20’s recursive mkdir loops',
    async () => {
      // Asynchronous, so a regression fails by the test's timeout (the synchronous one is proved
      // in a child with a deadline: code-cache.test.ts, through the installed command).
      await expect(makeFolders('/proc/artframe-folders-test/a')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(existsSync('/proc/artframe-folders-test')).toBe(false);
    },
  );

  it.runIf(existsSync('/proc/self'))('a storage_dir under procfs is a one-line storage error naming it', async () => {
    const config = parseConfig({
      immich_url: 'http://127.0.0.1:9',
      immich_api_key: 'k'.repeat(20),
      album_id: '2d2a3f5c-1c39-4a0b-9f53-2b1f7c9e0a11',
      storage_dir: '/proc/artframe-storage-test',
    });
    const paths = instancePaths(config);
    await expect(ensureLibraryDirs(paths)).rejects.toThrow(`cannot create ${paths.photosDir}: ENOENT`);
  });
});
