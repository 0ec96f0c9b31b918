// The page's screens, rendered on the frame as plain HTML that works without its script (forms
// post to the API and come back with the outcome): Now, Library, Settings, Health, and the sign-in
// and pairing screens. The script (client/app.ts) only makes them live: events, previews, checks.
import { selectionFilters } from '../config/config.js';
import { describeError } from '../core/errors.js';
import type { FrameStatus } from '../frame/control.js';
import { formatBytes, formatFailureReasons } from '../library/words.js';
import { html, type Html } from './html.js';
import { LOG_LEVELS } from './log-ring.js';
import { readPasswordHash } from './password.js';
import { nextRefreshTimes, refreshPolicyOf } from './schedule-preview.js';
import type { Answer, Call, Door, RouteSpec } from './server.js';
import { maskedSettings } from './settings-file.js';
import { formValue, SETTINGS_FIELDS, type Field } from './settings-form.js';

const SCREENS = [
  ['/', 'Now'],
  ['/library', 'Library'],
  ['/settings', 'Settings'],
  ['/calibrate', 'Calibrate'],
  ['/health', 'Health'],
] as const;

/** The filters the Library screen edits (the rest are on Settings). */
const FILTER_KEYS = [
  'people',
  'exclude_people',
  'people_match',
  'favorites_only',
  'min_rating',
  'taken_after',
  'taken_before',
  'on_this_day',
];
const SCHEDULE_KEYS = ['refresh_interval_minutes', 'refresh_cron', 'quiet_hours'];
const PREVIEW_KEYS = [
  'caption',
  'caption_position',
  'fit',
  'crop',
  'portrait_pairs',
  'dither',
  'saturation',
  'contrast',
  'brightness',
  'exposure',
];

function inWords(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}

export function layout(call: Call, door: Door, title: string, main: Html, opts: { nav?: boolean } = {}): Answer {
  const { url } = call;
  const a = door.assets;
  const msg = url.searchParams.get('msg');
  const error = url.searchParams.get('error');
  const here = url.pathname;
  return {
    html: html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <meta name="csrf-token" content="${door.sessions.csrfToken(call.session)}" />
          <title>${title} · artframe</title>
          <link rel="stylesheet" href="/assets/app.css?v=${a['app.css'].hash}" />
          <script type="module" src="/assets/app.js?v=${a['app.js'].hash}"></script>
        </head>
        <body>
          <a class="skip" href="#main">Skip to the content</a>
          <header>
            <p class="brand">artframe</p>
            ${opts.nav === false
              ? ''
              : html`<nav aria-label="Screens">
                  <ul>
                    ${SCREENS.map(
                      ([href, name]) =>
                        html`<li><a href="${href}" ${here === href ? html` aria-current="page"` : ''}>${name}</a></li>`,
                    )}
                  </ul>
                </nav>`}
          </header>
          <main id="main" tabindex="-1">
            <h1>${title}</h1>
            <p id="outcome" role="status" aria-live="polite" class="${error ? 'bad' : 'good'}">${error ?? msg ?? ''}</p>
            ${main}
          </main>
          <footer><p>artframe-immich ${door.o.version}</p></footer>
        </body>
      </html> `.text,
  };
}

export function hidden(call: Call, door: Door, back: string): Html {
  return html`<input type="hidden" name="_csrf" value="${door.sessions.csrfToken(call.session)}" /><input
      type="hidden"
      name="_back"
      value="${back}"
    />`;
}

/** A one-button form posting to the API (the script sends it with fetch and says the outcome). */
export function button(call: Call, door: Door, action: string, label: string, back: string, cls = ''): Html {
  return html`<form method="post" action="${action}" data-api class="inline">
    ${hidden(call, door, back)}<button type="submit" ${cls ? html` class="${cls}"` : ''}>${label}</button>
  </form>`;
}

function facts(status: FrameStatus): Html {
  const shown = status.shown;
  if (!shown)
    return html`<p>
      Nothing is on the glass yet${status.last_refresh_error ? html`: ${status.last_refresh_error}` : ''}.
    </p>`;
  if (shown.photos.length === 0) return html`<p>The glass shows a notice (${shown.reason}).</p>`;
  return html`${shown.photos.map((p) => {
    const when = p.localDateTime ?? p.capturedAt;
    return html`<dl class="facts" data-photo="${p.id}">
      <dt>Who</dt>
      <dd>${p.people.length ? p.people.join(', ') : 'nobody named'}</dd>
      <dt>When</dt>
      <dd>${when ? when.replace('T', ' ').slice(0, 16) : 'unknown'}</dd>
      <dt>Where</dt>
      <dd>${p.place ?? 'unknown'}</dd>
      <dt>Album</dt>
      <dd>${p.albums.length ? p.albums.join(', ') : '—'}</dd>
      <dt>Why</dt>
      <dd>${shown.why ?? shown.reason}</dd>
      <dt>Caption</dt>
      <dd>${p.description ?? '—'}</dd>
    </dl>`;
  })}`;
}

async function nowScreen(call: Call, door: Door): Promise<Answer> {
  // After a restart the glass is known from the saved state only: drawing its PNG brings back its facts.
  await door.o.frame.framePng();
  const s = door.o.frame.snapshot();
  const seq = s.shown?.seq ?? 0;
  const wait = s.next_possible_refresh ? Date.parse(s.next_possible_refresh) - Date.now() : 0;
  const alt = s.shown?.photos.length
    ? `The frame shows ${s.shown.photos.map((p) => [p.people.join(' and '), p.place].filter(Boolean).join(' in ') || 'a photo').join(', beside ')}`
    : 'The picture on the frame';
  const photo = s.shown?.photos[0];
  return layout(
    call,
    door,
    'Now',
    html`<section class="now" data-seq="${seq}">
      <figure class="glass">
        <img id="glass" src="/api/frame.png?seq=${seq}" alt="${alt}" width="800" height="480" />
      </figure>
      <div id="now-facts">
        ${facts(s)}
        <p id="next-possible">
          ${wait > 0 ? `Next possible in ${inWords(wait)}` : 'A new photo can come now'}${s.paused
            ? ' · paused: this photo stays until resumed'
            : ''}
        </p>
      </div>
      <div class="controls" role="group" aria-label="Steer the frame">
        ${button(call, door, '/api/commands/previous', 'Previous', '/')}
        ${button(call, door, '/api/commands/next', 'Next', '/', 'primary')}
        ${s.paused
          ? button(call, door, '/api/commands/resume', 'Resume', '/')
          : button(call, door, '/api/commands/pause', 'Pause', '/')}
        ${button(call, door, '/api/commands/sync', 'Sync now', '/')}
        ${photo
          ? button(call, door, `/api/photos/${encodeURIComponent(photo.id)}/hide`, 'Never show this one', '/', 'danger')
          : ''}
      </div>
      <p>
        <label for="sync-progress">Sync</label> <progress id="sync-progress" max="1" value="0"></progress>
        <span id="sync-words"
          >${s.sync_running ? 'running' : s.last_sync ? `last: ${s.last_sync.summary}` : 'not yet'}</span
        >
      </p>
    </section>`,
  );
}

export function field(f: Field, value: unknown, prefix = ''): Html {
  const id = `${prefix}f-${f.key}`;
  const help = html`<small id="${id}-help">${f.help}</small>
    <p class="err" id="${prefix}err-${f.key}" role="alert"></p>`;
  const described = `${id}-help ${prefix}err-${f.key}`;
  switch (f.kind) {
    case 'choice':
      return html`<div class="field">
        <label for="${id}">${f.key}</label
        ><select id="${id}" name="${f.key}" aria-describedby="${described}">
          ${(f.choices ?? []).map((c) => html`<option${String(value) === c ? html` selected` : ''}>${c}</option>`)}</select
        >${help}
      </div>`;
    case 'switch':
      return html`<div class="field switch">
        <input type="hidden" name="${f.key}" value="false" /><input
          type="checkbox"
          id="${id}"
          name="${f.key}"
          value="true"
          ${value === true ? html` checked` : ''}
          aria-describedby="${described}"
        /><label for="${id}">${f.key}</label>${help}
      </div>`;
    case 'number':
      return html`<div class="field">
        <label for="${id}">${f.key}</label
        ><input
          id="${id}"
          name="${f.key}"
          inputmode="decimal"
          value="${formValue(f, value)}"
          aria-describedby="${described}"
        />${help}
      </div>`;
    case 'secret':
      return html`<div class="field">
        <label for="${id}">${f.key}</label
        ><input
          id="${id}"
          name="${f.key}"
          type="password"
          autocomplete="off"
          placeholder="${value ? 'saved (write-only): type to replace' : 'not set'}"
          aria-describedby="${described}"
        />${help}
      </div>`;
    default:
      return html`<div class="field">
        <label for="${id}">${f.key}</label
        ><input
          id="${id}"
          name="${f.key}"
          value="${formValue(f, value)}"
          aria-describedby="${described}"
          autocomplete="off"
        />${help}
      </div>`;
  }
}

async function libraryScreen(call: Call, door: Door): Promise<Answer> {
  const per = 48;
  const offset = Math.max(0, Math.floor(Number(call.url.searchParams.get('offset') ?? 0)) || 0);
  const page = await door.o.frame.photos(offset, per);
  const settings = maskedSettings(door.o.frame.settings!);
  const selected = call.url.searchParams.get('photo');
  const record =
    selected && /^(file:[^/\\]+|[0-9A-Za-z-]+)$/.test(selected) ? await door.o.frame.photo(selected) : null;
  const preview = await door.o.frame.previewFilters(selectionFilters(door.o.frame.settings!), 0);
  const back = '/library';
  return layout(
    call,
    door,
    'Library',
    html` ${record
        ? html`<section aria-labelledby="details-h" class="details">
            <h2 id="details-h">Photo ${record.id}</h2>
            <img
              src="/api/photos/${encodeURIComponent(record.id)}/thumbnail"
              alt="Thumbnail of the photo"
              width="160"
              height="160"
            />
            <dl>
              <dt>Taken</dt>
              <dd>${record.capturedAt ?? 'unknown'}</dd>
              <dt>Stored</dt>
              <dd>
                ${record.bytes === null ? 'unknown' : formatBytes(record.bytes)} (${record.rendition ?? 'adopted file'})
              </dd>
              <dt>Edited in Immich</dt>
              <dd>${record.edited ? 'yes' : 'no'}</dd>
              <dt>Hidden</dt>
              <dd>${record.hidden ? 'yes' : 'no'}</dd>
              <dt>Failures</dt>
              <dd>${record.failures.length ? record.failures.join('; ') : 'none'}</dd>
            </dl>
            <details>
              <summary>The info record</summary>
              <pre>${JSON.stringify(record.info, null, 2)}</pre>
            </details>
            <div class="controls">
              ${button(
                call,
                door,
                `/api/photos/${encodeURIComponent(record.id)}/show`,
                'Show this one',
                back,
                'primary',
              )}
              ${record.hidden
                ? button(call, door, `/api/photos/${encodeURIComponent(record.id)}/unhide`, 'Show again', back)
                : button(
                    call,
                    door,
                    `/api/photos/${encodeURIComponent(record.id)}/hide`,
                    'Never show this one',
                    back,
                    'danger',
                  )}
            </div>
          </section>`
        : ''}
      <section aria-labelledby="filters-h">
        <h2 id="filters-h">Filters</h2>
        <form method="post" action="/api/config" id="filters" data-api data-preview="/api/preview/filters">
          ${hidden(call, door, back)}
          ${SETTINGS_FIELDS.filter((f) => FILTER_KEYS.includes(f.key)).map((f) => field(f, settings[f.key]))}
          <p id="filter-count" aria-live="polite">
            ${preview.matching} of ${preview.total} photos match
            now${preview.filters.length ? html` (${preview.filters.join('; ')})` : ''}.
          </p>
          <ul id="filter-matches" class="thumbs small" aria-label="Photos the filters let through"></ul>
          <button type="submit" class="primary">Save filters</button>
        </form>
      </section>
      <section aria-labelledby="photos-h">
        <h2 id="photos-h">${page.total} photos</h2>
        <ul class="thumbs" id="photos">
          ${page.photos.map(
            (p) =>
              html`<li${p.hidden ? html` class="hidden-photo"` : ''}><a href="/library?photo=${encodeURIComponent(p.id)}&amp;offset=${offset}"><img src="/api/photos/${encodeURIComponent(p.id)}/thumbnail" alt="${[p.capturedAt?.slice(0, 10), p.place, p.people.join(', '), p.hidden ? 'hidden' : ''].filter(Boolean).join(', ') || p.id}" loading="lazy" width="160" height="160"></a></li>`,
          )}
        </ul>
        <nav aria-label="Pages" class="pager">
          ${offset > 0 ? html`<a href="/library?offset=${Math.max(0, offset - per)}">Newer</a>` : ''}
          <span>${page.total === 0 ? 0 : offset + 1}–${Math.min(offset + per, page.total)} of ${page.total}</span>
          ${offset + per < page.total ? html`<a href="/library?offset=${offset + per}">Older</a>` : ''}
        </nav>
      </section>`,
  );
}

function settingsScreen(call: Call, door: Door): Answer {
  const c = door.o.frame.settings!;
  const settings = maskedSettings(c);
  const back = '/settings';
  let times: string[] = [];
  try {
    times = nextRefreshTimes(refreshPolicyOf(c, door.o.minRefreshMs), new Date(), 5).map((t) =>
      t.toLocaleString('en-GB', { timeZone: c.timezone || undefined }),
    );
  } catch (err) {
    times = [describeError(err)];
  }
  const value = (k: string) => (k === 'immich_api_key' ? settings.immich_api_key_set : settings[k]);
  const group = (keys: string[]) =>
    SETTINGS_FIELDS.filter((f) => keys.includes(f.key)).map((f) => field(f, value(f.key)));
  const rest = SETTINGS_FIELDS.filter(
    (f) =>
      ![
        ...FILTER_KEYS,
        ...SCHEDULE_KEYS,
        ...PREVIEW_KEYS,
        'immich_url',
        'immich_api_key',
        'album_id',
        'album_ids',
      ].includes(f.key),
  );
  return layout(
    call,
    door,
    'Settings',
    html`<form method="post" action="/api/config" id="settings" data-api data-check="/api/config/check">
      ${hidden(call, door, back)}
      <fieldset>
        <legend>Server</legend>
        ${group(['immich_url', 'immich_api_key', 'album_id', 'album_ids'])}
        <button type="button" id="connect" data-connect="/api/connect">Connect and list albums and people</button>
        <div id="pickers" aria-live="polite"></div>
      </fieldset>
      <fieldset>
        <legend>Schedule</legend>
        ${group(SCHEDULE_KEYS)}
        <p>The next five refreshes:</p>
        <ol id="schedule-next" data-preview="/api/preview/schedule" aria-live="polite">
          ${times.map((t) => html`<li>${t}</li>`)}
        </ol>
      </fieldset>
      <fieldset data-live-preview="/api/preview/frame.png">
        <legend>Look</legend>
        ${group(PREVIEW_KEYS)}
        <button type="button" id="preview-frame" data-preview="/api/preview/frame.png">
          Preview on the current photo
        </button>
        <figure class="glass">
          <img id="preview" data-preview-img alt="Preview of the current photo with these settings" hidden />
        </figure>
      </fieldset>
      <fieldset>
        <legend>Filters</legend>
        ${group(FILTER_KEYS)}
      </fieldset>
      <fieldset>
        <legend>Everything else</legend>
        ${rest.map((f) => field(f, value(f.key)))}
      </fieldset>
      <button type="submit" class="primary">Save</button>
    </form>`,
  );
}

function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) + ' UTC' : '—';
}

async function healthScreen(call: Call, door: Door): Promise<Answer> {
  const h = await door.o.frame.health();
  const s = door.o.frame.snapshot();
  const level = (call.url.searchParams.get('level') ?? 'info') as (typeof LOG_LEVELS)[number];
  const lvl = LOG_LEVELS.includes(level) ? level : 'info';
  const lines = door.o.logRing.lines(lvl, 300);
  const bytes = (n: number | null) => (n === null ? 'unknown' : formatBytes(n));
  const rows: [string, string | number][] = [
    ['Version', h.version],
    ['Uptime', `${inWords(h.uptime_s * 1000)} (machine: ${inWords(h.system_uptime_s * 1000)})`],
    ['Board', h.board ?? 'unknown'],
    ['CPU temperature', h.cpu_temp_c === null ? 'not measured on this board' : `${h.cpu_temp_c} °C`],
    [
      'Disk',
      `${bytes(h.disk.free_bytes)} free of ${bytes(h.disk.total_bytes)}; the library takes ${bytes(h.disk.library_bytes)}`,
    ],
    ['Storage', h.storage_problem ?? 'writable'],
    ['Photos', `${h.library.photos} (${h.library.hidden} hidden, ${h.library.failed} failed at the last sync)`],
    [
      'Last sync',
      s.last_sync
        ? `${when(s.last_sync.at)}: ${s.last_sync.ok ? 'ok' : 'failed'}, ${s.last_sync.summary}`
        : when(h.library.last_sync),
    ],
    [
      'Last failed sync',
      h.library.last_failure
        ? `${when(h.library.last_failure.at)}: ${h.library.last_failure.error ?? ''}`
        : 'none since the last success',
    ],
    ['Next sync', h.library.sync_running ? 'running now' : when(h.library.next_sync)],
    [
      'Server',
      h.server_reachable === null
        ? 'not tried yet'
        : h.server_reachable
          ? 'reachable'
          : 'not reachable at the last sync',
    ],
    [
      'Panel',
      `${h.panel.id ?? 'unknown'} on ${h.panel.transport ?? 'unknown'}${h.panel.answering ? '' : ' (not answering)'}`,
    ],
    ['Last refresh', `${when(h.panel.last_refresh)}; next ${when(h.panel.next_refresh)}`],
    ['Panel resets (BUSY)', `${h.panel.resets}${h.panel.error ? `; last: ${h.panel.error}` : ''}`],
    [
      'Battery',
      h.battery
        ? `${h.battery.level_pct} %${h.battery.charging ? ', charging' : ''} (${h.battery.board})`
        : 'none fitted',
    ],
  ];
  const reasons = formatFailureReasons(h.library.failed_by_reason);
  return layout(
    call,
    door,
    'Health',
    html`<dl class="health">
        ${rows.map(
          ([k, v]) =>
            html`<dt>${k}</dt>
              <dd>${String(v)}</dd>`,
        )}
      </dl>
      <h2>Failures by reason</h2>
      <p id="failures">${reasons || 'none at the last sync'}</p>
      <section aria-labelledby="log-h">
        <h2 id="log-h">Log</h2>
        <form method="get" action="/health" id="log-filter">
          <label for="level">Level</label>
          <select id="level" name="level">
            ${LOG_LEVELS.map((l) => html`<option${l === lvl ? html` selected` : ''}>${l}</option>`)}
          </select>
          <button type="submit">Show</button>
        </form>
        <ol id="log" class="log" data-level="${lvl}">
          ${lines.map((l) => html`<li class="${l.level}">${l.line}</li>`)}
        </ol>
      </section>`,
  );
}

async function loginScreen(call: Call, door: Door): Promise<Answer> {
  if (call.session.signedIn) return { redirect: '/' };
  if ((await readPasswordHash(door.o.configPath)) === null) return { redirect: '/pair' };
  return layout(
    call,
    door,
    'Sign in',
    html`<form method="post" action="/api/login" data-api data-then="/">
      ${hidden(call, door, '/login')}
      <div class="field">
        <label for="password">Password</label
        ><input id="password" name="password" type="password" autocomplete="current-password" required />
      </div>
      <button type="submit" class="primary">Sign in</button>
    </form>`,
    { nav: false },
  );
}

async function pairScreen(call: Call, door: Door): Promise<Answer> {
  if ((await readPasswordHash(door.o.configPath)) !== null) return { redirect: call.session.signedIn ? '/' : '/login' };
  return layout(
    call,
    door,
    'Pair with the frame',
    html`<p>
        The frame shows a pairing code on its glass. Enter it here with the password you want: holding the frame is the
        proof.
      </p>
      <form method="post" action="/api/pair" data-api data-then="/">
        ${hidden(call, door, '/pair')}
        <div class="field">
          <label for="code">Code on the frame</label
          ><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required />
        </div>
        <div class="field">
          <label for="new-password">New password (at least 8 characters)</label
          ><input
            id="new-password"
            name="password"
            type="password"
            autocomplete="new-password"
            minlength="8"
            required
          />
        </div>
        <button type="submit" class="primary">Set the password</button>
      </form>`,
    { nav: false },
  );
}

export function pageRoutes(): RouteSpec[] {
  return [
    { method: 'GET', path: '/', access: 'signed-in', handler: nowScreen },
    { method: 'GET', path: '/library', access: 'signed-in', handler: libraryScreen },
    { method: 'GET', path: '/settings', access: 'signed-in', handler: settingsScreen },
    { method: 'GET', path: '/health', access: 'signed-in', handler: healthScreen },
    { method: 'GET', path: '/login', access: 'public', handler: loginScreen },
    { method: 'GET', path: '/pair', access: 'public', handler: pairScreen },
  ];
}
