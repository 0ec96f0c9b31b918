// The panel catalogue: what the render stage and the drivers must agree on for each e-paper
// panel (size, native orientation, the controller's colour indices, pixel packing, palettes).
// Pure data; the controller protocols live in one driver file each.
import { ConfigError } from '../src/core/errors.js';
import type { Pull } from './gpio/contract.js';

export type RGB = readonly [number, number, number];

/**
 * How the controller wants pixels packed:
 * - `nibble4`: two 4-bit colour indices a byte, the left pixel in the high nibble.
 * - `mono1`: one bit a pixel, the leftmost pixel in the most significant bit; `mono1.whiteBit`
 *   says which bit value the controller shows as white.
 */
export type PixelFormat = 'nibble4' | 'mono1';

export interface PanelColour {
  /** Our name for the ink: black, white, yellow, red, blue, green, orange. */
  name: string;
  /** The index the controller expects in the frame buffer for this ink. */
  index: number;
  /** The colour the vendor's drivers assume (pure sRGB primaries). */
  nominal: RGB;
  /** The colour the ink really shows on the glass, measured (see `measuredSource`). */
  measured: RGB;
}

export interface PanelProfile {
  id: string;
  name: string;
  vendor: 'Waveshare' | 'Pimoroni';
  /**
   * Width and height of the frame buffer the driver takes, as its vendor's driver takes it
   * (Waveshare's EPD_WIDTH x EPD_HEIGHT, Pimoroni's set_pixel coordinates): what the render
   * stage produces, upright when the panel hangs as `hangs` says and `rotate` is 0.
   */
  width: number;
  height: number;
  nativeOrientation: 'landscape' | 'portrait';
  /**
   * How the driver puts the frame on the controller's scan: turned this many degrees clockwise
   * (Pimoroni's numpy.rot90(buf, -1) on the e640 and el133uf1), else as is.
   */
  scanTurn: 0 | 90;
  /** How the panel hangs with the frame upright (`rotate` 0), in the vendor's terms. */
  hangs: string;
  /**
   * The render `rotate` (degrees the panel is turned clockwise from `hangs`) that hangs it
   * landscape the way its vendor does: 0 on a landscape frame, 90 on Waveshare's portrait 13.3"
   * (its getbuffer turns a landscape picture 90 degrees counter-clockwise, epd13in3E.py:237-238).
   */
  landscapeRotate: 0 | 90;
  /** The driver (controller protocol) that speaks to this panel: a file in drivers/. */
  driver: string;
  pixelFormat: PixelFormat;
  /** For `mono1`: the bit value the controller shows as white. */
  whiteBit?: 0 | 1;
  colours: PanelColour[];
  /** Where the `measured` palette comes from. */
  measuredSource: string;
  /** The shortest interval between full refreshes the vendor recommends, in seconds. */
  minRefreshIntervalSeconds: number;
  /** The pull resistor on the BUSY input, as the vendor's driver sets it (see the sources above PANELS). */
  busyPull: Pull;
}

/*
 * `busyPull`, BUSY's pull resistor as each vendor's own driver sets it:
 * - Waveshare, waveshareteam/e-Paper @86aa993 RaspberryPi_JetsonNano/python/lib/waveshare_epd/
 *   epdconfig.py:60: gpiozero.Button(BUSY_PIN, pull_up=False), a pull-down.
 * - Waveshare 13.3" (E), whose Python loads its own C library: E-paper_Separate_Program/
 *   13.3inch_e-Paper_E/RaspberryPi/c/lib/Config/DEV_Config.c:71-88 with Makefile:16's default
 *   USE_BCM2835_LIB sets BUSY an input and no pull.
 * - Pimoroni, pimoroni/inky @07035b3: inky_e673.py:192, inky_e640.py:192, inky_el133uf1.py:220
 *   Bias.PULL_UP; inky_uc8159.py:225 Bias.DISABLED; inky_ac073tc1a.py:213 no bias (gpiod's
 *   as-is, which leaves the Pi's reset default): none.
 */

// Colour indices come from the vendors' reference drivers (waveshareteam/e-Paper
// `epd7in3e.py`, `epd7in3f.py`, `epd5in65f.py`, `epd4in01f.py`, `epd7in5_V2.py`, `epd13in3E.py`:44-49;
// pimoroni/inky `inky_e673.py`, `inky_ac073tc1a.py`, `inky_uc8159.py`, `inky_e640.py`,
// `inky_el133uf1.py`). Nominal colours are the vendors' DESATURATED_PALETTE / getbuffer
// palettes; measured ones Pimoroni's SATURATED_PALETTE tables (pimoroni/inky @07035b3): they
// photographed each ink on the glass, and the same glass ships under both brands (Spectra 6 7.3"
// in `waveshare-7in3e` and the Spectra 6 Impression; Spectra 6 13.3" in `waveshare-13in3e` and
// the Impression 13.3"; ACeP 7.3" in `waveshare-7in3f` and the 7-colour Impression; UC8159
// 600x448 in `waveshare-5in65f` and the Impression 5.7"; UC8159 640x400 in `waveshare-4in01f`
// and the Impression 4").

/** E Ink Spectra 6 (E6): index 4 is unused by the controller, so blue is 5 and green 6. */
function spectra6Colours(): PanelColour[] {
  return [
    { name: 'black', index: 0, nominal: [0, 0, 0], measured: [0, 0, 0] },
    { name: 'white', index: 1, nominal: [255, 255, 255], measured: [161, 164, 165] },
    { name: 'yellow', index: 2, nominal: [255, 255, 0], measured: [208, 190, 71] },
    { name: 'red', index: 3, nominal: [255, 0, 0], measured: [156, 72, 75] },
    { name: 'blue', index: 5, nominal: [0, 0, 255], measured: [61, 59, 94] },
    { name: 'green', index: 6, nominal: [0, 255, 0], measured: [58, 91, 70] },
  ];
}
const SPECTRA6_SOURCE =
  'Pimoroni, pimoroni/inky inky_e673.py:29-36 SATURATED_PALETTE (measured on the Inky Impression 7.3" Spectra 6, the same E Ink Spectra 6 glass)';
/** The same table in the 13.3" and 4" classes (inky_el133uf1.py:29-36, inky_e640.py:29-36). */
const spectra6Source = (file: string, panel: string) =>
  `Pimoroni, pimoroni/inky ${file}:29-36 SATURATED_PALETTE (${panel}, E Ink Spectra 6)`;

/** ACeP on a UC8159 (600x448, 640x400): Pimoroni's measured inks, inky_uc8159.py:35-44. */
function uc8159Colours(orange: RGB): PanelColour[] {
  return [
    { name: 'black', index: 0, nominal: [0, 0, 0], measured: [57, 48, 57] },
    { name: 'white', index: 1, nominal: [255, 255, 255], measured: [255, 255, 255] },
    { name: 'green', index: 2, nominal: [0, 255, 0], measured: [58, 91, 70] },
    { name: 'blue', index: 3, nominal: [0, 0, 255], measured: [61, 59, 94] },
    { name: 'red', index: 4, nominal: [255, 0, 0], measured: [156, 72, 75] },
    { name: 'yellow', index: 5, nominal: [255, 255, 0], measured: [208, 190, 71] },
    { name: 'orange', index: 6, nominal: orange, measured: [177, 106, 73] },
  ];
}
const uc8159Source = (panel: string) =>
  `Pimoroni, pimoroni/inky inky_uc8159.py:35-44 SATURATED_PALETTE (${panel}, ACeP on a UC8159)`;

const LANDSCAPE_HANGS = 'landscape, as its vendor draws it: the frame buffer upright, its top row at the top';

/** ACeP 7.3" (AC073TC1A). Waveshare's driver assumes orange (255,128,0); Pimoroni's (255,140,0). */
function acep73Colours(orange: RGB): PanelColour[] {
  return [
    { name: 'black', index: 0, nominal: [0, 0, 0], measured: [0, 0, 0] },
    { name: 'white', index: 1, nominal: [255, 255, 255], measured: [217, 242, 255] },
    { name: 'green', index: 2, nominal: [0, 255, 0], measured: [3, 124, 76] },
    { name: 'blue', index: 3, nominal: [0, 0, 255], measured: [27, 46, 198] },
    { name: 'red', index: 4, nominal: [255, 0, 0], measured: [245, 80, 34] },
    { name: 'yellow', index: 5, nominal: [255, 255, 0], measured: [255, 255, 68] },
    { name: 'orange', index: 6, nominal: orange, measured: [239, 121, 44] },
  ];
}
const ACEP73_SOURCE =
  'Pimoroni, pimoroni/inky inky_ac073tc1a.py SATURATED_PALETTE (Inky Impression 7.3" 7-colour, the same AC073TC1A glass)';

export const PANELS: readonly PanelProfile[] = [
  {
    id: 'waveshare-7in3e',
    name: 'Waveshare 7.3" e-Paper (E), Spectra 6',
    vendor: 'Waveshare',
    width: 800,
    height: 480,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'waveshare-7in3e',
    busyPull: 'down',
    pixelFormat: 'nibble4',
    colours: spectra6Colours(),
    measuredSource: SPECTRA6_SOURCE,
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'waveshare-7in3f',
    name: 'Waveshare 7.3" e-Paper (F), 7-colour ACeP',
    vendor: 'Waveshare',
    width: 800,
    height: 480,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'waveshare-7in3f',
    busyPull: 'down',
    pixelFormat: 'nibble4',
    colours: acep73Colours([255, 128, 0]),
    measuredSource: ACEP73_SOURCE,
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'waveshare-7in5-v2',
    name: 'Waveshare 7.5" e-Paper V2, black and white',
    vendor: 'Waveshare',
    width: 800,
    height: 480,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'waveshare-7in5-v2',
    busyPull: 'down',
    pixelFormat: 'mono1',
    // epd7in5_V2.py's getbuffer makes 1 = black; display() sends the buffer to the new-data RAM
    // (0x13) and its inverse to the old one (0x10): on the glass a 0 bit is white.
    whiteBit: 0,
    colours: [
      { name: 'black', index: 1, nominal: [0, 0, 0], measured: [0, 0, 0] },
      { name: 'white', index: 0, nominal: [255, 255, 255], measured: [255, 255, 255] },
    ],
    measuredSource:
      'no published measurement: nominal black and white; with two grey inks the render maps the photo onto the black..white range, so their exact values change nothing',
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'waveshare-5in65f',
    name: 'Waveshare 5.65" e-Paper (F), 7-colour ACeP',
    vendor: 'Waveshare',
    width: 600,
    height: 448,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'waveshare-5in65f',
    busyPull: 'down',
    pixelFormat: 'nibble4',
    colours: uc8159Colours([255, 128, 0]),
    measuredSource: uc8159Source('Inky Impression 5.7", the same 600x448 glass'),
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'waveshare-13in3e',
    name: 'Waveshare 13.3" e-Paper (E), Spectra 6',
    vendor: 'Waveshare',
    width: 1200,
    height: 1600,
    nativeOrientation: 'portrait',
    scanTurn: 0,
    // epd13in3E.py: EPD_WIDTH 1200, EPD_HEIGHT 1600; getbuffer turns a 1600x1200 landscape
    // picture 90 degrees counter-clockwise into it (:237-238): landscape is rotate 90.
    hangs:
      'portrait, the frame buffer upright; Waveshare hangs it landscape turned 90 degrees clockwise (rotate 90), the buffer top row on the right-hand edge',
    landscapeRotate: 90,
    driver: 'waveshare-13in3e',
    busyPull: 'off',
    pixelFormat: 'nibble4',
    colours: spectra6Colours(),
    measuredSource: spectra6Source('inky_el133uf1.py', 'Inky Impression 13.3", the same 1200x1600 glass'),
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'waveshare-4in01f',
    name: 'Waveshare 4.01" e-Paper (F), 7-colour ACeP',
    vendor: 'Waveshare',
    width: 640,
    height: 400,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'waveshare-4in01f',
    busyPull: 'down',
    pixelFormat: 'nibble4',
    // epd4in01f.py getbuffer maps (255,128,0) to orange (:160-161).
    colours: uc8159Colours([255, 128, 0]),
    measuredSource: uc8159Source('Inky Impression 4", the same 640x400 glass'),
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'inky-impression-7in3-spectra6',
    name: 'Pimoroni Inky Impression 7.3" (Spectra 6 edition)',
    vendor: 'Pimoroni',
    width: 800,
    height: 480,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'inky-e673',
    busyPull: 'up',
    pixelFormat: 'nibble4',
    colours: spectra6Colours(),
    measuredSource: SPECTRA6_SOURCE,
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'inky-impression-7in3',
    name: 'Pimoroni Inky Impression 7.3" (7-colour edition)',
    vendor: 'Pimoroni',
    width: 800,
    height: 480,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'inky-ac073tc1a',
    busyPull: 'off',
    pixelFormat: 'nibble4',
    colours: acep73Colours([255, 140, 0]),
    measuredSource: ACEP73_SOURCE,
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'inky-impression-13in3-spectra6',
    name: 'Pimoroni Inky Impression 13.3" (Spectra 6)',
    vendor: 'Pimoroni',
    width: 1600,
    height: 1200,
    nativeOrientation: 'landscape',
    // show() sends the set_pixel frame turned a quarter clockwise (inky_el133uf1.py:323): on
    // the 1200x1600 glass that is 180 degrees from Waveshare's landscape for the same picture.
    scanTurn: 90,
    hangs:
      "landscape, as Pimoroni draws it: the set_pixel frame upright, the glass's 1200x1600 scan turned 90 degrees counter-clockwise (its first row on the left-hand edge)",
    landscapeRotate: 0,
    driver: 'inky-el133uf1',
    busyPull: 'up',
    pixelFormat: 'nibble4',
    colours: spectra6Colours(),
    measuredSource: spectra6Source('inky_el133uf1.py', 'Inky Impression 13.3"'),
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'inky-impression-4in-spectra6',
    name: 'Pimoroni Inky Impression 4" (Spectra 6 edition)',
    vendor: 'Pimoroni',
    width: 600,
    height: 400,
    nativeOrientation: 'landscape',
    // show() sends the set_pixel frame turned a quarter clockwise (inky_e640.py:291).
    scanTurn: 90,
    hangs:
      "landscape, as Pimoroni draws it: the set_pixel frame upright, the glass's 400x600 scan turned 90 degrees counter-clockwise (its first row on the left-hand edge)",
    landscapeRotate: 0,
    driver: 'inky-e640',
    busyPull: 'up',
    pixelFormat: 'nibble4',
    colours: spectra6Colours(),
    measuredSource: spectra6Source('inky_e640.py', 'Inky Impression 4" Spectra 6'),
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'inky-impression-5in7',
    name: 'Pimoroni Inky Impression 5.7" (7-colour)',
    vendor: 'Pimoroni',
    width: 600,
    height: 448,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'inky-uc8159-600x448',
    busyPull: 'off',
    pixelFormat: 'nibble4',
    // inky_uc8159.py DESATURATED_PALETTE orange (255,140,0) (:31).
    colours: uc8159Colours([255, 140, 0]),
    measuredSource: uc8159Source('Inky Impression 5.7"'),
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'inky-impression-4in',
    name: 'Pimoroni Inky Impression 4" (7-colour)',
    vendor: 'Pimoroni',
    width: 640,
    height: 400,
    nativeOrientation: 'landscape',
    scanTurn: 0,
    hangs: LANDSCAPE_HANGS,
    landscapeRotate: 0,
    driver: 'inky-uc8159-640x400',
    busyPull: 'off',
    pixelFormat: 'nibble4',
    colours: uc8159Colours([255, 140, 0]),
    measuredSource: uc8159Source('Inky Impression 4"'),
    minRefreshIntervalSeconds: 180,
  },
];

/** The panel with this id; a ConfigError listing the known ids when there is none. */
export function findPanel(id: string): PanelProfile {
  const panel = PANELS.find((p) => p.id === id);
  if (!panel) {
    throw new ConfigError(`unknown panel "${id}"; known panels: ${PANELS.map((p) => p.id).join(', ')}`);
  }
  return panel;
}

/** The config's `panel` value that asks the HAT's EEPROM which panel it is (drivers/detect.ts). */
export const AUTO_PANEL = 'auto';
