// The "charge me" frame: the photo with the notice set as its caption (the caption machinery,
// in the inks of the panel), alone even where it would have a partner.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { renderPhotos } from '../../src/frame/compose.js';
import { resolveOptions, renderOptionsFromConfig, resolveFrameOptions } from '../../src/render/options.js';
import { parseConfig } from '../../src/config/config.js';
import { CHARGE_ME } from '../../src/power/cycle.js';
import { jpegBytes } from '../support/library.js';
import { photo } from '../support/photos.js';

describe('charge me', () => {
  it('draws the notice as the caption of the one photo, where the plain frame has none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'charge-me-'));
    const file = path.join(dir, 'a.jpg');
    await writeFile(file, await jpegBytes(3, 320, 240));
    const config = parseConfig({ immich_url: 'http://127.0.0.1:1', immich_api_key: 'k-123456' });
    const options = { ...resolveOptions(renderOptionsFromConfig(config)), ...resolveFrameOptions({}), now: new Date() };
    const p = { ...photo('a', '2024-01-01T10:00:00Z', { width: 320, height: 240 }), path: file };
    const panel = findPanel('waveshare-7in3e');
    const plain = await renderPhotos([p, p], { panel, options });
    const marked = await renderPhotos([p, p], { panel, options, notice: CHARGE_ME });
    expect(plain.frame.layout.captions.every((c) => c === undefined)).toBe(true);
    expect(marked.frame.shown).toEqual([0]);
    expect(marked.frame.layout.captions[0]!.lines.join(' ')).toMatch(/Battery low: please charge/);
    expect(Buffer.from(marked.frame.buffer).equals(Buffer.from(plain.frame.buffer))).toBe(false);
  });
});
