// The frame's configuration: one JSON file with the seed's keys (plus ours), validated with zod.
// Every invalid value becomes one line naming the key, the value and what is allowed. Reading the
// file is config-file.ts's, which hands the usual configs to config-check.ts (the same result
// without zod) and the rest to parseConfig here.
import * as z from 'zod/mini';
import '../core/zod-messages.js';
import { PHOTO_SIZES } from '../immich/types.js';
import { SELECTION_MODES } from '../library/selection/select.js';
import { isDateBound, ON_THIS_DAY, PEOPLE_MATCH } from '../library/selection/options.js';
import { ConfigError } from '../core/errors.js';
import type { Redactor } from '../core/log.js';
import { learnMqttSecrets, mqttProblem, mqttSettingsSchema } from '../mqtt/settings.js';
import { AUTO_PANEL, PANELS } from '../../drivers/panels.js';
import { WEB_CONFIG_ALLOWED, WEB_DEFAULTS, webConfigSchema } from '../web/config.js';
import {
  DEFAULT_RENDER_OPTIONS,
  DISPLAY_KEYS,
  FRAME_CONFIG_ALLOWED,
  FRAME_CONFIG_SHAPE,
  RENDER_OPTION_RULES,
} from '../render/options.js';
import { POWER_CONFIG_SHAPE } from '../power/config.js';
import {
  albumIdFromInput,
  crossKeyProblems,
  isCron,
  isPanel,
  isPanelPins,
  isQuietHours,
  isServerUrl,
  isTransport,
  normaliseUrl,
  UUID,
} from './config-check.js';

export {
  configPath,
  loadConfig,
  loadOptionalConfig,
  MAX_CONFIG_BYTES,
  type ConfigLocation,
  type OptionalConfigLocation,
} from './config-file.js';
export { selectionFilters } from './filters.js';

/** What each key allows, in words: the second half of every validation message. */
export const CONFIG_ALLOWED: Record<string, string> = {
  immich_url: 'an http:// or https:// URL such as "https://immich.example.com", without user:password@',
  immich_api_key: 'the API key from Immich (Account Settings > API Keys), a non-empty string',
  album_id: 'an album UUID (from the album page URL) or "" for the whole library',
  album_ids:
    'a list of album UUIDs (or album page URLs), each once, such as ["<uuid>", "<uuid>"]; [] for album_id (or the whole library); not together with album_id',
  people: 'a list of person names or Immich person ids, such as ["Alice", "Bob"]; [] for no people filter',
  exclude_people: 'a list of person names or Immich person ids to leave out; [] for none',
  people_match: PEOPLE_MATCH.join(' | ') + ' (a photo with any of `people`, or with all of them)',
  favorites_only: 'true or false',
  min_rating: 'a whole number from 0 (no minimum) to 5',
  taken_after:
    'a date "YYYY-MM-DD" (the local day the photo was taken, inclusive) or an ISO date-time with a zone; "" for none',
  taken_before: 'a date "YYYY-MM-DD" (exclusive) or an ISO date-time with a zone, later than taken_after; "" for none',
  on_this_day: ON_THIS_DAY.join(' | ') + ' (same day, week or month in past years)',
  recency_weight: 'a number from 0 (every photo alike) to 10 (newer photos come much sooner in each round)',
  selection_mode: SELECTION_MODES.join(' | '),
  sync_interval_hours: 'a whole number of hours from 1 to 168',
  max_photos: 'a whole number, 0 for unlimited',
  instance_id: 'letters, digits, "-", "_" or "." (a folder name), at most 64 characters',
  storage_dir: 'a folder path; "~" is your home folder',
  photo_size: PHOTO_SIZES.join(' | '),
  include_archived: 'true or false (whole-library mode: keep archived photos, which the timeline hides)',
  include_stacked: 'true or false (whole-library mode: keep every photo of a stack, not only its primary)',
  refresh_interval_minutes: 'a whole number of minutes from 1 to 10080 (a week); the panel may ask for more',
  refresh_cron:
    'a 5-field cron expression (exactly: minute hour day month weekday) such as "0 8,18 * * *", or "" to use refresh_interval_minutes',
  quiet_hours: '"HH:MM-HH:MM" in local time, such as "22:00-07:00", or "" for none',
  button_pins: 'a list of BCM GPIO numbers (0-27), such as [5, 6, 16, 24]; [] for no buttons',
  transport: '"rpio" (SPI on the Pi), "serial:/dev/ttyACM0", "trace:FILE.jsonl" or "virtual:FILE.png"',
  panel_pins:
    '"" for the HAT\'s own pins, or ROLE=BCM pairs such as "rst=17,dc=25,cs=8,busy=24,pwr=18" (roles rst, dc, cs, busy, pwr, each on its own pin; pwr=none)',
  panel: `"${AUTO_PANEL}" (an Inky HAT's EEPROM names the panel) or a panel id (artframe-immich panels): ${PANELS.map((p) => p.id).join(' | ')}`,
  ...Object.fromEntries(DISPLAY_KEYS.map((k) => [k, RENDER_OPTION_RULES[k].allowed])),
  ...FRAME_CONFIG_ALLOWED,
  web: WEB_CONFIG_ALLOWED,
};

export const configSchema = z.strictObject({
  immich_url: z.pipe(z.string(), z.transform(normaliseUrl)).check(z.refine(isServerUrl)),
  immich_api_key: z.string().check(z.trim()).check(z.minLength(1)),
  album_id: z
    .pipe(z._default(z.string(), ''), z.transform(albumIdFromInput))
    .check(z.refine((v) => v === '' || UUID.test(v))),
  /** Several albums (their union); [] = album_id as before. */
  album_ids: z
    ._default(z.array(z.pipe(z.string(), z.transform(albumIdFromInput)).check(z.refine((v) => UUID.test(v)))), [])
    .check(z.refine((ids) => new Set(ids).size === ids.length)),
  selection_mode: z._default(z.enum(SELECTION_MODES), 'random'),
  // Filters (issue 11): they narrow what is shown, never what is synced.
  people: z._default(z.array(z.string().check(z.trim()).check(z.minLength(1))), []),
  exclude_people: z._default(z.array(z.string().check(z.trim()).check(z.minLength(1))), []),
  people_match: z._default(z.enum(PEOPLE_MATCH), 'any'),
  favorites_only: z._default(z.boolean(), false),
  min_rating: z._default(z.int().check(z.minimum(0)).check(z.maximum(5)), 0),
  taken_after: z._default(z.string().check(z.trim()), '').check(z.refine(isDateBound)),
  taken_before: z._default(z.string().check(z.trim()), '').check(z.refine(isDateBound)),
  on_this_day: z._default(z.enum(ON_THIS_DAY), 'off'),
  recency_weight: z._default(z.number().check(z.minimum(0)).check(z.maximum(10)), 0),
  sync_interval_hours: z._default(z.int().check(z.minimum(1)).check(z.maximum(168)), 6),
  max_photos: z._default(z.int().check(z.minimum(0)), 0),
  instance_id: z._default(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)), 'default'),
  storage_dir: z._default(z.string().check(z.minLength(1)), '~/.artframe'),
  photo_size: z._default(z.enum(PHOTO_SIZES), 'original'),
  // Whole-library mode (album_id ""): Immich's timeline hides archived photos and shows one photo
  // per stack (its primary); these keep them too. Album mode shows the album page as it is.
  include_archived: z._default(z.boolean(), false),
  include_stacked: z._default(z.boolean(), false),
  // The service (artframe-immich run).
  refresh_interval_minutes: z._default(z.int().check(z.minimum(1)).check(z.maximum(10080)), 60),
  refresh_cron: z._default(z.string(), '').check(z.refine(isCron)),
  quiet_hours: z._default(z.string(), '').check(z.refine(isQuietHours)),
  /** null = the panel's own default buttons (the Inky Impression's four; none on a Waveshare HAT). */
  button_pins: z._default(
    z.nullable(z.array(z.int().check(z.minimum(0)).check(z.maximum(27))).check(z.maxLength(8))),
    null,
  ),
  transport: z._default(z.string(), 'rpio').check(z.refine(isTransport)),
  /** Overrides of the HAT's default panel pins, in the same form as --pins. */
  panel_pins: z._default(z.string(), '').check(z.refine(isPanelPins)),
  // The display (render stage): see src/render/options.ts for why the defaults are what they are.
  /** "auto": the panel the Inky board's EEPROM names, read when the panel is opened (drivers/detect.ts). */
  panel: z._default(z.string(), AUTO_PANEL).check(z.refine(isPanel)),
  // The display (render stage): the render stage's own validators (src/render/options.ts), its defaults.
  fit: z._default(RENDER_OPTION_RULES.fit.schema, DEFAULT_RENDER_OPTIONS.fit),
  background: z._default(RENDER_OPTION_RULES.background.schema, DEFAULT_RENDER_OPTIONS.background),
  crop: z._default(RENDER_OPTION_RULES.crop.schema, DEFAULT_RENDER_OPTIONS.crop),
  rotate: z._default(RENDER_OPTION_RULES.rotate.schema, DEFAULT_RENDER_OPTIONS.rotate),
  dither: z._default(RENDER_OPTION_RULES.dither.schema, DEFAULT_RENDER_OPTIONS.dither),
  saturation: z._default(RENDER_OPTION_RULES.saturation.schema, DEFAULT_RENDER_OPTIONS.saturation),
  contrast: z._default(RENDER_OPTION_RULES.contrast.schema, DEFAULT_RENDER_OPTIONS.contrast),
  brightness: z._default(RENDER_OPTION_RULES.brightness.schema, DEFAULT_RENDER_OPTIONS.brightness),
  exposure: z._default(RENDER_OPTION_RULES.exposure.schema, DEFAULT_RENDER_OPTIONS.exposure),
  // The frame (captions, portrait pairs): src/render/options.ts, FRAME_OPTION_RULES.
  ...FRAME_CONFIG_SHAPE,
  ...POWER_CONFIG_SHAPE,
  web: z._default(webConfigSchema, WEB_DEFAULTS),
  /** The MQTT door (src/mqtt/): absent = off. */
  mqtt: z.optional(mqttSettingsSchema),
});

export type FrameConfig = z.infer<typeof configSchema>;

/** A URL's user:password@ replaced by ***@ (for messages). */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}

/** The albums a config syncs: album_ids, else album_id; [] = the whole library. */
export function albumsOf(c: Pick<FrameConfig, 'album_id' | 'album_ids'>): string[] {
  return c.album_ids.length > 0 ? c.album_ids : c.album_id ? [c.album_id] : [];
}

function showValue(key: string, value: unknown): string {
  if (key === 'immich_api_key') return value === undefined ? 'missing' : '(hidden)';
  if (value === undefined) return 'missing';
  if (key === 'immich_url' && typeof value === 'string') value = withoutCredentials(value);
  const s = JSON.stringify(value);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

const KNOWN_KEYS = Object.keys(configSchema.shape);

function closestKey(key: string): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return KNOWN_KEYS.find((k) => norm(k) === norm(key));
}

/**
 * Validate a parsed config object. `source` names where it came from (the file path) so the
 * messages point at it. Throws ConfigError with one line per problem.
 */
export function parseConfig(raw: unknown, source = 'config', redactor?: Redactor): FrameConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: the config must be a JSON object of keys and values`);
  }
  const input = raw as Record<string, unknown>;
  redactor?.add(typeof input.immich_api_key === 'string' ? input.immich_api_key.trim() : undefined);
  learnMqttSecrets(input, redactor);
  const result = configSchema.safeParse(input);
  if (result.success) {
    redactor?.add(result.data.immich_api_key);
    const cross = crossKeyProblems(result.data);
    if (cross.length > 0) {
      throw new ConfigError(
        cross
          .map(([key, why]) => `${source}: ${key} = ${showValue(key, input[key])} is not allowed; ${why}`)
          .join('\n'),
      );
    }
    return result.data;
  }
  const lines: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.path[0] === 'mqtt') {
      lines.push(mqttProblem(source, issue, input.mqtt));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = closestKey(key);
        lines.push(
          `${source}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known keys: ${KNOWN_KEYS.join(', ')}`,
        );
      }
      continue;
    }
    const key = String(issue.path[0] ?? '');
    lines.push(
      `${source}: ${key} = ${showValue(key, input[key])} is not allowed; expected ${CONFIG_ALLOWED[key] ?? issue.message}`,
    );
  }
  throw new ConfigError([...new Set(lines)].join('\n'));
}
