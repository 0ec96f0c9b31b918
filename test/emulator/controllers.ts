// What the emulator knows about each controller, written from the datasheets' command tables
// independently of the drivers: how many data bytes each command takes, which commands power
// the panel, refresh it or put it to sleep, and how long it holds BUSY afterwards.
import type { Level } from '../../drivers/transports/transport.js';

export interface ControllerModel {
  name: string;
  width: number;
  height: number;
  bitsPerPixel: 1 | 4;
  busyLevel: Level;
  /** Data bytes per command; 'frame' = one whole frame buffer. */
  dataBytes: Record<number, number | 'frame'>;
  /** The frame RAM whose content a refresh shows. */
  imageCommand: number;
  powerOn: number;
  powerOff: number;
  refresh: number;
  deepSleep: number;
  /** Virtual milliseconds BUSY stays asserted after a reset or these commands. */
  busyMs: { reset: number; powerOn: number; powerOff: number; refresh: number };
}

const BUSY_MS = { reset: 15, powerOn: 120, powerOff: 60, refresh: 1500 };

/** E Ink Spectra 6 7.3" (Waveshare 7.3" E, Inky Impression 7.3" Spectra 6). */
const spectra6: ControllerModel = {
  name: 'Spectra 6 7.3"',
  width: 800,
  height: 480,
  bitsPerPixel: 4,
  busyLevel: 0,
  dataBytes: {
    0xaa: 6,
    0x01: 1,
    0x00: 2,
    0x03: 4,
    0x05: 4,
    0x06: 4,
    0x08: 4,
    0x30: 1,
    0x50: 1,
    0x60: 2,
    0x61: 4,
    0x82: 1,
    0x84: 1,
    0xe3: 1,
    0x04: 0,
    0x02: 1,
    0x12: 1,
    0x07: 1,
    0x10: 'frame',
  },
  imageCommand: 0x10,
  powerOn: 0x04,
  powerOff: 0x02,
  refresh: 0x12,
  deepSleep: 0x07,
  busyMs: BUSY_MS,
};

/** ACeP 7.3" AC073TC1A (Waveshare 7.3" F, Inky Impression 7.3" 7-colour). */
const acep73: ControllerModel = {
  ...spectra6,
  name: 'ACeP 7.3" AC073TC1A',
  dataBytes: {
    0xaa: 6,
    0x01: 6,
    0x00: 2,
    0x03: 4,
    0x05: 4,
    0x06: 4,
    0x08: 4,
    0x13: 2,
    0x30: 1,
    0x41: 1,
    0x50: 1,
    0x60: 2,
    0x61: 4,
    0x82: 1,
    0x84: 1,
    0x86: 1,
    0xe3: 1,
    0xe0: 1,
    0xe6: 1,
    0x04: 0,
    0x02: 1,
    0x12: 1,
    0x07: 1,
    0x10: 'frame',
  },
};

/** UC8179 driving the 7.5" black and white glass (Waveshare 7.5" V2). */
const uc8179: ControllerModel = {
  name: 'UC8179 7.5"',
  width: 800,
  height: 480,
  bitsPerPixel: 1,
  busyLevel: 0,
  dataBytes: {
    0x00: 1,
    0x01: 5,
    0x02: 0,
    0x04: 0,
    0x06: 4,
    0x07: 1,
    0x10: 'frame',
    0x12: 0,
    0x13: 'frame',
    0x15: 1,
    0x20: 42,
    0x21: 42,
    0x22: 42,
    0x23: 42,
    0x24: 42,
    0x30: 1,
    0x50: 2,
    0x60: 1,
    0x61: 4,
    0x65: 4,
    0x82: 1,
  },
  imageCommand: 0x13,
  powerOn: 0x04,
  powerOff: 0x02,
  refresh: 0x12,
  deepSleep: 0x07,
  busyMs: BUSY_MS,
};

/** UC8159 driving the 5.65" ACeP glass (Waveshare 5.65" F). */
const uc8159: ControllerModel = {
  name: 'UC8159 5.65"',
  width: 600,
  height: 448,
  bitsPerPixel: 4,
  busyLevel: 0,
  dataBytes: {
    0x00: 2,
    0x01: 4,
    0x02: 0,
    0x03: 1,
    0x04: 0,
    0x06: 3,
    0x07: 1,
    0x10: 'frame',
    0x12: 0,
    0x30: 1,
    0x40: 1,
    0x50: 1,
    0x60: 1,
    0x61: 4,
    0xe3: 1,
  },
  imageCommand: 0x10,
  powerOn: 0x04,
  powerOff: 0x02,
  refresh: 0x12,
  deepSleep: 0x07,
  busyMs: BUSY_MS,
};

/** The controller behind each driver name of the catalogue. */
export const CONTROLLERS: Record<string, ControllerModel> = {
  'waveshare-7in3e': spectra6,
  'inky-e673': spectra6,
  'waveshare-7in3f': acep73,
  'inky-ac073tc1a': acep73,
  'waveshare-7in5-v2': uc8179,
  'waveshare-5in65f': uc8159,
};
