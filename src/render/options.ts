// What can be asked of a render, its defaults, and the one validator of each option (a zod schema
// and its allowed values in words), which the config's display keys reuse. Free of sharp, so the
// config can import it cheaply.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { DITHER_ALGORITHMS } from './dither.js';
import type { DitherAlgorithm } from './dither.js';
import { PALETTE_CHOICES, TONE_MAPS } from './palette.js';
import type { PaletteChoice, ToneMap } from './palette.js';

export const FITS = ['contain', 'cover'] as const;
export const CROPS = ['centre', 'attention'] as const;
export const ROTATIONS = [0, 90, 180, 270] as const;
export const GAMUT_MAPPINGS = ['map', 'none'] as const;
export { DITHER_ALGORITHMS, PALETTE_CHOICES, TONE_MAPS };

export type Fit = (typeof FITS)[number];
export type Crop = (typeof CROPS)[number];
export type Rotation = (typeof ROTATIONS)[number];
export type GamutMapping = (typeof GAMUT_MAPPINGS)[number];

export interface RenderOptions {
  /** `cover` fills the glass and crops; `contain` shows the whole photo on `background`. */
  fit: Fit;
  /** Colour around a `contain`ed photo and under transparency: "#rrggbb", "#rgb", "white", "black". */
  background: string;
  /** Where `cover` crops: the centre, or the busiest region (sharp's attention strategy). */
  crop: Crop;
  /** How far the panel is turned clockwise from its native orientation as it hangs. */
  rotate: Rotation;
  dither: DitherAlgorithm;
  /** Colour boost: multipliers, 1 = unchanged. */
  saturation: number;
  contrast: number;
  brightness: number;
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
  palette: 'measured',
  tone: 'paper',
  gamut: 'map',
};

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
] as const;

export type DisplayConfig = Pick<RenderOptions, (typeof DISPLAY_KEYS)[number]>;

export function renderOptionsFromConfig(config: DisplayConfig): Partial<RenderOptions> {
  const options: Partial<RenderOptions> = {};
  for (const key of DISPLAY_KEYS) Object.assign(options, { [key]: config[key] });
  return options;
}

const boost = (key: keyof typeof BOOST_LIMITS) => ({
  schema: z.number().min(BOOST_LIMITS[key][0]).max(BOOST_LIMITS[key][1]),
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
    schema: z
      .string()
      .refine((v) => parseBackground(v) !== undefined)
      .transform((v) => parseBackground(v)!),
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
  palette: { schema: z.enum(PALETTE_CHOICES), allowed: PALETTE_CHOICES.join(' | ') },
  tone: { schema: z.enum(TONE_MAPS), allowed: TONE_MAPS.join(' | ') },
  gamut: { schema: z.enum(GAMUT_MAPPINGS), allowed: GAMUT_MAPPINGS.join(' | ') },
} as const satisfies { [K in keyof RenderOptions]: { schema: z.ZodType; allowed: string } };

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
