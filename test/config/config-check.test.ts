// The hand-written reading of the config (config-check.ts) against the schema: wherever it accepts,
// parseConfig accepts too and builds the same object, key for key and in the same order; it reads
// the usual configs (what a person writes, what the settings page saves); and everything else, with
// every message about it, is the schema's (loadConfig gives the same messages as before).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickConfig } from '../../src/config/config-check.js';
import { loadConfig, parseConfig } from '../../src/config/config.js';
import { PANELS } from '../../drivers/panels.js';
import { Redactor } from '../../src/core/log.js';
import { type Json, mutate, mutationOf } from '../support/json-mutations.js';

const UUID_A = '6a0e5b4c-1d2e-4f30-8a9b-0c1d2e3f4a5b';
const UUID_B = 'B1C2D3E4-F5A6-4B7C-8D9E-0F1A2B3C4D5E';

/** parseConfig's result, or the message it throws. */
function full(raw: unknown): { ok: true; config: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, config: parseConfig(raw) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** The two readings agree wherever the quick one accepts; returns whether it did. */
function agrees(raw: unknown): boolean {
  const quick = quickConfig(raw);
  if (quick === null) return false;
  const r = full(raw);
  expect(r, JSON.stringify(raw).slice(0, 400)).toMatchObject({ ok: true });
  if (!r.ok) return true;
  // Same values, same (absent) keys, same key order.
  expect(isDeepStrictEqual(quick, r.config), JSON.stringify(raw).slice(0, 400)).toBe(true);
  expect(JSON.stringify(quick)).toBe(JSON.stringify(r.config));
  return true;
}

/** Each key: values the schema takes, then values it refuses. */
const VALUES: Record<string, [unknown[], unknown[]]> = {
  immich_url: [
    [
      'http://127.0.0.1:2283',
      'https://immich.example.com/',
      'https://immich.example.com/api',
      '  http://h:1/photos/api// ',
      'http://[::1]:2283',
    ],
    ['http://user:pw@h', 'ftp://h', 'not a url', '', 3],
  ],
  immich_api_key: [
    ['key', '  key\t'],
    ['', '   ', null],
  ],
  album_id: [
    ['', UUID_A, UUID_B, ` ${UUID_A} `, `https://h/albums/${UUID_B}?x=1`],
    ['nope', 'https://h/albums/x'],
  ],
  album_ids: [
    [[], [UUID_A], [UUID_A, `https://h/albums/${UUID_B}`]],
    [[UUID_A, UUID_A.toUpperCase()], ['nope'], [''], UUID_A],
  ],
  selection_mode: [['random', 'sequential', 'newest', 'oldest'], ['shuffle']],
  people: [
    [[], ['Alice'], [' Bob ', 'Alice']],
    [[''], ['  '], 'Alice'],
  ],
  exclude_people: [[[], ['Carol']], [['']]],
  people_match: [['any', 'all'], ['some']],
  favorites_only: [
    [true, false],
    ['yes', 1],
  ],
  min_rating: [
    [0, 3, 5],
    [-1, 6, 2.5],
  ],
  taken_after: [
    ['', '2015-01-01', ' 2016-06-30 ', '2015-01-01T10:00:00+02:00'],
    ['2024-02-30', 'yesterday'],
  ],
  taken_before: [
    ['', '2030-01-01', '2029-01-01T00:00:00Z'],
    ['2022-01-01T00:00:00', '2030-13-01'],
  ],
  on_this_day: [['off', 'day', 'week', 'month'], ['year']],
  recency_weight: [
    [0, 0.5, 10],
    [10.5, -1],
  ],
  sync_interval_hours: [
    [1, 6, 168],
    [0, 169, 1.5],
  ],
  max_photos: [
    [0, 500],
    [-1, 0.5],
  ],
  instance_id: [
    ['default', 'kitchen', 'a.b-c_d'],
    ['-x', '', 'x'.repeat(65)],
  ],
  storage_dir: [['~/.artframe', '/var/lib/artframe'], ['']],
  photo_size: [['original', 'fullsize', 'preview'], ['huge']],
  include_archived: [[true, false], [0]],
  include_stacked: [[true, false], [null]],
  refresh_interval_minutes: [
    [1, 60, 10080],
    [0, 10081],
  ],
  refresh_cron: [
    ['', '  ', '0 8,18 * * *', '*/5 * * * *', '0 23 * * *'],
    ['0 8 * *', 'a b c d e', 'x'],
  ],
  quiet_hours: [
    ['', '22:00-07:00', '22:00 - 07:00'],
    ['25:00-07:00', 'night'],
  ],
  button_pins: [
    [null, [], [5, 6, 16, 24]],
    [[28], [1, 2, 3, 4, 5, 6, 7, 8, 9], [1.5]],
  ],
  transport: [
    ['rpio', 'serial:/dev/ttyACM0', 'trace:x.jsonl', 'virtual:f.png'],
    ['usb', 'serial:'],
  ],
  panel_pins: [
    ['', 'rst=17,dc=25,cs=8,busy=24', ' pwr=none '],
    ['rst=17,dc=17', 'x=1', 'rst=30'],
  ],
  panel: [['auto', PANELS[0]!.id, PANELS[PANELS.length - 1]!.id], ['nope']],
  fit: [['cover', 'contain'], ['fill']],
  background: [
    ['#ffffff', '#ABC', 'White', ' black '],
    ['red', '#12345'],
  ],
  crop: [['centre', 'attention'], ['center']],
  rotate: [
    [0, 90, 180, 270],
    [45, '90'],
  ],
  dither: [['floyd-steinberg', 'bayer-8', 'none'], ['x']],
  saturation: [
    [0, 1, 3],
    [3.5, -0.1],
  ],
  contrast: [[0.5, 1.2, 2], [0.4]],
  brightness: [[0.5, 2], [2.1]],
  exposure: [[-2, 0, 1.5, 2], [3]],
  caption: [
    [true, false, [], ['date', 'place'], ['place', 'date', 'date']],
    [['x'], 'date'],
  ],
  caption_position: [['auto', 'top-left'], ['middle']],
  locale: [['', 'en-GB', 'fr'], ['not a locale!']],
  timezone: [['', 'Europe/Paris'], ['Mars/Olympus']],
  portrait_pairs: [[true, false], ['true']],
  power: [['mains', 'battery'], ['solar']],
  battery: [
    [
      {},
      { wake: 'rtc', rtc_dir: '/sys/class/rtc/rtc1' },
      { pisugar_address: '127.0.0.1:8423', max_awake_seconds: 600 },
      { poweroff_command: ['sudo', 'poweroff'], witty_pi_full_volts: 4.2 },
    ],
    [{ pisugar_address: '10.0.0.2:8423' }, { poweroff_command: [] }, { max_awake_seconds: 10 }],
  ],
  web: [
    [{}, { enabled: false }, { port: 0 }, { bind: '127.0.0.1' }, { enabled: true, port: 8081, bind: '0.0.0.0' }],
    [{ bind: '300.1.1.1' }, { port: 70000 }, { enabled: 'no' }],
  ],
  mqtt: [[], [{ url: 'mqtt://127.0.0.1:1883' }]],
};

/** A config of values the schema takes, key by key (some still refused between keys). */
const valid = fc
  .record(
    Object.fromEntries(
      Object.entries(VALUES)
        .filter(([, [good]]) => good.length > 0)
        .map(([k, [good]]) => [k, fc.constantFrom(...good)]),
    ),
    { requiredKeys: [] },
  )
  .map((c) => ({ immich_url: 'http://127.0.0.1:2283', immich_api_key: 'key', ...c }));

/** Any key with any of its values, taken or refused. */
const mixed = fc.record(
  Object.fromEntries(Object.entries(VALUES).map(([k, [good, bad]]) => [k, fc.constantFrom(...good, ...bad)])),
  { requiredKeys: [] },
);

/** A valid config with one or two keys given a refused value. */
const oneBad = fc
  .tuple(valid, fc.subarray(Object.keys(VALUES), { minLength: 1, maxLength: 2 }), fc.nat())
  .map(([c, keys, n]) => {
    const out: Record<string, unknown> = { ...c };
    for (const k of keys) {
      const bad = VALUES[k]![1];
      if (bad.length > 0) out[k] = bad[n % bad.length];
    }
    return out;
  });

const mutation = mutationOf(
  [-1, 0, 1.5, 2, 9, 101, -0, 2 ** 53, '', ' ', 'x', 'auto', '#fff', UUID_A, null, [], {}, true, false],
  ['extra', 'web', 'battery', 'mqtt', 'caption', 'enabled', 'port', 'bind', 'wake', '__proto__', 'constructor'],
);

describe('the quick reading of the config', () => {
  it('reads exactly as the schema does, on valid and on refused values of every key', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.oneof(valid, mixed, oneBad), (c) => {
        if (agrees(JSON.parse(JSON.stringify(c)))) accepted += 1;
        else refused += 1;
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('accepts nothing the schema refuses when a config is damaged anywhere', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }), (c, ms) => {
        if (agrees(mutate(JSON.parse(JSON.stringify(c)) as Json, ms))) accepted += 1;
        else refused += 1;
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it.each<[string, Record<string, unknown>]>([
    ['the installer’s', { immich_url: 'https://immich.example.com', immich_api_key: 'k', album_id: UUID_A }],
    [
      'a test’s and the bench’s',
      { immich_url: 'http://127.0.0.1:2283', immich_api_key: 'k', album_id: '', web: { enabled: false } },
    ],
    [
      'one with filters, a schedule and captions',
      {
        immich_url: 'http://h:2283/api',
        immich_api_key: ' k ',
        album_ids: [UUID_A, `https://h/albums/${UUID_B}`],
        people: ['Alice'],
        taken_after: '2015-01-01',
        refresh_cron: '0 8,18 * * *',
        quiet_hours: '22:00-07:00',
        caption: true,
        timezone: 'Europe/Paris',
        panel: PANELS[0]!.id,
      },
    ],
  ])('reads %s config', (_what, raw) => {
    expect(agrees(raw)).toBe(true);
  });

  it('reads a config as the settings page saves it: every key, battery and web included', () => {
    const saved = JSON.parse(JSON.stringify(parseConfig({ immich_url: 'http://h', immich_api_key: 'k' }))) as Record<
      string,
      unknown
    >;
    expect(Object.keys(saved)).toContain('battery');
    expect(agrees(saved)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['an mqtt block (its secrets and messages are the schema’s)', { mqtt: { url: 'mqtt://127.0.0.1' } }],
    ['an unknown key', { fitt: 'cover' }],
    ['a __proto__ key', JSON.parse('{"__proto__": {"panel": "auto"}}')],
    ['album_id and album_ids both', { album_id: UUID_A, album_ids: [UUID_B] }],
    ['taken_before before taken_after', { taken_after: '2020-01-01', taken_before: '2019-01-01' }],
    ['a schedule that quiet hours silence', { refresh_cron: '0 23 * * *', quiet_hours: '22:00-07:00' }],
    ['an address node:net must judge', { web: { bind: '::1' } }],
  ])('leaves %s to the schema', (_what, extra) => {
    const raw = { immich_url: 'http://h', immich_api_key: 'k', ...(extra as object) };
    expect(quickConfig(raw)).toBeNull();
  });

  describe('loadConfig', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'config-check-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('gives the quick result, the file’s path with it, and teaches the redactor the key', async () => {
      const file = path.join(dir, 'config.json');
      await writeFile(file, JSON.stringify({ immich_url: 'http://h/', immich_api_key: ' secret-key ' }));
      const redactor = new Redactor();
      const c = await loadConfig({ flag: file, env: {}, redactor });
      expect(c).toEqual({ ...parseConfig({ immich_url: 'http://h/', immich_api_key: 'secret-key' }), path: file });
      expect(redactor.redact('key=secret-key')).toBe('key=***');
    });

    it('names the culprit as the schema does when the quick reading is unsure', async () => {
      const file = path.join(dir, 'bad.json');
      await writeFile(file, JSON.stringify({ immich_url: 'http://h', immich_api_key: 'k', min_rating: 9 }));
      await expect(loadConfig({ flag: file, env: {} })).rejects.toThrow(
        `${file}: min_rating = 9 is not allowed; expected a whole number from 0 (no minimum) to 5`,
      );
    });
  });
});
