// The whole-answer road against the streaming reader it stands in for: on every recorded v3.1.0
// listing answer and on generated text (duplicate keys, escapes, lone surrogates, long numbers,
// bytes that are not UTF-8, text that is not JSON), readWhole gives what a JsonReader gives, with
// the same `each` and `onCut` calls in the same order and the same error; and it does take its
// own road on the answers it is for, not the reader's every time.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonReader, type Shape } from '../../src/immich/json-reader.js';
import { readsWhole, readWhole, WHOLE_MAX_BYTES, WHOLE_TREE_BYTES } from '../../src/immich/json-whole.js';
import { albumShape, searchPageShape, stacksShape } from '../../src/immich/listing-shapes.js';

const DIR = fileURLToPath(new URL('../fixtures/immich-v3.1.0/', import.meta.url));

/** A value written out with its key order, -0, NaN and lone surrogates told apart. */
function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'number' ? `#${Object.is(x, -0) ? '-0' : String(x)}` : typeof x === 'string' ? `'${x}` : x,
  );
}

interface Outcome {
  value?: string;
  error?: string;
  calls: string[];
}

/** What reading `body` by the shape `make` builds (its calls logged) gives, by `how`. */
function outcome(body: Buffer, make: (log: string[]) => Shape, how: 'reader' | 'whole'): Outcome {
  const calls: string[] = [];
  const shape = make(calls);
  try {
    if (how === 'whole') return { value: show(readWhole(body, shape)), calls };
    const reader = new JsonReader(shape);
    reader.write(body);
    return { value: show(reader.end()), calls };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}`, calls };
  }
}

function same(body: Buffer, make: (log: string[]) => Shape): Outcome {
  const whole = outcome(body, make, 'whole');
  expect(whole).toEqual(outcome(body, make, 'reader'));
  return whole;
}

const search = (log: string[]) =>
  searchPageShape(
    (item) => log.push(`item ${show(item)}`),
    (n) => log.push(`cursor cut ${n}`),
  );
const album = (log: string[]) => albumShape((item) => log.push(`item ${show(item)}`));

function recorded(prefix: string): { name: string; body: Buffer }[] {
  return readdirSync(DIR)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .map((name) => ({
      name,
      r: JSON.parse(readFileSync(DIR + name, 'utf8')) as { response: { status: number; body: unknown } },
    }))
    .filter(({ r }) => r.response.status === 200)
    .map(({ name, r }) => ({ name, body: Buffer.from(JSON.stringify(r.response.body)) }));
}

describe('readWhole on recorded answers', () => {
  it('reads every recorded search page, album and stacks answer as the reader does, by its own road', () => {
    const cases = [
      ...recorded('search-metadata-').map((c) => ({ ...c, make: search })),
      ...recorded('album-get').map((c) => ({ ...c, make: album })),
      ...recorded('stacks-').map((c) => ({ ...c, make: () => stacksShape })),
    ];
    expect(cases.length).toBeGreaterThan(15);
    for (const { name, body, make } of cases) {
      const got = same(body, make);
      expect(readsWhole(body, make([])), name).toBe(true);
      expect(got.error, name).toBeUndefined();
    }
    // The items were handed over, not built into the page.
    const page = recorded('search-metadata-album-default-size')[0]!;
    expect(same(page.body, search).calls.filter((c) => c.startsWith('item '))).toHaveLength(20);
  });
});

describe('readWhole where the two roads could part', () => {
  const items = (log: string[]) =>
    ({
      kind: 'object',
      fields: {
        items: { kind: 'array', max: Infinity, of: { kind: 'value', maxChars: 9 }, each: (i) => log.push(show(i)) },
        other: { kind: 'value', maxChars: 9 },
      },
    }) as Shape;

  it('hands over the items of a list written twice, as the reader does (JSON.parse would keep the last)', () => {
    for (const text of [
      '{"items":[1,2],"items":[3]}',
      '{"items":[1,2],"\\u0069tems":[3]}',
      '{"items":[1,2],"x":{"items":[3]},"items":[4]}',
    ]) {
      const body = Buffer.from(text);
      expect(readsWhole(body, items([])), text).toBe(false);
      expect(same(body, items).calls.length, text).toBeGreaterThan(2);
    }
    // A key without calls written twice is the last one's on both roads, and the road is whole.
    const twice = Buffer.from('{"other":"a","other":"b","items":[1],"x":{"items":[]}}');
    expect(readsWhole(twice, items([]))).toBe(true);
    expect(same(twice, items).value).toBe(show({ other: 'b', items: [] }));
  });

  it('leaves to the reader a 500-digit number, bytes that are not UTF-8 and a raw control character', () => {
    const list: Shape = { kind: 'array', max: Infinity, of: { kind: 'value', maxChars: 99 } };
    const cases = [
      Buffer.from(`[${'9'.repeat(500)}]`),
      Buffer.from(`[1.${'0'.repeat(133)}1]`),
      Buffer.concat([Buffer.from('["a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"]')]),
      Buffer.from('["tab\there", "bell\u0007"]'),
    ];
    for (const body of cases) {
      expect(readsWhole(body, list)).toBe(false);
      same(body, () => list);
    }
    expect(same(cases[0]!, () => list).value).toBe(show([Number.NaN]));
    // A 132-digit run is a number JSON.parse and the reader read alike.
    const fine = Buffer.from(`[1${'0'.repeat(131)}, -0, 1e400]`);
    expect(readsWhole(fine, list)).toBe(true);
    same(fine, () => list);
  });

  it('cuts a string as the reader does, a high surrogate without room for its pair included', () => {
    for (const text of [
      '"abcdef"',
      '"abcde"',
      '"abcd😀"',
      '"abc😀"',
      '"abcd\\ud800"',
      '"abc\\ud800x"',
      '"ab\\udc00cde"',
    ])
      for (const maxChars of [1, 4, 5, 6]) {
        const body = Buffer.from(text);
        const make = (log: string[]) =>
          ({ kind: 'value', maxChars, onCut: (n: number) => log.push(`cut ${n}`) }) as Shape;
        expect(readsWhole(body, make([]))).toBe(true);
        same(body, make);
      }
  });

  it('survives a skipped field nested 100,000 deep, and an answer of nothing', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    same(Buffer.from(`{"x":${deep},"items":[1]}`), items);
    expect(same(Buffer.alloc(0), items).value).toBeUndefined();
  });

  it('leaves to the reader an answer whose tree would be too big to build, whatever its length', () => {
    // 4 MiB of empty objects, lists or numbers in a skipped field: the reader skips them (+3 MB at
    // peak), JSON.parse would build each (+179 MB for the objects).
    for (const unit of ['{},', '[],', '0,', '"ab",']) {
      const junk = unit.repeat(Math.floor((WHOLE_MAX_BYTES - 64) / unit.length));
      const body = Buffer.from(`{"junk":[${junk}0],"assets":{"items":[1]}}`);
      expect(readsWhole(body, search([])), unit).toBe(false);
      expect(same(body, search).calls, unit).toEqual([`item ${show(1)}`]);
    }
    // What a page of that length holds when it is a real one (long strings) is read whole.
    const item = { id: 'a', exifInfo: { description: 'd'.repeat(1000) } };
    const page = Buffer.from(JSON.stringify({ assets: { items: Array.from({ length: 3100 }, () => item) } }));
    expect(page.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(readsWhole(page, search([]))).toBe(true);
    expect(WHOLE_TREE_BYTES).toBeLessThanOrEqual(16 * 1024 * 1024);
  });

  it('is bounded: the client reads an answer past WHOLE_MAX_BYTES as it arrives', () => {
    expect(WHOLE_MAX_BYTES).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(WHOLE_MAX_BYTES).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});

// ---- generated answers ----

const KEYS = ['a', 'items', 'items', 'b', '__proto__'] as const;
/** Characters that matter to a cut or a decode: wide, astral, lone surrogates, escapes. */
const CHARS = ['a', 'é', '中', '😀', '\ud800', '\udc00', '"', '\\', '\n', '\u0001', '/'];

type Gen =
  | { t: 'str'; s: string }
  | { t: 'num'; n: string }
  | { t: 'lit'; w: string }
  | { t: 'arr'; a: Gen[] }
  | { t: 'obj'; o: [string, Gen][] };

const { gen } = fc.letrec<{ gen: Gen }>((tie) => ({
  gen: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.array(fc.constantFrom(...CHARS), { maxLength: 9 }).map((cs) => ({ t: 'str', s: cs.join('') }) as Gen),
    fc
      .constantFrom('0', '-0', '12', '-7', '1.5', '2e3', '1E400', '123456789012345678', '0.1')
      .map((n) => ({ t: 'num', n }) as Gen),
    fc.constantFrom('true', 'false', 'null').map((w) => ({ t: 'lit', w }) as Gen),
    fc.array(tie('gen'), { maxLength: 4 }).map((a) => ({ t: 'arr', a }) as Gen),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('gen')), { maxLength: 4 }).map((o) => ({ t: 'obj', o }) as Gen),
  ),
}));

/** JSON text of `g`, duplicate keys and all; `escape` writes some characters as \u escapes. */
function write(g: Gen, escape: (i: number) => boolean): string {
  let n = 0;
  const str = (s: string) =>
    '"' +
    [...s]
      .map((ch) => {
        const plain = JSON.stringify(ch).slice(1, -1);
        if (!escape(n++)) return plain;
        return Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(
          '',
        );
      })
      .join('') +
    '"';
  const go = (x: Gen): string => {
    switch (x.t) {
      case 'str':
        return str(x.s);
      case 'num':
        return x.n;
      case 'lit':
        return x.w;
      case 'arr':
        return `[${x.a.map(go).join(',')}]`;
      case 'obj':
        return `{${x.o.map(([k, v]) => `${str(k)}:${go(v)}`).join(',')}}`;
    }
  };
  return go(g);
}

const { shape } = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .record({ kind: fc.constant('value' as const), maxChars: fc.integer({ min: 1, max: 6 }), onCut: fc.boolean() })
      .map((s) => ({ kind: 'value', maxChars: s.maxChars, ...(s.onCut ? { onCut: () => {} } : {}) }) as Shape),
    fc
      .record({ of: tie('shape'), max: fc.constantFrom(0, 1, 2, Infinity), each: fc.boolean() })
      .map((s) => ({ kind: 'array', of: s.of, max: s.max, ...(s.each ? { each: () => {} } : {}) }) as Shape),
    fc
      .uniqueArray(fc.tuple(fc.constantFrom(...KEYS.filter((k) => k !== '__proto__')), tie('shape')), {
        maxLength: 4,
        selector: ([k]) => k,
      })
      .map((fields) => ({ kind: 'object', fields: Object.fromEntries(fields) }) as Shape),
  ),
}));

/** `s` with its calls logging into `log` (each call says where it hangs and what it got). */
function logged(s: Shape, log: string[], at = '$'): Shape {
  if (s.kind === 'value') return s.onCut ? { ...s, onCut: (n) => log.push(`${at} cut ${n}`) } : s;
  if (s.kind === 'array')
    return {
      ...s,
      of: logged(s.of, log, `${at}[]`),
      ...(s.each ? { each: (i: unknown) => log.push(`${at} each ${show(i)}`) } : {}),
    };
  return {
    kind: 'object',
    fields: Object.fromEntries(Object.entries(s.fields).map(([k, f]) => [k, logged(f, log, `${at}.${k}`)])),
  };
}

/** Damage done to a text now and then: what the reader takes or refuses on its own. */
const damage = fc.oneof(
  { weight: 6, arbitrary: fc.constant((b: Buffer) => b) },
  { weight: 1, arbitrary: fc.nat().map((i) => (b: Buffer) => b.subarray(0, b.length ? i % b.length : 0)) },
  {
    weight: 1,
    arbitrary: fc
      .nat()
      .map(
        (i) => (b: Buffer) =>
          Buffer.concat([b.subarray(0, i % (b.length + 1)), Buffer.from([0xc3]), b.subarray(i % (b.length + 1))]),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constant((b: Buffer) => Buffer.from(b.toString('latin1').replace('"', '"\u0002'), 'latin1')),
  },
  { weight: 1, arbitrary: fc.constant((b: Buffer) => Buffer.from(b.toString().replace(/\d+/, '9'.repeat(450)))) },
);

describe('readWhole on generated answers', () => {
  it('gives what the reader gives, calls and errors included, and takes its own road on most', () => {
    let whole = 0;
    let runs = 0;
    fc.assert(
      fc.property(gen, shape, fc.func(fc.boolean()), damage, (g, s, escape, hurt) => {
        const body = hurt(Buffer.from(write(g, (i) => escape(i))));
        runs++;
        if (readsWhole(body, s)) whole++;
        same(body, (log) => logged(s, log));
      }),
      { numRuns: 3000 },
    );
    // Not the reader under another name: the whole road reads most generated answers.
    expect(whole / runs).toBeGreaterThan(0.3);
  });
});
