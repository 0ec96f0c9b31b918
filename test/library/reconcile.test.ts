import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyMetadata } from '../../src/library/metadata.js';
import { reconcileLibrary } from '../../src/library/reconcile.js';
import { readMetadata, tempPhotoName, writeMetadata } from '../../src/library/store.js';
import { jpegBytes, metadataOf, remoteAsset, sha1Base64, tempLibrary } from '../support/library.js';
import type { InstancePaths } from '../../src/library/instance.js';

async function syncedLibrary(count = 2) {
  const { paths } = await tempLibrary('reconcile-');
  const assets = Array.from({ length: count }, () => remoteAsset());
  const metadata = metadataOf(assets);
  await mkdir(paths.photosDir, { recursive: true });
  for (const [i, e] of Object.values(metadata.synced_assets).entries()) {
    const bytes = await jpegBytes(i);
    e.bytes = bytes.length;
    await writeFile(path.join(paths.photosDir, e.local_path), bytes);
  }
  await writeMetadata(paths, metadata);
  return { paths, assets, metadata };
}

const files = (p: InstancePaths) => readdir(p.photosDir).then((xs) => xs.sort());

describe('reconciliation', () => {
  it('a clean library is left exactly as it is', async () => {
    const { paths, metadata } = await syncedLibrary();
    const before = await stat(paths.metadataPath);
    const { report, metadata: after } = await reconcileLibrary(paths);
    expect(after).toEqual(metadata);
    expect(report).toMatchObject({ tempsRemoved: [], adopted: [], unknownRemoved: [], entriesDropped: [] });
    expect((await stat(paths.metadataPath)).mtimeMs).toBe(before.mtimeMs);
  });

  it('stray temp files of interrupted downloads and metadata writes are removed', async () => {
    const { paths } = await syncedLibrary();
    const temp = tempPhotoName();
    await writeFile(path.join(paths.photosDir, temp), 'half a photo');
    await writeFile(`${paths.metadataPath}.tmp-0123456789ab`, '{"half":');
    // The selection state's temp was left by a write interrupted a while ago (a fresh one may be
    // in flight: next test); the metadata's is a leftover at once (only a sync, under the lock, writes it).
    await writeFile(`${paths.selectionStatePath}.tmp-0123456789ab`, '{"half":');
    const old = new Date(Date.now() - 5 * 60_000);
    await utimes(`${paths.selectionStatePath}.tmp-0123456789ab`, old, old);
    const { report } = await reconcileLibrary(paths);
    expect(report.tempsRemoved.sort()).toEqual(
      [temp, 'sync_metadata.json.tmp-0123456789ab', 'selection_state.json.tmp-0123456789ab'].sort(),
    );
    expect(await files(paths)).not.toContain(temp);
    expect(await readdir(paths.instanceDir)).not.toContain('sync_metadata.json.tmp-0123456789ab');
  });

  it("a temp file written a moment ago in the instance folder is left alone: the service's own write in flight", async () => {
    const { paths } = await syncedLibrary();
    const inFlight = `${paths.hiddenPath}.tmp-0123456789ab`;
    await writeFile(inFlight, '{"format":1,');
    const { report } = await reconcileLibrary(paths);
    expect(report.tempsRemoved).toEqual([]);
    expect(await readdir(paths.instanceDir)).toContain(path.basename(inFlight));
  });

  it('an unknown image is adopted with its SHA-1; other unknown files are removed', async () => {
    const { paths } = await syncedLibrary();
    const image = await jpegBytes(99);
    await writeFile(path.join(paths.photosDir, 'stranger.jpg'), image);
    await writeFile(path.join(paths.photosDir, 'notes.txt'), 'not a photo');
    await writeFile(path.join(paths.photosDir, 'empty.jpg'), '');
    await writeFile(path.join(paths.photosDir, '.DS_Store'), 'junk');
    const { report, metadata } = await reconcileLibrary(paths);
    expect(report.adopted).toEqual(['stranger.jpg']);
    expect(report.unknownRemoved.sort()).toEqual(['.DS_Store', 'empty.jpg', 'notes.txt']);
    expect(metadata.adopted['stranger.jpg']).toMatchObject({ sha1: sha1Base64(image), bytes: image.length });
    const saved = await readMetadata(paths);
    expect(saved.kind === 'ok' && saved.metadata.adopted['stranger.jpg']?.sha1).toBe(sha1Base64(image));
    expect(await files(paths)).not.toContain('notes.txt');
  });

  it('a record whose file is missing is dropped, so the next sync fetches it again', async () => {
    const { paths, assets, metadata } = await syncedLibrary();
    const gone = metadata.synced_assets[assets[0]!.id]!;
    await import('node:fs/promises').then((fs) => fs.rm(path.join(paths.photosDir, gone.local_path)));
    const { report, metadata: after } = await reconcileLibrary(paths);
    expect(report.entriesDropped).toEqual([gone.local_path]);
    expect(Object.keys(after.synced_assets)).toEqual([assets[1]!.id]);
  });

  it('a file cut short (not the size recorded) is dropped with its record', async () => {
    const { paths, assets, metadata } = await syncedLibrary();
    const cut = metadata.synced_assets[assets[1]!.id]!;
    await writeFile(path.join(paths.photosDir, cut.local_path), 'short');
    const { metadata: after } = await reconcileLibrary(paths);
    expect(after.synced_assets[assets[1]!.id]).toBeUndefined();
    expect(await files(paths)).not.toContain(cut.local_path);
  });

  it('corrupt metadata is moved aside and rebuilt from the photos on disk', async () => {
    const { paths, metadata } = await syncedLibrary(3);
    await writeFile(paths.metadataPath, '{"synced_assets": {"x": {"local_path": 42}}');
    const { report, metadata: rebuilt } = await reconcileLibrary(paths, { now: new Date('2025-05-05T05:05:05Z') });
    expect(report.corruptMovedTo).toBe(`${paths.metadataPath}.corrupt-2025-05-05T05-05-05-000Z`);
    expect(await readFile(report.corruptMovedTo!, 'utf8')).toContain('"local_path": 42');
    const names = Object.values(metadata.synced_assets)
      .map((e) => e.local_path)
      .sort();
    expect(Object.keys(rebuilt.adopted).sort()).toEqual(names);
    expect((await readMetadata(paths)).kind).toBe('ok');
  });

  it('metadata naming a path outside photos/ is treated as corrupt, never followed', async () => {
    const { paths } = await syncedLibrary(1);
    const evil = emptyMetadata() as unknown as Record<string, unknown>;
    evil.synced_assets = {
      x: {
        filename: 'x',
        local_path: '../../outside.jpg',
        file_created_at: '2020-01-01',
        checksum: 'c',
        synced_at: '2020-01-01',
      },
    };
    await writeFile(paths.metadataPath, JSON.stringify(evil));
    const { report } = await reconcileLibrary(paths);
    expect(report.corruptProblem).toContain('local_path');
    expect(report.corruptMovedTo).not.toBeNull();
  });

  it('a dry run reports what it would do and changes nothing', async () => {
    const { paths } = await syncedLibrary();
    await writeFile(path.join(paths.photosDir, 'notes.txt'), 'x');
    await writeFile(paths.metadataPath, 'garbage');
    const { report } = await reconcileLibrary(paths, { dryRun: true });
    expect(report.unknownRemoved).toEqual(['notes.txt']);
    expect(report.corruptProblem).not.toBeNull();
    expect(await files(paths)).toContain('notes.txt');
    expect(await readFile(paths.metadataPath, 'utf8')).toBe('garbage');
  });
});
