// The panel catalogue: what the render stage and the drivers must agree on for each e-paper
// panel (size, native orientation, the controller's colour indices, pixel packing, palettes).
// Pure data; the controller protocols live in one driver file each.
import { ConfigError } from '../src/core/errors.js';

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
  /** Width and height in the controller's own (native) scan orientation. */
  width: number;
  height: number;
  nativeOrientation: 'landscape' | 'portrait';
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
}

// Colour indices come from the vendors' reference drivers (waveshareteam/e-Paper
// `epd7in3e.py`, `epd7in3f.py`, `epd5in65f.py`, `epd7in5_V2.py`; pimoroni/inky `inky_e673.py`,
// `inky_ac073tc1a.py`). Measured palettes are Pimoroni's SATURATED_PALETTE tables in
// pimoroni/inky: they photographed each ink on the glass, and the same glass ships under both
// brands (E Ink Spectra 6 in `waveshare-7in3e` and the Spectra 6 Impression; ACeP 7.3" in
// `waveshare-7in3f` and the 7-colour Impression; ACeP 5.65" in `waveshare-5in65f` and the 5.7"
// Impression, driven by a UC8159).

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
  'Pimoroni, pimoroni/inky inky_e673.py SATURATED_PALETTE (measured on the Inky Impression 7.3" Spectra 6, the same E Ink Spectra 6 glass)';

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
    driver: 'waveshare-7in3e',
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
    driver: 'waveshare-7in3f',
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
    driver: 'waveshare-7in5-v2',
    pixelFormat: 'mono1',
    // epd7in5_V2.py inverts PIL's 1-bit image before sending it with 0x13: on the glass, a 0 bit
    // is white and a 1 bit black (its Clear() writes 0x00 for a white screen).
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
    driver: 'waveshare-5in65f',
    pixelFormat: 'nibble4',
    colours: [
      { name: 'black', index: 0, nominal: [0, 0, 0], measured: [57, 48, 57] },
      { name: 'white', index: 1, nominal: [255, 255, 255], measured: [255, 255, 255] },
      { name: 'green', index: 2, nominal: [0, 255, 0], measured: [58, 91, 70] },
      { name: 'blue', index: 3, nominal: [0, 0, 255], measured: [61, 59, 94] },
      { name: 'red', index: 4, nominal: [255, 0, 0], measured: [156, 72, 75] },
      { name: 'yellow', index: 5, nominal: [255, 255, 0], measured: [208, 190, 71] },
      { name: 'orange', index: 6, nominal: [255, 128, 0], measured: [177, 106, 73] },
    ],
    measuredSource:
      'Pimoroni, pimoroni/inky inky_uc8159.py SATURATED_PALETTE (Inky Impression 5.7", the same 600x448 ACeP glass on a UC8159)',
    minRefreshIntervalSeconds: 180,
  },
  {
    id: 'inky-impression-7in3-spectra6',
    name: 'Pimoroni Inky Impression 7.3" (Spectra 6 edition)',
    vendor: 'Pimoroni',
    width: 800,
    height: 480,
    nativeOrientation: 'landscape',
    driver: 'inky-e673',
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
    driver: 'inky-ac073tc1a',
    pixelFormat: 'nibble4',
    colours: acep73Colours([255, 140, 0]),
    measuredSource: ACEP73_SOURCE,
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
