// The listing's binary rows (listing-row.ts): every asset comes back exactly, whatever odd text a
// server sends where an id, a date or a checksum should be, and a real one is a small row.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keeper } from '../../src/immich/kept.js';
import { RowWriter } from '../../src/immich/listing-row.js';
import { ListingStore } from '../../src/immich/listing-store.js';
import type { RemoteAsset } from '../../src/immich/types.js';

/** Any UTF-16 text: lone surrogates, astral characters, NULs. */
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), anyText);

const id = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.constant('00000000-0000-4000-8000-00000000000g'),
  text,
);

const date = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  // An offset, no milliseconds, a lowercase z, years past what 6 bytes of milliseconds hold.
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '+02:00')),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', 'z')),
  fc.constantFrom('+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '2020-02-30T00:00:00.000Z'),
  text,
);

const checksum = fc.oneof(
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('base64')),
  // Base64 of 20 bytes that is not the canonical writing (trailing bits set), and other lengths.
  fc.constant('AAAAAAAAAAAAAAAAAAAAAAAAAAB='),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
  fc.string({ minLength: 27, maxLength: 27 }).map((s) => `${s}=`),
  text,
);

const num = fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.maxSafeInteger(), fc.constant(-0));

/** An optional key: absent, undefined (the same as absent), or a value. */
function optional<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(value, { nil: undefined });
}

// People as the listing keeps them: ids and names already cut (kept.ts KEPT_CHARS).
const person = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.string({ maxLength: 128 })),
    name: fc.oneof(
      fc.constantFrom('Alice', 'Bob'),
      anyText.map((s) => s.slice(0, 99)),
    ),
    hidden: fc.boolean(),
  },
  { noNullPrototype: true },
);

const info = fc.record(
  {
    localDateTime: fc.option(date),
    timeZone: fc.option(text),
    favorite: fc.boolean(),
    rating: num,
    description: text,
    city: fc.option(text),
    state: fc.option(text),
    country: fc.option(text),
    latitude: num,
    longitude: num,
    people: fc.option(fc.array(person, { maxLength: 5 })),
    width: num,
    height: num,
    orientation: num,
    stack: fc
      .option(fc.record({ id, primaryAssetId: id }, { noNullPrototype: true }), { nil: undefined })
      .chain((s) => (s === undefined ? fc.constantFrom(undefined, null) : fc.constant(s))),
    hasExif: fc.boolean(),
  },
  {
    noNullPrototype: true,
    requiredKeys: [
      'localDateTime',
      'timeZone',
      'favorite',
      'rating',
      'description',
      'city',
      'state',
      'country',
      'latitude',
      'longitude',
      'people',
      'width',
      'height',
      'orientation',
      'hasExif',
    ],
  },
);

const asset: fc.Arbitrary<RemoteAsset> = fc
  .record(
    {
      id,
      originalFileName: text,
      originalMimeType: fc.option(fc.oneof(fc.constantFrom('image/jpeg', 'image/heic'), text)),
      fileCreatedAt: date,
      localDateTime: fc.option(date),
      updatedAt: date,
      checksum,
      archived: fc.boolean(),
      checksumIsContentHash: optional(fc.boolean()),
      edited: optional(fc.boolean()),
      stackPrimaryId: optional(id),
      info: optional(info),
      sameLocal: fc.boolean(),
    },
    {
      noNullPrototype: true,
      requiredKeys: [
        'id',
        'originalFileName',
        'originalMimeType',
        'fileCreatedAt',
        'localDateTime',
        'updatedAt',
        'checksum',
        'archived',
        'sameLocal',
      ],
    },
  )
  .map(({ sameLocal, ...a }) =>
    // Most real infos repeat the asset's localDateTime (a row keeps it once).
    sameLocal && a.info ? { ...a, info: { ...a.info, localDateTime: a.localDateTime } } : a,
  ) as fc.Arbitrary<RemoteAsset>;

/** `a` with its keys holding undefined left out: what a row gives back. */
function withoutUndefined(a: RemoteAsset): RemoteAsset {
  const strip = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const out = strip(a);
  if (a.info) out.info = strip(a.info);
  return out;
}

describe('the listing rows', () => {
  it('give back every asset exactly: odd ids, dates, checksums, numbers and text, undefined as absent', () => {
    fc.assert(
      fc.property(fc.array(asset, { minLength: 1, maxLength: 8 }), fc.boolean(), (assets, tableFull) => {
        const store = new ListingStore();
        const places: number[] = [];
        if (tableFull) {
          // A first asset whose people fill the table of repeated texts: the rest are written in full.
          const crowd = Array.from({ length: 4100 }, (_, i) => ({
            id: `crowd-${i}`,
            name: `Crowd ${i}`,
            hidden: false,
          }));
          places.push(store.add({ ...assets[0]!, info: { ...(assets[0]!.info ?? crowdInfo), people: crowd } }));
        }
        for (const a of assets) places.push(store.add(a));
        const back = store.assets(places, new Keeper()).slice(tableFull ? 1 : 0);
        expect(back).toStrictEqual(assets.map(withoutUndefined));
      }),
      { numRuns: 300 },
    );
  });

  it('keep a real asset in some 170 bytes (its JSON is some 300)', () => {
    const real: RemoteAsset = {
      id: '3f2a7c1e-9b4d-4e8a-a1c2-5d6e7f8a9b0c',
      originalFileName: 'PXL_20190714_101502123.jpg',
      originalMimeType: 'image/jpeg',
      fileCreatedAt: '2019-07-14T10:15:02.123Z',
      localDateTime: '2019-07-14T12:15:02.123Z',
      updatedAt: '2026-12-02T01:26:50.174Z',
      checksum: 'mEUC7bgomMLzqOuKOGosnlKJOes=',
      archived: false,
      info: {
        ...crowdInfo,
        localDateTime: '2019-07-14T12:15:02.123Z',
        rating: 4,
        description: 'Picnic by the river with the whole family',
        latitude: 48.8566,
        longitude: 2.3522,
        people: [
          { id: '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5', name: 'Alice Example', hidden: false },
          { id: '1c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5', name: 'Bob Example', hidden: false },
          { id: '2c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5', name: 'Carol Example', hidden: false },
        ],
        width: 4032,
        height: 3024,
        orientation: 1,
      },
    };
    let texts = 0;
    const row = new RowWriter({ ref: () => texts++, inlinePerson: () => undefined });
    row.write(real);
    expect(row.length).toBeLessThan(175);
  });
});

const crowdInfo: NonNullable<RemoteAsset['info']> = {
  localDateTime: null,
  timeZone: 'Europe/Paris',
  favorite: false,
  rating: null,
  description: '',
  city: 'Paris',
  state: 'Île-de-France',
  country: 'France',
  latitude: null,
  longitude: null,
  people: [],
  width: null,
  height: null,
  orientation: null,
  hasExif: true,
};
