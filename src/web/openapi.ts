// The API's OpenAPI 3.1 document, served at /api/openapi.json: what curl, a Home Assistant
// rest_command or another program needs to steer the frame, with the error codes it may meet.
const error = {
  description:
    'Refused: `error.code` is stable (UNAUTHORIZED, CSRF_REJECTED, RATE_LIMITED, BODY_TOO_LARGE, NOT_FOUND, BAD_REQUEST, CONFIG_INVALID, PAIRING_REFUSED, CALIBRATION_REFUSED, PHOTO_NOT_FOUND, NO_PREVIOUS, FRAME_STOPPED, SERVER_ERROR); `error.message` is one line for a person',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
};
const json = (description: string, schema: object = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const pngAnswer = { description: 'A PNG', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } };
const outcome = json('The command was accepted: when it takes effect and a line saying so', {
  type: 'object',
  properties: {
    ok: { const: true },
    command: { type: 'string' },
    at: { type: ['string', 'null'], format: 'date-time' },
    message: { type: 'string', examples: ['next photo in 2 min 10 s: the panel needs 3 min between refreshes'] },
  },
});
const settingsBody = {
  required: true,
  description:
    'Config keys and values (application/json), or the Settings form (application/x-www-form-urlencoded); keys left out keep their saved value, an empty immich_api_key keeps the saved key',
  content: { 'application/json': { schema: { type: 'object' } } },
};
const inksBody = {
  required: true,
  description: 'ink_NAME: "#rrggbb" for every ink of the panel; source: "photo" or "hand" (JSON or the form)',
  content: { 'application/json': { schema: { type: 'object', additionalProperties: { type: 'string' } } } },
};
const photoId = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'An Immich asset id, or file:NAME for a file the library adopted; never a path',
  schema: { type: 'string', pattern: '^(file:[^/\\\\]+|[0-9A-Za-z-]+)$', maxLength: 200 },
};
const refusals = {
  '400': error,
  '401': error,
  '403': error,
  '404': error,
  '409': error,
  '413': error,
  '422': error,
  '429': error,
  '503': error,
};

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'artframe-immich frame',
      version: '1',
      description:
        'The frame\'s own API. Sign in: GET /api/session for a session cookie and a CSRF token, then POST /api/login {"password"} with the token in the X-CSRF-Token header; keep the cookie. Every POST and PUT carries X-CSRF-Token (the token /api/login returns). Bodies are at most 64 KB.',
    },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'artframe_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      },
    },
    security: [{ session: [], csrf: [] }],
    paths: {
      '/api/session': {
        get: {
          summary:
            'Start a session (cookie) and get its CSRF token; says whether it is signed in and whether the frame has a password',
          security: [],
          responses: {
            '200': json('The session', {
              type: 'object',
              properties: {
                signed_in: { type: 'boolean' },
                password_set: { type: 'boolean' },
                csrf_token: { type: 'string' },
              },
            }),
          },
        },
      },
      '/api/login': {
        post: {
          summary: 'Sign in with the password (at most 5 attempts a minute from one address)',
          security: [{ csrf: [] }],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { type: 'object', properties: { password: { type: 'string' } } } },
            },
          },
          responses: { '200': json('Signed in: a new session cookie and its CSRF token'), ...refusals },
        },
      },
      '/api/logout': { post: { summary: 'Sign out', responses: { '200': json('Signed out') } } },
      '/api/pair': {
        post: {
          summary: 'Set the first password with the pairing code the frame shows on its glass (only while it has none)',
          security: [{ csrf: [] }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { code: { type: 'string' }, password: { type: 'string', minLength: 8 } },
                },
              },
            },
          },
          responses: { '200': json('Password set and signed in'), ...refusals },
        },
      },
      '/api/status': {
        get: {
          summary: 'The frame now: service state, paused, next possible refresh, the frame shown and its facts',
          responses: { '200': json('FrameStatus'), ...refusals },
        },
      },
      '/api/frame.png': {
        get: {
          summary: "What the glass shows, through the panel's inks (header X-Frame-Seq counts refreshes)",
          responses: { '200': pngAnswer, ...refusals },
        },
      },
      '/api/events': {
        get: {
          summary:
            'Server-sent events: refreshed, refresh-failed, sync-started, sync-progress, sync-finished, state, panel-trouble',
          responses: {
            '200': {
              description: 'text/event-stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...refusals,
          },
        },
      },
      '/api/commands/{name}': {
        post: {
          summary: "next, previous, pause, resume or sync; the panel's minimum refresh interval is kept and said",
          parameters: [
            {
              name: 'name',
              in: 'path',
              required: true,
              schema: { enum: ['next', 'previous', 'pause', 'resume', 'sync'] },
            },
          ],
          responses: { '200': outcome, ...refusals },
        },
      },
      '/api/photos/{id}/{action}': {
        post: {
          summary: 'show this photo now, hide it (never shown again; kept offline, survives syncs) or unhide it',
          parameters: [
            photoId,
            { name: 'action', in: 'path', required: true, schema: { enum: ['show', 'hide', 'unhide'] } },
          ],
          responses: { '200': outcome, ...refusals },
        },
      },
      '/api/photos': {
        get: {
          summary: 'The offline library, newest first, a page at a time',
          parameters: [
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 200, default: 48 } },
          ],
          responses: {
            '200': json('{ total, offset, photos: [{ id, capturedAt, people, place, favorite, rating, hidden }] }'),
            ...refusals,
          },
        },
      },
      '/api/photos/{id}': {
        get: {
          summary: "One photo's record: info, stored bytes, edited, rendition, failures",
          parameters: [photoId],
          responses: { '200': json('The record'), ...refusals },
        },
      },
      '/api/photos/{id}/thumbnail': {
        get: {
          summary: 'A small WebP thumbnail (made once, cached on the frame)',
          parameters: [photoId],
          responses: { '200': { description: 'image/webp', content: { 'image/webp': {} } }, ...refusals },
        },
      },
      '/api/preview/filters': {
        post: {
          summary: 'How many photos proposed filters let through, and the first of them (nothing saved)',
          requestBody: settingsBody,
          responses: { '200': json('{ filters, matching, total, photos, summary }'), ...refusals },
        },
      },
      '/api/preview/frame.png': {
        post: {
          summary:
            'The photo on the glass drawn with proposed captions, crop, pairs (nothing saved, nothing sent to the panel)',
          requestBody: settingsBody,
          responses: { '200': pngAnswer, ...refusals },
        },
      },
      '/api/preview/schedule': {
        post: {
          summary: 'The next five refresh times of a proposed schedule',
          requestBody: settingsBody,
          responses: { '200': json('{ next: [ISO times] }'), ...refusals },
        },
      },
      '/api/config': {
        get: {
          summary: 'The settings; immich_api_key is write-only (immich_api_key_set says whether there is one)',
          responses: { '200': json('The settings'), ...refusals },
        },
        put: {
          summary:
            "Check and save settings (the config's own one-line messages); the previous file is kept as config.json.prev; the frame takes them without a restart",
          requestBody: settingsBody,
          responses: { '200': json('{ ok, message, restart_needed, config }'), ...refusals },
        },
      },
      '/api/config/check': {
        post: {
          summary: 'Check settings without saving them',
          requestBody: settingsBody,
          responses: { '200': json('Valid'), ...refusals },
        },
      },
      '/api/connect': {
        post: {
          summary: 'Try an Immich URL and key (the saved ones when left out) and list its albums and people',
          requestBody: settingsBody,
          responses: { '200': json('{ albums, people }'), '502': error, ...refusals },
        },
      },
      '/api/logs': {
        get: {
          summary: "The frame's last log lines (kept in memory), at a level or above",
          parameters: [
            { name: 'level', in: 'query', schema: { enum: ['debug', 'info', 'warn', 'error'], default: 'info' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0 } },
          ],
          responses: { '200': json('{ level, lines: [{ level, line }] }'), ...refusals },
        },
      },
      '/api/health': {
        get: {
          summary: 'Version, uptime, panel, sync results and failures, storage, board',
          responses: { '200': json('Health'), ...refusals },
        },
      },
      '/api/calibration': {
        get: {
          summary:
            "This frame's inks beside the catalogue's: { panel, saved (the kept file's facts, or null), inks: [{ name, hex, rgb, lab, catalogue, delta_e2000 }] }",
          responses: { '200': json('The inks'), ...refusals },
        },
      },
      '/api/calibration/swatch': {
        post: {
          summary: "Put the calibration swatch on the glass (at the panel's pace), to be photographed",
          responses: { '200': outcome, ...refusals },
        },
      },
      '/api/calibration/photo': {
        post: {
          summary:
            'Measure the inks from a photo of the swatch with white paper beside it (nothing kept). 422 CALIBRATION_REFUSED with `error.reason`: markers-not-found, glare, too-dark, overexposed, no-paper, patches-out-of-order, unreadable',
          requestBody: {
            required: true,
            description: 'The photo itself as the body (no multipart), at most 16 MB; the CSRF token in X-CSRF-Token',
            content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } },
          },
          responses: {
            '200': json('{ panel, paper, inks: [{ name, hex, rgb, lab, catalogue, delta_e2000 }] }'),
            ...refusals,
          },
        },
      },
      '/api/calibration/preview.png': {
        post: {
          summary:
            "The photo on the glass drawn with proposed inks (ink_NAME: #rrggbb for every ink), or with the catalogue's when none are given (nothing kept)",
          requestBody: inksBody,
          responses: { '200': pngAnswer, ...refusals },
        },
      },
      '/api/calibration/inks': {
        post: {
          summary: 'Keep these inks for this frame (every render from the next photo on uses them)',
          requestBody: inksBody,
          responses: { '200': json('{ ok, message, saved }'), ...refusals },
        },
      },
      '/api/calibration/reset': {
        post: { summary: "Back to the catalogue's inks", responses: { '200': json('{ ok, message }'), ...refusals } },
      },
      '/api/calibration/inks.json': {
        get: {
          summary: "This frame's inks file, as `artframe-immich calibrate --export` writes it",
          responses: { '200': json('The inks file'), ...refusals },
        },
      },
      '/api/calibration/import': {
        post: {
          summary: 'Keep the inks of an inks file (as exported, for this panel)',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { '200': json('{ ok, message }'), ...refusals },
        },
      },
    },
  };
}
