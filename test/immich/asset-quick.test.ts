// The listing's quick read of an asset (src/immich/asset-quick.ts) against the schema it stands in
// for (assetSchema): on every asset a real Immich v3.1.0 answered with (the recorded fixtures), on
// generated well-formed assets, and on damaged ones it must either decline or build exactly what
// the schema builds.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quickAsset } from '../../src/immich/asset-quick.js';
import { assetSchema } from '../../src/immich/schemas.js';
import { type Json, mutate, mutationOf } from '../support/json-mutations.js';

const DIRS = ['immich-v3.1.0', 'immich-v3.1.0-added', 'immich-v3.1.0-people'].map((d) =>
  fileURLToPath(new URL(`../fixtures/${d}/`, import.meta.url)),
);

/** Every asset in the recorded answers: search pages' items, album bodies' assets, single assets. */
function fixtureAssets(): { file: string; asset: unknown }[] {
  const out: { file: string; asset: unknown }[] = [];
  for (const dir of DIRS)
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const body = (JSON.parse(readFileSync(dir + file, 'utf8')) as { response?: { body?: unknown } }).response?.body;
      if (!body || typeof body !== 'object') continue;
      const b = body as { assets?: unknown; checksum?: unknown; originalFileName?: unknown };
      const items = Array.isArray(b.assets)
        ? b.assets
        : b.assets && typeof b.assets === 'object'
          ? (b.assets as { items?: unknown }).items
          : undefined;
      if (Array.isArray(items)) for (const asset of items) out.push({ file, asset });
      if (typeof b.checksum === 'string' && typeof b.originalFileName === 'string') out.push({ file, asset: body });
    }
  return out;
}

/** Whether the quick read agrees with the schema on `item`: it declines, or it accepts what the
 * schema accepts and builds the same value (same keys present, same values). */
function agrees(item: unknown): 'accepted' | 'declined' {
  const quick = quickAsset(item);
  if (quick === undefined) return 'declined';
  const schema = assetSchema.safeParse(item);
  expect(schema.success).toBe(true);
  expect(quick).toStrictEqual(schema.data);
  return 'accepted';
}

const isoDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const nullish = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(null));
const person = fc.record({
  id: fc.uuid(),
  name: fc.string({ maxLength: 20 }),
  isHidden: fc.boolean(),
  birthDate: nullish(fc.constant('1990-01-01')),
  thumbnailPath: fc.string({ maxLength: 10 }),
});
const exif = fc.record(
  {
    exifImageWidth: nullish(fc.integer({ min: 1, max: 20000 })),
    exifImageHeight: nullish(fc.integer({ min: 1, max: 20000 })),
    orientation: nullish(fc.oneof(fc.constantFrom('1', '6', '8'), fc.integer({ min: 1, max: 8 }))),
    timeZone: nullish(fc.constantFrom('Europe/Paris', 'UTC+2')),
    latitude: nullish(fc.double({ min: -90, max: 90, noNaN: true })),
    longitude: nullish(fc.double({ min: -180, max: 180, noNaN: true })),
    city: nullish(fc.string({ maxLength: 12 })),
    state: nullish(fc.string({ maxLength: 12 })),
    country: nullish(fc.string({ maxLength: 12 })),
    description: nullish(fc.string({ maxLength: 40 })),
    rating: nullish(fc.integer({ min: -1, max: 5 })),
    make: nullish(fc.constant('Canon')),
  },
  { requiredKeys: [] },
);
/** A well-formed asset as servers from v1.106 to v3.x send it, optional fields present or not. */
const asset = fc
  .record(
    {
      id: fc.uuid(),
      type: fc.constantFrom('IMAGE', 'VIDEO'),
      originalFileName: fc.string({ maxLength: 30 }),
      originalMimeType: nullish(fc.constantFrom('image/jpeg', 'image/heic')),
      fileCreatedAt: isoDate,
      localDateTime: nullish(isoDate),
      updatedAt: isoDate,
      checksum: fc.base64String({ minLength: 28, maxLength: 28 }),
      libraryId: nullish(fc.uuid()),
      isTrashed: fc.boolean(),
      isArchived: fc.boolean(),
      visibility: fc.constantFrom('timeline', 'archive', 'hidden', 'locked'),
      isEdited: fc.boolean(),
      isFavorite: fc.boolean(),
      exifInfo: nullish(exif),
      people: fc.array(person, { maxLength: 4 }),
      width: nullish(fc.integer({ min: 1, max: 20000 })),
      height: nullish(fc.integer({ min: 1, max: 20000 })),
      stack: nullish(fc.record({ id: fc.uuid(), primaryAssetId: fc.uuid(), assetCount: fc.nat(9) })),
      thumbhash: fc.string({ maxLength: 10 }),
      ownerId: fc.uuid(),
    },
    { requiredKeys: ['id', 'type', 'originalFileName', 'fileCreatedAt', 'updatedAt', 'checksum', 'isTrashed'] },
  )
  // Through JSON, as an answer is read.
  .map((a) => JSON.parse(JSON.stringify(a)) as Json);

const mutation = mutationOf(
  [
    '',
    'x'.repeat(129),
    'not a date',
    `2024-01-01T00:00:00.000Z${' '.repeat(50)}`,
    '6',
    -1,
    0,
    1.5,
    null,
    [],
    {},
    true,
    false,
  ],
  [
    'extra',
    'id',
    'name',
    'isHidden',
    'stack',
    'people',
    'exifInfo',
    'width',
    'primaryAssetId',
    'constructor',
    '__proto__',
  ],
);

describe('the quick read of a listed asset', () => {
  it('reads every asset a real Immich v3.1.0 sent, exactly as the schema does', () => {
    const assets = fixtureAssets();
    expect(assets.length).toBeGreaterThan(100);
    for (const { file, asset } of assets) {
      expect(agrees(asset), file).toBe('accepted');
    }
  });

  it('reads every well-formed asset, exactly as the schema does', () => {
    fc.assert(
      fc.property(asset, (a) => {
        expect(agrees(a)).toBe('accepted');
      }),
      { numRuns: 500 },
    );
  });

  it('accepts nothing the schema refuses or bends, and builds what it builds from the rest', () => {
    let accepted = 0;
    let declined = 0;
    fc.assert(
      fc.property(asset, fc.array(mutation, { minLength: 1, maxLength: 3 }), (a, ms) => {
        if (agrees(mutate(a, ms)) === 'accepted') accepted += 1;
        else declined += 1;
      }),
      { numRuns: 3000 },
    );
    // Both sides of the property were exercised.
    expect(accepted).toBeGreaterThan(300);
    expect(declined).toBeGreaterThan(300);
  });

  it.each<[string, unknown]>([
    ['a key present with no value', { id: 'a', width: undefined }],
    ['a __proto__ key in the stack', '{"__proto__":{"polluted":1},"id":"s","primaryAssetId":"p"}'],
    ['a __proto__ key in the exif', '{"__proto__":{"city":"x"},"city":"Paris"}'],
    ['an infinite width', { width: Infinity }],
    ['NaN for a latitude', { exifInfo: { latitude: Number.NaN } }],
    ['a person with no name', { people: [{ id: 'p', isHidden: false }] }],
    ['an archive flag of null', { isArchived: null }],
    ['a MIME type of 129 characters', { originalMimeType: `image/${'x'.repeat(123)}` }],
    ['an id of 129 characters', { id: 'x'.repeat(129) }],
    ['an empty checksum', { checksum: '' }],
    // 67 characters, which Date.parse reads (V8 takes a parenthesised comment).
    [
      'a long local date that Date.parse reads',
      { localDateTime: 'Mon Jan 01 2024 10:00:00 GMT+0000 (Coordinated Universal Time here)' },
    ],
    ['a local date that is no date', { localDateTime: 'yesterday' }],
    ['an orientation of true', { exifInfo: { orientation: true } }],
  ])('%s: the same as the schema, or left to it', (_, change) => {
    const base = {
      id: '0c8f0c4e-0000-4000-8000-000000000001',
      type: 'IMAGE',
      originalFileName: 'IMG_1.jpg',
      fileCreatedAt: '2024-01-01T10:00:00.000Z',
      updatedAt: '2024-01-02T10:00:00.000Z',
      checksum: '2wa8miz+2gQFwAllGfu89Eva4bc=',
      isTrashed: false,
      width: 4000,
      height: 3000,
    };
    const item =
      typeof change === 'string'
        ? { ...base, [_.includes('stack') ? 'stack' : 'exifInfo']: JSON.parse(change) as unknown }
        : { ...base, ...(change as object) };
    agrees(item);
  });
});
