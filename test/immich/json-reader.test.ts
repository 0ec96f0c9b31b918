// The streaming JSON reader against JSON.parse: every recorded v3.1.0 search, album and stacks
// answer, fed in chunks of any size, reads to what the zod schemas make of JSON.parse's tree; text
// JSON.parse refuses it refuses; long strings and lists are cut while read, never built whole.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JsonReader, JsonSyntaxError, type Shape } from '../../src/immich/json-reader.js';
import { KEPT_CHARS, KEPT_PEOPLE, MAX_CURSOR_CHARS } from '../../src/immich/kept.js';
import { albumShape, assetShape, searchPageShape, stacksShape } from '../../src/immich/listing-shapes.js';
import { albumSchema, assetSchema, searchResponseSchema, stacksSchema } from '../../src/immich/schemas.js';

const DIR = fileURLToPath(new URL('../fixtures/immich-v3.1.0/', import.meta.url));
const ADDED = fileURLToPath(new URL('../fixtures/immich-v3.1.0-added/', import.meta.url));

/** `text` read by `shape`, fed `size` bytes at a time. */
function read(text: string | Buffer, shape: Shape, size = Infinity): unknown {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const reader = new JsonReader(shape);
  for (let i = 0; i < bytes.length; i += size) reader.write(bytes.subarray(i, Math.min(bytes.length, i + size)));
  return reader.end();
}

const anything: Shape = { kind: 'value', maxChars: 1e9 };

function bodies(prefix: string, dir = DIR): { name: string; body: unknown }[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((name) => ({
      name,
      body: (JSON.parse(readFileSync(dir + name, 'utf8')) as { response: { status: number; body: unknown } }).response,
    }))
    .filter((r) => r.body.status === 200)
    .map((r) => ({ name: r.name, body: r.body.body }));
}

describe('the streaming JSON reader on recorded answers', () => {
  const searches = bodies('search-metadata-');
  it('has recorded answers to read', () => {
    expect(searches.length).toBeGreaterThan(10);
  });

  for (const size of [1, 7, 4096, Infinity]) {
    it(`reads every recorded search page as JSON.parse + the schemas do (chunks of ${size} bytes)`, () => {
      for (const { name, body } of searches) {
        const items: unknown[] = [];
        const built = read(
          JSON.stringify(body, null, 1),
          searchPageShape(
            (i) => items.push(i),
            () => {},
          ),
          size,
        );
        const want = searchResponseSchema.parse(body);
        const got = searchResponseSchema.parse(built);
        const paging = (a: typeof got.assets) => [a.nextPage, a.nextCursor, a.total, a.count];
        expect(paging(got.assets), name).toEqual(paging(want.assets));
        expect(
          items.map((i) => assetSchema.parse(i)),
          name,
        ).toEqual(want.assets.items.map((i) => assetSchema.parse(i)));
      }
    });
  }

  it('reads recorded albums and stacks as JSON.parse + the schemas do', () => {
    const albums = bodies('album-get');
    expect(albums.length).toBeGreaterThan(2);
    for (const { name, body } of albums) {
      const items: unknown[] = [];
      const got = albumSchema.parse(
        read(
          JSON.stringify(body),
          albumShape((i) => items.push(i)),
          13,
        ),
      );
      const want = albumSchema.parse(body);
      const head = (a: typeof got) => [a.id, a.albumName, a.assetCount, Array.isArray(a.assets)];
      expect(head(got), name).toEqual(head(want));
      expect(
        items.map((i) => assetSchema.parse(i)),
        name,
      ).toEqual((want.assets ?? []).map((i) => assetSchema.parse(i)));
    }
    const stacks = bodies('stacks-list', ADDED);
    expect(stacks.length).toBeGreaterThan(0);
    for (const { body } of stacks) {
      const got = stacksSchema.parse(read(JSON.stringify(body), stacksShape, 5));
      expect(got.map((s) => [s.id, s.primaryAssetId, s.assets.map((a) => a.id)])).toEqual(
        stacksSchema.parse(body).map((s) => [s.id, s.primaryAssetId, s.assets.map((a) => a.id)]),
      );
    }
  });
});

describe('the streaming JSON reader on odd text', () => {
  it('reads values and escapes as JSON.parse does, whatever the chunking', () => {
    const texts = [
      '"plain"',
      '"\\"\\\\\\/\\b\\f\\n\\r\\t"',
      '"\\u00e9\\u4e2d\\ud83d\\ude00 lone \\ud800 end"',
      '"é中😀 raw"',
      '-0.5e+3',
      '12',
      'true',
      'false',
      'null',
      ' \n\t"spaced"\r\n ',
      // Words read from their bytes when whole in a chunk, as a string when split between chunks.
      '[0,-0,7,-12,123456789012345,-123456789012345,1234567890123456789,1.5,2e3,true,false,null]',
      '{"a":true,"b":false,"c":null,"d":[null,1]}',
    ];
    const list: Shape = { kind: 'array', max: Infinity, of: anything };
    const obj: Shape = { kind: 'object', fields: { a: anything, b: anything, c: anything, d: list } };
    for (const t of texts)
      for (const size of [1, 2, 3, 100]) {
        const shape = t.startsWith('[') ? list : t.startsWith('{') ? obj : anything;
        expect(read(t, shape, size), t).toEqual(JSON.parse(t));
      }
    // A number longer than any a server means reads as NaN, whole in a chunk or split.
    for (const size of [1, 100, Infinity]) expect(read(`[${'9'.repeat(500)}]`, list, size)).toEqual([Number.NaN]);
  });

  it('refuses what JSON.parse refuses', () => {
    const bad = [
      '{',
      '{"a":1,}',
      '[1,]',
      '[1 2]',
      '{"a" 1}',
      '{"a":1}}',
      '{"a":1} x',
      '"bad \\x escape"',
      '"\\u12g4"',
      '01',
      '1.',
      '-',
      'tru',
      'nul',
      '[}',
      '{]',
      '"unterminated',
      '   ',
      '\ufeff{}',
      '[01]',
      '[-01]',
      '[-]',
      '[1-2]',
      '[truex]',
      '[nulll]',
      '[fals]',
      '[0x10]',
    ];
    const obj: Shape = { kind: 'object', fields: { a: anything } };
    for (const t of bad) {
      expect(() => JSON.parse(t), t).toThrow();
      for (const shape of [anything, obj])
        for (const size of [1, Infinity]) expect(() => read(t, shape, size), t).toThrow(JsonSyntaxError);
    }
    expect(read('', anything)).toBeUndefined();
  });

  it('builds only the fields asked for, and a list or object where a value is asked as empty', () => {
    const shape: Shape = { kind: 'object', fields: { a: anything, b: anything, c: { kind: 'object', fields: {} } } };
    expect(read('{"a":{"deep":[1,2]},"b":[3],"skip":{"x":"y"},"c":"text","__proto__":1}', shape, 3)).toEqual({
      a: {},
      b: [],
      c: 'text',
    });
  });

  it('matches keys written with escapes or split between chunks', () => {
    const shape: Shape = { kind: 'object', fields: { id: anything, description: anything } };
    for (const size of [1, 2, 5, 100])
      expect(read('{"\\u0069d":"x","descriptio":1,"descriptionx":2,"description":"d"}', shape, size)).toEqual({
        id: 'x',
        description: 'd',
      });
  });

  it('skips a field nested 100,000 deep without recursion', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const shape: Shape = { kind: 'object', fields: { keep: anything } };
    expect(read(`{"skip":${deep},"keep":"yes"}`, shape, 4096)).toEqual({ keep: 'yes' });
    expect(read(`{"keep":${deep}}`, shape, 4096)).toEqual({ keep: [] });
  });

  it('cuts a string on a character boundary while reading it, and says how long it was', () => {
    let cut = -1;
    const shape: Shape = { kind: 'value', maxChars: 5, onCut: (n) => (cut = n) };
    expect(read('"abcdefgh"', shape, 1)).toBe('abcde');
    expect(cut).toBe(8);
    expect(read('"abcd😀e"', shape, 1)).toBe('abcd');
    expect(read('"abcd\\ud83d\\ude00e"', shape, 1)).toBe('abcd');
    expect(read('"ab中é😀"', shape, 1)).toBe('ab中é');
    cut = -1;
    expect(read('"abcde"', shape, 1)).toBe('abcde');
    expect(cut).toBe(-1);
  });
});

describe('a listing page of big items, read by the asset shape', () => {
  it('keeps what kept.ts keeps of a 7 MB description, 40,000 people and 100,000-character names', () => {
    const item = {
      id: 'a1',
      type: 'IMAGE',
      originalFileName: 'x'.repeat(100_000) + '.jpg',
      fileCreatedAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
      checksum: 'c',
      isTrashed: false,
      exifInfo: { description: 'é'.repeat(7_000_000), city: 'n'.repeat(100_000) },
      people: Array.from({ length: 40_000 }, (_, i) => ({
        id: `p${i}`,
        name: 'm'.repeat(50),
        isHidden: false,
        faces: [],
      })),
    };
    const got = assetSchema.parse(read(JSON.stringify(item), assetShape, 65536));
    expect(got.originalFileName).toHaveLength(KEPT_CHARS.fileName * 2);
    expect(got.exifInfo?.description).toBe('é'.repeat(KEPT_CHARS.description * 2));
    expect(got.exifInfo?.city).toHaveLength(KEPT_CHARS.name * 2);
    expect(got.people).toHaveLength(KEPT_PEOPLE);
    expect(got.people?.[KEPT_PEOPLE - 1]).toEqual({ id: `p${KEPT_PEOPLE - 1}`, name: 'm'.repeat(50), isHidden: false });
  });

  it('still refuses an id or a date too long to be one', () => {
    const item = {
      id: 'i'.repeat(10_000),
      type: 'IMAGE',
      originalFileName: 'a.jpg',
      fileCreatedAt: '2'.repeat(10_000),
      updatedAt: '2024-01-01T00:00:00.000Z',
      checksum: 'c',
      isTrashed: false,
    };
    const r = assetSchema.safeParse(read(JSON.stringify(item), assetShape, 100));
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['id', 'fileCreatedAt']));
  });

  it('tells the whole length of a cursor longer than any followed', () => {
    let chars = 0;
    const page = { assets: { items: [], nextPage: '2', nextCursor: 'c'.repeat(4 * 1024 * 1024) } };
    const got = read(
      JSON.stringify(page),
      searchPageShape(
        () => {},
        (n) => (chars = n),
      ),
      65536,
    ) as {
      assets: { nextCursor: string };
    };
    expect(got.assets.nextCursor).toHaveLength(MAX_CURSOR_CHARS);
    expect(chars).toBe(4 * 1024 * 1024);
  });
});
