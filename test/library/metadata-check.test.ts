// The hand-written reading of sync_metadata.json (metadata-check.ts) against the schema: wherever
// it accepts, zod accepts too and builds the same object, key for key and in the same order; it
// accepts every shape the frame writes; and a broken file goes to the schema for its message.
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_FORMAT, metadataSchema, parseMetadata } from '../../src/library/metadata.js';
import { quickMetadata } from '../../src/library/metadata-check.js';
import { KEPT_FACES, KEPT_PEOPLE } from '../../src/immich/kept.js';
import { instancePaths } from '../../src/library/instance.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { syncedConfig } from '../support/synced-config.js';
import { type Json, mutate, mutationOf } from '../support/json-mutations.js';

/** The two readings agree wherever the quick one accepts; returns whether it did. */
function agrees(raw: unknown): boolean {
  const quick = quickMetadata(raw, METADATA_FORMAT);
  if (quick === null) return false;
  const full = metadataSchema.safeParse(raw);
  expect(full.success, JSON.stringify(raw).slice(0, 300)).toBe(true);
  if (!full.success) return true;
  // Same values, same (absent) keys, same key order (the file written back is the same).
  expect(isDeepStrictEqual(quick, full.data)).toBe(true);
  expect(JSON.stringify(quick)).toBe(JSON.stringify(full.data));
  return true;
}

const iso = fc
  .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const name = fc.constantFrom('IMG_1.jpg', 'a b.png', 'Été.heic', 'x.webp', 'IMG_2.JPG', 'photo (2).jpeg');
const str = fc.string({ maxLength: 12 });
const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const num = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });

const info = fc.record({
  local_date_time: nullable(iso),
  time_zone: nullable(fc.constantFrom('Europe/Paris', 'UTC-5')),
  favorite: fc.boolean(),
  rating: nullable(fc.integer({ min: -1, max: 5 })),
  description: str,
  city: nullable(str),
  state: nullable(str),
  country: nullable(str),
  latitude: nullable(num),
  longitude: nullable(num),
  people: fc.array(fc.record({ id: str, name: str, hidden: fc.boolean() }), { maxLength: 3 }),
  faces: fc.array(fc.record({ person_id: nullable(str), x1: num, y1: num, x2: num, y2: num }), { maxLength: 3 }),
  faces_for: nullable(str),
  width: nullable(fc.integer({ min: 1, max: 10000 })),
  height: nullable(fc.integer({ min: 1, max: 10000 })),
  orientation: nullable(fc.integer({ min: 1, max: 8 })),
  measured_sha1: nullable(str),
  stack: nullable(fc.record({ id: str, primary_asset_id: str })),
});

const asset = fc.record(
  {
    filename: str,
    local_path: name,
    file_created_at: iso,
    checksum: str,
    synced_at: iso,
    rendition: fc.constantFrom('original', 'fullsize', 'preview'),
    photo_size: fc.constantFrom('original', 'fullsize', 'preview'),
    bytes: fc.nat(),
    sha1: str,
    updated_at: iso,
    edited: fc.boolean(),
    info,
  },
  { requiredKeys: ['filename', 'local_path', 'file_created_at', 'checksum', 'synced_at'] },
);

const result = fc.record(
  {
    finished_at: iso,
    added: fc.integer(),
    updated: fc.integer(),
    removed: fc.integer(),
    kept: fc.integer(),
    adopted: fc.integer(),
    failed: fc.integer(),
    remote_total: fc.integer(),
    bytes: fc.integer(),
    seconds: num,
    failures: fc.array(
      fc.record({ id: str, name: str, error: str, reason: str }, { requiredKeys: ['id', 'name', 'error'] }),
      { maxLength: 2 },
    ),
    failed_by_reason: fc.dictionary(fc.constantFrom('permission', 'decode', 'toString', 'x'), fc.integer()),
    face_requests: fc.nat(),
  },
  {
    requiredKeys: [
      'finished_at',
      'added',
      'updated',
      'removed',
      'kept',
      'adopted',
      'failed',
      'remote_total',
      'bytes',
      'seconds',
    ],
  },
);

/** Valid metadata: every key optional where the schema lets it be; names unique (any case). */
const metadata = fc
  .record(
    {
      format: fc.constant(METADATA_FORMAT),
      last_sync: nullable(iso),
      album_id: str,
      album_ids: fc.array(str, { maxLength: 3 }),
      timeline: fc.record({ include_archived: fc.boolean(), include_stacked: fc.boolean() }),
      sync_count: fc.nat(),
      synced_assets: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), asset, { maxKeys: 4 }),
      server_host: nullable(str),
      server_version: nullable(str),
      photo_size: fc.constantFrom('original', 'fullsize', 'preview'),
      max_photos: fc.nat(),
      sync_in_progress: nullable(fc.record({ started_at: iso })),
      last_result: nullable(result),
      adopted: fc.dictionary(name, fc.record({ sha1: str, bytes: fc.nat(), adopted_at: iso }), { maxKeys: 2 }),
      removal_pending: nullable(fc.record({ seen_at: iso, count: fc.integer() })),
    },
    { requiredKeys: [] },
  )
  .map((m) => {
    // One record per file name, whatever the case: drop the later ones.
    const seen = new Set<string>();
    const keep = (n: string) => !seen.has(n.toLowerCase()) && seen.add(n.toLowerCase());
    if (m.synced_assets)
      m.synced_assets = Object.fromEntries(Object.entries(m.synced_assets).filter(([, a]) => keep(a.local_path)));
    if (m.adopted) m.adopted = Object.fromEntries(Object.entries(m.adopted).filter(([n]) => keep(n)));
    // Through JSON, as a file is read.
    return JSON.parse(JSON.stringify(m)) as Json;
  });

const mutation = mutationOf(
  [
    -1,
    0,
    1.5,
    2,
    9,
    101,
    -0,
    2 ** 53,
    '',
    '..',
    '.hidden',
    'a/b',
    'IMG_1.JPG',
    'not a date',
    '2024-02-30',
    'preview',
    'other',
    null,
    [],
    {},
    true,
  ],
  ['extra', 'info', 'bytes', 'format', 'sha1', 'reason', 'constructor', 'toString', 'x'],
);

describe('the quick reading of sync_metadata.json', () => {
  it('reads every valid shape, exactly as the schema does', () => {
    fc.assert(
      fc.property(metadata, (m) => {
        expect(agrees(m)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('accepts nothing the schema refuses, and builds what it builds from the rest', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(metadata, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, ms) => {
        const broken = mutate(m, ms);
        if (agrees(broken)) accepted += 1;
        else refused += 1;
      }),
      { numRuns: 3000 },
    );
    // Both sides of the property were exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it.each<[string, string]>([
    ['a __proto__ asset id', '{"synced_assets":{"__proto__":{}}}'],
    ['a __proto__ key at the top', '{"__proto__":{"format":1}}'],
    ['an unknown key', '{"format":1,"later":true}'],
    [
      'a damaged info record (the schema drops it)',
      '{"synced_assets":{"a":{"filename":"f","local_path":"f.jpg","file_created_at":"2024-01-01","checksum":"c","synced_at":"2024-01-01","info":{"favorite":1}}}}',
    ],
    [
      'too many people',
      `{"synced_assets":{"a":{"filename":"f","local_path":"f.jpg","file_created_at":"2024-01-01","checksum":"c","synced_at":"2024-01-01","info":{"people":[${Array(
        KEPT_PEOPLE + 1,
      )
        .fill('{"id":"p","name":"n","hidden":false}')
        .join(',')}]}}}}`,
    ],
    [
      'too many faces',
      `{"synced_assets":{"a":{"filename":"f","local_path":"f.jpg","file_created_at":"2024-01-01","checksum":"c","synced_at":"2024-01-01","info":{"faces":[${Array(
        KEPT_FACES + 1,
      )
        .fill('{"person_id":null,"x1":0,"y1":0,"x2":1,"y2":1}')
        .join(',')}]}}}}`,
    ],
    [
      'two records for one file',
      '{"synced_assets":{"a":{"filename":"f","local_path":"F.jpg","file_created_at":"2024-01-01","checksum":"c","synced_at":"2024-01-01"}},"adopted":{"f.JPG":{"sha1":"s","bytes":1,"adopted_at":"2024-01-01"}}}',
    ],
    ['a future format', `{"format":${METADATA_FORMAT + 1}}`],
    ['a fractional count', '{"sync_count":1.5}'],
    ['an array', '[]'],
    ['null', 'null'],
  ])('leaves %s to the schema', (_what, text) => {
    expect(quickMetadata(JSON.parse(text), METADATA_FORMAT)).toBeNull();
    // And parseMetadata still says what the schema says.
    const r = parseMetadata(JSON.parse(text));
    const full = metadataSchema.safeParse(JSON.parse(text));
    expect(r.ok).toBe(full.success);
  });

  it('a broken file gets the schema’s message, naming the field', () => {
    const r = parseMetadata({ synced_assets: { a: { filename: 'f', local_path: '../f.jpg' } } });
    expect(r).toEqual({ ok: false, problem: expect.stringContaining('synced_assets.a.local_path') });
  });

  describe('on what a real sync writes', () => {
    let sim: ImmichSim;
    beforeAll(async () => {
      sim = await startImmichSim();
    });
    afterAll(async () => {
      await sim.close();
    });

    it('reads the file through the quick path, with the schema’s result', async () => {
      const { album } = await seedSampleLibrary(sim, { count: 6, seed: 5 });
      const { config } = await syncedConfig(sim, album.id);
      const raw: unknown = JSON.parse(await readFile(instancePaths(config).metadataPath, 'utf8'));
      expect(agrees(raw)).toBe(true);
    });
  });
});
