// The no-change fast path (no-change.ts) against the simulated Immich and a real library: a sync
// that sees what the last unchanged sync saw, answer for answer, skips parsing and planning; every
// kind of change, on the server, on the disk or in the settings, runs the full sync and gets its
// result.
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ImmichClient } from '../../src/immich/client.js';
import { planToJson } from '../../src/library/plan.js';
import { verifyPhoto } from '../../src/library/verify.js';
import { syncLibrary, type SyncOutcome } from '../../src/library/sync.js';
import { expectIntactLibrary, startFrame, type TestFrame } from '../support/frame-sim.js';
import { jpegBytes } from '../support/library.js';

const frames: TestFrame[] = [];
afterEach(async () => {
  await Promise.all(frames.splice(0).map((f) => f.close()));
});

/** A frame synced twice: the first sync fetches the photos, the second changes nothing and
 * records what it saw. `pageSize` 2 makes the album's listing several pages. */
async function settled(options: Parameters<typeof startFrame>[0] = {}): Promise<TestFrame> {
  const f = await startFrame({ count: 6, withVideo: false, ...options });
  frames.push(f);
  const first = await f.sync();
  expect(first.result.added).toBeGreaterThan(0);
  const second = await f.sync();
  expect(second.unchanged).toBe(true);
  expect(second.replayed).toBeUndefined();
  expect(existsSync(f.paths.noChangePath)).toBe(true);
  f.sim.clearRequests();
  return f;
}

type Synced = SyncOutcome & { kind: 'synced' };

/** What a sync reports, less its clock. */
function report(out: Synced) {
  const { finished_at: _f, seconds: _s, ...result } = out.result;
  return { result, plan: planToJson(out.plan), version: out.serverVersion, reason: out.reason };
}

function routes(f: TestFrame): string[] {
  return f.sim.requests.map((r) => r.route);
}

describe('no-change fast path', () => {
  it('an unchanged server and library: the listing is asked, not parsed, and the sync reports what the full one did', async () => {
    const f = await settled({ client: { pageSize: 2 } });
    const full = await f.sync();
    expect(full.replayed).toBe(true);
    const before = await stat(f.paths.metadataPath);
    f.sim.clearRequests();
    const fast = await f.sync();
    expect(fast.replayed).toBe(true);
    expect(fast.unchanged).toBe(true);
    // The same requests as a full listing (version, three pages, stacks), nothing else.
    expect(routes(f)).toEqual(['version', 'search', 'search', 'search', 'stacks']);
    expect(f.downloads()).toEqual([]);
    expect(fast.result).toMatchObject({ added: 0, updated: 0, removed: 0, kept: 6, failed: 0, remote_total: 6 });
    expect(fast.plan.keep).toHaveLength(6);
    // The metadata is left alone, as a full no-change sync leaves it.
    const after = await stat(f.paths.metadataPath);
    expect([after.mtimeMs, after.ino]).toEqual([before.mtimeMs, before.ino]);
    await expectIntactLibrary(f);
  });

  it('reports exactly what the full sync reports', async () => {
    const f = await startFrame({ count: 5, withVideo: false });
    frames.push(f);
    await f.sync();
    const full = await f.sync();
    const fast = await f.sync();
    expect(full.replayed).toBeUndefined();
    expect(fast.replayed).toBe(true);
    expect(report(fast)).toEqual(report(full));
    const { last_sync: _a, ...fullMeta } = full.metadata;
    const { last_sync: _b, ...fastMeta } = fast.metadata;
    expect(fastMeta).toEqual(fullMeta);
  });

  it('a later page changed: the replay stops at that page, and the full sync fetches the changed photo', async () => {
    const f = await settled({ client: { pageSize: 2 } });
    const last = await pageIds(f, 3);
    expect(last).toHaveLength(2);
    f.sim.replaceBytes(last[0]!, await jpegBytes(99, 40, 30));
    f.sim.clearRequests();
    const out = await f.sync();
    expect(out.replayed).toBeUndefined();
    expect(out.result).toMatchObject({ added: 0, updated: 1, removed: 0, kept: 5, failed: 0 });
    expect(f.downloads().map((d) => d.assetId)).toEqual([last[0]]);
    // Pages 1 and 2 answered as recorded, page 3 did not: nothing more was asked of the replay.
    expect(routes(f).slice(0, 4)).toEqual(['version', 'search', 'search', 'search']);
    expect(routes(f).slice(4, 9)).toEqual(['version', 'search', 'search', 'search', 'stacks']);
    await expectIntactLibrary(f);
  });

  it('one asset changed on the server (its bytes, or only its description) runs the full sync', async () => {
    const f = await settled();
    const [a, b] = f.seeded.photos;
    f.sim.replaceBytes(a!.id, await jpegBytes(5, 48, 32));
    const bytes = await f.sync();
    expect(bytes.replayed).toBeUndefined();
    expect(bytes.result).toMatchObject({ updated: 1, kept: 5, failed: 0 });
    expect(f.downloads().map((d) => d.assetId)).toEqual([a!.id]);

    await f.sync(); // changes nothing: records anew
    f.sim.updateAsset(b!.id, { description: 'a new caption' });
    f.sim.clearRequests();
    const info = await f.sync();
    expect(info.replayed).toBeUndefined();
    expect(f.downloads()).toEqual([]);
    expect((await f.metadata()).synced_assets[b!.id]!.info?.description).toBe('a new caption');
    // And once that is recorded, the next is fast again.
    await f.sync();
    expect((await f.sync()).replayed).toBe(true);
  });

  it('an asset added to or taken out of the album runs the full sync', async () => {
    const f = await settled();
    const extra = f.sim.addAsset({ bytes: await jpegBytes(7, 30, 20), originalFileName: 'new.jpg' });
    f.sim.addToAlbum(f.seeded.album.id, [extra.id]);
    const added = await f.sync();
    expect(added.replayed).toBeUndefined();
    expect(added.result).toMatchObject({ added: 1, kept: 6 });
    expect((await f.metadata()).synced_assets[extra.id]).toBeDefined();

    await f.sync();
    const gone = f.seeded.photos[2]!;
    f.sim.removeFromAlbum(f.seeded.album.id, [gone.id]);
    const removed = await f.sync();
    expect(removed.replayed).toBeUndefined();
    expect(removed.result).toMatchObject({ removed: 1, kept: 6 });
    expect((await f.metadata()).synced_assets[gone.id]).toBeUndefined();
  });

  it('a photo deleted or truncated on disk is fetched again', async () => {
    const f = await settled();
    const m = await f.metadata();
    const [one, two] = Object.entries(m.synced_assets);
    await unlink(path.join(f.paths.photosDir, one![1].local_path));
    const deleted = await f.sync();
    expect(deleted.replayed).toBeUndefined();
    expect(deleted.result).toMatchObject({ added: 1, kept: 5 });
    expect(f.downloads().map((d) => d.assetId)).toEqual([one![0]]);

    await f.sync();
    f.sim.clearRequests();
    const file = path.join(f.paths.photosDir, two![1].local_path);
    await truncate(file, (await stat(file)).size - 10);
    const truncated = await f.sync();
    expect(truncated.replayed).toBeUndefined();
    expect(f.downloads().map((d) => d.assetId)).toEqual([two![0]]);
    await expectIntactLibrary(f);
  });

  it('a photo rewritten on disk with the same size (a hand edit) is not taken as unchanged', async () => {
    const f = await settled();
    const [, entry] = Object.entries((await f.metadata()).synced_assets)[0]!;
    const file = path.join(f.paths.photosDir, entry.local_path);
    const old = await stat(file);
    await utimes(file, old.atime, new Date(old.mtimeMs + 5_000));
    const out = await f.sync();
    // The full sync finds nothing to do (the size is right), and records the folder as it is now.
    expect(out.replayed).toBeUndefined();
    expect(out.unchanged).toBe(true);
    expect((await f.sync()).replayed).toBe(true);
  });

  it('a hand-edited metadata file runs the full sync, which sets it right', async () => {
    const f = await settled();
    const raw = JSON.parse(await readFile(f.paths.metadataPath, 'utf8')) as {
      synced_assets: Record<string, unknown>;
    };
    const [id] = Object.keys(raw.synced_assets);
    delete raw.synced_assets[id!];
    await writeFile(f.paths.metadataPath, JSON.stringify(raw, null, 2));
    const out = await f.sync();
    expect(out.replayed).toBeUndefined();
    // The file is still there: adopted by its checksum, not downloaded.
    expect(out.result).toMatchObject({ adopted: 1, added: 0, kept: 5 });
    expect(f.downloads()).toEqual([]);
    expect((await f.metadata()).synced_assets[id!]).toBeDefined();
  });

  it('a changed setting (album, max_photos, photo_size) runs the full sync', async () => {
    const f = await settled();
    const ids = f.seeded.photos.map((p) => p.id);
    const other = f.sim.addAlbum({ albumName: 'other', assetIds: ids.slice(0, 2) });
    const album = await f.sync({ config: { album_id: other.id } });
    expect(album.replayed).toBeUndefined();
    expect(album.result).toMatchObject({ removed: 4, kept: 2 });

    // Back to the album, then fewer photos, then another size: each a full sync.
    await f.sync();
    await f.sync();
    const limited = await f.sync({ config: { max_photos: 3 } });
    expect(limited.replayed).toBeUndefined();
    expect(limited.result).toMatchObject({ removed: 3, kept: 3 });
    await f.sync({ config: { max_photos: 3 } });
    expect((await f.sync({ config: { max_photos: 3 } })).replayed).toBe(true);
    const resized = await f.sync({ config: { max_photos: 3, photo_size: 'preview' } });
    expect(resized.replayed).toBeUndefined();
    expect(resized.result).toMatchObject({ updated: 3 });
  });

  it('a photo that failed is tried again at every sync until it lands, never skipped', async () => {
    const f = await settled();
    const [id, entry] = Object.entries((await f.metadata()).synced_assets)[0]!;
    await unlink(path.join(f.paths.photosDir, entry.local_path));
    const fault = f.sim.injectFault({
      route: 'original',
      assetId: id,
      times: Infinity,
      fault: { kind: 'status', status: 403 },
    });
    const failed = await f.sync();
    expect(failed.result.failed).toBe(1);
    // The server and the disk are as they were at the failed sync: still a full sync, which tries again.
    f.sim.clearRequests();
    const again = await f.sync();
    expect(again.replayed).toBeUndefined();
    expect(again.result.failed).toBe(1);
    expect(f.downloads().map((d) => d.assetId)).toEqual([id]);
    fault.cancel();
    const landed = await f.sync();
    expect(landed.replayed).toBeUndefined();
    expect(landed.result).toMatchObject({ added: 1, failed: 0 });
    await expectIntactLibrary(f);
  });

  it('a photo found damaged (bit rot) is fetched again', async () => {
    const f = await settled();
    const [id, entry] = Object.entries((await f.metadata()).synced_assets)[0]!;
    const file = path.join(f.paths.photosDir, entry.local_path);
    const bytes = await readFile(file);
    const at = bytes.length - 3;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    await writeFile(file, bytes);
    expect(await verifyPhoto(f.paths, id)).toBe('damaged');
    const out = await f.sync();
    expect(out.replayed).toBeUndefined();
    expect(f.downloads().map((d) => d.assetId)).toEqual([id]);
    await expectIntactLibrary(f);
  });

  it('a sync stopped mid-way is finished by the next one, in full', async () => {
    const f = await settled();
    for (let i = 0; i < 4; i++) {
      const a = f.sim.addAsset({ bytes: await jpegBytes(40 + i, 20 + i, 20), originalFileName: `late-${i}.jpg` });
      f.sim.addToAlbum(f.seeded.album.id, [a.id]);
    }
    const stop = new AbortController();
    let landed = 0;
    await expect(
      f.sync({
        signal: stop.signal,
        concurrency: 1,
        onProgress: (e) => {
          if (e.phase === 'download' && ++landed === 2) stop.abort(new Error('received SIGTERM'));
        },
      }),
    ).rejects.toThrow();
    const next = await f.sync();
    expect(next.replayed).toBeUndefined();
    expect(next.result.added + landed).toBeGreaterThanOrEqual(4);
    expect(Object.keys((await f.metadata()).synced_assets)).toHaveLength(10);
    await expectIntactLibrary(f);
  });

  it('a leftover temp file runs the full sync, which removes it', async () => {
    const f = await settled();
    const temp = `${f.paths.metadataPath}.tmp-0123456789ab`;
    await writeFile(temp, '{');
    const out = await f.sync();
    expect(out.replayed).toBeUndefined();
    expect(out.reconcile.tempsRemoved).toEqual([path.basename(temp)]);
    expect(existsSync(temp)).toBe(false);
  });

  it('no sync due: the fast check answers without asking the server', async () => {
    const f = await settled();
    const out = await syncLibrary({ paths: f.paths, source: f.client, config: f.config });
    expect(out.kind).toBe('not-due');
    expect(f.sim.requests).toEqual([]);
  });

  it('the listing bounds hold on the replay: an answer past its recorded length is not read on, a stalled one meets the deadline', async () => {
    const f = await settled({ client: { limits: { listingMs: 1_500 } } });
    // An answer that never ends: the replay stops reading at the recorded length, and the full
    // listing (answered normally) then runs.
    const endless = f.sim.injectFault({ route: 'search', times: 1, fault: { kind: 'endless-body' } });
    const out = await f.sync();
    expect(endless.hits).toBe(1);
    expect(out.replayed).toBeUndefined();
    expect(out.unchanged).toBe(true);
    // A server that stops answering: the listing's deadline ends the sync as it ends a full one.
    f.sim.injectFault({ route: 'search', times: Infinity, fault: { kind: 'stall' } });
    await expect(f.sync()).rejects.toMatchObject({ code: 'SERVER_DEADLINE' });
  });
  it('another API key, or the whole library instead of an album, is a full sync first', async () => {
    const f = await settled();
    const other = new ImmichClient({ baseUrl: f.sim.url, apiKey: f.sim.addApiKey(f.sim.userId) });
    try {
      const first = await f.sync({ source: other });
      expect(first.replayed).toBeUndefined();
      expect(first.unchanged).toBe(true);
      expect((await f.sync({ source: other })).replayed).toBe(true);
    } finally {
      await other.close();
    }
    // Whole-library mode: its own listing (every page of the library, then the stacks).
    await f.sync({ config: { album_id: '' } });
    await f.sync({ config: { album_id: '' } });
    f.sim.clearRequests();
    const library = await f.sync({ config: { album_id: '' } });
    expect(library.replayed).toBe(true);
    expect(routes(f)).toEqual(['version', 'search', 'stacks']);
    expect(library.result.kept).toBe(library.result.remote_total);
  });

  it('a folder inside photos/ (warned of at every sync) keeps every sync a full one', async () => {
    const f = await settled();
    await mkdir(path.join(f.paths.photosDir, 'by hand'));
    await f.sync();
    expect((await f.sync()).replayed).toBeUndefined();
  });
});

/** The ids of one page of the album's listing, asked of the simulator as the client asks. */
async function pageIds(f: TestFrame, page: number): Promise<string[]> {
  const res = await fetch(`${f.sim.url}/api/search/metadata`, {
    method: 'POST',
    headers: { 'x-api-key': f.sim.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      albumIds: [f.seeded.album.id],
      type: 'IMAGE',
      withExif: true,
      withPeople: true,
      page,
      size: 2,
    }),
  });
  const body = (await res.json()) as { assets: { items: { id: string }[] } };
  return body.assets.items.map((i) => i.id);
}
