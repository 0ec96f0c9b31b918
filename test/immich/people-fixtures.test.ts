// The recorded v3.1.0 answers for people, faces, favourites, ratings and capture time against the
// client's schemas and infoOf, and the simulator's answers against the recorded shapes (same keys).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infoOf } from '../../src/immich/client.js';
import { assetSchema, facesResponseSchema, searchResponseSchema } from '../../src/immich/schemas.js';
import { ImmichClient } from '../../src/immich/client.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { jpegBytes } from '../support/library.js';

const DIR = fileURLToPath(new URL('../fixtures/immich-v3.1.0-people/', import.meta.url));
type Json = Record<string, unknown>;
function body(name: string): unknown {
  return (JSON.parse(readFileSync(DIR + name, 'utf8')) as { response: { body: unknown } }).response.body;
}

describe('recorded v3.1.0 metadata through the client', () => {
  it('a withPeople + withExif search item gives people (hidden flag kept), exif, size and orientation', () => {
    const page = searchResponseSchema.parse(body('search-metadata-album-person-alice.json'));
    const items = page.assets.items.map((a) => assetSchema.parse(a));
    const orient6 = items.find((a) => a.originalFileName === 'ORIENT-6.jpg')!;
    expect(infoOf(orient6)).toMatchObject({
      people: [{ id: '260acb80-05ca-46f0-93ab-b1da702a725e', name: 'Alice Example', hidden: false }],
      width: 4032,
      height: 3024,
      orientation: 6,
      hasExif: true,
      favorite: false,
      rating: null,
    });
  });

  it('favourite, rating, description and hidden people of DSC_1000 and DSC_1005', () => {
    const dsc1000 = infoOf(assetSchema.parse(body('asset-get-favorite-rating-5-with-people.json')));
    expect(dsc1000).toMatchObject({ favorite: true, rating: 5 });
    expect(dsc1000.people?.map((p) => [p.name, p.hidden])).toEqual([
      ['Alice Example', false],
      ['Carol Example', true],
    ]);
    const favs = searchResponseSchema
      .parse(body('search-metadata-album-favorites-withexif.json'))
      .assets.items.map((a) => assetSchema.parse(a));
    const dsc1005 = infoOf(favs.find((a) => a.originalFileName === 'DSC_1005.JPG')!);
    expect(dsc1005).toMatchObject({ favorite: true, rating: 4, description: 'Lighthouse at dusk' });
  });

  it('capture time zone: an IANA name from GPS, "UTC-5" from an offset; localDateTime is wall time', () => {
    const paris = infoOf(assetSchema.parse(body('asset-get-otd-2019-gps.json')));
    expect(paris).toMatchObject({ timeZone: 'Europe/Paris', localDateTime: '2019-12-02T10:30:00.000Z' });
    expect(paris.latitude).toBeCloseTo(48.8584, 3);
    const ny = infoOf(assetSchema.parse(body('asset-get-otd-2022-offset.json')));
    expect(ny).toMatchObject({ timeZone: 'UTC-5', localDateTime: '2022-12-02T18:45:00.000Z' });
  });

  it('face boxes parse with the person they show (hidden ones too)', () => {
    const faces = facesResponseSchema.parse(body('faces-get-two-people.json'));
    expect(faces.map((f) => [f.boundingBoxX1, f.boundingBoxY1, f.imageWidth, f.imageHeight])).toEqual([
      [500, 300, 2160, 1440],
      [1400, 350, 2160, 1440],
    ]);
  });
});

describe('the simulator speaks the recorded shapes', () => {
  let sim: ImmichSim;
  beforeAll(async () => {
    sim = await startImmichSim({ seed: 3 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('search items withPeople/withExif, their people and GET /api/faces have the recorded keys', async () => {
    const a = sim.addAsset({ bytes: await jpegBytes(1, 64, 48), originalFileName: 'DSC_1000.JPG' });
    const album = sim.addAlbum({ albumName: 'Frame', assetIds: [a.id] });
    const alice = sim.addPerson({ name: 'Alice Example' });
    sim.addFace({ assetId: a.id, personId: alice.id, x1: 5, y1: 5, x2: 20, y2: 25, imageWidth: 64, imageHeight: 48 });
    sim.updateAsset(a.id, { isFavorite: true, rating: 5, description: 'x' });
    const search = async (extra: Json) => {
      const res = await fetch(`${sim.url}/api/search/metadata`, {
        method: 'POST',
        headers: { 'x-api-key': sim.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ albumIds: [album.id], type: 'IMAGE', ...extra }),
      });
      return ((await res.json()) as { assets: { items: Json[] } }).assets.items[0]!;
    };
    const simItem = await search({ withPeople: true, withExif: true });
    const recItem = (body('search-metadata-album-person-alice.json') as { assets: { items: Json[] } }).assets.items[0]!;
    expect(Object.keys(simItem).sort()).toEqual(Object.keys(recItem).sort());
    expect(Object.keys(simItem.exifInfo as Json).sort()).toEqual(Object.keys(recItem.exifInfo as Json).sort());
    const simPerson = (simItem.people as Json[])[0]!;
    expect(Object.keys(simPerson).sort()).toEqual(Object.keys((recItem.people as Json[])[0]!).sort());
    // Without withPeople: people [] even though the asset has a face (recorded).
    expect((await search({ withExif: true })).people).toEqual([]);

    const faces = (await (
      await fetch(`${sim.url}/api/faces?id=${a.id}`, { headers: { 'x-api-key': sim.apiKey } })
    ).json()) as Json[];
    const recFace = (body('faces-get-two-people.json') as Json[])[0]!;
    expect(Object.keys(faces[0]!).sort()).toEqual(Object.keys(recFace).sort());
    expect(Object.keys(faces[0]!.person as Json).sort()).toEqual(Object.keys(recFace.person as Json).sort());

    // A person id where the asset id belongs: 400, as recorded.
    const wrong = await fetch(`${sim.url}/api/faces?id=${alice.id}`, { headers: { 'x-api-key': sim.apiKey } });
    const recorded = JSON.parse(readFileSync(DIR + 'error-faces-get-person-id-instead-of-asset-id.json', 'utf8')) as {
      response: { status: number; body: Json };
    };
    expect(wrong.status).toBe(recorded.response.status);
    expect(((await wrong.json()) as Json).message).toBe(recorded.response.body.message);
  });

  it('an album body of v2 (no withPeople there): people unknown, not "nobody"', async () => {
    const old = await startImmichSim({ seed: 4, version: { major: 2, minor: 5, patch: 6 } });
    const client = new ImmichClient({ baseUrl: old.url, apiKey: old.apiKey });
    try {
      const a = old.addAsset({ bytes: await jpegBytes(3, 64, 48), originalFileName: 'c.jpg' });
      const album = old.addAlbum({ albumName: 'C', assetIds: [a.id] });
      const alice = old.addPerson({ name: 'Alice' });
      old.addFace({ assetId: a.id, personId: alice.id, x1: 1, y1: 2, x2: 3, y2: 4, imageWidth: 64, imageHeight: 48 });
      const [listed] = await client.listAssets(album.id);
      expect(old.requests.some((r) => r.route === 'album')).toBe(true);
      expect(listed!.info!.people).toBeNull();
    } finally {
      await client.close();
      await old.close();
    }
  });

  it('the client lists the metadata in the same requests and reads face boxes', async () => {
    const a = sim.addAsset({ bytes: await jpegBytes(2, 64, 48), originalFileName: 'b.jpg' });
    const album = sim.addAlbum({ albumName: 'B', assetIds: [a.id] });
    const carol = sim.addPerson({ name: 'Carol Example', isHidden: true });
    sim.addFace({ assetId: a.id, personId: carol.id, x1: 1, y1: 2, x2: 3, y2: 4, imageWidth: 64, imageHeight: 48 });
    sim.updateAsset(a.id, { timeZone: 'Europe/Paris', city: 'Paris', country: 'France' });
    const client = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
    try {
      sim.clearRequests();
      const [listed] = await client.listAssets(album.id);
      expect(sim.requests.filter((r) => r.route === 'search')).toHaveLength(1);
      expect(sim.requests.find((r) => r.route === 'search')!.body).toMatchObject({ withExif: true, withPeople: true });
      expect(listed!.info).toMatchObject({
        timeZone: 'Europe/Paris',
        city: 'Paris',
        country: 'France',
        people: [{ id: carol.id, name: 'Carol Example', hidden: true }],
      });
      expect(await client.listFaces(a.id)).toEqual([
        { personId: carol.id, x1: 1, y1: 2, x2: 3, y2: 4, imageWidth: 64, imageHeight: 48 },
      ]);
    } finally {
      await client.close();
    }
  });
});
