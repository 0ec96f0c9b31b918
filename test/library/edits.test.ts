// Edited photos (issue 10, point 1): the frame stores what Immich shows, the edited image
// (edited=true), fetches it again when the edits change or are removed, and never pretends the
// original's SHA-1 describes an edited file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startFrame, type TestFrame } from '../support/frame-sim.js';
import { sha1Base64 } from '../support/library.js';

const frames: TestFrame[] = [];
afterEach(async () => {
  await Promise.all(frames.splice(0).map((f) => f.close()));
});

async function editedFrame() {
  const f = await startFrame({ count: 3, withVideo: false });
  frames.push(f);
  // IMG_1000.jpg is 1280x720: crop a 600x720 strip, then turn it a quarter (as fixture
  // asset-edits-get does to a 1920x1080 photo): Immich then shows a 720x600 landscape.
  const photo = f.seeded.photos.find((p) => p.originalFileName === 'IMG_1000.jpg')!;
  f.sim.setEdits(photo.id, [
    { action: 'crop', parameters: { x: 0, y: 0, width: 600, height: 720 } },
    { action: 'rotate', parameters: { angle: 90 } },
  ]);
  return { f, photo };
}

async function storedSize(f: TestFrame, id: string) {
  const entry = (await f.metadata()).synced_assets[id]!;
  const file = path.join(f.paths.photosDir, entry.local_path);
  const meta = await sharp(file).metadata();
  return { entry, width: meta.width, height: meta.height, sha1: sha1Base64(await readFile(file)) };
}

describe('edited photos', () => {
  it('an edited photo is stored as Immich shows it, fetched with edited=true, and marked edited', async () => {
    const { f, photo } = await editedFrame();
    const out = await f.sync();
    expect(out.result.failed).toBe(0);
    const got = await storedSize(f, photo.id);
    expect([got.width, got.height]).toEqual([720, 600]);
    expect(got.entry.edited).toBe(true);
    // The original's checksum does not describe the edited file; what is recorded is its own SHA-1.
    expect(got.sha1).not.toBe(photo.checksum);
    expect(got.entry.sha1).toBe(got.sha1);
    const asked = f.sim.requests.filter((r) => r.route === 'original').map((r) => [r.path.split('/')[3], r.query]);
    expect(asked).toContainEqual([photo.id, { edited: 'true' }]);
    // Unedited photos are fetched exactly as before: no edited flag, checked against their checksum.
    const others = asked.filter(([id]) => id !== photo.id);
    expect(others.length).toBe(2);
    for (const [, q] of others) expect(q).toEqual({});
  });

  it('changed edits are fetched again; removed edits bring the original back, checksum-verified', async () => {
    const { f, photo } = await editedFrame();
    await f.sync();
    f.sim.setEdits(photo.id, [{ action: 'crop', parameters: { x: 100, y: 100, width: 400, height: 300 } }]);
    f.sim.clearRequests();
    const second = await f.sync();
    expect(second.plan.update.map((u) => [u.asset.id, u.reason])).toEqual([[photo.id, 'edits']]);
    expect(second.result.updated).toBe(1);
    expect(f.downloads().map((d) => d.assetId)).toEqual([photo.id]);
    const cropped = await storedSize(f, photo.id);
    expect([cropped.width, cropped.height]).toEqual([400, 300]);

    f.sim.setEdits(photo.id, []);
    const third = await f.sync();
    expect(third.plan.update.map((u) => u.reason)).toEqual(['edits']);
    const back = await storedSize(f, photo.id);
    expect([back.width, back.height]).toEqual([1280, 720]);
    expect(back.sha1).toBe(photo.checksum);
    expect(back.entry.edited).toBeUndefined();

    // And a sync with nothing changed downloads nothing.
    f.sim.clearRequests();
    const fourth = await f.sync();
    expect(fourth.result).toMatchObject({ added: 0, updated: 0 });
    expect(f.downloads()).toEqual([]);
  });

  it('photo_size preview stores the edited preview', async () => {
    const { f, photo } = await editedFrame();
    await f.sync({ config: { photo_size: 'preview' } });
    const got = await storedSize(f, photo.id);
    expect([got.width, got.height]).toEqual([720, 600]);
    const q = f.sim.requests.find((r) => r.route === 'thumbnail' && r.path.includes(photo.id))!.query;
    expect(q).toEqual({ size: 'preview', edited: 'true' });
  });

  it('on v2.5 (album listed by GET /api/albums/{id}) edits are shown too; before v2.5 there are none', async () => {
    const f = await startFrame({ count: 2, withVideo: false, version: { major: 2, minor: 5, patch: 6 } });
    frames.push(f);
    const photo = f.seeded.photos.find((p) => p.originalFileName === 'IMG_1000.jpg')!;
    f.sim.setEdits(photo.id, [{ action: 'rotate', parameters: { angle: 90 } }]);
    await f.sync();
    expect(f.sim.requests.some((r) => r.route === 'album')).toBe(true);
    const got = await storedSize(f, photo.id);
    expect([got.width, got.height, got.entry.edited]).toEqual([720, 1280, true]);

    const old = await startFrame({ count: 2, withVideo: false, version: { major: 2, minor: 4, patch: 0 } });
    frames.push(old);
    old.sim.setEdits(old.seeded.photos[0]!.id, [{ action: 'rotate', parameters: { angle: 90 } }]);
    await old.sync();
    expect(old.sim.requests.some((r) => 'edited' in r.query)).toBe(false);
  });

  it('a dry run says the photo was edited in Immich', async () => {
    const f = await startFrame({ count: 2, withVideo: false });
    frames.push(f);
    await f.sync();
    const photo = f.seeded.photos[0]!;
    f.sim.setEdits(photo.id, [{ action: 'mirror', parameters: { axis: 'horizontal' } }]);
    const { syncLibrary } = await import('../../src/library/sync.js');
    const { formatPlan } = await import('../../src/library/plan.js');
    const out = await syncLibrary({ paths: f.paths, source: f.client, config: f.config, dryRun: true });
    if (out.kind !== 'dry-run') throw new Error(out.kind);
    expect(formatPlan(out.plan)).toContain(`(${photo.id}, edited in Immich)`);
  });
});
