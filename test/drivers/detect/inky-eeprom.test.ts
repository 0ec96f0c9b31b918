// The Inky EEPROM record as a pure parse, on byte fixtures built from the documented layout: every
// display variant Pimoroni lists, a blank and a short EEPROM, an unknown variant; and the mapping
// from display variant to our panel ids against the catalogue (sizes as inky.auto gives them).
import { describe, expect, it } from 'vitest';
import {
  DISPLAY_VARIANTS,
  PANEL_BY_VARIANT,
  panelForVariant,
  parseInkyEeprom,
  pcbVersion,
} from '../../../drivers/inky-eeprom.js';
import { PANELS } from '../../../drivers/panels.js';
import { ConfigError } from '../../../src/core/errors.js';
import { eepromRecord } from './fake-eeprom.js';

/** inky/auto.py:28-51: the resolution auto() gives each variant it maps to an Impression class. */
const AUTO_RESOLUTION: Record<number, [number, number]> = {
  14: [600, 448],
  15: [640, 400],
  16: [640, 400],
  20: [800, 480],
  21: [1600, 1200],
  22: [800, 480],
  25: [600, 400],
  26: [800, 480],
  27: [1600, 1200],
};

function parseError(bytes: Uint8Array): ConfigError {
  try {
    parseInkyEeprom(bytes);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('parsed');
}

describe('Inky EEPROM record', () => {
  it('a literal record: 800x480, spectra6, PCB 1.2, variant 22, the write time cut to 21 characters', () => {
    const bytes = Buffer.from(
      '2003' + 'e001' + '06' + '0c' + '16' + '15' + Buffer.from('2025-01-15 10:20:30.1').toString('hex'),
      'hex',
    );
    expect(bytes.length).toBe(29);
    const r = parseInkyEeprom(bytes);
    expect(r).toEqual({
      width: 800,
      height: 480,
      colour: 6,
      colourName: 'spectra6',
      pcbVariant: 12,
      displayVariant: 22,
      variantName: 'Spectra 6 7.3 800 x 480 (E673)',
      writeTime: '2025-01-15 10:20:30.1',
    });
    expect(pcbVersion(r)).toBe('1.2');
    expect(panelForVariant(r)).toBe('inky-impression-7in3-spectra6');
  });

  it.each(Object.keys(DISPLAY_VARIANTS).map(Number))('display variant %i parses with its name', (variant) => {
    const [width, height] = AUTO_RESOLUTION[variant] ?? [400, 300];
    const r = parseInkyEeprom(
      eepromRecord({ width, height, colour: 5, pcb: 10, variant, time: '2024-02-07 11:12:13.141516' }),
    );
    expect(r).toMatchObject({ width, height, displayVariant: variant, variantName: DISPLAY_VARIANTS[variant] });
    expect(r.writeTime).toBe('2024-02-07 11:12:13.1');
    if (PANEL_BY_VARIANT[variant]) expect(panelForVariant(r)).toBe(PANEL_BY_VARIANT[variant]);
    else
      expect(() => panelForVariant(r)).toThrow(
        `the Inky EEPROM says display variant ${variant} (${DISPLAY_VARIANTS[variant]}), a board this app has no driver for; supported variants: 14, 15, 16, 20, 21, 22, 25, 26, 27`,
      );
  });

  it('every variant that auto() maps to an Impression has a panel id, and no other does', () => {
    expect(
      Object.keys(PANEL_BY_VARIANT)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(Object.keys(AUTO_RESOLUTION).map(Number));
  });

  it("each mapped panel is in the catalogue with the variant's size, and every Inky panel has a variant", () => {
    for (const [variant, id] of Object.entries(PANEL_BY_VARIANT)) {
      const panel = PANELS.find((p) => p.id === id);
      expect(panel, `variant ${variant} -> ${id}`).toBeDefined();
      const size = [panel!.width, panel!.height].sort((a, b) => a - b);
      expect(size, `variant ${variant} -> ${id}`).toEqual([...AUTO_RESOLUTION[Number(variant)]!].sort((a, b) => a - b));
    }
    const mapped = new Set(Object.values(PANEL_BY_VARIANT));
    expect(PANELS.filter((p) => p.id.startsWith('inky-') && !mapped.has(p.id)).map((p) => p.id)).toEqual([]);
  });

  it('a blank EEPROM (all 0xff) says it was never programmed', () => {
    const err = parseError(Buffer.alloc(29, 0xff));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe('PANEL_NOT_DETECTED');
    expect(err.message).toBe(
      'the Inky EEPROM (I2C bus 1, address 0x50) is blank (all 0xff), so it does not say which panel is fitted: set "panel" in the config (artframe-immich panels lists them)',
    );
  });

  it('a short read names how many bytes came back', () => {
    expect(parseError(Buffer.alloc(10, 0x20)).message).toBe(
      'the Inky EEPROM (I2C bus 1, address 0x50) gave 10 of its 29 bytes: check that the HAT is seated, or set "panel" in the config',
    );
  });

  it('an unknown variant names the number', () => {
    const r = parseInkyEeprom(eepromRecord({ width: 800, height: 480, colour: 6, pcb: 12, variant: 42, time: 'x' }));
    expect(() => panelForVariant(r)).toThrow(
      'the Inky EEPROM says display variant 42, which Pimoroni\'s inky library does not know (800x480, colour 6): set "panel" in the config',
    );
  });

  it('a length byte over 21 is capped as Python does', () => {
    const b = eepromRecord({ width: 1, height: 1, colour: 1, pcb: 1, variant: 22, time: 'abcdefghijklmnopqrstu' });
    b[7] = 200;
    expect(parseInkyEeprom(b).writeTime).toBe('abcdefghijklmnopqrstu');
  });
});
