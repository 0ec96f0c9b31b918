// What can be asked of a render and its defaults, as plain values: the option names, their allowed
// values and limits, the defaults of the photo's options (fit, dither, ...) and the frame's (captions,
// portrait pairs). Free of zod as of sharp: the config's quick reading (config/config-check.ts) uses
// them on every `status` and `next`; the validators built of them are options.ts's.
// Names only from the render's own files (kernels.ts is data): the quantizer and the palette code
// stay out of every command that only reads a config (`status`, `next`).
import { DITHER_ALGORITHMS, type DitherAlgorithm } from './kernels.js';

/** Which colours the quantizer aims at: the inks as measured on real glass, or their nominal sRGB. */
export const PALETTE_CHOICES = ['measured', 'nominal'] as const;
export type PaletteChoice = (typeof PALETTE_CHOICES)[number];
/** How a photo's black..white maps onto the inks' own black..white (palette.ts toneTable). */
export const TONE_MAPS = ['paper', 'none'] as const;
export type ToneMap = (typeof TONE_MAPS)[number];

export const FITS = ['contain', 'cover'] as const;
export const CROPS = ['centre', 'attention'] as const;
export const ROTATIONS = [0, 90, 180, 270] as const;
export const GAMUT_MAPPINGS = ['map', 'none'] as const;
export { DITHER_ALGORITHMS };

export type Fit = (typeof FITS)[number];
export type Crop = (typeof CROPS)[number];
export type Rotation = (typeof ROTATIONS)[number];
export type GamutMapping = (typeof GAMUT_MAPPINGS)[number];

export interface RenderOptions {
  /** `cover` fills the glass and crops; `contain` shows the whole photo on `background`. */
  fit: Fit;
  /** Colour around a `contain`ed photo and under transparency: "#rrggbb", "#rgb", "white", "black". */
  background: string;
  /**
   * Where `cover` crops a photo without face boxes: the centre, or the busiest region (libvips'
   * attention scoring, render/attention.ts). A photo with face boxes is cropped around its faces
   * (render/framing.ts).
   */
  crop: Crop;
  /** How far the panel is turned clockwise from its native orientation as it hangs. */
  rotate: Rotation;
  dither: DitherAlgorithm;
  /** Colour boost: multipliers, 1 = unchanged. */
  saturation: number;
  contrast: number;
  brightness: number;
  /** Exposure in stops, in linear light: +1 doubles the light of every pixel, 0 = unchanged. */
  exposure: number;
  /** Match against the inks' measured colours (default) or the vendor's nominal ones. */
  palette: PaletteChoice;
  /** Map the photo's black..white onto the inks' black..white (`paper`, default) or not. */
  tone: ToneMap;
  /**
   * Bring colours the inks cannot mix inside their gamut first (`map`, default), or not. `map`
   * keeps hues: without it a light sky on Spectra 6 (whose blue ink is dark) dithers to a
   * green-grey. The quality bench shows the cost: better on Spectra 6 (mean 4.19 vs 4.35), worse
   * on the 7-colour ACeP (4.22 vs 3.77) where FS alone trades hue for chroma more cheaply.
   */
  gamut: GamutMapping;
}

/**
 * Defaults for e-paper. Fit `cover` with the `attention` crop: a frame looks best filled, and a
 * portrait photo cut to landscape keeps its faces rather than its middle.
 *
 * The boost defaults to none (1, 1, 1), and that is measured, not assumed: `npm run bench --
 * quality` sweeps saturation and contrast, and on every test photo any boost moved the frame
 * further from the photo. The usual e-paper advice (saturation up 20-50%) compensates for
 * matching against the vendors' nominal primaries, which makes a quantizer think its inks are far
 * more vivid than they are; we match against the measured inks and map the photo onto the
 * paper's own black..white, which does that job exactly. The knobs stay for taste.
 */
export const DEFAULT_RENDER_OPTIONS: Readonly<RenderOptions> = {
  fit: 'cover',
  background: '#ffffff',
  crop: 'attention',
  rotate: 0,
  dither: 'floyd-steinberg',
  saturation: 1,
  contrast: 1,
  brightness: 1,
  exposure: 0,
  palette: 'measured',
  tone: 'paper',
  gamut: 'map',
};

/** Stops either way: two stops is a quarter or four times the light, more than a photo needs. */
export const EXPOSURE_LIMITS = [-2, 2] as const;

export const BOOST_LIMITS = {
  saturation: [0, 3],
  contrast: [0.5, 2],
  brightness: [0.5, 2],
} as const;

const NAMED_COLOURS: Record<string, string> = { white: '#ffffff', black: '#000000' };

/** A background colour as "#rrggbb", or undefined when it is not one we accept. */
export function parseBackground(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (NAMED_COLOURS[v]) return NAMED_COLOURS[v];
  if (/^#[0-9a-f]{6}$/.test(v)) return v;
  if (/^#[0-9a-f]{3}$/.test(v)) return '#' + [...v.slice(1)].map((c) => c + c).join('');
  return undefined;
}

/** The config keys that are render options, under the same names. */
export const DISPLAY_KEYS = [
  'fit',
  'background',
  'crop',
  'rotate',
  'dither',
  'saturation',
  'contrast',
  'brightness',
  'exposure',
] as const;

export type DisplayConfig = Pick<RenderOptions, (typeof DISPLAY_KEYS)[number]>;

export function renderOptionsFromConfig(config: DisplayConfig): Partial<RenderOptions> {
  const options: Partial<RenderOptions> = {};
  for (const key of DISPLAY_KEYS) Object.assign(options, { [key]: config[key] });
  return options;
}

/** What a caption can say, in the order it is set (description on top, the date line last). */
export const CAPTION_FIELDS = ['description', 'people', 'date', 'years_ago', 'place'] as const;
export type CaptionField = (typeof CAPTION_FIELDS)[number];
/** `caption: true` means these. */
export const DEFAULT_CAPTION_FIELDS: readonly CaptionField[] = ['date', 'place'];
export const CAPTION_POSITIONS = ['auto', 'bottom-left', 'bottom-right', 'top-left', 'top-right'] as const;
export type CaptionPosition = (typeof CAPTION_POSITIONS)[number];

/** What a frame shows beyond the photo itself: captions, and two photos to a frame. */
export interface FrameOptions {
  /** The fields of the caption, [] for none. */
  caption: readonly CaptionField[];
  /** `auto`: the corner where the caption hides the least detail of the photo. */
  captionPosition: CaptionPosition;
  /** BCP 47 locale of the caption's date and words ("fr-FR"); "" for the system's. */
  locale: string;
  /** IANA timezone of the frame ("Europe/Paris") for "today" and photos of no known zone; "" for the system's. */
  timeZone: string;
  /** Show two portrait photos side by side on a landscape frame (two landscape ones stacked on a portrait frame). */
  portraitPairs: boolean;
}

/** The fields a config's `caption` names: true = the defaults, false = none, a list in the order they are set. */
export function captionFields(v: boolean | readonly CaptionField[]): readonly CaptionField[] {
  return v === true ? DEFAULT_CAPTION_FIELDS : v === false ? [] : CAPTION_FIELDS.filter((f) => v.includes(f));
}

export const DEFAULT_FRAME_OPTIONS: Readonly<FrameOptions> = {
  caption: [],
  captionPosition: 'auto',
  locale: '',
  timeZone: '',
  portraitPairs: true,
};

/** Whether Intl knows this locale. */
export function isLocale(v: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([v]).length > 0;
  } catch {
    return false;
  }
}

/** Whether Intl knows this IANA timezone. */
export function isTimeZone(v: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

/** The config's name of each frame option (the config speaks snake_case). */
export const FRAME_CONFIG_KEYS = {
  caption: 'caption',
  captionPosition: 'caption_position',
  locale: 'locale',
  timeZone: 'timezone',
  portraitPairs: 'portrait_pairs',
} as const satisfies { [K in keyof FrameOptions]: string };

export type FrameOptionsConfig = { [K in keyof FrameOptions as (typeof FRAME_CONFIG_KEYS)[K]]: FrameOptions[K] };

export function frameOptionsFromConfig(config: FrameOptionsConfig): FrameOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(FRAME_CONFIG_KEYS) as (keyof FrameOptions)[]) out[key] = config[FRAME_CONFIG_KEYS[key]];
  return out as unknown as FrameOptions;
}
