// The Inky boards' identity EEPROM: its 29-byte record parsed (a pure function), the display
// variants Pimoroni has assigned, and which of our panels each one is.
//
// Facts from pimoroni/inky @ 07035b3 (v2.4.0), inky/eeprom.py and inky/auto.py:
// - I2C bus 1 (eeprom.py:144), address 0x50 (EEP_ADDRESS, :8); read by writing the two bytes
//   00 00 and reading 29 bytes (:145-146).
// - The record is struct "<HHBBB22p" (:77, :86): width u16 LE, height u16 LE, colour u8, PCB
//   variant u8 (shown divided by 10, :69), display variant u8, then a Pascal string (length byte
//   then up to 21 characters) holding str(datetime.now()) at programming time (:92).
// - Colour names: eeprom.py:47; display variant names: DISPLAY_VARIANT, eeprom.py:12-41; the class
//   and resolution inky.auto.auto() picks for each: auto.py:28-51.
import { ConfigError } from '../src/core/errors.js';

export const EEPROM_BUS = 1;
export const EEPROM_ADDRESS = 0x50;
export const EEPROM_RECORD_BYTES = 29;
/** What is written before the read: the 16-bit memory address 0x0000. */
export const EEPROM_ADDRESS_BYTES = [0x00, 0x00] as const;

/** eeprom.py:47; None entries are left undefined. */
export const EEPROM_COLOURS: ReadonlyArray<string | undefined> = [
  undefined,
  'black',
  'red',
  'yellow',
  undefined,
  '7colour',
  'spectra6',
  'red/yellow',
];

/** eeprom.py:12-41 (0, 9 and 13 are None there). */
export const DISPLAY_VARIANTS: Readonly<Record<number, string>> = {
  1: 'Red pHAT (High-Temp)',
  2: 'Yellow wHAT',
  3: 'Black wHAT',
  4: 'Black pHAT',
  5: 'Yellow pHAT',
  6: 'Red wHAT',
  7: 'Red wHAT (High-Temp)',
  8: 'Red wHAT',
  10: 'Black pHAT (SSD1608)',
  11: 'Red pHAT (SSD1608)',
  12: 'Yellow pHAT (SSD1608)',
  14: '7-Colour (UC8159)',
  15: '7-Colour 640x400 (UC8159)',
  16: '7-Colour 640x400 (UC8159)',
  17: 'Black wHAT (SSD1683)',
  18: 'Red wHAT (SSD1683)',
  19: 'Yellow wHAT (SSD1683)',
  20: '7-Colour 800x480 (AC073TC1A)',
  21: 'Spectra 6 13.3 1600 x 1200 (EL133UF1)',
  22: 'Spectra 6 7.3 800 x 480 (E673)',
  23: 'Red/Yellow pHAT (JD79661)',
  24: 'Red/Yellow wHAT (JD79668)',
  25: 'Spectra 6 4.0 600 x 400 (E640)',
  26: 'Spectra 6 7.3 800 x 480 (E673) AC',
  27: 'Spectra 6 13.3 1600 x 1200 (EL133UF1) AC',
};

/**
 * Display variant -> our panel id, following the class and resolution auto.py:28-51 picks for
 * each. The variants not here are Inky pHAT/wHAT boards this app has no driver for.
 */
export const PANEL_BY_VARIANT: Readonly<Record<number, string>> = {
  14: 'inky-impression-5in7', // inky_uc8159, (600, 448)
  15: 'inky-impression-4in', // inky_uc8159, (640, 400)
  16: 'inky-impression-4in', // inky_uc8159, (640, 400)
  20: 'inky-impression-7in3', // inky_ac073tc1a, (800, 480)
  21: 'inky-impression-13in3-spectra6', // inky_el133uf1, (1600, 1200)
  22: 'inky-impression-7in3-spectra6', // inky_e673, (800, 480)
  25: 'inky-impression-4in-spectra6', // inky_e640, (600, 400)
  26: 'inky-impression-7in3-spectra6', // inky_e673, (800, 480), the "AC" waveform glass
  27: 'inky-impression-13in3-spectra6', // inky_el133uf1, (1600, 1200), the "AC" waveform glass
};

export interface InkyEeprom {
  width: number;
  height: number;
  colour: number;
  /** eeprom.py's name for `colour`, when it has one. */
  colourName: string | undefined;
  /** As stored (12); shown as "1.2". */
  pcbVariant: number;
  displayVariant: number;
  /** eeprom.py's name for `displayVariant`, when it has one. */
  variantName: string | undefined;
  /** When the EEPROM was programmed, as the programmer's Python wrote it. */
  writeTime: string;
}

function notDetected(message: string): ConfigError {
  return new ConfigError(message, { code: 'PANEL_NOT_DETECTED' });
}

const WHERE = `the Inky EEPROM (I2C bus ${EEPROM_BUS}, address 0x${EEPROM_ADDRESS.toString(16)})`;

/** Parse the 29-byte record; a short, blank or unprogrammed one is a one-line ConfigError. */
export function parseInkyEeprom(bytes: Uint8Array): InkyEeprom {
  if (bytes.length < EEPROM_RECORD_BYTES) {
    throw notDetected(
      `${WHERE} gave ${bytes.length} of its ${EEPROM_RECORD_BYTES} bytes: check that the HAT is seated, or set "panel" in the config`,
    );
  }
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, EEPROM_RECORD_BYTES);
  if (b.every((x) => x === 0xff) || b.every((x) => x === 0x00)) {
    throw notDetected(
      `${WHERE} is blank (all 0x${b[0] === 0 ? '00' : 'ff'}), so it does not say which panel is fitted: set "panel" in the config (artframe-immich panels lists them)`,
    );
  }
  // Python's "22p": the length byte is capped at 21, the field's size less one.
  const length = Math.min(b[7]!, 21);
  return {
    width: b.readUInt16LE(0),
    height: b.readUInt16LE(2),
    colour: b[4]!,
    colourName: EEPROM_COLOURS[b[4]!],
    pcbVariant: b[5]!,
    displayVariant: b[6]!,
    variantName: DISPLAY_VARIANTS[b[6]!],
    writeTime: b.subarray(8, 8 + length).toString('latin1'),
  };
}

/** "1.2" for the stored 12, as eeprom.py prints it. */
export function pcbVersion(record: InkyEeprom): string {
  return (record.pcbVariant / 10).toFixed(1);
}

/** Our panel id for the record's display variant; a one-line ConfigError naming the number if none. */
export function panelForVariant(record: InkyEeprom): string {
  const id = PANEL_BY_VARIANT[record.displayVariant];
  if (id) return id;
  const n = record.displayVariant;
  if (record.variantName) {
    throw notDetected(
      `the Inky EEPROM says display variant ${n} (${record.variantName}), a board this app has no driver for; supported variants: ${Object.keys(PANEL_BY_VARIANT).join(', ')}`,
    );
  }
  throw notDetected(
    `the Inky EEPROM says display variant ${n}, which Pimoroni's inky library does not know (${record.width}x${record.height}, colour ${record.colour}): set "panel" in the config`,
  );
}
