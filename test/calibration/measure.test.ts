import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import type { PanelProfile } from '../../drivers/panels.js';
import { deltaE2000, linearToLab } from '../../src/calibration/cielab.js';
import type { RefusalReason } from '../../src/calibration/measure.js';
import { readSwatchPhoto } from '../../src/calibration/photo.js';
import { SRGB_TO_LINEAR } from '../../src/render/colour.js';
import { HARD_SHOT, differingUnit, photographSwatch } from '../support/swatch-camera.js';
import type { Shot, UnitInks } from '../support/swatch-camera.js';

const hard = HARD_SHOT;

const labOf = (rgb: readonly number[]) =>
  linearToLab(SRGB_TO_LINEAR[rgb[0]!]!, SRGB_TO_LINEAR[rgb[1]!]!, SRGB_TO_LINEAR[rgb[2]!]!);

async function worstError(panel: PanelProfile, unit: UnitInks, shot: Shot): Promise<number> {
  const result = await readSwatchPhoto(await photographSwatch(panel, unit, shot), panel, shot.rotate ?? 0);
  if (!result.ok) throw new Error(`refused: ${result.reason}: ${result.message}`);
  expect(result.inks.map((i) => i.name)).toEqual(panel.colours.map((c) => c.name));
  return Math.max(...result.inks.map((ink) => deltaE2000(labOf(unit[ink.name]!), ink.lab)));
}

describe('calibration: a photo of the swatch gives back the inks of the unit', () => {
  // One panel of each kind: Spectra 6 and ACeP (6 and 7 inks, three sizes), black and white,
  // and the portrait 13.3"; every unit differs from the catalogue.
  it.each([
    ['waveshare-7in3e', { ...hard }],
    ['inky-impression-7in3', { ...hard, tiltX: -20, tiltY: 8, cast: [0.9, 1, 1.15] as Shot['cast'], exposure: 0.65 }],
    ['waveshare-5in65f', { ...hard, tiltY: 20 }],
    ['waveshare-7in5-v2', { ...hard, tiltX: 15, tiltY: 15 }],
    ['waveshare-13in3e', { ...hard, width: 1000, height: 1000 }],
    ['inky-impression-4in-spectra6', { ...hard, rotate: 90 as const, tiltY: -12 }],
    // A phone's own contrast curve over sRGB, mild (the reading takes the photo as plain sRGB).
    ['waveshare-7in3f', { ...hard, sCurve: 1, exposure: 0.55 }],
  ])('%s: every ink within ΔE2000 3 of the truth, through tilt, gradient, cast, noise and JPEG', async (id, shot) => {
    const panel = findPanel(id);
    expect(await worstError(panel, differingUnit(panel, id.length), shot)).toBeLessThan(3);
  });
});

describe('calibration: a photo it cannot read is refused with the reason', () => {
  const panel = findPanel('waveshare-7in3e');
  const unit = differingUnit(panel);
  it.each<[string, Shot, RefusalReason, string]>([
    ['a corner marker hidden', { ...hard, hide: 2 }, 'markers-not-found', "found 4 of the swatch's 5 ring markers"],
    ['the orientation mark hidden', { ...hard, hide: 4 }, 'markers-not-found', 'ring markers'],
    ['heavy glare on a patch', { ...hard, glareOn: 'green' }, 'glare', 'glare on the green patch'],
    ['glare on the white ink', { ...hard, glareOn: 'white' }, 'glare', 'glare'],
    [
      'two patches swapped',
      { ...hard, swap: ['red', 'blue'] },
      'patches-out-of-order',
      'the red patch looks like blue',
    ],
    ['no paper in the picture', { ...hard, paper: false }, 'no-paper', 'white paper'],
    ['too dark', { ...hard, exposure: 0.03 }, 'too-dark', 'too dark'],
    ['overexposed', { ...hard, exposure: 1.4 }, 'overexposed', 'overexposed'],
  ])('%s', async (_, shot, reason, words) => {
    const result = await readSwatchPhoto(await photographSwatch(panel, unit, shot), panel);
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) {
      expect(result.message).toContain(words);
      expect(result.message.split('\n')).toHaveLength(1);
    }
  });

  it("another panel's swatch, or the swatch hung another way than the config says, is refused", async () => {
    const acep = findPanel('waveshare-7in3f');
    const other = await readSwatchPhoto(await photographSwatch(acep, differingUnit(acep), hard), panel);
    expect(other).toMatchObject({ ok: false, reason: 'patches-out-of-order' });
    const turned = await readSwatchPhoto(await photographSwatch(panel, unit, { ...hard, rotate: 90 }), panel, 0);
    expect(turned).toMatchObject({ ok: false, reason: 'patches-out-of-order' });
    if (!turned.ok) expect(turned.message).toContain('are panel and rotate right?');
  });

  it('a file that is not a photo is refused as unreadable', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'calibrate-'));
    const file = path.join(dir, 'notes.jpg');
    await writeFile(file, 'not a photo\n');
    expect(await readSwatchPhoto(file, panel)).toMatchObject({ ok: false, reason: 'unreadable' });
  });
});
