// store.photoPaths: the folder joined once for many names, with path.join's result for every name.
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { photoPaths } from '../../src/library/store.js';
import { instancePaths } from '../../src/library/instance.js';

describe('photoPaths', () => {
  it('gives what path.join gives, for plain names and for anything else', () => {
    const folders = ['/srv/frame', '/srv/frame/', '/', '/a/./b/../c', 'relative/dir'];
    const names = ['IMG_1.jpg', 'Été.heic', '...jpg', 'a b', '', '.', '..', 'a/b', '../x', 'a\\b', '/abs', 'x/'];
    for (const storage_dir of folders) {
      const paths = instancePaths({ storage_dir, instance_id: 'default' });
      const pathOf = photoPaths(paths);
      for (const name of names) expect(pathOf(name), `${storage_dir} + ${name}`).toBe(path.join(paths.photosDir, name));
    }
  });

  it('agrees with path.join on any name and any photos folder', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (dir, name) => {
        const paths = { ...instancePaths({ storage_dir: '/x', instance_id: 'default' }), photosDir: dir };
        expect(photoPaths(paths)(name)).toBe(path.join(dir, name));
      }),
      { numRuns: 2000 },
    );
  });
});
