// The page never sees a door's secret: the MQTT block's password is masked in what the page reads,
// left out of the form, and kept as saved when the page saves other settings.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { Redactor } from '../../src/core/log.js';
import { maskedSettings, saveSettings } from '../../src/web/settings-file.js';
import { SETTINGS_FIELDS } from '../../src/web/settings-form.js';

const RAW = {
  immich_url: 'http://127.0.0.1:2283',
  immich_api_key: 'k'.repeat(40),
  mqtt: { url: 'mqtt://127.0.0.1:1883', username: 'frame', password: 'broker-secret-123' },
  web: { enabled: false },
};

describe("the page and the MQTT block's password", () => {
  it('is masked in what the page reads, and the form has no field for the block', () => {
    const shown = JSON.stringify(maskedSettings(parseConfig(RAW)));
    expect(shown).not.toContain('broker-secret-123');
    expect(shown).not.toContain(RAW.immich_api_key);
    expect(shown).toContain('"password_set":true');
    expect(SETTINGS_FIELDS.map((f) => f.key)).not.toContain('mqtt');
  });

  it('is kept as saved when the page saves other settings, whatever it posts for the block', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'settings-secrets-'));
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify(RAW));
    await saveSettings(file, { min_rating: 3, mqtt: { url: 'mqtt://evil:1883' } }, new Redactor());
    const saved = JSON.parse(await readFile(file, 'utf8')) as typeof RAW & { min_rating: number };
    expect(saved.min_rating).toBe(3);
    expect(saved.mqtt).toEqual(RAW.mqtt);
  });
});
