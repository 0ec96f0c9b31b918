// The calibration screen's API: the swatch on the glass, a phone photo of it read into inks (or
// refused with the reason), previews of the current photo in the catalogue's inks and in proposed
// ones, and this frame's inks kept, typed in, reset, exported and imported: the same file and the
// same checks as `artframe-immich calibrate`. The reading code loads on first use only.
import type { ServerResponse } from 'node:http';
import type { PanelProfile, RGB } from '../../drivers/panels.js';
import {
  inksFile,
  parseInksFile,
  readInksFile,
  resetInks,
  saveInksFile,
  type InksFile,
} from '../calibration/inks-file.js';
import { ConfigError } from '../core/errors.js';
import { instancePaths } from '../library/instance.js';
import { outcome, png, running } from './api.js';
import { readBytes, WebError } from './http.js';
import type { Answer, Call, Door, RouteSpec } from './server.js';

/** A phone's JPEG is 2-8 MB; a 48 MP one up to ~15. The photo is read at 1600 px, so more is never needed. */
export const MAX_PHOTO_BYTES = 16 * 1024 * 1024;

const PHOTO_TYPES = /^image\/(jpeg|png|webp|heic|heif|avif|tiff)$|^application\/octet-stream$/;

/** The inks of a form or a script: one `ink_NAME` field a panel's ink, each `#rrggbb`. */
async function inksFromFields(
  fields: Record<string, unknown>,
  panel: PanelProfile,
): Promise<{ name: string; rgb: RGB }[]> {
  const { rgbOfHex } = await import('../calibration/ink-report.js');
  return panel.colours.map((c) => {
    const key = `ink_${c.name}`;
    const raw = fields[key];
    const rgb = typeof raw === 'string' ? rgbOfHex(raw) : null;
    if (!rgb)
      throw new WebError(
        400,
        'BAD_REQUEST',
        `${key} = ${JSON.stringify(typeof raw === 'string' ? raw.slice(0, 20) : (raw ?? null))} is not allowed; expected a colour as #rrggbb`,
      );
    return { name: c.name, rgb };
  });
}

/** A ConfigError of the inks file (a foreign panel, a missing ink) as a 422 naming it. */
async function checked<T>(make: () => T | Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (err) {
    if (err instanceof ConfigError) throw new WebError(422, 'CONFIG_INVALID', err.message);
    throw err;
  }
}

function paths(door: Door) {
  return instancePaths(running(door));
}

/** What the screen shows: the catalogue's inks and this frame's own, side by side. */
export async function inksNow(door: Door): Promise<{
  panel: string;
  saved: Omit<InksFile, 'inks'> | null;
  inks: import('../calibration/ink-report.js').InkRow[];
  problem: string | null;
}> {
  const panel = door.o.panel;
  const { inkReport } = await import('../calibration/ink-report.js');
  let file: InksFile | null = null;
  let problem: string | null = null;
  try {
    file = await readInksFile(paths(door), panel);
  } catch (err) {
    problem = `${(err as Error).message}; the frame uses the catalogue's inks`;
  }
  const inks = inkReport(panel, file ? file.inks : panel.colours.map((c) => ({ name: c.name, rgb: c.measured })));
  const saved = file ? (({ inks: _inks, ...rest }) => rest)(file) : null;
  return { panel: panel.id, saved, inks, problem };
}

function download(res: ServerResponse, file: InksFile): void {
  const body = JSON.stringify(file, null, 2) + '\n';
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-disposition': `attachment; filename="${file.panel}-inks.json"`,
  });
  res.end(body);
}

async function measure(call: Call, door: Door): Promise<Answer> {
  const type = String(call.req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  if (!PHOTO_TYPES.test(type))
    throw new WebError(
      415,
      'BAD_REQUEST',
      `send the photo itself as the body (image/jpeg, image/png, ...), not ${JSON.stringify(type.slice(0, 60) || 'nothing')}`,
    );
  const panel = door.o.panel;
  const rotate = running(door).rotate;
  // The body is read in its turn: one photo in memory at a time, the others wait on their sockets.
  const result = await door.heavy.run(async () => {
    const bytes = await readBytes(call.req, MAX_PHOTO_BYTES);
    if (bytes.length === 0) throw new WebError(400, 'BAD_REQUEST', 'the photo is empty: choose or take one');
    const { readSwatchPhoto } = await import('../calibration/photo.js');
    return readSwatchPhoto(bytes, panel, rotate);
  });
  if (!result.ok) {
    door.log.info('a calibration photo was refused', { reason: result.reason });
    return {
      status: 422,
      json: { error: { code: 'CALIBRATION_REFUSED', reason: result.reason, message: result.message } },
    };
  }
  const { inkReport } = await import('../calibration/ink-report.js');
  door.log.info('a calibration photo was read', { panel: panel.id });
  return {
    json: {
      panel: panel.id,
      paper: result.paper,
      inks: inkReport(panel, result.inks),
      message: 'inks measured: compare them, preview them, then keep them (nothing is kept yet)',
    },
  };
}

export function calibrationRoutes(): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/calibration',
      access: 'signed-in',
      handler: async (_call, door) => ({ json: await inksNow(door) }),
    },
    {
      method: 'POST',
      path: '/api/calibration/swatch',
      access: 'signed-in',
      handler: async (_call, door) => outcome(await door.o.frame.showSwatch('web')),
    },
    { method: 'POST', path: '/api/calibration/photo', access: 'signed-in', upload: MAX_PHOTO_BYTES, handler: measure },
    {
      method: 'POST',
      path: '/api/calibration/preview.png',
      access: 'signed-in',
      handler: async (call, door) => {
        // No inks: the catalogue's; inks: those proposed (measured, or typed in), nothing kept.
        const panel = door.o.panel;
        const inks = Object.keys(call.fields).some((k) => k.startsWith('ink_'))
          ? await checked(async () => inksFile(panel, await inksFromFields(call.fields, panel), 'hand'))
          : 'catalogue';
        const bytes = await door.heavy.run(() => door.o.frame.previewFrame({}, inks));
        if (!bytes) throw new WebError(404, 'NOT_FOUND', 'nothing is on the glass yet to preview');
        png(call.res, bytes);
      },
    },
    {
      method: 'POST',
      path: '/api/calibration/inks',
      access: 'signed-in',
      handler: async ({ fields }, door) => {
        const panel = door.o.panel;
        const source = fields.source === 'photo' ? 'photo' : 'hand';
        const inks = await inksFromFields(fields, panel);
        const file = await checked(() => inksFile(panel, inks, source));
        await saveInksFile(paths(door), file);
        door.log.info("this frame's inks were kept from the page", { source });
        return {
          json: {
            ok: true,
            message: "kept: every photo from the next one on is drawn with this frame's own inks",
            saved: file,
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/calibration/reset',
      access: 'signed-in',
      handler: async (_call, door) => {
        const had = await resetInks(paths(door));
        if (had) door.log.info("back to the catalogue's inks (from the page)");
        return {
          json: {
            ok: true,
            message: had ? "back to the catalogue's inks" : "this frame already uses the catalogue's inks",
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/calibration/inks.json',
      access: 'signed-in',
      handler: async ({ res }, door) => {
        const found = await checked(() => readInksFile(paths(door), door.o.panel));
        if (!found)
          throw new WebError(
            404,
            'NOT_FOUND',
            'this frame has no inks of its own to export: measure and keep them first',
          );
        download(res, found);
      },
    },
    {
      method: 'POST',
      path: '/api/calibration/import',
      access: 'signed-in',
      handler: async ({ fields }, door) => {
        const { _csrf, _back, ...json } = fields;
        const file = await checked(() => parseInksFile(json, door.o.panel, 'the imported file'));
        await saveInksFile(paths(door), { ...file, source: 'import' });
        door.log.info("this frame's inks were imported from the page");
        return {
          json: { ok: true, message: 'imported: every photo from the next one on is drawn with these inks' },
        };
      },
    },
  ];
}
