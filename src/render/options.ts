// What can be asked of a render, its defaults, and the one validator of each option (a zod schema
// and its allowed values in words), which the config's display keys reuse: the photo's options
// (fit, dither, ...) and the frame's (captions, portrait pairs). Free of sharp, so the config can
// import it cheaply.
import * as z from 'zod/mini';
import { ConfigError } from '../core/errors.js';
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

const boost = (key: keyof typeof BOOST_LIMITS) => ({
  schema: z.number().check(z.minimum(BOOST_LIMITS[key][0])).check(z.maximum(BOOST_LIMITS[key][1])),
  allowed: `a number from ${BOOST_LIMITS[key][0]} to ${BOOST_LIMITS[key][1]} (1 = unchanged)`,
});

/**
 * The one validator of each render option: its schema (the value the render stage takes) and the
 * allowed values in words, the second half of every message about it. The config's display keys
 * are these same schemas.
 */
export const RENDER_OPTION_RULES = {
  fit: {
    schema: z.enum(FITS),
    allowed: `${FITS.join(' | ')} (cover fills the glass and crops; contain shows all of the photo)`,
  },
  background: {
    schema: z.pipe(
      z.string().check(z.refine((v) => parseBackground(v) !== undefined)),
      z.transform((v) => parseBackground(v)!),
    ),
    allowed: 'a colour "#rrggbb", "#rgb", "white" or "black"',
  },
  crop: { schema: z.enum(CROPS), allowed: `${CROPS.join(' | ')} (where cover crops)` },
  rotate: {
    schema: z.union(ROTATIONS.map((r) => z.literal(r))),
    allowed: `${ROTATIONS.join(' | ')} (degrees the panel is turned clockwise as it hangs)`,
  },
  dither: { schema: z.enum(DITHER_ALGORITHMS), allowed: DITHER_ALGORITHMS.join(' | ') },
  saturation: boost('saturation'),
  contrast: boost('contrast'),
  brightness: boost('brightness'),
  exposure: {
    schema: z.number().check(z.minimum(EXPOSURE_LIMITS[0])).check(z.maximum(EXPOSURE_LIMITS[1])),
    allowed: `a number of stops from ${EXPOSURE_LIMITS[0]} to ${EXPOSURE_LIMITS[1]} (0 = unchanged, 1 = twice the light)`,
  },
  palette: { schema: z.enum(PALETTE_CHOICES), allowed: PALETTE_CHOICES.join(' | ') },
  tone: { schema: z.enum(TONE_MAPS), allowed: TONE_MAPS.join(' | ') },
  gamut: { schema: z.enum(GAMUT_MAPPINGS), allowed: GAMUT_MAPPINGS.join(' | ') },
} as const satisfies { [K in keyof RenderOptions]: { schema: z.ZodMiniType; allowed: string } };

/** Options that went through resolveOptions: complete and valid, so the stages take them as they are. */
export type ResolvedRenderOptions = Readonly<RenderOptions> & { readonly __resolved: true };

function isResolved(o: object): o is ResolvedRenderOptions {
  return (o as { __resolved?: unknown }).__resolved === true;
}

/**
 * Defaults filled in and every value checked once, by the rules above: a bad one is a ConfigError
 * naming the option. Resolved options pass through untouched.
 */
export function resolveOptions(options: Partial<RenderOptions> = {}): ResolvedRenderOptions {
  if (isResolved(options)) return options;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(RENDER_OPTION_RULES) as (keyof RenderOptions)[]) {
    const value = options[key] ?? DEFAULT_RENDER_OPTIONS[key];
    const rule = RENDER_OPTION_RULES[key];
    const parsed = rule.schema.safeParse(value);
    if (!parsed.success) {
      throw new ConfigError(`render option ${key} = ${JSON.stringify(value)} is not allowed; expected ${rule.allowed}`);
    }
    out[key] = parsed.data;
  }
  // Not enumerable: a resolved object prints and spreads as plain options.
  Object.defineProperty(out, '__resolved', { value: true, enumerable: false });
  return out as ResolvedRenderOptions;
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

export const DEFAULT_FRAME_OPTIONS: Readonly<FrameOptions> = {
  caption: [],
  captionPosition: 'auto',
  locale: '',
  timeZone: '',
  portraitPairs: true,
};

function isLocale(v: string): boolean {
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

/** The one validator of each frame option, as RENDER_OPTION_RULES is for the photo's. */
export const FRAME_OPTION_RULES = {
  caption: {
    schema: z.pipe(
      z.union([z.boolean(), z.array(z.enum(CAPTION_FIELDS))]),
      z.transform((v): readonly CaptionField[] =>
        v === true ? DEFAULT_CAPTION_FIELDS : v === false ? [] : CAPTION_FIELDS.filter((f) => v.includes(f)),
      ),
    ),
    allowed: `true, false, or a list of ${CAPTION_FIELDS.join(' | ')} such as ["date", "place"] (true = ${JSON.stringify(DEFAULT_CAPTION_FIELDS)})`,
  },
  captionPosition: {
    schema: z.enum(CAPTION_POSITIONS),
    allowed: `${CAPTION_POSITIONS.join(' | ')} (auto: the corner of least detail)`,
  },
  locale: {
    schema: z.string().check(z.refine((v) => v === '' || isLocale(v))),
    allowed: 'a locale such as "en-GB", "fr-FR" or "de", or "" for the system\'s',
  },
  timeZone: {
    schema: z.string().check(z.refine((v) => v === '' || isTimeZone(v))),
    allowed: 'an IANA timezone such as "Europe/Paris" or "America/New_York", or "" for the system\'s',
  },
  portraitPairs: { schema: z.boolean(), allowed: 'true or false' },
} as const satisfies { [K in keyof FrameOptions]: { schema: z.ZodMiniType; allowed: string } };

/** The config's name of each frame option (the config speaks snake_case). */
export const FRAME_CONFIG_KEYS = {
  caption: 'caption',
  captionPosition: 'caption_position',
  locale: 'locale',
  timeZone: 'timezone',
  portraitPairs: 'portrait_pairs',
} as const satisfies { [K in keyof FrameOptions]: string };

/** The config schema's entries for the frame options: the same validators, their defaults. */
export const FRAME_CONFIG_SHAPE = {
  caption: z._default(FRAME_OPTION_RULES.caption.schema, DEFAULT_FRAME_OPTIONS.caption),
  caption_position: z._default(FRAME_OPTION_RULES.captionPosition.schema, DEFAULT_FRAME_OPTIONS.captionPosition),
  locale: z._default(FRAME_OPTION_RULES.locale.schema, DEFAULT_FRAME_OPTIONS.locale),
  timezone: z._default(FRAME_OPTION_RULES.timeZone.schema, DEFAULT_FRAME_OPTIONS.timeZone),
  portrait_pairs: z._default(FRAME_OPTION_RULES.portraitPairs.schema, DEFAULT_FRAME_OPTIONS.portraitPairs),
};

/** Each frame config key and its allowed values in words, for the config's messages. */
export const FRAME_CONFIG_ALLOWED: Record<string, string> = Object.fromEntries(
  (Object.keys(FRAME_CONFIG_KEYS) as (keyof FrameOptions)[]).map((k) => [
    FRAME_CONFIG_KEYS[k],
    FRAME_OPTION_RULES[k].allowed,
  ]),
);

export type FrameOptionsConfig = { [K in keyof FrameOptions as (typeof FRAME_CONFIG_KEYS)[K]]: FrameOptions[K] };

export function frameOptionsFromConfig(config: FrameOptionsConfig): FrameOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(FRAME_CONFIG_KEYS) as (keyof FrameOptions)[]) out[key] = config[FRAME_CONFIG_KEYS[key]];
  return out as unknown as FrameOptions;
}

/** Frame options with defaults filled in and each value checked by its rule: a bad one is a ConfigError naming it. */
export function resolveFrameOptions(options: Partial<FrameOptions> = {}): FrameOptions {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(FRAME_OPTION_RULES) as (keyof FrameOptions)[]) {
    const value = options[key] ?? DEFAULT_FRAME_OPTIONS[key];
    const rule = FRAME_OPTION_RULES[key];
    const parsed = rule.schema.safeParse(value);
    if (!parsed.success) {
      throw new ConfigError(`frame option ${key} = ${JSON.stringify(value)} is not allowed; expected ${rule.allowed}`);
    }
    out[key] = parsed.data;
  }
  return out as unknown as FrameOptions;
}
