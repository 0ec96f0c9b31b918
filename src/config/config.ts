// The frame's configuration: one JSON file with the seed's keys (plus ours), validated with zod.
// Every invalid value becomes one line naming the key, the value and what is allowed.
import { fs } from '../core/node-fs.js';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as z from 'zod/mini';
import '../core/zod-messages.js';
import { PHOTO_SIZES } from '../immich/types.js';
import { expandHome } from '../library/instance.js';
import { SELECTION_MODES } from '../library/selection/select.js';
import { isDateBound, ON_THIS_DAY, PEOPLE_MATCH, type SelectionFilters } from '../library/selection/options.js';
import { ConfigError } from '../core/errors.js';
import { jsonSyntaxProblem } from './json-syntax.js';
import { configOwner, unreadableConfigMessage } from './access.js';
import type { Redactor } from '../core/log.js';
import { parseQuietHours, scheduleProblem, validateCron } from '../frame/schedule.js';
import { learnMqttSecrets, mqttProblem, mqttSettingsSchema } from '../mqtt/settings.js';
import { HATS, parsePins } from '../../drivers/hats.js';
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
const { constants } = fs;

function accepts(check: (v: string) => void): (v: string) => boolean {
  return (v) => {
    try {
      check(v);
      return true;
    } catch {
      return false;
    }
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** Accept a pasted album URL (https://host/albums/<uuid>) as well as the bare UUID. */
function albumIdFromInput(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || UUID.test(trimmed)) return trimmed.toLowerCase();
  const m = /\/albums\/([0-9a-f-]{36})(?:[/?#]|$)/i.exec(trimmed);
  return m && UUID.test(m[1]!) ? m[1]!.toLowerCase() : trimmed;
}

function normaliseUrl(value: string): string {
  let url = value.trim().replace(/\/+$/, '');
  if (url.endsWith('/api')) url = url.slice(0, -4);
  return url;
}

export const configSchema = z.strictObject({
  immich_url: z.pipe(z.string(), z.transform(normaliseUrl)).check(
    z.refine((v) => {
      try {
        const u = new URL(v);
        // Credentials in the URL would be sent to the server and printed: the API key is the way in.
        if (u.username !== '' || u.password !== '') return false;
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
      } catch {
        return false;
      }
    }),
  ),
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
  refresh_cron: z
    ._default(z.string(), '')
    .check(z.refine((v) => v.trim() === '' || (v.trim().split(/\s+/).length === 5 && accepts(validateCron)(v.trim())))),
  quiet_hours: z._default(z.string(), '').check(z.refine(accepts(parseQuietHours))),
  /** null = the panel's own default buttons (the Inky Impression's four; none on a Waveshare HAT). */
  button_pins: z._default(
    z.nullable(z.array(z.int().check(z.minimum(0)).check(z.maximum(27))).check(z.maxLength(8))),
    null,
  ),
  transport: z
    ._default(z.string(), 'rpio')
    .check(z.refine((v) => v === 'rpio' || /^(serial|trace|virtual):.+/.test(v))),
  /** Overrides of the HAT's default panel pins, in the same form as --pins. */
  panel_pins: z
    ._default(z.string(), '')
    // Checked alone (the HAT's own defaults are only known at run): its form, and no two roles on one pin.
    .check(z.refine(accepts((v) => parsePins(v.trim() || undefined, {} as typeof HATS.waveshare.pins)))),
  // The display (render stage): see src/render/options.ts for why the defaults are what they are.
  /** "auto": the panel the Inky board's EEPROM names, read when the panel is opened (drivers/detect.ts). */
  panel: z._default(z.string(), AUTO_PANEL).check(z.refine((v) => v === AUTO_PANEL || PANELS.some((p) => p.id === v))),
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

/** Problems between keys (each valid alone), one line each: [key, what is wrong]. */
function crossKeyProblems(c: FrameConfig): [string, string][] {
  const out: [string, string][] = [];
  if (c.album_ids.length > 0 && c.album_id !== '')
    out.push(['album_ids', 'set album_id or album_ids, not both (put every album in album_ids)']);
  if (c.taken_after && c.taken_before && boundTime(c.taken_after) >= boundTime(c.taken_before))
    out.push(['taken_before', `must be later than taken_after (${c.taken_after}): no photo could match`]);
  const quiet = scheduleProblem(c.refresh_cron, parseQuietHours(c.quiet_hours));
  if (quiet)
    out.push(['refresh_cron', `${quiet} (quiet_hours ${JSON.stringify(c.quiet_hours)}): change one of the two`]);
  return out;
}

function boundTime(v: string): number {
  return Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
}

/** The albums a config syncs: album_ids, else album_id; [] = the whole library. */
export function albumsOf(c: Pick<FrameConfig, 'album_id' | 'album_ids'>): string[] {
  return c.album_ids.length > 0 ? c.album_ids : c.album_id ? [c.album_id] : [];
}

/** The selection's filters from the config keys of the same names. */
export function selectionFilters(c: FrameConfig): SelectionFilters {
  return {
    people: c.people,
    excludePeople: c.exclude_people,
    peopleMatch: c.people_match,
    favoritesOnly: c.favorites_only,
    minRating: c.min_rating,
    takenAfter: c.taken_after,
    takenBefore: c.taken_before,
    onThisDay: c.on_this_day,
    recencyWeight: c.recency_weight,
  };
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

export interface ConfigLocation {
  /** --config FILE */
  flag?: string;
  env?: NodeJS.ProcessEnv;
  /** Learns the API key, so the run's logs and errors mask it. */
  redactor?: Redactor;
}

export function configPath(loc: ConfigLocation = {}): string {
  const env = loc.env ?? process.env;
  if (loc.flag) return path.resolve(expandHome(loc.flag));
  if (env.ARTFRAME_IMMICH_CONFIG) return path.resolve(expandHome(env.ARTFRAME_IMMICH_CONFIG));
  return path.join(os.homedir(), '.config', 'artframe-immich', 'config.json');
}

/** A config file is a few hundred bytes; more than this is the wrong file (or /dev/zero). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Read at most MAX_CONFIG_BYTES + 1 bytes: a device or a huge file is refused, not slurped. */
async function readConfigText(file: string): Promise<string> {
  // Opened without blocking and checked to be a plain file: a FIFO would wait for a writer
  // forever, a device never end.
  const fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO()
        ? 'a FIFO'
        : st.isDirectory()
          ? 'a folder'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
              ? 'a socket'
              : 'not a plain file';
      throw new ConfigError(`config file ${file} is ${kind}, not a file; point --config at the JSON file`);
    }
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > MAX_CONFIG_BYTES) {
      throw new ConfigError(`config file ${file} is larger than ${MAX_CONFIG_BYTES / 1024} KB; is it the right file?`);
    }
    return buf.subarray(0, filled).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Read, override from the environment (IMMICH_URL, IMMICH_API_KEY) and validate. */
export async function loadConfig(loc: ConfigLocation = {}): Promise<FrameConfig & { path: string }> {
  const env = loc.env ?? process.env;
  const file = configPath(loc);
  let text: string;
  try {
    text = await readConfigText(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(
        `config file not found: ${file} (create it, pass --config FILE, or set ARTFRAME_IMMICH_CONFIG)`,
        { code: 'CONFIG_NOT_FOUND' },
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ConfigError(unreadableConfigMessage(file, code, configOwner(file)), { code: 'CONFIG_UNREADABLE' });
    }
    throw new ConfigError(`cannot read config file ${file}: ${code ?? String(err)}`);
  }
  // Learn the key before anything can fail: whatever is printed from here on masks it.
  // Quoted as JSON wants, or (a careless edit) in single quotes or bare.
  const found = /"immich_api_key"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'([^'\n]*)'|([^\s,}"']+))/.exec(text);
  const key = found?.[1] ?? found?.[2] ?? found?.[3];
  loc.redactor?.add(key?.trim() || undefined);
  loc.redactor?.add(env.IMMICH_API_KEY?.trim() || undefined);
  // Our own scan first: it names the line and column and quotes none of the file (V8's message
  // would quote the key), and refuses nesting that would overflow a recursive parser.
  const problem = jsonSyntaxProblem(text);
  if (problem) {
    throw new ConfigError(
      `config file ${file} is not valid JSON: ${problem.reason} at line ${problem.line}, column ${problem.column}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`config file ${file} is not valid JSON`);
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const obj = { ...(raw as Record<string, unknown>) };
    if (env.IMMICH_URL) obj.immich_url = env.IMMICH_URL;
    if (env.IMMICH_API_KEY) obj.immich_api_key = env.IMMICH_API_KEY;
    raw = obj;
  }
  return { ...parseConfig(raw, file, loc.redactor), path: file };
}

export interface OptionalConfigLocation extends ConfigLocation {
  /**
   * The command was given everything it needs (render or show with --panel): a config it may not
   * read (installed, the service user's) is gone without, unless --config named it. `skipped`
   * hears why, for a one-line note.
   */
  complete?: { skipped(why: string): void };
}

/**
 * The config when there is one; undefined when there is no file at the default path and none was
 * named (--config or ARTFRAME_IMMICH_CONFIG), or when the command has all it needs and may not
 * read it. Commands that work without a config (render, show, clear, panels) use it.
 */
export async function loadOptionalConfig(
  loc: OptionalConfigLocation = {},
): Promise<(FrameConfig & { path: string }) | undefined> {
  const env = loc.env ?? process.env;
  try {
    return await loadConfig(loc);
  } catch (err) {
    const named = Boolean(loc.flag || env.ARTFRAME_IMMICH_CONFIG);
    if (!named && err instanceof ConfigError && err.code === 'CONFIG_NOT_FOUND') return undefined;
    if (loc.complete && !loc.flag && err instanceof ConfigError && err.code === 'CONFIG_UNREADABLE') {
      loc.complete.skipped(`not reading ${configPath(loc)} (permission denied): the flags say all this command needs`);
      return undefined;
    }
    throw err;
  }
}
