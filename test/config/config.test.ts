import { HATS, parsePins } from '../../drivers/hats.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  albumsOf,
  configPath,
  loadConfig,
  loadOptionalConfig,
  parseConfig,
  selectionFilters,
} from '../../src/config/config.js';
import { NO_FILTERS } from '../../src/library/selection/options.js';
import { ConfigError } from '../../src/core/errors.js';
import { instancePaths } from '../../src/library/instance.js';

// The seed's three example configs, verbatim.
const seedExamples = [
  {
    immich_url: 'https://immich.example.com',
    immich_api_key: 'your-api-key-here',
    album_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    selection_mode: 'random',
    sync_interval_hours: 6,
  },
  {
    immich_url: 'https://immich.example.com',
    immich_api_key: 'your-api-key-here',
    album_id: '',
    selection_mode: 'sequential',
    sync_interval_hours: 12,
    max_photos: 100,
  },
  {
    immich_url: 'https://immich.example.com',
    immich_api_key: 'your-api-key-here',
    album_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    selection_mode: 'newest',
    sync_interval_hours: 1,
  },
];

const valid = seedExamples[0]!;

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw, 'cfg.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it.each(seedExamples.map((e, i) => [i + 1, e] as const))('the seed example %i loads unchanged', (_n, example) => {
    const c = parseConfig(example);
    expect(c.immich_url).toBe(example.immich_url);
    expect(c.album_id).toBe(example.album_id);
    expect(c.selection_mode).toBe(example.selection_mode);
    expect(c.sync_interval_hours).toBe(example.sync_interval_hours);
    expect(c.max_photos).toBe('max_photos' in example ? example.max_photos : 0);
  });

  it('fills the defaults of the seed and the issue', () => {
    const c = parseConfig({ immich_url: 'http://pi.local:2283', immich_api_key: 'k-1234' });
    expect(c).toMatchObject({
      album_id: '',
      selection_mode: 'random',
      sync_interval_hours: 6,
      max_photos: 0,
      instance_id: 'default',
      storage_dir: '~/.artframe',
      photo_size: 'original',
    });
  });

  it('puts photos under {storage_dir}/plugins/immich/{instance_id}/photos', () => {
    const p = instancePaths({ storage_dir: '~/.artframe', instance_id: 'kitchen' });
    expect(p.photosDir).toBe(path.join(os.homedir(), '.artframe/plugins/immich/kitchen/photos'));
    expect(p.metadataPath).toBe(path.join(os.homedir(), '.artframe/plugins/immich/kitchen/sync_metadata.json'));
  });

  it.each([
    ['sync_interval_hours', 0, 'from 1 to 168'],
    ['sync_interval_hours', 169, 'from 1 to 168'],
    ['sync_interval_hours', 2.5, 'from 1 to 168'],
    ['sync_interval_hours', '6', 'from 1 to 168'],
    ['max_photos', -1, '0 for unlimited'],
    ['selection_mode', 'shuffle', 'random | sequential | newest | oldest'],
    ['album_id', 'my-album', 'album UUID'],
    ['immich_url', 'immich.example.com', 'http:// or https://'],
    ['immich_url', 'ftp://immich.example.com', 'http:// or https://'],
    ['instance_id', '../escape', 'folder name'],
    ['photo_size', 'huge', 'original | fullsize | preview'],
  ])('an invalid %s (%j) names the key, the value and what is allowed', (key, value, allowedText) => {
    const msg = errorOf({ ...valid, [key]: value });
    expect(msg.split('\n')).toHaveLength(1);
    expect(msg).toContain(`cfg.json: ${key} = ${JSON.stringify(value)}`);
    expect(msg).toContain(allowedText);
  });

  it('reports an unknown key as unknown, with a suggestion', () => {
    const msg = errorOf({ ...valid, albumId: 'x' });
    expect(msg).toContain('unknown key "albumId" (did you mean "album_id"?)');
  });

  it('reports every problem, one line each', () => {
    const msg = errorOf({ immich_url: 'nope', sync_interval_hours: 500 });
    const lines = msg.split('\n');
    expect(lines).toHaveLength(3);
    expect(msg).toContain('immich_api_key = missing');
  });

  it('never shows the API key in a message', () => {
    const msg = errorOf({
      ...valid,
      immich_api_key: 'sekrit-value-42',
      sync_interval_hours: 0,
      bogus: 'sekrit-value-42',
    });
    expect(msg).not.toContain('sekrit-value-42');
  });

  it('accepts a pasted album URL and normalises the server URL', () => {
    const c = parseConfig({
      ...valid,
      immich_url: 'https://immich.example.com/api/',
      album_id: 'https://immich.example.com/albums/A1B2C3D4-E5F6-7890-ABCD-EF1234567890?x=1',
    });
    expect(c.album_id).toBe('a1b2c3d4-e5f6-7890-abcd-ef1234567890');
    expect(c.immich_url).toBe('https://immich.example.com');
  });

  describe('loading', () => {
    it('takes --config, else $ARTFRAME_IMMICH_CONFIG, else ~/.config/artframe-immich/config.json', () => {
      expect(configPath({ flag: '/x/a.json', env: { ARTFRAME_IMMICH_CONFIG: '/y/b.json' } })).toBe('/x/a.json');
      expect(configPath({ env: { ARTFRAME_IMMICH_CONFIG: '/y/b.json' } })).toBe('/y/b.json');
      expect(configPath({ env: {} })).toBe(path.join(os.homedir(), '.config/artframe-immich/config.json'));
    });

    it('lets IMMICH_URL and IMMICH_API_KEY override the file', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'cfg-'));
      const file = path.join(dir, 'config.json');
      await writeFile(file, JSON.stringify(valid));
      const c = await loadConfig({
        flag: file,
        env: { IMMICH_URL: 'http://10.0.0.2:2283', IMMICH_API_KEY: 'env-key' },
      });
      expect(c.immich_url).toBe('http://10.0.0.2:2283');
      expect(c.immich_api_key).toBe('env-key');
    });

    it('names the file when it is missing or not JSON', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'cfg-'));
      const file = path.join(dir, 'config.json');
      await expect(loadConfig({ flag: file, env: {} })).rejects.toThrow(`config file not found: ${file}`);
      await writeFile(file, '{ "immich_url": ');
      await expect(loadConfig({ flag: file, env: {} })).rejects.toThrow(`config file ${file} is not valid JSON`);
    });

    it('an optional config is absent only when no file was named and the default one is missing', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'cfg-'));
      const file = path.join(dir, 'config.json');
      // HOME points at an empty folder, so the default path does not exist.
      const home = process.env.HOME;
      process.env.HOME = dir;
      try {
        await expect(loadOptionalConfig({ env: {} })).resolves.toBeUndefined();
      } finally {
        process.env.HOME = home;
      }
      await expect(loadOptionalConfig({ flag: file, env: {} })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
      await expect(loadOptionalConfig({ env: { ARTFRAME_IMMICH_CONFIG: file } })).rejects.toMatchObject({
        code: 'CONFIG_NOT_FOUND',
      });
      await writeFile(file, '{ "immich_url": ');
      await expect(loadOptionalConfig({ flag: file, env: {} })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    });
  });
});

describe('config: service keys', () => {
  it('defaults: hourly refresh, no cron, no quiet hours, the panel default buttons, rpio', () => {
    const c = parseConfig(valid);
    expect(c).toMatchObject({
      refresh_interval_minutes: 60,
      refresh_cron: '',
      quiet_hours: '',
      button_pins: null,
      transport: 'rpio',
    });
  });

  it.each([
    ['refresh_interval_minutes', 0, 'from 1 to 10080'],
    ['refresh_cron', '61 * * * *', '5-field cron'],
    ['quiet_hours', '22-7', 'HH:MM-HH:MM'],
    ['button_pins', [5, 40], 'BCM GPIO numbers'],
    ['transport', 'usb', 'serial:/dev/ttyACM0'],
  ])('an invalid %s (%j) names the key and what is allowed', (key, value, allowedText) => {
    const msg = errorOf({ ...valid, [key]: value });
    expect(msg).toContain(`cfg.json: ${key} = ${JSON.stringify(value)}`);
    expect(msg).toContain(allowedText);
  });

  it('accepts a cron expression, quiet hours and explicit pins', () => {
    const c = parseConfig({
      ...valid,
      refresh_cron: '0 8,18 * * *',
      quiet_hours: '22:00-07:00',
      button_pins: [5, 6],
      transport: 'serial:/dev/ttyACM0',
    });
    expect(c.refresh_cron).toBe('0 8,18 * * *');
    expect(c.button_pins).toEqual([5, 6]);
  });
});

describe('config: display keys', () => {
  it('defaults: the panel the Inky EEPROM names ("auto"), cover with the attention crop, Floyd-Steinberg, no boost', () => {
    const c = parseConfig(valid);
    expect(c).toMatchObject({
      panel: 'auto',
      fit: 'cover',
      background: '#ffffff',
      crop: 'attention',
      rotate: 0,
      dither: 'floyd-steinberg',
      saturation: 1,
      contrast: 1,
      brightness: 1,
      exposure: 0,
    });
  });

  it.each([
    ['panel', 'waveshare-9in', 'inky-impression-7in3-spectra6'],
    ['fit', 'stretch', 'contain | cover'],
    ['background', 'teal', '"#rrggbb"'],
    ['crop', 'face', 'centre | attention'],
    ['rotate', 45, '0 | 90 | 180 | 270'],
    ['dither', 'riemersma', 'floyd-steinberg | atkinson'],
    ['saturation', 5, 'from 0 to 3'],
    ['contrast', 0.1, 'from 0.5 to 2'],
    ['brightness', '1', 'from 0.5 to 2'],
    ['exposure', 3, 'stops from -2 to 2'],
  ])('an invalid display key %s (%j) names the key and what is allowed', (key, value, allowedText) => {
    const msg = errorOf({ ...valid, [key]: value });
    expect(msg.split('\n')).toHaveLength(1);
    expect(msg).toContain(`cfg.json: ${key} = ${JSON.stringify(value)}`);
    expect(msg).toContain(allowedText);
  });

  it('accepts a portrait hang, contain on a short hex background, and any dither algorithm', () => {
    const c = parseConfig({
      ...valid,
      rotate: 270,
      fit: 'contain',
      background: '#0a0',
      dither: 'bayer-8',
      panel: 'waveshare-7in5-v2',
    });
    expect(c).toMatchObject({
      rotate: 270,
      fit: 'contain',
      background: '#00aa00',
      dither: 'bayer-8',
      panel: 'waveshare-7in5-v2',
    });
  });
});

describe('config: display keys reach the render stage', () => {
  it('every display key becomes the render option of the same name', async () => {
    const { renderOptionsFromConfig, DISPLAY_KEYS } = await import('../../src/render/options.js');
    const display = {
      fit: 'contain',
      background: '#102030',
      crop: 'centre',
      rotate: 90,
      dither: 'atkinson',
      saturation: 1.4,
      contrast: 1.2,
      brightness: 0.9,
      exposure: -0.5,
    };
    const c = parseConfig({ ...valid, ...display });
    expect(renderOptionsFromConfig(c)).toEqual(display);
    expect([...DISPLAY_KEYS].sort()).toEqual(Object.keys(display).sort());
  });
});

describe('config: panel pins', () => {
  it('takes ROLE=BCM overrides of the HAT pins, as --pins does', () => {
    expect(parseConfig({ ...valid, panel_pins: 'busy=23, pwr=none' }).panel_pins).toBe('busy=23, pwr=none');
    expect(parseConfig(valid).panel_pins).toBe('');
  });

  it.each([['busy=40'], ['reset=17'], ['rst=none'], ['17,25'], ['rst=17,dc=17,cs=17,busy=17,pwr=17']])(
    'rejects panel_pins %j naming the key and the form',
    (value) => {
      const msg = errorOf({ ...valid, panel_pins: value });
      expect(msg).toContain(`cfg.json: panel_pins = ${JSON.stringify(value)} is not allowed`);
      expect(msg).toContain('ROLE=BCM pairs');
      expect(msg).toContain('each on its own pin');
    },
  );

  it('one pin for every role is refused, naming the roles and the pin (issue 21)', () => {
    expect(() => parsePins('rst=17,dc=17,cs=17,busy=17,pwr=17', HATS.waveshare.pins)).toThrow(
      '--pins: rst, dc, cs, busy and pwr are all on BCM 17; each line needs its own pin',
    );
    // An override onto a default's pin, too, where the HAT is known.
    expect(() => parsePins('busy=17', HATS.waveshare.pins)).toThrow(/rst and busy are both on BCM 17/);
  });
});

describe('config: sources and filters (issue 11)', () => {
  const UUID_A = 'a1b2c3d4-e5f6-4890-abcd-ef1234567890';
  const UUID_B = 'b1b2c3d4-e5f6-4890-abcd-ef1234567890';

  it('defaults: no filters, album_id as before', () => {
    const c = parseConfig(valid);
    expect(selectionFilters(c)).toEqual(NO_FILTERS);
    expect(albumsOf(c)).toEqual([valid.album_id]);
    expect(albumsOf(parseConfig({ ...valid, album_id: '' }))).toEqual([]);
  });

  it('takes every key into the selection filters', () => {
    const c = parseConfig({
      ...valid,
      album_id: '',
      album_ids: [UUID_A, `https://immich.example.com/albums/${UUID_B}`],
      people: ['Alice', ' Bob '],
      exclude_people: ['Carol'],
      people_match: 'all',
      favorites_only: true,
      min_rating: 4,
      taken_after: '2019-01-01',
      taken_before: '2024-06-01T00:00:00Z',
      on_this_day: 'week',
      recency_weight: 1.5,
    });
    expect(albumsOf(c)).toEqual([UUID_A, UUID_B]);
    expect(selectionFilters(c)).toEqual({
      people: ['Alice', 'Bob'],
      excludePeople: ['Carol'],
      peopleMatch: 'all',
      favoritesOnly: true,
      minRating: 4,
      takenAfter: '2019-01-01',
      takenBefore: '2024-06-01T00:00:00Z',
      onThisDay: 'week',
      recencyWeight: 1.5,
    });
  });

  it.each([
    ['album_ids', ['not-an-album']],
    ['album_ids', [UUID_A, UUID_A]],
    ['people', ['']],
    ['exclude_people', 'Carol'],
    ['people_match', 'most'],
    ['favorites_only', 'yes'],
    ['min_rating', 6],
    ['min_rating', 2.5],
    ['taken_after', '2019-02-30'],
    ['taken_before', 'last year'],
    ['on_this_day', 'year'],
    ['recency_weight', -1],
  ])('one clear line for a bad %s (%j)', (key, value) => {
    const msg = errorOf({ ...valid, album_id: '', [key]: value });
    expect(msg.split('\n')).toHaveLength(1);
    expect(msg).toContain(`cfg.json: ${key} = ${JSON.stringify(value)} is not allowed; expected`);
  });

  it('keys that clash: album_id with album_ids, taken_before not after taken_after', () => {
    const both = errorOf({ ...valid, album_ids: [UUID_B] });
    expect(both).toMatch(/^cfg\.json: album_ids = .* is not allowed; set album_id or album_ids, not both/);
    const order = errorOf({ ...valid, taken_after: '2024-01-01', taken_before: '2023-01-01' });
    expect(order).toMatch(/^cfg\.json: taken_before = "2023-01-01" is not allowed; must be later than taken_after/);
    expect(order.split('\n')).toHaveLength(1);
  });

  it('a refresh_cron whose every time is inside quiet_hours is refused in one line naming both (issue 20)', () => {
    const never = errorOf({ ...valid, refresh_cron: '0 23 * * *', quiet_hours: '22:00-23:30' });
    expect(never).toMatch(
      /^cfg\.json: refresh_cron = "0 23 \* \* \*" is not allowed; every time it names falls inside quiet_hours, .* \(quiet_hours "22:00-23:30"\)/,
    );
    expect(never.split('\n')).toHaveLength(1);
    // Across midnight, and every minute of the quiet hours.
    expect(errorOf({ ...valid, refresh_cron: '*/5 22,23,0-6 * * *', quiet_hours: '22:00-07:00' })).toMatch(
      /refresh_cron = .* quiet_hours/,
    );
    // One time outside is enough.
    const some = parseConfig({ ...valid, refresh_cron: '0 23,8 * * *', quiet_hours: '22:00-23:30' });
    expect(some.refresh_cron).toBe('0 23,8 * * *');
    expect(parseConfig({ ...valid, refresh_cron: '30 23 * * *', quiet_hours: '22:00-23:30' }).quiet_hours).toBe(
      '22:00-23:30',
    );
  });
});
