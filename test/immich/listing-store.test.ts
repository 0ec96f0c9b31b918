// The listing's store (listing-store.ts): every asset the client builds from a recorded answer
// comes back exactly as stored, people and places shared; what it holds is counted in bytes (its
// chunks, each entry, each repeated text once); and it holds nothing once the listing is built.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toRemoteAsset } from '../../src/immich/client.js';
import { Keeper } from '../../src/immich/kept.js';
import { OTHER_ID_BYTES } from '../../src/immich/listing-index.js';
import { ListingStore, PERSON_BYTES } from '../../src/immich/listing-store.js';
import { assetSchema } from '../../src/immich/schemas.js';
import type { RemoteAsset } from '../../src/immich/types.js';

const DIRS = ['immich-v3.1.0', 'immich-v3.1.0-people', 'immich-v3.1.0-added'].map((d) =>
  fileURLToPath(new URL(`../fixtures/${d}/`, import.meta.url)),
);

/** Every asset of the recorded answers (single assets and search pages) as the client keeps it. */
function recordedAssets(): RemoteAsset[] {
  const out: RemoteAsset[] = [];
  for (const dir of DIRS) {
    for (const name of readdirSync(dir).filter((n) => /^(asset-get|search-metadata).*\.json$/.test(n))) {
      const body = (JSON.parse(readFileSync(dir + name, 'utf8')) as { response?: { body?: unknown } }).response?.body;
      const items = (body as { assets?: { items?: unknown[] } } | undefined)?.assets?.items ?? [body];
      for (const item of items) {
        const parsed = assetSchema.safeParse(item);
        if (parsed.success) out.push(toRemoteAsset(parsed.data));
      }
    }
  }
  return out;
}

/** An asset with every field the contract has set, text that is not Latin-1 among it. */
function everyField(n: number): RemoteAsset {
  return {
    id: `0000000${n}-1111-4000-8000-000000000000`,
    originalFileName: `写真 ${n} \u{1F600}.heic`,
    originalMimeType: 'image/heic',
    fileCreatedAt: '2020-01-01T00:00:00.000Z',
    localDateTime: '2020-01-01T01:00:00.000Z',
    updatedAt: '2026-12-02T01:26:50.174Z',
    checksum: 'mEUC7bgomMLzqOuKOGosnlKJOes=',
    archived: true,
    checksumIsContentHash: false,
    edited: true,
    stackPrimaryId: 'aaaaaaaa-1111-4000-8000-000000000000',
    info: {
      localDateTime: '2019-12-31T23:00:00.000Z',
      timeZone: 'UTC-5',
      favorite: true,
      rating: -1,
      description: 'A lone surrogate \ud800 and a quote " and a backslash \\ and a line\nbreak',
      city: 'Zürich',
      state: null,
      country: 'Schweiz',
      latitude: 47.3769,
      longitude: -8.5417,
      people: [
        { id: 'p1', name: 'Ålice', hidden: false },
        { id: 'p2', name: '', hidden: true },
      ],
      width: 6000,
      height: 4000,
      orientation: 6,
      stack: { id: 's1', primaryAssetId: 'aaaaaaaa-1111-4000-8000-000000000000' },
      hasExif: true,
    },
  };
}

function roundTrip(assets: RemoteAsset[]): RemoteAsset[] {
  const store = new ListingStore();
  const places = assets.map((a) => store.add(a));
  return store.assets(places, new Keeper());
}

describe('the listing store', () => {
  it('gives back every recorded asset exactly as the client built it', () => {
    const assets = recordedAssets();
    expect(assets.length).toBeGreaterThan(50);
    expect(assets.some((a) => (a.info?.people?.length ?? 0) > 0)).toBe(true);
    expect(roundTrip(assets)).toEqual(assets);
  });

  it('gives back every field of the contract, and each of their absent forms', () => {
    const full = everyField(1);
    const bare: RemoteAsset = {
      id: 'b',
      originalFileName: 'b.jpg',
      originalMimeType: null,
      fileCreatedAt: '2020-01-01T00:00:00.000Z',
      localDateTime: null,
      updatedAt: '2020-01-01T00:00:00.000Z',
      checksum: 'c',
      archived: false,
    };
    const inNoStack: RemoteAsset = {
      ...bare,
      id: 'n',
      info: { ...full.info!, localDateTime: null, people: null, stack: null, rating: null, latitude: null },
    };
    const back = roundTrip([full, bare, inNoStack]);
    expect(back).toEqual([full, bare, inNoStack]);
    expect(Object.keys(back[1]!)).toEqual(Object.keys(bare));
    expect('stack' in roundTrip([{ ...bare, info: { ...full.info!, stack: undefined } }])[0]!.info!).toBe(false);
  });

  it('shares people and places between the assets it gives back', () => {
    const [a, b] = roundTrip([everyField(1), everyField(2)]);
    expect(a!.info!.people![0]).toBe(b!.info!.people![0]);
    expect(a!.info!.people![0]).not.toBe(everyField(1).info!.people![0]);
  });

  it('counts what it holds: whole chunks, each entry, each repeated text once', () => {
    const store = new ListingStore();
    expect(store.bytes).toBe(0);
    store.add(everyField(1));
    const oneChunk = store.bytes;
    // A chunk of 256 KiB and the repeated texts of the first asset (type, zone, places, people).
    expect(oneChunk).toBeGreaterThan(256 * 1024);
    expect(oneChunk).toBeLessThan(256 * 1024 + 2_000);
    for (let n = 2; n < 100; n++) store.add(everyField(n));
    // The same people and places: nothing more remembered, the rows fit the first chunk.
    expect(store.bytes).toBe(oneChunk);
    // The first id: the index's first block of ids and places (4,096 of them) and its table.
    const cost = (id: string) => {
      const at = store.bytes;
      store.record(id, -1);
      return store.bytes - at;
    };
    expect(cost('00000001-1111-4000-8000-000000000000')).toBe(4096 * (16 + 8) + 1024 * 4);
    expect(cost('00000002-1111-4000-8000-000000000000')).toBe(0);
    // An id the index cannot pack: its heap cost; a repeat costs nothing.
    expect(cost('0123456789')).toBe(OTHER_ID_BYTES + 2 * 10);
    expect(cost('0123456789')).toBe(0);
    // A row larger than a chunk gets a chunk of its own, counted whole.
    const before = store.bytes;
    store.add({ ...everyField(1), originalFileName: 'x'.repeat(300 * 1024) });
    expect(store.bytes - before).toBeGreaterThanOrEqual(300 * 1024);
    expect(store.bytes - before).toBeLessThan(301 * 1024);
  });

  it('forgets what it stored since a mark: rows, entries and repeated texts, across chunks', () => {
    const store = new ListingStore();
    const kept = [store.add(everyField(1)), store.add(everyField(2))];
    store.record('a', kept[0]!);
    const mark = store.mark();
    const held = store.bytes;
    // A cut-off answer: rows past the first chunk, a new person and a new place, entries.
    for (let n = 3; n < 700; n++) store.add({ ...everyField(n), originalFileName: `${'n'.repeat(600)}${n}.jpg` });
    store.add({
      ...everyField(9),
      info: { ...everyField(9).info!, city: 'Genève', people: [{ id: 'p9', name: 'Neu', hidden: false }] },
    });
    store.record('b', -1);
    for (let n = 0; n < 5000; n++) store.record(`${n.toString(16).padStart(8, '0')}-3333-4000-8000-000000000000`, -1);
    expect(store.bytes).toBeGreaterThan(held + 256 * 1024);
    store.rollback(mark);
    // The index's room stays (it is still held: a second block, a table of 8,192 slots); its
    // entries since the mark go.
    expect(store.bytes).toBe(held + 4096 * (16 + 8) + (8192 - 1024) * 4);
    expect([store.has('a'), store.has('b'), store.size]).toEqual([true, false, 1]);
    expect(store.has('00000000-3333-4000-8000-000000000000')).toBe(false);
    // Asked again: the same answer stored once costs what it costs, and reads back whole.
    const again = store.add({ ...everyField(3), info: { ...everyField(3).info!, city: 'Genève' } });
    const list = store.assets([...kept, again], new Keeper());
    expect(list.map((a) => a.info!.city)).toEqual(['Zürich', 'Zürich', 'Genève']);
    expect(list[0]).toEqual(everyField(1));
  });

  it('counts a person the table cannot name at what it costs built, on every row', () => {
    const store = new ListingStore();
    const withPeople = (n: number, ids: (i: number) => string): RemoteAsset => ({
      ...everyField(n),
      info: {
        ...everyField(n).info!,
        people: Array.from({ length: 100 }, (_, i) => ({ id: ids(i), name: 'Same Name', hidden: false })),
      },
    });
    const idOf = (n: number) => (i: number) =>
      `${String(n).padStart(8, '0')}-2222-4000-8000-${String(i).padStart(12, '0')}`;
    // The same hundred people on every photo: named by the table, counted once.
    store.add(withPeople(0, idOf(0)));
    const known = store.bytes;
    store.add(withPeople(1, idOf(0)));
    expect(store.bytes).toBe(known);
    // Fresh people on every photo: past the table's room, each is a new object on every row.
    for (let n = 1; n < 100; n++) store.add(withPeople(n, idOf(n)));
    const before = store.bytes;
    store.add(withPeople(100, idOf(100)));
    expect(store.bytes - before).toBeGreaterThanOrEqual(100 * (PERSON_BYTES + 2 * idOf(100)(0).length));
  });

  it('gives back thousands of assets across many chunks in order, and holds nothing after', () => {
    const store = new ListingStore();
    const places: number[] = [];
    // Some 4 MB of rows: more than a dozen chunks.
    for (let n = 0; n < 6_000; n++)
      places.push(store.add({ ...everyField(n), originalFileName: `${'n'.repeat(600)}${n}.jpg` }));
    expect(new Set(places.map((p) => Math.floor(p / 2 ** 32))).size).toBeGreaterThan(12);
    const list = store.assets(places, new Keeper());
    expect(list).toHaveLength(6_000);
    expect(list[5_999]!.originalFileName).toBe(`${'n'.repeat(600)}5999.jpg`);
    expect(store.bytes).toBe(0);
    expect(store.assets([], new Keeper())).toEqual([]);
  });

  it('records ids in the order listed, off the heap: a repeat keeps its first place, any id form', () => {
    const store = new ListingStore();
    const ids = Array.from({ length: 10_000 }, (_, n) =>
      n % 1000 === 7 ? `odd id ${n}` : `${n.toString(16).padStart(8, '0')}-2222-4000-8000-${'0'.repeat(12)}`,
    );
    for (const [n, id] of ids.entries()) store.record(id, n % 3 === 0 ? -1 : n);
    // Repeats (and their upper-case writing, another id) after the table has grown.
    store.record(ids[1]!, 99_999);
    store.record('odd id 7', 99_999);
    expect(store.has(ids[10]!.toUpperCase())).toBe(false);
    expect(store.size).toBe(10_000);
    expect(ids.every((id) => store.has(id))).toBe(true);
    expect(store.has('00002710-2222-4000-8000-000000000000')).toBe(false);
    expect(store.places()).toEqual(ids.flatMap((_, n) => (n % 3 === 0 ? [] : [n])));
    // Some 30 bytes an id held (the other ids at their heap cost): the index's blocks and table.
    expect(store.bytes).toBeLessThan(10_000 * 40 + 10 * (OTHER_ID_BYTES + 2 * 12));
  });
});
