// The config against hostile or careless input (issue 12, point 10): the key is never quoted by a
// JSON syntax error, credentials in immich_url are refused and never printed, refresh_cron takes
// exactly five fields, a device such as /dev/zero is refused after a bounded read, and a change of
// immich_url's path is a change of server (a sync is due).
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/log.js';
import { isSyncDue } from '../../src/library/due.js';
import { emptyMetadata, serverHost } from '../../src/library/metadata.js';

const KEY = 'Zq9SECRETkey0123456789abcdefXYZ';

async function configFile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'config-hostile-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, text);
  return file;
}

async function loadError(flag: string, redactor?: Redactor): Promise<ConfigError> {
  const err = await loadConfig({ flag, env: {}, ...(redactor ? { redactor } : {}) }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('a config file that is not JSON', () => {
  it.each([
    ['a missing comma after the key', `{\n  "immich_api_key": "${KEY}"\n  "immich_url": "https://x.example"\n}`],
    ['garbage before the object (V8 quotes the start)', `x{"immich_api_key": "${KEY}"}`],
    ['a trailing comma', `{"immich_url": "https://x.example", "immich_api_key": "${KEY}",}`],
  ])('%s: the error says where, and quotes none of the key', async (what, text) => {
    const redactor = new Redactor();
    const err = await loadError(await configFile(text), redactor);
    // No snippet of the file: nothing in double quotes after the reason.
    expect(err.message).toMatch(/is not valid JSON: [^"]+$/);
    if (!what.startsWith('garbage')) expect(err.message).toMatch(/ at line \d+, column \d+$/);
    for (let i = 0; i + 4 <= KEY.length; i++) expect(err.message).not.toContain(KEY.slice(i, i + 4));
    // The run's redactor learnt the key before the parse failed: any later line masks it.
    expect(redactor.redact(`x ${KEY} y`)).toBe('x *** y');
  });

  it('/dev/zero is refused before a byte is read: it is no file', async () => {
    const err = await loadError('/dev/zero');
    expect(err.message).toMatch(/^config file \/dev\/zero is a device, not a file; point --config at the JSON file$/);
  });
});

describe('immich_url', () => {
  it('refuses user:password@ and never prints the password', () => {
    const err = (() => {
      try {
        parseConfig({ immich_url: 'https://bob:hunter22@photos.example', immich_api_key: KEY });
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('"https://***@photos.example"');
    expect(err.message).toContain('without user:password@');
    expect(err.message).not.toContain('hunter22');
    expect(err.message).not.toContain('bob');
  });

  it('a change of path is a change of server: a sync is due', () => {
    const m = {
      ...emptyMetadata(),
      last_sync: '2026-01-01T00:00:00.000Z',
      album_id: '',
      server_host: serverHost('https://photos.example/immich'),
      synced_assets: {},
      last_result: null,
    };
    const config = { album_id: '', photo_size: 'original' as const, max_photos: 0, sync_interval_hours: 6 };
    const now = new Date('2026-01-01T01:00:00.000Z');
    const at = (immich_url: string) => isSyncDue({ metadata: m, config: { ...config, immich_url }, now });
    expect(at('https://photos.example/immich')).toMatchObject({ due: true, reason: 'no photos yet' });
    expect(at('https://photos.example/other')).toEqual({ due: true, reason: 'server changed' });
    // A URL without a path records host:port as before: metadata of older versions still matches.
    expect(serverHost('https://photos.example:2283')).toBe('photos.example:2283');
  });
});

describe('refresh_cron', () => {
  it.each(['0 8 * * * *', '8 * * *', '@hourly'])('%s is refused: exactly five fields', (cron) => {
    expect(() => parseConfig({ immich_url: 'https://x.example', immich_api_key: KEY, refresh_cron: cron })).toThrow(
      /refresh_cron = .* expected a 5-field cron expression \(exactly/,
    );
  });

  it('five fields are accepted', () => {
    expect(
      parseConfig({ immich_url: 'https://x.example', immich_api_key: KEY, refresh_cron: '0 8,18 * * *' }).refresh_cron,
    ).toBe('0 8,18 * * *');
  });
});
