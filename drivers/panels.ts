// The panel catalogue: what the render stage and the drivers must agree on for each e-paper
// panel (size, native orientation, the controller's colour indices, pixel packing, palettes).
// Pure data; the controller protocols live in one driver file each.

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
