// A hand-written reading of config.json for the usual configs: the same result as configSchema
// (config.ts), key for key and in the schema's key order, without loading zod or building the
// schema (most of `status`'s and `next`'s start-up). It only ever accepts: anything it is not sure
// of (an unknown key, a wrong type, a value out of range, an `mqtt` block) returns
// null and the schema reads the file, so every message stays the schema's.
// test/config/config-check.test.ts runs both on valid and on many broken configs and requires the
// same result wherever this one accepts. The rules both use (the URL, album ids, cross-key
// problems) live here, free of zod.
import { HATS, parsePins } from '../../drivers/hats.js';
import { AUTO_PANEL, PANELS } from '../../drivers/panels.js';
import { PHOTO_SIZES } from '../immich/types.js';
import { isDateBound, ON_THIS_DAY, PEOPLE_MATCH } from '../library/selection/options.js';
import { SELECTION_MODES } from '../library/selection/select.js';
import { parseQuietHours, scheduleProblem, validateCron } from '../frame/schedule.js';
import {
  BOOST_LIMITS,
  CAPTION_FIELDS,
  CAPTION_POSITIONS,
  type CaptionField,
  captionFields,
  CROPS,
  DEFAULT_FRAME_OPTIONS,
  DEFAULT_RENDER_OPTIONS,
  DITHER_ALGORITHMS,
  EXPOSURE_LIMITS,
  FITS,
  isLocale,
  isTimeZone,
  parseBackground,
  ROTATIONS,
} from '../render/option-values.js';
import { BATTERY_DEFAULTS, POWER_MODES, WAKE_BACKENDS } from '../power/battery-defaults.js';
import { WEB_DEFAULTS } from '../web/web-defaults.js';
import type { FrameConfig } from './config.js';
import { bool, int, list, num, object, ok, oneOf, plain, quickly, str, unsure } from '../core/quick-read.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `check` returns rather than throws. */
export function accepts(check: (v: string) => void): (v: string) => boolean {
  return (v) => {
    try {
      check(v);
      return true;
    } catch {
      return false;
    }
  };
}

/** Accept a pasted album URL (https://host/albums/<uuid>) as well as the bare UUID. */
export function albumIdFromInput(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || UUID.test(trimmed)) return trimmed.toLowerCase();
  const m = /\/albums\/([0-9a-f-]{36})(?:[/?#]|$)/i.exec(trimmed);
  return m && UUID.test(m[1]!) ? m[1]!.toLowerCase() : trimmed;
}

export function normaliseUrl(value: string): string {
  let url = value.trim().replace(/\/+$/, '');
  if (url.endsWith('/api')) url = url.slice(0, -4);
  return url;
}

/** An http(s) URL with a host and no user:password@ (credentials in the URL would be sent to the
 * server and printed: the API key is the way in). */
export function isServerUrl(v: string): boolean {
  try {
    const u = new URL(v);
    if (u.username !== '' || u.password !== '') return false;
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export const isCron = (v: string): boolean =>
  v.trim() === '' || (v.trim().split(/\s+/).length === 5 && accepts(validateCron)(v.trim()));
export const isQuietHours = accepts(parseQuietHours);
/** Checked alone (the HAT's own defaults are only known at run): its form, and no two roles on one pin. */
export const isPanelPins = accepts((v) => parsePins(v.trim() || undefined, {} as typeof HATS.waveshare.pins));
export const isPanel = (v: string): boolean => v === AUTO_PANEL || PANELS.some((p) => p.id === v);
export const isTransport = (v: string): boolean => v === 'rpio' || /^(serial|trace|virtual):.+/.test(v);

function boundTime(v: string): number {
  return Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
}

/** Problems between keys (each valid alone), one line each: [key, what is wrong]. */
export function crossKeyProblems(c: FrameConfig): [string, string][] {
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

/** A non-empty string after trimming (the schema's trim then minLength(1)): the trimmed one. */
function trimmed(v: unknown): string {
  const t = str(v).trim();
  return t === '' ? unsure() : t;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const WEB_KEYS = new Set(['enabled', 'port', 'bind']);

function web(v: unknown): FrameConfig['web'] {
  if (v === undefined) return { ...WEB_DEFAULTS };
  const o = object(v, WEB_KEYS);
  return {
    enabled: o.enabled === undefined ? WEB_DEFAULTS.enabled : bool(o.enabled),
    port: o.port === undefined ? WEB_DEFAULTS.port : int(o.port, 0, 65535),
    // A dotted IPv4 address only: anything else is node:net's to judge (through the schema).
    bind: o.bind === undefined ? WEB_DEFAULTS.bind : ok(str(o.bind), (b) => IPV4.test(b)),
  };
}

const BATTERY_KEYS = new Set(Object.keys(BATTERY_DEFAULTS));

function battery(v: unknown): FrameConfig['battery'] {
  const d = BATTERY_DEFAULTS;
  if (v === undefined) return { ...d, poweroff_command: [...d.poweroff_command] };
  const o = object(v, BATTERY_KEYS);
  const or = <T>(key: keyof typeof d, read: (x: unknown) => T, fallback: T): T =>
    o[key] === undefined ? fallback : read(o[key]);
  return {
    wake: or('wake', (x) => oneOf(x, WAKE_BACKENDS), d.wake),
    rtc_dir: or('rtc_dir', (x) => ok(str(x), (s) => s.length >= 1), d.rtc_dir),
    pisugar_address: or(
      'pisugar_address',
      (x) => ok(str(x), (s) => /^127\.0\.0\.1:\d{1,5}$/.test(s)),
      d.pisugar_address,
    ),
    witty_pi_bus: or('witty_pi_bus', (x) => int(x, 0, 20), d.witty_pi_bus),
    witty_pi_empty_volts: or('witty_pi_empty_volts', (x) => num(x, 0, 30), d.witty_pi_empty_volts),
    witty_pi_full_volts: or('witty_pi_full_volts', (x) => num(x, 0, 30), d.witty_pi_full_volts),
    no_sync_below_pct: or('no_sync_below_pct', (x) => num(x, 0, 100), d.no_sync_below_pct),
    charge_me_below_pct: or('charge_me_below_pct', (x) => num(x, 0, 100), d.charge_me_below_pct),
    poweroff_command: or(
      'poweroff_command',
      (x) =>
        ok(
          list(x, (a) => ok(str(a), (s) => s.length >= 1)),
          (l) => l.length >= 1,
        ),
      [...d.poweroff_command],
    ),
    max_awake_seconds: or('max_awake_seconds', (x) => int(x, 30, 3600), d.max_awake_seconds),
  };
}

function caption(v: unknown): readonly CaptionField[] {
  if (typeof v === 'boolean') return captionFields(v);
  return captionFields(list(v, (f) => oneOf(f, CAPTION_FIELDS)));
}

function config(raw: unknown): FrameConfig {
  const o = plain(raw);
  const d = DEFAULT_RENDER_OPTIONS;
  const f = DEFAULT_FRAME_OPTIONS;
  const has = (k: keyof FrameConfig) => o[k] !== undefined;
  const c: FrameConfig = {
    immich_url: ok(normaliseUrl(str(o.immich_url)), isServerUrl),
    immich_api_key: trimmed(o.immich_api_key),
    album_id: ok(albumIdFromInput(has('album_id') ? str(o.album_id) : ''), (v) => v === '' || UUID.test(v)),
    album_ids: has('album_ids')
      ? ok(
          list(o.album_ids, (id) => ok(albumIdFromInput(str(id)), (v) => UUID.test(v))),
          (ids) => new Set(ids).size === ids.length,
        )
      : [],
    selection_mode: has('selection_mode') ? oneOf(o.selection_mode, SELECTION_MODES) : 'random',
    people: has('people') ? list(o.people, trimmed) : [],
    exclude_people: has('exclude_people') ? list(o.exclude_people, trimmed) : [],
    people_match: has('people_match') ? oneOf(o.people_match, PEOPLE_MATCH) : 'any',
    favorites_only: has('favorites_only') ? bool(o.favorites_only) : false,
    min_rating: has('min_rating') ? int(o.min_rating, 0, 5) : 0,
    taken_after: ok(has('taken_after') ? str(o.taken_after).trim() : '', isDateBound),
    taken_before: ok(has('taken_before') ? str(o.taken_before).trim() : '', isDateBound),
    on_this_day: has('on_this_day') ? oneOf(o.on_this_day, ON_THIS_DAY) : 'off',
    recency_weight: has('recency_weight') ? num(o.recency_weight, 0, 10) : 0,
    sync_interval_hours: has('sync_interval_hours') ? int(o.sync_interval_hours, 1, 168) : 6,
    max_photos: has('max_photos') ? int(o.max_photos, 0) : 0,
    instance_id: has('instance_id')
      ? ok(str(o.instance_id), (v) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v))
      : 'default',
    storage_dir: has('storage_dir') ? ok(str(o.storage_dir), (v) => v.length >= 1) : '~/.artframe',
    photo_size: has('photo_size') ? oneOf(o.photo_size, PHOTO_SIZES) : 'original',
    include_archived: has('include_archived') ? bool(o.include_archived) : false,
    include_stacked: has('include_stacked') ? bool(o.include_stacked) : false,
    refresh_interval_minutes: has('refresh_interval_minutes') ? int(o.refresh_interval_minutes, 1, 10080) : 60,
    refresh_cron: ok(has('refresh_cron') ? str(o.refresh_cron) : '', isCron),
    quiet_hours: ok(has('quiet_hours') ? str(o.quiet_hours) : '', isQuietHours),
    button_pins:
      has('button_pins') && o.button_pins !== null
        ? ok(
            list(o.button_pins, (p) => int(p, 0, 27)),
            (pins) => pins.length <= 8,
          )
        : null,
    transport: ok(has('transport') ? str(o.transport) : 'rpio', isTransport),
    panel_pins: ok(has('panel_pins') ? str(o.panel_pins) : '', isPanelPins),
    panel: ok(has('panel') ? str(o.panel) : AUTO_PANEL, isPanel),
    fit: has('fit') ? oneOf(o.fit, FITS) : d.fit,
    // A default is taken as it is; a given colour is read as the render reads it.
    background: has('background') ? (parseBackground(str(o.background)) ?? unsure()) : d.background,
    crop: has('crop') ? oneOf(o.crop, CROPS) : d.crop,
    rotate: has('rotate') ? oneOf(o.rotate, ROTATIONS) : d.rotate,
    dither: has('dither') ? oneOf(o.dither, DITHER_ALGORITHMS) : d.dither,
    saturation: has('saturation') ? num(o.saturation, ...BOOST_LIMITS.saturation) : d.saturation,
    contrast: has('contrast') ? num(o.contrast, ...BOOST_LIMITS.contrast) : d.contrast,
    brightness: has('brightness') ? num(o.brightness, ...BOOST_LIMITS.brightness) : d.brightness,
    exposure: has('exposure') ? num(o.exposure, ...EXPOSURE_LIMITS) : d.exposure,
    caption: has('caption') ? caption(o.caption) : [...f.caption],
    caption_position: has('caption_position') ? oneOf(o.caption_position, CAPTION_POSITIONS) : f.captionPosition,
    locale: has('locale') ? ok(str(o.locale), (v) => v === '' || isLocale(v)) : f.locale,
    timezone: has('timezone') ? ok(str(o.timezone), (v) => v === '' || isTimeZone(v)) : f.timeZone,
    portrait_pairs: has('portrait_pairs') ? bool(o.portrait_pairs) : f.portraitPairs,
    power: has('power') ? oneOf(o.power, POWER_MODES) : 'mains',
    battery: battery(o.battery),
    web: web(o.web),
  };
  // The schema's keys are the ones just read, in its order: any other (`mqtt` included) is the
  // schema's to judge, as is a key holding undefined (no file holds one).
  for (const k in o) if (!Object.prototype.hasOwnProperty.call(c, k) || o[k] === undefined) unsure();
  // A config the schema would accept but parseConfig refuses: its messages are config.ts's.
  if (crossKeyProblems(c).length > 0) unsure();
  return c;
}

/**
 * The config as configSchema would read `raw`, when this check is sure the schema would accept
 * it and parseConfig find nothing wrong between keys; null otherwise (the schema then reads it).
 */
export function quickConfig(raw: unknown): FrameConfig | null {
  return quickly(() => config(raw));
}
