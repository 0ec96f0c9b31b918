// The one validator of each render option (a zod schema and its allowed values in words), which the
// config's display keys reuse: the photo's options (fit, dither, ...) and the frame's (captions,
// portrait pairs). Their names, limits and defaults are option-values.ts's (plain values, free of
// zod), exported here too. Free of sharp, so the config can import it cheaply.
import * as z from 'zod/mini';
import { ConfigError } from '../core/errors.js';
import {
  BOOST_LIMITS,
  CAPTION_FIELDS,
  CAPTION_POSITIONS,
  type CaptionField,
  captionFields,
  CROPS,
  DEFAULT_CAPTION_FIELDS,
  DEFAULT_FRAME_OPTIONS,
  DEFAULT_RENDER_OPTIONS,
  DITHER_ALGORITHMS,
  EXPOSURE_LIMITS,
  FITS,
  FRAME_CONFIG_KEYS,
  type FrameOptions,
  GAMUT_MAPPINGS,
  isLocale,
  isTimeZone,
  PALETTE_CHOICES,
  parseBackground,
  type RenderOptions,
  ROTATIONS,
  TONE_MAPS,
} from './option-values.js';

export * from './option-values.js';

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

/** The one validator of each frame option, as RENDER_OPTION_RULES is for the photo's. */
export const FRAME_OPTION_RULES = {
  caption: {
    schema: z.pipe(
      z.union([z.boolean(), z.array(z.enum(CAPTION_FIELDS))]),
      z.transform((v): readonly CaptionField[] => captionFields(v)),
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
