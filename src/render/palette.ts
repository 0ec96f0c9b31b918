// A panel's inks as the quantizer needs them: the controller index to emit, and the colour the
// ink shows (measured or nominal) in linear light and OKLab, precomputed once per render. Also
// the tone table that maps a photo's black..white onto the inks' own black..white.
import type { PanelProfile, RGB } from '../../drivers/panels.js';
import { SRGB_TO_LINEAR, linearToOklab } from './colour.js';
import type { PaletteChoice, ToneMap } from './options.js';

export type { PaletteChoice, ToneMap };

export interface InkPalette {
  size: number;
  names: readonly string[];
  /** The controller's colour index of each ink: what the quantizer writes out. */
  index: Uint8Array;
  /** sRGB bytes of each ink, 3 a colour. */
  rgb: Uint8Array;
  /** Linear light of each ink, 3 a colour. */
  linear: Float32Array;
  /** OKLab of each ink, 3 a colour. */
  oklab: Float32Array;
}

export interface Ink {
  name: string;
  index: number;
  rgb: RGB;
}

export function paletteFromInks(inks: readonly Ink[]): InkPalette {
  if (inks.length === 0) throw new RangeError('a palette needs at least one ink');
  const n = inks.length;
  const p: InkPalette = {
    size: n,
    names: inks.map((i) => i.name),
    index: new Uint8Array(n),
    rgb: new Uint8Array(n * 3),
    linear: new Float32Array(n * 3),
    oklab: new Float32Array(n * 3),
  };
  inks.forEach((ink, k) => {
    p.index[k] = ink.index;
    for (let c = 0; c < 3; c++) {
      p.rgb[k * 3 + c] = ink.rgb[c]!;
      // The same table the quantizer decodes pixels with, so a pixel of exactly an ink's colour
      // lands on that ink with an error of exactly zero.
      p.linear[k * 3 + c] = SRGB_TO_LINEAR[ink.rgb[c]!]!;
    }
    linearToOklab(p.linear[k * 3]!, p.linear[k * 3 + 1]!, p.linear[k * 3 + 2]!, p.oklab, k * 3);
  });
  return p;
}

/** The panel's inks with their measured (default) or nominal colours. */
export function inkPalette(panel: PanelProfile, choice: PaletteChoice = 'measured'): InkPalette {
  return paletteFromInks(
    panel.colours.map((c) => ({ name: c.name, index: c.index, rgb: choice === 'measured' ? c.measured : c.nominal })),
  );
}

/**
 * Position in the palette of the black and the white ink: by name, since a measured white is not
 * always the lightest ink (Spectra 6 yellow is lighter than its white); by OKLab lightness when a
 * palette has no such names.
 */
export function paperInks(p: InkPalette): { black: number; white: number } {
  let black = 0;
  let white = 0;
  for (let k = 1; k < p.size; k++) {
    if (p.oklab[k * 3]! < p.oklab[black * 3]!) black = k;
    if (p.oklab[k * 3]! > p.oklab[white * 3]!) white = k;
  }
  const named = (name: string) => p.names.indexOf(name);
  return { black: named('black') >= 0 ? named('black') : black, white: named('white') >= 0 ? named('white') : white };
}

/**
 * The decode table of the quantizer: 3 x 256 entries, sRGB byte of channel c to linear light.
 * `none` is the plain sRGB decode. `paper` maps the photo's black and white onto the black and the
 * white ink, channel by channel in linear light: a measured e-paper white is a light grey
 * (Spectra 6: 161,164,165), so without this every highlight above it would clip to bare white
 * while the error diffusion drags the excess into the neighbours; with it the eye, which adapts
 * to the paper's white, sees the photo's whole tonal range, and greys are exact mixes of the
 * two inks.
 */
export function toneTable(p: InkPalette, tone: ToneMap): Float32Array {
  const t = new Float32Array(768);
  const { black, white } = paperInks(p);
  for (let c = 0; c < 3; c++) {
    const lo = tone === 'paper' ? p.linear[black * 3 + c]! : 0;
    const hi = tone === 'paper' ? p.linear[white * 3 + c]! : 1;
    for (let v = 0; v < 256; v++) {
      // v = 0 and v = 255 give the inks' own values exactly, so flat black and flat white
      // photos come out as bare ink with no noise.
      t[c * 256 + v] = v === 0 ? lo : v === 255 ? hi : lo + SRGB_TO_LINEAR[v]! * (hi - lo);
    }
  }
  return t;
}
