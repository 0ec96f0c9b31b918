import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import {
  calibratedPanel,
  framePanel,
  inksFile,
  parseInksFile,
  readInksFile,
  resetInks,
  saveInksFile,
} from '../../src/calibration/inks-file.js';
import { ConfigError } from '../../src/core/errors.js';
import { instancePaths } from '../../src/library/instance.js';
import { inkPalette } from '../../src/render/palette.js';

const panel = findPanel('waveshare-7in3f');
const own = panel.colours.map((c, k) => ({ name: c.name, rgb: [k * 30, 100, 200 - k * 20] as const }));

describe('inks file', () => {
  it('round-trips beside the library, and the calibrated panel matches against its inks', async () => {
    const paths = instancePaths({ storage_dir: await mkdtemp(path.join(os.tmpdir(), 'inks-')), instance_id: 'x' });
    expect(await readInksFile(paths, panel)).toBeNull();
    const file = inksFile(panel, own, 'hand', new Date('2026-12-03T10:00:00Z'));
    await saveInksFile(paths, file);
    expect(await readInksFile(paths, panel)).toEqual(file);
    // Nothing left beside it: the file was replaced whole.
    expect(await readdir(paths.instanceDir)).toEqual(['calibrated_inks.json']);
    const palette = inkPalette(calibratedPanel(panel, file));
    expect([...palette.rgb]).toEqual(own.flatMap((i) => [...i.rgb]));
    expect([...palette.index]).toEqual(panel.colours.map((c) => c.index));
    expect(await resetInks(paths)).toBe(true);
    expect(await resetInks(paths)).toBe(false);
    expect(await framePanel(panel, paths, () => {})).toBe(panel);
  });

  it.each([
    [{ inks: [...own, { name: 'violet', rgb: [1, 2, 3] }] }, 'has an ink "violet" the waveshare-7in3f does not have'],
    [{ inks: own.map((i, k) => (k === 2 ? { ...i, rgb: [0, 256, 0] } : i)) }, 'inks.2.rgb.1'],
    [{ inks: [...own, own[0]] }, "has the waveshare-7in3f's black ink 2 times"],
    [{ format: 'something-else' }, 'format'],
  ])('a bad file is a ConfigError naming it and what is wrong (%#)', (change, words) => {
    const json = { ...inksFile(panel, own, 'hand'), ...change };
    expect(() => parseInksFile(json, panel, 'inks.json')).toThrow(ConfigError);
    expect(() => parseInksFile(json, panel, 'inks.json')).toThrow(words);
    expect(() => parseInksFile(json, panel, 'inks.json')).toThrow(/^inks\.json /);
  });
});
