import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmptyLibraryError } from '../../../src/core/errors.js';
import { writeMetadata } from '../../../src/library/store.js';
import { loadSelectablePhotos, nextPhoto } from '../../../src/library/selection/state.js';
import { jpegBytes, metadataOf, remoteAsset, tempLibrary } from '../../support/library.js';
import type { InstancePaths } from '../../../src/library/instance.js';

async function libraryWith(count: number): Promise<{ paths: InstancePaths; ids: string[] }> {
  const { paths } = await tempLibrary('select-');
  const assets = Array.from({ length: count }, (_, i) =>
    remoteAsset({ fileCreatedAt: `${2010 + i}-01-01T00:00:00.000Z` }),
  );
  const metadata = metadataOf(assets);
  await mkdir(paths.photosDir, { recursive: true });
  for (const [i, e] of Object.values(metadata.synced_assets).entries()) {
    await writeFile(path.join(paths.photosDir, e.local_path), await jpegBytes(i));
  }
  await writeMetadata(paths, metadata);
  return { paths, ids: assets.map((a) => a.id) };
}

describe('selection state on disk', () => {
  it('random shows every photo once across restarts, the deck kept on disk', async () => {
    const { paths, ids } = await libraryWith(6);
    const shown: string[] = [];
    // Each call is a fresh process as far as the selection knows: state comes from the file.
    for (let i = 0; i < 6; i++) shown.push((await nextPhoto(paths, 'random')).id);
    expect(shown.sort()).toEqual([...ids].sort());
  });

  it('sequential resumes after a restart where it stopped', async () => {
    const { paths, ids } = await libraryWith(4);
    const first = [(await nextPhoto(paths, 'sequential')).id, (await nextPhoto(paths, 'sequential')).id];
    const afterRestart = (await nextPhoto(paths, 'sequential')).id;
    expect([...first, afterRestart]).toEqual(ids.slice(0, 3));
  });

  it('returns the absolute path of a file that exists', async () => {
    const { paths } = await libraryWith(2);
    const p = await nextPhoto(paths, 'newest');
    expect(path.isAbsolute(p.path)).toBe(true);
    expect(path.dirname(p.path)).toBe(paths.photosDir);
    expect(await readdir(paths.photosDir)).toContain(path.basename(p.path));
  });

  it('a photo whose file vanished is skipped', async () => {
    const { paths } = await libraryWith(3);
    const newest = await nextPhoto(paths, 'newest');
    await rm(newest.path);
    await rm(paths.selectionStatePath);
    const again = await nextPhoto(paths, 'newest');
    expect(again.id).not.toBe(newest.id);
  });

  it('an empty library is an EmptyLibraryError that says to sync', async () => {
    const { paths } = await tempLibrary('select-empty-');
    const err = await nextPhoto(paths, 'random').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmptyLibraryError);
    expect((err as Error).message).toContain('artframe-immich sync');
    expect((err as Error).message).toContain(paths.photosDir);
  });

  it('with the metadata unreadable, the photos on disk are still shown', async () => {
    const { paths } = await libraryWith(3);
    await writeFile(paths.metadataPath, '{ not json');
    const p = await nextPhoto(paths, 'random');
    expect(path.dirname(p.path)).toBe(paths.photosDir);
  });

  it('a damaged selection state starts a new pass instead of failing', async () => {
    const { paths } = await libraryWith(3);
    await writeFile(paths.selectionStatePath, '\u0000garbage');
    expect((await nextPhoto(paths, 'oldest')).path).toMatch(/\.jpg$/);
  });
});

describe('the parsed metadata, kept between picks', () => {
  it('is read once per version of the file; a rewritten file is read again at once', async () => {
    const { paths, ids } = await libraryWith(3);
    const first = await loadSelectablePhotos(paths);
    expect(await loadSelectablePhotos(paths)).toBe(first);
    // A sync replaces the file (same size, same millisecond or not): the next pick sees it.
    const assets = ids.map((id, i) => remoteAsset({ id, fileCreatedAt: `${2010 + i}-01-01T00:00:00.000Z` }));
    const m = metadataOf(assets);
    const [gone] = ids;
    delete m.synced_assets[gone!];
    await writeMetadata(paths, m);
    const after = await loadSelectablePhotos(paths);
    expect(after.map((p) => p.id).sort()).toEqual(ids.slice(1).sort());
    for (let i = 0; i < 4; i++) expect((await nextPhoto(paths, 'random')).id).not.toBe(gone);
  });
});
