// Each synced photo's `info` against the simulated server: metadata arrives with the listing,
// face boxes land in the stored file's pixels, metadata-only changes update the record with no
// download, and an older library (no `info`) upgrades in place.
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ImmichClient } from '../../src/immich/client.js';
import { emptyPhotoInfo, facesInFile, type PhotoInfo, sameInfo } from '../../src/library/photo-info.js';
import { startFrame, type TestFrame } from '../support/frame-sim.js';

const frames: TestFrame[] = [];
afterEach(async () => {
  await Promise.all(frames.splice(0).map((f) => f.close()));
});
async function frame(count = 6): Promise<TestFrame> {
  const f = await startFrame({ count });
  frames.push(f);
  return f;
}
const faceRequests = (f: TestFrame) => f.sim.requests.filter((r) => r.route === 'faces').length;

describe('photo info in the offline library', () => {
  it('favourite, rating, description, zone, place, people and face boxes in file pixels', async () => {
    const f = await frame();
    const [a, b] = f.seeded.photos.filter((p) => p.originalMimeType === 'image/jpeg');
    const alice = f.sim.addPerson({ name: 'Alice Example' });
    const carol = f.sim.addPerson({ name: 'Carol Example', isHidden: true });
    // Boxes given in a preview twice the photo's size, as the web face editor would.
    const [w, h] = [a!.width! * 2, a!.height! * 2];
    f.sim.addFace({
      assetId: a!.id,
      personId: alice.id,
      x1: 100,
      y1: 60,
      x2: 300,
      y2: 320,
      imageWidth: w,
      imageHeight: h,
    });
    f.sim.addFace({
      assetId: a!.id,
      personId: carol.id,
      x1: 400,
      y1: 80,
      x2: 500,
      y2: 200,
      imageWidth: w,
      imageHeight: h,
    });
    f.sim.updateAsset(b!.id, {
      isFavorite: true,
      rating: 4,
      description: 'Lighthouse at dusk',
      timeZone: 'Europe/Paris',
      city: 'Paris',
      country: 'France',
    });
    f.sim.clearRequests();
    const out = await f.sync();

    const m = await f.metadata();
    const ia = m.synced_assets[a!.id]!.info!;
    expect(ia.people).toEqual([
      { id: alice.id, name: 'Alice Example', hidden: false },
      { id: carol.id, name: 'Carol Example', hidden: true },
    ]);
    expect([ia.width, ia.height]).toEqual([a!.width, a!.height]);
    expect(ia.faces).toEqual([
      { person_id: alice.id, x1: 50, y1: 30, x2: 150, y2: 160 },
      { person_id: carol.id, x1: 200, y1: 40, x2: 250, y2: 100 },
    ]);
    expect(m.synced_assets[b!.id]!.info).toMatchObject({
      favorite: true,
      rating: 4,
      description: 'Lighthouse at dusk',
      time_zone: 'Europe/Paris',
      city: 'Paris',
      country: 'France',
      people: [],
      faces: [],
    });
    // One face request: only the photo with people.
    expect(faceRequests(f)).toBe(1);
    expect(out.result.face_requests).toBe(1);
  });

  it('a rotated original: its size is as displayed, and boxes drawn on the rotated preview fit it', async () => {
    const f = await frame(8);
    const turned = f.seeded.photos.find((p) => p.originalMimeType === 'image/jpeg' && p.info.orientation === 6)!;
    const alice = f.sim.addPerson({ name: 'Alice' });
    f.sim.addFace({
      assetId: turned.id,
      personId: alice.id,
      x1: 0,
      y1: 0,
      x2: turned.width! / 2,
      y2: turned.height! / 2,
      imageWidth: turned.width!,
      imageHeight: turned.height!,
    });
    await f.sync();
    const info = (await f.metadata()).synced_assets[turned.id]!.info!;
    expect(info.orientation).toBe(6);
    expect([info.width, info.height]).toEqual([turned.width, turned.height]);
    expect(info.faces).toEqual([{ person_id: alice.id, x1: 0, y1: 0, x2: turned.width! / 2, y2: turned.height! / 2 }]);
  });

  it('metadata-only changes on the server update the records with no download and no face request', async () => {
    const f = await frame();
    const [a, b, c] = f.seeded.photos;
    const alice = f.sim.addPerson({ name: 'Alice' });
    f.sim.addFace({
      assetId: a!.id,
      personId: alice.id,
      x1: 1,
      y1: 1,
      x2: 9,
      y2: 9,
      imageWidth: a!.width!,
      imageHeight: a!.height!,
    });
    await f.sync();

    f.sim.updatePerson(alice.id, { name: 'Alice Liddell' });
    f.sim.updateAsset(b!.id, { isFavorite: true });
    f.sim.updateAsset(c!.id, { rating: 5, description: 'new caption' });
    f.sim.clearRequests();
    const out = await f.sync();
    expect(f.downloads()).toEqual([]);
    expect(faceRequests(f)).toBe(0);
    expect(out.result).toMatchObject({ added: 0, updated: 0, face_requests: 0 });
    const m = await f.metadata();
    expect(m.synced_assets[a!.id]!.info!.people[0]!.name).toBe('Alice Liddell');
    expect(m.synced_assets[a!.id]!.info!.faces).toHaveLength(1);
    expect(m.synced_assets[b!.id]!.info!.favorite).toBe(true);
    expect(m.synced_assets[c!.id]!.info).toMatchObject({ rating: 5, description: 'new caption' });

    // A person newly recognised on a photo: that photo's boxes, and only those, are fetched.
    f.sim.addFace({
      assetId: b!.id,
      personId: alice.id,
      x1: 2,
      y1: 2,
      x2: 8,
      y2: 8,
      imageWidth: b!.width!,
      imageHeight: b!.height!,
    });
    f.sim.clearRequests();
    await f.sync();
    expect(f.downloads()).toEqual([]);
    expect(f.sim.requests.filter((r) => r.route === 'faces').map((r) => r.query.id)).toEqual([b!.id]);
  });

  it('an older library without info upgrades in place: filled in, nothing downloaded', async () => {
    const f = await frame();
    f.sim.updateAsset(f.seeded.photos[0]!.id, { isFavorite: true });
    await f.sync();
    const raw = JSON.parse(await readFile(f.paths.metadataPath, 'utf8')) as {
      synced_assets: Record<string, Record<string, unknown>>;
    };
    for (const e of Object.values(raw.synced_assets)) delete e.info;
    await writeFile(f.paths.metadataPath, JSON.stringify(raw));

    f.sim.clearRequests();
    await f.sync();
    expect(f.downloads()).toEqual([]);
    const m = await f.metadata();
    expect(Object.values(m.synced_assets).every((e) => e.info && e.info.width !== null)).toBe(true);
    expect(m.synced_assets[f.seeded.photos[0]!.id]!.info!.favorite).toBe(true);
  });

  it('a damaged info record is dropped and refilled, never fatal for the library', async () => {
    const f = await frame(3);
    await f.sync();
    const raw = JSON.parse(await readFile(f.paths.metadataPath, 'utf8')) as {
      synced_assets: Record<string, Record<string, unknown>>;
    };
    const first = Object.values(raw.synced_assets)[0]!;
    first.info = { rating: 'five stars' };
    await writeFile(f.paths.metadataPath, JSON.stringify(raw));
    const m = await f.metadata();
    expect(Object.keys(m.synced_assets)).toHaveLength(3);
    f.sim.clearRequests();
    await f.sync();
    expect(f.downloads()).toEqual([]);
    expect(Object.values((await f.metadata()).synced_assets).every((e) => e.info)).toBe(true);
  });

  it('a failed face request keeps the rest of the sync and is tried again next time', async () => {
    const f = await frame();
    const [a, b] = f.seeded.photos;
    const alice = f.sim.addPerson({ name: 'Alice' });
    for (const p of [a!, b!])
      f.sim.addFace({
        assetId: p.id,
        personId: alice.id,
        x1: 1,
        y1: 1,
        x2: 5,
        y2: 5,
        imageWidth: p.width!,
        imageHeight: p.height!,
      });
    f.sim.injectFault({ route: 'faces', times: 10, fault: { kind: 'status', status: 400, body: { message: 'nope' } } });
    const out = await f.sync();
    expect(out.result.added).toBe(f.seeded.photos.length);
    expect(out.result.face_requests).toBe(2);
    expect((await f.metadata()).synced_assets[a!.id]!.info!.faces).toEqual([]);
    f.sim.clearFaults();
    f.sim.clearRequests();
    await f.sync();
    expect(faceRequests(f)).toBe(2);
    const m = await f.metadata();
    expect(m.synced_assets[a!.id]!.info!.faces).toHaveLength(1);
  });
});

describe('an API key without face.read', () => {
  it('syncs everything, asks for faces once, and keeps no boxes', async () => {
    const f = await frame();
    const alice = f.sim.addPerson({ name: 'Alice' });
    for (const p of f.seeded.photos)
      f.sim.addFace({
        assetId: p.id,
        personId: alice.id,
        x1: 1,
        y1: 1,
        x2: 5,
        y2: 5,
        imageWidth: p.width!,
        imageHeight: p.height!,
      });
    const key = f.sim.addApiKey(f.sim.userId, ['asset.read', 'album.read', 'asset.download', 'asset.view']);
    const client = new ImmichClient({ baseUrl: f.sim.url, apiKey: key, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    try {
      f.sim.clearRequests();
      const out = await f.sync({ source: client });
      expect(out.result.added).toBe(f.seeded.photos.length);
      expect(faceRequests(f)).toBe(1);
      const m = await f.metadata();
      expect(
        Object.values(m.synced_assets).every((e) => e.info!.people.length === 1 && e.info!.faces.length === 0),
      ).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('facesInFile', () => {
  it('scales boxes from their image to the file, and refuses a box of another shape', () => {
    const faces = [
      { personId: 'p', x1: 500, y1: 300, x2: 700, y2: 560, imageWidth: 2160, imageHeight: 1440 },
      // An edited (cropped) asset's box against the unedited file: cannot be placed.
      { personId: 'q', x1: 100, y1: 199, x2: 400, y2: 500, imageWidth: 1080, imageHeight: 1000 },
    ];
    expect(facesInFile(faces, { width: 6000, height: 4000 })).toEqual({
      faces: [{ person_id: 'p', x1: 1389, y1: 833, x2: 1944, y2: 1556 }],
      refused: 1,
    });
  });
});

describe('sameInfo', () => {
  const full = (): PhotoInfo => ({
    ...emptyPhotoInfo(),
    local_date_time: '2024-01-01T10:00:00.000Z',
    time_zone: 'Europe/Paris',
    favorite: true,
    rating: 4,
    description: 'a day out',
    city: 'Paris',
    state: 'IDF',
    country: 'France',
    latitude: 48.8,
    longitude: 2.3,
    people: [{ id: 'p1', name: 'Ann', hidden: false }],
    faces: [{ person_id: 'p1', x1: 1, y1: 2, x2: 30, y2: 40 }],
    faces_for: 'p1|sha|10x10',
    width: 10,
    height: 10,
    orientation: 1,
    measured_sha1: 'sha',
    stack: { id: 's1', primary_asset_id: 'a1' },
  });
  // Another value for each field: what the metadata file would say differently.
  const other: { [K in keyof PhotoInfo]: PhotoInfo[K] } = {
    local_date_time: null,
    time_zone: 'UTC',
    favorite: false,
    rating: null,
    description: '',
    city: null,
    state: 'X',
    country: 'Y',
    latitude: null,
    longitude: 2.4,
    people: [{ id: 'p1', name: 'Anne', hidden: false }],
    faces: [{ person_id: 'p1', x1: 1, y1: 2, x2: 30, y2: 41 }],
    faces_for: null,
    width: 11,
    height: null,
    orientation: 6,
    measured_sha1: null,
    stack: null,
  };

  it('tells apart records that differ in any one field, as their JSON does', () => {
    expect(sameInfo(full(), full())).toBe(true);
    expect(sameInfo(undefined, full())).toBe(false);
    // Every field of the record is covered: one added to PhotoInfo without a comparison fails here.
    expect(Object.keys(other).sort()).toEqual(Object.keys(emptyPhotoInfo()).sort());
    for (const key of Object.keys(other) as (keyof PhotoInfo)[]) {
      const changed = { ...full(), [key]: other[key] };
      expect(JSON.stringify(changed) === JSON.stringify(full()), key).toBe(false);
      expect(sameInfo(full(), changed), key).toBe(false);
      expect(sameInfo(changed, full()), key).toBe(false);
    }
    expect(sameInfo(full(), { ...full(), people: [] })).toBe(false);
    expect(sameInfo(full(), { ...full(), faces: [...full().faces, ...full().faces] })).toBe(false);
    expect(sameInfo(full(), { ...full(), stack: { id: 's1', primary_asset_id: 'a2' } })).toBe(false);
  });
});
