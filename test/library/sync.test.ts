// The sync engine against the simulated Immich server and a real library folder: what lands,
// what goes, what is never downloaded twice, and what survives a misbehaving server.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlbumNotFoundError, LibraryBusyError, ServerUnreachableError } from '../../src/core/errors.js';
import { applyPlan } from '../../src/library/apply.js';
import { acquireSyncLock } from '../../src/library/lock.js';
import { type LibraryMetadata, parseMetadata } from '../../src/library/metadata.js';
import { planSync } from '../../src/library/plan.js';
import { reconcileLibrary } from '../../src/library/reconcile.js';
import { writeMetadata } from '../../src/library/store.js';
import { probeImage } from '../../src/library/probe.js';
import { syncLibrary } from '../../src/library/sync.js';
import { expectIntactLibrary, startFrame, type TestFrame } from '../support/frame-sim.js';
import { jpegBytes, sha1Base64 } from '../support/library.js';

const frames: TestFrame[] = [];
afterEach(async () => {
  await Promise.all(frames.splice(0).map((f) => f.close()));
});
async function frame(options: Parameters<typeof startFrame>[0] = {}): Promise<TestFrame> {
  const f = await startFrame(options);
  frames.push(f);
  return f;
}

describe('sync: the first run', () => {
  it('an initial sync downloads every image of the album, verified, and no video', async () => {
    const f = await frame({ count: 8 });
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 8, failed: 0, removed: 0, remote_total: 8 });
    const m = await expectIntactLibrary(f);
    expect(Object.keys(m.synced_assets).sort()).toEqual(f.seeded.photos.map((p) => p.id).sort());
    expect(await f.files()).toHaveLength(8);
    expect(f.downloads().some((d) => d.assetId === f.seeded.video!.id)).toBe(false);
  });

  it('the metadata keeps the seed format and records the server without the key', async () => {
    const f = await frame({ count: 3 });
    await f.sync();
    const raw = JSON.parse(await readFile(f.paths.metadataPath, 'utf8')) as Record<string, unknown>;
    expect(parseMetadata(raw).ok).toBe(true);
    expect(raw).toMatchObject({ album_id: f.seeded.album.id, sync_count: 1, server_version: '3.1.0' });
    expect(typeof raw.last_sync).toBe('string');
    const entry = Object.values(raw.synced_assets as Record<string, Record<string, unknown>>)[0]!;
    for (const k of ['filename', 'local_path', 'file_created_at', 'checksum', 'synced_at'])
      expect(entry).toHaveProperty(k);
    expect(JSON.stringify(raw)).not.toContain(f.sim.apiKey);
    expect(raw.server_host).toBe(new URL(f.sim.url).host);
  });

  it("a HEIC is stored as the server's JPEG rendering, named .jpg", async () => {
    const f = await frame({ count: 8 });
    await f.sync();
    const heic = f.seeded.photos.find((p) => p.originalFileName.endsWith('.HEIC'))!;
    const entry = (await f.metadata()).synced_assets[heic.id]!;
    expect(entry.rendition).not.toBe('original');
    expect(entry.local_path).toBe(heic.originalFileName.replace(/\.HEIC$/, '.jpg'));
    expect((await probeImage(path.join(f.paths.photosDir, entry.local_path)))?.format).toBe('jpeg');
  });
});

describe('sync: changes on the server', () => {
  it('a no-change resync downloads nothing and deletes nothing', async () => {
    const f = await frame({ count: 6 });
    await f.sync();
    const before = await Promise.all(
      (await f.files()).map(async (n) => [n, (await stat(path.join(f.paths.photosDir, n))).ino]),
    );
    f.sim.clearRequests();
    const out = await f.sync();
    expect(f.downloads()).toEqual([]);
    expect(out.result).toMatchObject({ added: 0, updated: 0, removed: 0, kept: 6, failed: 0, bytes: 0 });
    const after = await Promise.all(
      (await f.files()).map(async (n) => [n, (await stat(path.join(f.paths.photosDir, n))).ino]),
    );
    expect(after).toEqual(before);
  });

  it('a sync asks the server its version once', async () => {
    const f = await frame({ count: 2 });
    f.sim.clearRequests();
    await f.sync();
    expect(f.sim.requests.filter((r) => r.route === 'version')).toHaveLength(1);
  });

  it('a photo added to the album is the only one downloaded', async () => {
    const f = await frame({ count: 4 });
    await f.sync();
    const added = f.sim.addAsset({ bytes: await jpegBytes(201), originalFileName: 'late_addition.jpg' });
    f.sim.addToAlbum(f.seeded.album.id, [added.id]);
    f.sim.clearRequests();
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 1, kept: 4 });
    expect(f.downloads().map((d) => d.assetId)).toEqual([added.id]);
    expect(await f.files()).toContain('late_addition.jpg');
  });

  it('a photo removed from the album is deleted with its record', async () => {
    const f = await frame({ count: 4 });
    await f.sync();
    const gone = f.seeded.photos[0]!;
    const name = (await f.metadata()).synced_assets[gone.id]!.local_path;
    f.sim.removeFromAlbum(f.seeded.album.id, [gone.id]);
    const out = await f.sync();
    expect(out.result.removed).toBe(1);
    expect(await f.files()).not.toContain(name);
    expect((await f.metadata()).synced_assets[gone.id]).toBeUndefined();
  });

  it('a trashed photo disappears; an archived one stays', async () => {
    const f = await frame({ count: 4 });
    await f.sync();
    const [trashed, archived] = f.seeded.photos;
    f.sim.trash(trashed!.id);
    f.sim.archive(archived!.id);
    await f.sync();
    const m = await f.metadata();
    expect(m.synced_assets[trashed!.id]).toBeUndefined();
    expect(m.synced_assets[archived!.id]).toBeDefined();
  });

  it('a photo whose bytes changed on the server is replaced under the same name', async () => {
    const f = await frame({ count: 3 });
    await f.sync();
    const changed = f.seeded.photos.find((p) => p.originalFileName.endsWith('.jpg'))!;
    const name = (await f.metadata()).synced_assets[changed.id]!.local_path;
    const bytes = await jpegBytes(77, 64, 48);
    f.sim.replaceBytes(changed.id, bytes);
    f.sim.clearRequests();
    const out = await f.sync();
    expect(out.result).toMatchObject({ updated: 1, added: 0, kept: 2 });
    expect(f.downloads().map((d) => d.assetId)).toEqual([changed.id]);
    expect(sha1Base64(await readFile(path.join(f.paths.photosDir, name)))).toBe(sha1Base64(bytes));
    await expectIntactLibrary(f);
  });

  it('a new album replaces the old one, keeping shared photos without downloading them again', async () => {
    const f = await frame({ count: 4 });
    await f.sync();
    const shared = f.seeded.photos[0]!;
    const fresh = f.sim.addAsset({ bytes: await jpegBytes(5), originalFileName: 'fresh.jpg' });
    const other = f.sim.addAlbum({ albumName: 'Other', assetIds: [shared.id, fresh.id] });
    f.sim.clearRequests();
    const out = await f.sync({ config: { album_id: other.id } });
    expect(out.result).toMatchObject({ added: 1, removed: 3, kept: 1 });
    expect(f.downloads().map((d) => d.assetId)).toEqual([fresh.id]);
    const m = await f.metadata();
    expect(Object.keys(m.synced_assets).sort()).toEqual([shared.id, fresh.id].sort());
    expect(m.album_id).toBe(other.id);
    expect(await f.files()).toHaveLength(2);
  });

  it("the old album's photos stay when the new album cannot be listed", async () => {
    const f = await frame({ count: 3 });
    await f.sync();
    const err = await f.sync({ config: { album_id: '0b1c2d3e-0000-4000-8000-00000000dead' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlbumNotFoundError);
    const m = await f.metadata();
    expect(m.album_id).toBe(f.seeded.album.id);
    expect(Object.keys(m.synced_assets)).toHaveLength(3);
    expect(await f.files()).toHaveLength(3);
  });

  it('a photo_size change fetches every photo again as that rendering', async () => {
    const f = await frame({ count: 3 });
    await f.sync();
    const out = await f.sync({ config: { photo_size: 'preview' } });
    expect(out.result.updated).toBe(3);
    const m = await expectIntactLibrary(f);
    for (const e of Object.values(m.synced_assets)) {
      expect(e.rendition).toBe('preview');
      expect(e.local_path).toMatch(/\.jpg$/);
    }
    expect(await f.files()).toHaveLength(3);
  });
});

describe('sync: external libraries', () => {
  const LIBRARY = '5d9d6a3c-1c3b-4a55-9a51-6d2a6d7e1f00';

  it('an external-library photo, whose checksum hashes its path, lands checked by length and decodability', async () => {
    const f = await frame({ count: 2, withVideo: false });
    const bytes = await jpegBytes(31);
    const scan = f.sim.addAsset({ bytes, originalFileName: 'scan.jpg', libraryId: LIBRARY });
    f.sim.addToAlbum(f.seeded.album.id, [scan.id]);
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 3, failed: 0 });
    const entry = (await f.metadata()).synced_assets[scan.id]!;
    expect(entry.checksum).not.toBe(sha1Base64(bytes));
    expect(sha1Base64(await readFile(path.join(f.paths.photosDir, entry.local_path)))).toBe(sha1Base64(bytes));
    f.sim.clearRequests();
    await f.sync();
    expect(f.downloads()).toEqual([]);
  });

  it('a cut-off external-library download is refused and retried, never kept', async () => {
    const f = await frame({ count: 1, withVideo: false });
    const scan = f.sim.addAsset({
      bytes: await jpegBytes(32, 400, 300),
      originalFileName: 'scan.jpg',
      libraryId: LIBRARY,
    });
    f.sim.addToAlbum(f.seeded.album.id, [scan.id]);
    f.sim.injectFault({ route: 'original', assetId: scan.id, times: Infinity, fault: { kind: 'truncate' } });
    const out = await f.sync();
    expect(out.result.failures.map((x) => x.id)).toEqual([scan.id]);
    expect(await f.files()).toHaveLength(1);
  });

  it('after losing the metadata, an external-library photo is recognised by its name, not downloaded again', async () => {
    const f = await frame({ count: 1, withVideo: false });
    const scan = f.sim.addAsset({ bytes: await jpegBytes(33), originalFileName: 'scan.jpg', libraryId: LIBRARY });
    f.sim.addToAlbum(f.seeded.album.id, [scan.id]);
    await f.sync();
    await writeFile(f.paths.metadataPath, 'lost');
    f.sim.clearRequests();
    const out = await f.sync();
    expect(out.result).toMatchObject({ adopted: 2, added: 0 });
    expect(f.downloads()).toEqual([]);
    expect((await f.metadata()).synced_assets[scan.id]!.local_path).toBe('scan.jpg');
  });
});

describe('sync: max_photos', () => {
  it('max_photos with newest keeps the newest N, and a newer upload pushes out only the oldest of them', async () => {
    const f = await frame({ count: 8, withVideo: false });
    f.config.max_photos = 3;
    f.config.selection_mode = 'newest';
    await f.sync();
    const newest = [...f.seeded.photos].sort((a, b) => b.fileCreatedAt.localeCompare(a.fileCreatedAt)).slice(0, 3);
    expect(Object.keys((await f.metadata()).synced_assets).sort()).toEqual(newest.map((p) => p.id).sort());

    const newer = f.sim.addAsset({
      bytes: await jpegBytes(9),
      originalFileName: 'newer.jpg',
      fileCreatedAt: '2030-01-01T00:00:00.000Z',
    });
    const older = f.sim.addAsset({
      bytes: await jpegBytes(10),
      originalFileName: 'older.jpg',
      fileCreatedAt: '1990-01-01T00:00:00.000Z',
    });
    f.sim.addToAlbum(f.seeded.album.id, [newer.id, older.id]);
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 1, removed: 1, kept: 2 });
    expect(Object.keys((await f.metadata()).synced_assets).sort()).toEqual(
      [newer.id, newest[0]!.id, newest[1]!.id].sort(),
    );
    expect(await f.files()).toHaveLength(3);
  });

  it('the max_photos subset is stable: a resync keeps the same photos and downloads nothing', async () => {
    const f = await frame({ count: 10, withVideo: false });
    f.config.max_photos = 4;
    await f.sync();
    const first = Object.keys((await f.metadata()).synced_assets).sort();
    f.sim.clearRequests();
    await f.sync();
    expect(Object.keys((await f.metadata()).synced_assets).sort()).toEqual(first);
    expect(f.downloads()).toEqual([]);
  });
});

describe('sync: names', () => {
  it('hostile file names land inside photos/, and nothing is written anywhere else', async () => {
    const f = await frame({ count: 1, withVideo: false });
    const hostile = [
      '../../escape.jpg',
      '..',
      '.hidden.jpg',
      'a/b/c.jpg',
      'con\u0000trol\n.jpg',
      '\u202egpj.exe',
      'x'.repeat(300) + '.jpg',
    ];
    const ids: string[] = [];
    for (const [i, name] of hostile.entries())
      ids.push(f.sim.addAsset({ bytes: await jpegBytes(50 + i), originalFileName: name }).id);
    f.sim.addToAlbum(f.seeded.album.id, ids);
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: hostile.length + 1, failed: 0 });
    const files = await f.files();
    expect(files).toHaveLength(hostile.length + 1);
    for (const n of files) {
      expect(n.startsWith('.')).toBe(false);
      expect(Buffer.byteLength(n)).toBeLessThanOrEqual(180);
    }
    expect(await readdir(f.root)).toEqual(['plugins']);
    expect((await readdir(f.paths.instanceDir)).sort()).toEqual(['photos', 'sync_attempts.json', 'sync_metadata.json']);
    await expectIntactLibrary(f);
  });

  it('two IMG_0001.JPG both survive, under names that stay the same on every sync', async () => {
    const f = await frame({ count: 1, withVideo: false });
    const a = f.sim.addAsset({
      bytes: await jpegBytes(1),
      originalFileName: 'IMG_0001.JPG',
      fileCreatedAt: '2020-01-01T12:00:00.000Z',
    });
    const b = f.sim.addAsset({
      bytes: await jpegBytes(2),
      originalFileName: 'IMG_0001.JPG',
      fileCreatedAt: '2020-06-15T12:00:00.000Z',
    });
    f.sim.addToAlbum(f.seeded.album.id, [a.id, b.id]);
    await f.sync();
    const names = async () => {
      const m = await f.metadata();
      return [m.synced_assets[a.id]?.local_path, m.synced_assets[b.id]?.local_path];
    };
    const first = await names();
    expect(first[0]).toBe('IMG_0001.JPG');
    expect(first[1]).toMatch(/^IMG_0001-[0-9a-f]{8}\.JPG$/);
    await f.sync();
    expect(await names()).toEqual(first);
    // The plain-named one leaves: the other keeps its name rather than being renamed.
    f.sim.removeFromAlbum(f.seeded.album.id, [a.id]);
    await f.sync();
    expect((await names())[1]).toBe(first[1]);
    await expectIntactLibrary(f);
  });
});

describe('sync: a misbehaving server', () => {
  it('a checksum mismatch keeps no file, reports the photo, and leaves the rest and the metadata intact', async () => {
    const f = await frame({ count: 4, withVideo: false });
    const bad = f.seeded.photos.find((p) => p.originalFileName.endsWith('.jpg'))!;
    f.sim.injectFault({ route: 'original', assetId: bad.id, times: Infinity, fault: { kind: 'wrong-bytes' } });
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 3, failed: 1 });
    expect(out.result.failures[0]!.error).toContain("do not match the server's checksum");
    expect(out.result.failures[0]!.id).toBe(bad.id);
    const m = await expectIntactLibrary(f);
    expect(m.synced_assets[bad.id]).toBeUndefined();
    expect(await f.files()).toHaveLength(3);
    // Tried a few times, then given up on for this sync.
    expect(f.downloads().filter((d) => d.assetId === bad.id)).toHaveLength(3);
  });

  it('a body cut off mid-way is retried and the photo lands', async () => {
    const f = await frame({ count: 3, withVideo: false });
    const victim = f.seeded.photos[0]!;
    f.sim.injectFault({ route: 'original', assetId: victim.id, times: 1, fault: { kind: 'truncate' } });
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 3, failed: 0 });
    expect(f.downloads().filter((d) => d.assetId === victim.id)).toHaveLength(2);
    await expectIntactLibrary(f);
    expect((await f.files()).some((n) => n.startsWith('.'))).toBe(false);
  });

  it('a body that stalls is abandoned and retried', async () => {
    const f = await frame({ count: 2, withVideo: false });
    const victim = f.seeded.photos[1]!;
    f.sim.injectFault({ route: 'original', assetId: victim.id, times: 1, fault: { kind: 'stall-body' } });
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 2, failed: 0 });
    await expectIntactLibrary(f);
  });

  it('429 with Retry-After and 500s are ridden out, on the listing and on downloads', async () => {
    const f = await frame({ count: 3, withVideo: false });
    f.sim.injectFault({ route: 'search', times: 1, fault: { kind: 'status', status: 429, retryAfter: 0 } });
    f.sim.injectFault({ route: 'search', times: 1, fault: { kind: 'status', status: 500 } });
    f.sim.injectFault({ route: 'original', times: 2, fault: { kind: 'status', status: 503 } });
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 3, failed: 0 });
    expect(f.sim.requests.filter((r) => r.status === 429 || r.status === 500 || r.status === 503)).toHaveLength(4);
  });

  it('with the server gone the sync fails with ServerUnreachableError and the library is untouched', async () => {
    const f = await frame({ count: 3, withVideo: false });
    await f.sync();
    const before = await readFile(f.paths.metadataPath, 'utf8');
    await f.sim.close();
    const err = await f.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect((err as Error).message).toContain(new URL(f.sim.url).host);
    expect(await readFile(f.paths.metadataPath, 'utf8')).toBe(before);
    expect(await f.files()).toHaveLength(3);
  });

  it('a sync stopped mid-way (SIGTERM) records what landed, and the next run finishes the job', async () => {
    const f = await frame({ count: 8, withVideo: false });
    let landed = 0;
    const stop = new AbortController();
    const progress = (e: { phase: string }) => {
      if (e.phase === 'download' && ++landed === 3) stop.abort(new Error('received SIGTERM'));
    };
    await expect(f.sync({ signal: stop.signal, onProgress: progress, concurrency: 1 })).rejects.toThrow();
    const partial = await f.metadata();
    expect(partial.sync_in_progress).not.toBeNull();
    const kept = Object.keys(partial.synced_assets).length;
    expect(kept).toBeGreaterThanOrEqual(3);
    f.sim.clearRequests();
    const out = await f.sync();
    expect(out.result.added).toBe(8 - kept);
    expect(f.downloads()).toHaveLength(8 - kept);
    const m = await expectIntactLibrary(f);
    expect(m.sync_in_progress).toBeNull();
    expect((await f.files()).some((n) => n.startsWith('.'))).toBe(false);
  });

  it('the server going away mid-sync stops it with ServerUnreachableError, keeping what landed', async () => {
    const f = await frame({ count: 6, withVideo: false });
    let landed = 0;
    const progress = (e: { phase: string }) => {
      if (e.phase === 'download' && ++landed === 2) void f.sim.close();
    };
    const err = await f.sync({ onProgress: progress, concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerUnreachableError);
    const m = await expectIntactLibrary(f);
    expect(Object.keys(m.synced_assets)).toHaveLength(2);
    expect(m.sync_in_progress).not.toBeNull();
    expect(await f.files()).toHaveLength(2);
  });
});

/** The library reconciled and the plan of a sync of every photo of the album, as syncLibrary
 * makes them: for the tests that drive applyPlan themselves. */
async function planNow(f: TestFrame) {
  const { metadata } = await reconcileLibrary(f.paths);
  const plan = planSync({
    albumId: f.seeded.album.id,
    remote: await f.client.listAssets(f.seeded.album.id),
    metadata,
    photoSize: 'original',
    maxPhotos: 0,
    mode: 'random',
  });
  return { metadata, plan };
}

describe('sync: crash safety', () => {
  it('no saved metadata ever names a missing file: photos are renamed in before they are recorded, records go before their files', async () => {
    const f = await frame({ count: 8, withVideo: false });
    await f.sync();
    const [gone1, gone2, changed] = f.seeded.photos;
    f.sim.removeFromAlbum(f.seeded.album.id, [gone1!.id, gone2!.id]);
    f.sim.replaceBytes(changed!.id, await jpegBytes(123, 40, 30));
    const added = [];
    for (let i = 0; i < 6; i++)
      added.push(f.sim.addAsset({ bytes: await jpegBytes(300 + i), originalFileName: `new_${i}.png` }).id);
    f.sim.addToAlbum(f.seeded.album.id, added);

    const { metadata, plan } = await planNow(f);
    let durable: LibraryMetadata = structuredClone(metadata);
    const missing = (m: LibraryMetadata) =>
      Object.values(m.synced_assets)
        .filter((e) => !existsSync(path.join(f.paths.photosDir, e.local_path)))
        .map((e) => e.local_path);
    let saves = 0;
    const result = await applyPlan(plan, {
      paths: f.paths,
      source: f.client,
      metadata,
      concurrency: 2,
      checkpoint: { files: 1, ms: 60_000 },
      save: async (m) => {
        // What is on disk now must still hold the last saved records, and the new ones too.
        expect(missing(durable)).toEqual([]);
        expect(missing(m)).toEqual([]);
        await writeMetadata(f.paths, m);
        durable = structuredClone(m);
        saves += 1;
      },
    });
    expect(missing(durable)).toEqual([]);
    expect(result).toMatchObject({ added: 6, updated: 1, removed: 2, failures: [] });
    // The mark, at least one landing, the removals: downloads do not wait for a checkpoint, so
    // checkpoints asked for while one runs merge into the next.
    expect(saves).toBeGreaterThanOrEqual(3);
  });

  it('a sync that runs to its end leaves its last save to the caller: every file landed and its folder fsynced first', async () => {
    const f = await frame({ count: 4, withVideo: false });
    const run = async (callerSavesLast: boolean) => {
      const { metadata, plan } = await planNow(f);
      const saved: number[] = [];
      await applyPlan(plan, {
        paths: f.paths,
        source: f.client,
        metadata,
        // No checkpoint falls due between the mark and the end.
        checkpoint: { files: 100, ms: 60_000 },
        callerSavesLast,
        save: async (m) => {
          saved.push(Object.keys(m.synced_assets).length);
          await writeMetadata(f.paths, m);
        },
      });
      return { metadata, saved };
    };
    const left = await run(true);
    // The mark alone was saved here; the four photos are in place, under their final names, and
    // recorded in the metadata the caller saves next.
    expect(left.saved).toEqual([0]);
    expect(Object.keys(left.metadata.synced_assets)).toHaveLength(4);
    const names = Object.values(left.metadata.synced_assets).map((e) => e.local_path);
    expect((await f.files()).sort()).toEqual([...names].sort());
    for (const n of names) expect(existsSync(path.join(f.paths.photosDir, n))).toBe(true);

    // Without it, the last checkpoint saves them itself.
    const { rm } = await import('node:fs/promises');
    await rm(f.paths.instanceDir, { recursive: true, force: true });
    const own = await run(false);
    expect(own.saved).toEqual([0, 4]);
  });

  it('a failed save of the mark (saved while the first downloads run) stops the sync with its error, no photo half there', async () => {
    const f = await frame({ count: 4, withVideo: false });
    const { metadata, plan } = await planNow(f);
    const refused = new Error('the card refused the metadata');
    const err = await applyPlan(plan, {
      paths: f.paths,
      source: f.client,
      metadata,
      save: () => Promise.reject(refused),
    }).catch((e: unknown) => e);
    expect(err).toBe(refused);
    // A download that was through before the save failed may be in place (the next sync adopts
    // it); temps are left for reconcile.ts to clear; nothing is half there, nothing recorded.
    const album = new Set(await Promise.all(f.seeded.photos.map(async (p) => sha1Base64(await f.sim.bytesOf(p.id)))));
    for (const n of (await readdir(f.paths.photosDir)).filter((x) => !x.endsWith('.part')))
      expect(album.has(sha1Base64(await readFile(path.join(f.paths.photosDir, n))))).toBe(true);
    expect(existsSync(f.paths.metadataPath)).toBe(false);
  });

  it('a photo of several write batches lands byte for byte, and no temp file stays', async () => {
    const f = await frame({ count: 2, withVideo: false });
    // 3.5 MiB: four batches of the sink, the next one gathering while one is written.
    const bytes = Buffer.concat([await jpegBytes(77), Buffer.alloc(3.5 * 1024 * 1024, 0x5a)]);
    const id = f.sim.addAsset({ bytes, originalFileName: 'PXL_big.jpg' }).id;
    f.sim.addToAlbum(f.seeded.album.id, [id]);
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 3, failed: 0 });
    const m = await expectIntactLibrary(f);
    const entry = m.synced_assets[id]!;
    expect(entry.bytes).toBe(bytes.length);
    expect((await readFile(path.join(f.paths.photosDir, entry.local_path))).equals(bytes)).toBe(true);
    expect((await readdir(f.paths.photosDir)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });
});

describe('sync: reconciliation with the server', () => {
  it('an unknown file that is an album photo is adopted without downloading it again', async () => {
    const f = await frame({ count: 3, withVideo: false });
    const photo = f.seeded.photos[0]!;
    const { mkdir } = await import('node:fs/promises');
    await mkdir(f.paths.photosDir, { recursive: true });
    await writeFile(path.join(f.paths.photosDir, 'copied by hand.jpg'), await f.sim.bytesOf(photo.id));
    const out = await f.sync();
    expect(out.result).toMatchObject({ adopted: 1, added: 2 });
    expect(f.downloads().some((d) => d.assetId === photo.id)).toBe(false);
    expect((await f.metadata()).synced_assets[photo.id]!.local_path).toBe('copied by hand.jpg');
    await expectIntactLibrary(f);
  });

  it('corrupt metadata is rebuilt from the files on disk without downloading them again', async () => {
    const f = await frame({ count: 5, withVideo: false });
    await f.sync();
    const names = await f.files();
    await writeFile(f.paths.metadataPath, '{"sync_count": "many"');
    f.sim.clearRequests();
    const out = await f.sync();
    expect(out.result.adopted).toBe(5);
    expect(f.downloads()).toEqual([]);
    expect(await f.files()).toEqual(names);
    expect((await readdir(f.paths.instanceDir)).some((n) => n.startsWith('sync_metadata.json.corrupt-'))).toBe(true);
  });

  it('a photo deleted by hand is fetched again; a stray temp file is cleared', async () => {
    const f = await frame({ count: 3, withVideo: false });
    await f.sync();
    const victim = f.seeded.photos[1]!;
    const { rm } = await import('node:fs/promises');
    await rm(path.join(f.paths.photosDir, (await f.metadata()).synced_assets[victim.id]!.local_path));
    await writeFile(path.join(f.paths.photosDir, '.artframe-0123456789abcdef.part'), 'partial');
    f.sim.clearRequests();
    const out = await f.sync();
    expect(out.result).toMatchObject({ added: 1, kept: 2 });
    expect(f.downloads().map((d) => d.assetId)).toEqual([victim.id]);
    expect(out.reconcile.tempsRemoved).toEqual(['.artframe-0123456789abcdef.part']);
    await expectIntactLibrary(f);
  });
});

describe('sync: one at a time, and when due', () => {
  it('a sync while another holds the lock fails at once with LibraryBusyError', async () => {
    const f = await frame({ count: 1, withVideo: false });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(f.paths.instanceDir, { recursive: true });
    const lock = await acquireSyncLock(f.paths);
    try {
      await expect(f.sync()).rejects.toBeInstanceOf(LibraryBusyError);
      expect(f.downloads()).toEqual([]);
    } finally {
      await lock.release();
    }
  });

  it('a sync that is not due does not touch the server', async () => {
    const f = await frame({ count: 2, withVideo: false });
    await f.sync();
    f.sim.clearRequests();
    const out = await syncLibrary({ paths: f.paths, source: f.client, config: f.config });
    expect(out.kind).toBe('not-due');
    expect(f.sim.requests).toEqual([]);
  });

  it('a dry run lists and plans but downloads and changes nothing', async () => {
    const f = await frame({ count: 3, withVideo: false });
    const out = await syncLibrary({ paths: f.paths, source: f.client, config: f.config, dryRun: true });
    expect(out.kind).toBe('dry-run');
    expect(out.kind === 'dry-run' && out.plan.add).toHaveLength(3);
    expect(f.downloads()).toEqual([]);
    expect(await readdir(f.root)).toEqual([]);
  });
});
