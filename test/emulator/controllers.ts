// What the emulator knows about each controller, written from the datasheets' command tables
// independently of the drivers: how many data bytes each command takes, which commands power
// the panel, refresh it or put it to sleep, and how long it holds BUSY afterwards.
import type { Level } from '../../drivers/transports/transport.js';

export interface ControllerModel {
  name: string;
  /** The pixels of this controller's part of the glass, in the order its frame RAM scans them. */
  width: number;
  height: number;
  /** What the resolution command (0x61) must say, where the controller counts otherwise. */
  resolution?: [number, number];
  bitsPerPixel: 1 | 4;
  busyLevel: Level;
  /** How a command byte is told from data: DC low (default), or first byte after CS fell. */
  commandBy?: 'dc' | 'cs';
  /**
   * A command sent while busy is held until the work in hand is done, then taken (and its data):
   * what Pimoroni's 13.3" driver relies on, whose _busy_wait goes on at once on a busy line
   * (pimoroni/inky @07035b3 inky/inky_el133uf1.py:266-280). No datasheet of ours says so; this is
   * the vendor's working assumption, kept to that one controller.
   */
  holdsCommandsWhileBusy?: boolean;
  /** Commands the controller answers even while busy (status reads). */
  statusCommands?: number[];
  /**
   * Data bytes per command; 'frame' = one whole frame buffer; [min, max] where the controller
   * takes a shortened parameter list (the next command ends it).
   */
  dataBytes: Record<number, number | 'frame' | readonly [number, number]>;
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
  // GET_STATUS: the controller answers it while it works (epd7in5_V2.py ReadBusy polls with it).
  statusCommands: [0x71],
  dataBytes: {
    0x71: 0,
    0x00: 1,
    0x01: 4,
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
    // CDI: two bytes at init, one (border floating) before power off (epd7in5_V2.py:132-133, :439).
    0x50: [1, 2],
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

/** UC8159 driving ACeP glass (Waveshare 5.65" F and 4.01" F, Inky Impression 5.7" and 4"). */
function uc8159(width: number, height: number): ControllerModel {
  return {
    name: `UC8159 ${width}x${height}`,
    width,
    height,
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
      0x41: 1,
      0x50: 1,
      0x60: 1,
      0x61: 4,
      0x65: 1,
      0xe3: 1,
    },
    imageCommand: 0x10,
    powerOn: 0x04,
    powerOff: 0x02,
    refresh: 0x12,
    deepSleep: 0x07,
    busyMs: BUSY_MS,
  };
}

/** E Ink Spectra 6 4" (Inky Impression 4" Spectra 6): the 7.3"'s commands on a 400x600 scan. */
const spectra6_4in: ControllerModel = { ...spectra6, name: 'Spectra 6 4"', width: 400, height: 600 };

/**
 * One of the two controllers of the Spectra 6 13.3" glass (Waveshare 13.3" E, Inky Impression
 * 13.3"): each scans 600 columns x 1600 rows of it and counts that as 1200x800 (0x61 04b0 0320).
 */
const spectra6_13in3: ControllerModel = {
  name: 'Spectra 6 13.3"',
  width: 600,
  height: 1600,
  resolution: [1200, 800],
  bitsPerPixel: 4,
  busyLevel: 0,
  dataBytes: {
    0x74: 9,
    0xf0: 6,
    0x00: 2,
    0xa5: 3,
    0x30: 1,
    0x50: 1,
    0x60: 2,
    0x03: 4,
    0x86: 1,
    0xe3: 1,
    0xe0: 1,
    0x61: 4,
    0xa4: 9,
    0x01: 6,
    0xb6: 1,
    0x06: 2,
    0xb7: 1,
    0x05: 2,
    0xb0: 1,
    0xb1: 1,
    0x10: 'frame',
    0x04: 0,
    0x12: 1,
    0x02: 1,
    0x07: 1,
  },
  imageCommand: 0x10,
  powerOn: 0x04,
  powerOff: 0x02,
  refresh: 0x12,
  deepSleep: 0x07,
  busyMs: BUSY_MS,
};

/** The Waveshare 13.3" (E) HAT holds DC low: its controllers take commands by CS framing. */
const spectra6_13in3_csFramed: ControllerModel = { ...spectra6_13in3, commandBy: 'cs' };

/** The Inky Impression 13.3"'s controllers, as Pimoroni's driver drives them (see holdsCommandsWhileBusy). */
const spectra6_13in3_inky: ControllerModel = { ...spectra6_13in3, holdsCommandsWhileBusy: true };

/** The controller behind each driver name of the catalogue (one-controller glass). */
export const CONTROLLERS: Record<string, ControllerModel> = {
  'waveshare-7in3e': spectra6,
  'inky-e673': spectra6,
  'waveshare-7in3f': acep73,
  'inky-ac073tc1a': acep73,
  'waveshare-7in5-v2': uc8179,
  'waveshare-5in65f': uc8159(600, 448),
  'inky-uc8159-600x448': uc8159(600, 448),
  'waveshare-4in01f': uc8159(640, 400),
  'inky-uc8159-640x400': uc8159(640, 400),
  'inky-e640': spectra6_4in,
};

/** The two controllers (cs0, cs1) behind each two-controller glass's driver. */
export const DUAL_CONTROLLERS: Record<string, readonly [ControllerModel, ControllerModel]> = {
  'waveshare-13in3e': [spectra6_13in3_csFramed, spectra6_13in3_csFramed],
  'inky-el133uf1': [spectra6_13in3_inky, spectra6_13in3_inky],
};
