import { describe, expect, it } from 'vitest';
import { PANELS, findPanel } from '../../drivers/panels.js';
import { ConfigError } from '../../src/core/errors.js';

const byName = (id: string) => Object.fromEntries(findPanel(id).colours.map((c) => [c.name, c.index]));

describe('panel catalogue', () => {
  it('has the panels of the issue with their native sizes', () => {
    const sizes = Object.fromEntries(PANELS.map((p) => [p.id, `${p.width}x${p.height} ${p.nativeOrientation}`]));
    expect(sizes).toMatchObject({
      'waveshare-7in3e': '800x480 landscape',
      'waveshare-7in3f': '800x480 landscape',
      'waveshare-7in5-v2': '800x480 landscape',
      'waveshare-5in65f': '600x448 landscape',
      'inky-impression-7in3-spectra6': '800x480 landscape',
      'inky-impression-7in3': '800x480 landscape',
      'waveshare-13in3e': '1200x1600 portrait',
      'waveshare-4in01f': '640x400 landscape',
      'inky-impression-13in3-spectra6': '1600x1200 landscape',
      'inky-impression-4in-spectra6': '600x400 landscape',
      'inky-impression-5in7': '600x448 landscape',
      'inky-impression-4in': '640x400 landscape',
    });
    expect(PANELS).toHaveLength(12);
  });

  it('ids are unique and findPanel finds every one', () => {
    expect(new Set(PANELS.map((p) => p.id)).size).toBe(PANELS.length);
    for (const p of PANELS) expect(findPanel(p.id)).toBe(p);
  });

  it('an unknown id is a ConfigError that lists the known ids', () => {
    expect(() => findPanel('waveshare-13in3')).toThrow(ConfigError);
    expect(() => findPanel('waveshare-13in3')).toThrow(PANELS.map((p) => p.id).join(', '));
  });

  it('one driver per controller protocol: twins on the same glass keep their own vendor driver', () => {
    expect(Object.fromEntries(PANELS.map((p) => [p.id, p.driver]))).toEqual({
      'waveshare-7in3e': 'waveshare-7in3e',
      'waveshare-7in3f': 'waveshare-7in3f',
      'waveshare-7in5-v2': 'waveshare-7in5-v2',
      'waveshare-5in65f': 'waveshare-5in65f',
      'inky-impression-7in3-spectra6': 'inky-e673',
      'inky-impression-7in3': 'inky-ac073tc1a',
      'waveshare-13in3e': 'waveshare-13in3e',
      'waveshare-4in01f': 'waveshare-4in01f',
      'inky-impression-13in3-spectra6': 'inky-el133uf1',
      'inky-impression-4in-spectra6': 'inky-e640',
      'inky-impression-5in7': 'inky-uc8159-600x448',
      'inky-impression-4in': 'inky-uc8159-640x400',
    });
  });

  it.each(PANELS.map((p) => [p.id, p] as const))('%s: colour indices are unique and fit the pixel format', (_id, p) => {
    const indices = p.colours.map((c) => c.index);
    expect(new Set(indices).size).toBe(indices.length);
    const limit = p.pixelFormat === 'nibble4' ? 16 : 2;
    for (const i of indices) expect(i >= 0 && i < limit).toBe(true);
    expect(p.colours.map((c) => c.name)).toEqual(expect.arrayContaining(['black', 'white']));
    expect(p.measuredSource.length).toBeGreaterThan(10);
    expect(p.minRefreshIntervalSeconds).toBeGreaterThanOrEqual(180);
  });

  it('Spectra 6 controllers skip index 4: black 0, white 1, yellow 2, red 3, blue 5, green 6', () => {
    for (const id of [
      'waveshare-7in3e',
      'inky-impression-7in3-spectra6',
      'waveshare-13in3e',
      'inky-impression-13in3-spectra6',
      'inky-impression-4in-spectra6',
    ]) {
      expect(byName(id)).toEqual({ black: 0, white: 1, yellow: 2, red: 3, blue: 5, green: 6 });
    }
  });

  it('7-colour ACeP controllers: black 0, white 1, green 2, blue 3, red 4, yellow 5, orange 6', () => {
    for (const id of [
      'waveshare-7in3f',
      'waveshare-5in65f',
      'inky-impression-7in3',
      'waveshare-4in01f',
      'inky-impression-5in7',
      'inky-impression-4in',
    ]) {
      expect(byName(id)).toEqual({ black: 0, white: 1, green: 2, blue: 3, red: 4, yellow: 5, orange: 6 });
    }
  });

  it('the black/white panel packs one bit a pixel and its white ink is the bit the controller shows as white', () => {
    const p = findPanel('waveshare-7in5-v2');
    expect(p.pixelFormat).toBe('mono1');
    expect(p.whiteBit).toBe(0);
    expect(byName('waveshare-7in5-v2')).toEqual({ white: p.whiteBit, black: 1 - p.whiteBit! });
  });

  it('panels on the same glass share one measured palette', () => {
    const measured = (id: string) => findPanel(id).colours.map((c) => [c.name, c.measured]);
    expect(measured('waveshare-7in3e')).toEqual(measured('inky-impression-7in3-spectra6'));
    expect(measured('waveshare-7in3f')).toEqual(measured('inky-impression-7in3'));
    expect(measured('waveshare-13in3e')).toEqual(measured('inky-impression-13in3-spectra6'));
    expect(measured('waveshare-5in65f')).toEqual(measured('inky-impression-5in7'));
    expect(measured('waveshare-4in01f')).toEqual(measured('inky-impression-4in'));
  });

  it('a frame that the driver turns onto the glass is landscape; the scan is then its transpose', () => {
    for (const p of PANELS) {
      expect([0, 90]).toContain(p.scanTurn);
      if (p.scanTurn === 90) expect(p.nativeOrientation).toBe('landscape');
      // A portrait frame hangs landscape turned a quarter; a landscape one as it is.
      expect(p.landscapeRotate).toBe(p.nativeOrientation === 'portrait' ? 90 : 0);
    }
  });

  it('measured inks are duller than the nominal primaries the vendors assume', () => {
    for (const p of PANELS.filter((q) => q.colours.length > 2)) {
      const red = p.colours.find((c) => c.name === 'red')!;
      expect(red.nominal).toEqual([255, 0, 0]);
      expect(red.measured[1] + red.measured[2]).toBeGreaterThan(0);
    }
  });
});
