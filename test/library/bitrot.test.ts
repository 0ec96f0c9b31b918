// Bit-rot repair (issue 12, point 8): a photo whose bytes change on disk at the same size (what a
// dying SD card does) is caught against its recorded SHA-1 when it is about to be shown, dropped,
// and fetched again by the next sync. Real files, the simulator, the Library facade.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Library } from '../../src/library/library.js';
import { acquireSyncLock } from '../../src/library/lock.js';
import { verifyPhoto } from '../../src/library/verify.js';
import { expectIntactLibrary, startFrame, type TestFrame } from '../support/frame-sim.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function syncedFrame(): Promise<TestFrame> {
  const f = await startFrame({ count: 4, withVideo: false });
  cleanups.push(() => f.close());
  f.config = { ...f.config, selection_mode: 'oldest' };
  await f.sync();
  return f;
}

/** Flip bytes in the middle of a photo, keeping its size. */
async function rot(file: string): Promise<void> {
  const bytes = await readFile(file);
  for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 8; i++) bytes[i] = bytes[i]! ^ 0x55;
  await writeFile(file, bytes);
}

describe('bit rot', () => {
  it('a damaged photo is not shown, is dropped, and the next sync fetches it again', async () => {
    const f = await syncedFrame();
    const library = new Library({ paths: f.paths, settings: f.config });
    const oldest = Object.entries((await f.metadata()).synced_assets).sort((a, b) =>
      a[1].file_created_at.localeCompare(b[1].file_created_at),
    )[0]!;
    const [id, entry] = oldest;
    const file = path.join(f.paths.photosDir, entry.local_path);
    const size = (await readFile(file)).length;
    await rot(file);
    expect((await readFile(file)).length).toBe(size);

    const picked = await library.nextPhoto();
    expect(picked.id).not.toBe(id);
    expect((await f.metadata()).synced_assets[id]).toBeUndefined();
    expect(await f.files()).not.toContain(entry.local_path);

    // A sync is due within the hour (the photo counts as failed), and it fetches just that one.
    f.sim.clearRequests();
    const later = new Date(Date.now() + 61 * 60_000);
    const out = await f.sync({ force: false, now: () => later });
    expect(out.result.added).toBe(1);
    expect(f.downloads().map((d) => d.assetId)).toEqual([id]);
    await expectIntactLibrary(f);
  });

  it('an intact photo passes, and a damaged one is left alone while a sync holds the library', async () => {
    const f = await syncedFrame();
    const [id, entry] = Object.entries((await f.metadata()).synced_assets)[0]!;
    expect(await verifyPhoto(f.paths, id)).toBe('intact');
    await rot(path.join(f.paths.photosDir, entry.local_path));
    const lock = await acquireSyncLock(f.paths);
    expect(await verifyPhoto(f.paths, id)).toBe('unknown');
    expect((await f.metadata()).synced_assets[id]).toBeDefined();
    await lock.release();
    expect(await verifyPhoto(f.paths, id)).toBe('damaged');
  });
});
