// The Calibrate screen's API through the real server, a real FrameService on the virtual panel and
// the simulated Immich: a synthetic phone photo of the swatch (test/support/swatch-camera.ts) read
// into inks within ΔE2000 3 of the unit's true ones, refusals with their reason, previews both
// ways, inks kept (the next frame is drawn with them), typed in, exported, imported and reset,
// the upload's own limit, CSRF on every change, one expensive job at a time, and the picture
// controls previewed before they are saved.
import { readFile, access } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { framePng } from '../../drivers/virtual-panel.js';
import { deltaE2000 } from '../../src/calibration/cielab.js';
import { labOf } from '../../src/calibration/ink-report.js';
import { inksFileSchema, type InksFile } from '../../src/calibration/inks-file.js';
import { drawSwatch } from '../../src/calibration/swatch.js';
import { instancePaths } from '../../src/library/instance.js';
import { differingUnit, HARD_SHOT, photographSwatch } from '../support/swatch-camera.js';
import { ApiClient, nextRefresh, startWebFrame, type WebFrame, pixels, until } from './web-frame.js';

const panel = findPanel('waveshare-7in3e');
const unit = differingUnit(panel);

describe('the Calibrate screen API', () => {
  let frame: WebFrame;
  let c: ApiClient;
  let photo: Buffer;
  let measured: { name: string; hex: string; rgb: number[]; lab: [number, number, number] }[];
  const inksPath = () => instancePaths(frame.host.settings!).calibratedInksPath;
  const fieldsOf = (inks: { name: string; hex: string }[]) =>
    Object.fromEntries(inks.map((i) => [`ink_${i.name}`, i.hex]));

  /** POST raw bytes (the ApiClient sends strings and JSON only). */
  async function postBytes(route: string, bytes: Buffer, type: string, csrf = c.csrf) {
    const res = await fetch(frame.url + route, {
      method: 'POST',
      headers: { cookie: c.cookie, 'content-type': type, ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: new Uint8Array(bytes),
    });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, json: JSON.parse(body.toString('utf8')) };
  }

  beforeAll(async () => {
    [frame, photo] = await Promise.all([startWebFrame(), photographSwatch(panel, unit, HARD_SHOT)]);
    await until(() => frame.host.snapshot().shown, 20_000);
    c = new ApiClient(frame.url);
    expect(await c.signIn()).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await frame?.close();
  });

  it('serves the screen: the way to take the photo, the catalogue inks, linked from the nav', async () => {
    const page = await c.get('/calibrate');
    expect(page.status).toBe(200);
    const text = page.bytes.toString('utf8');
    expect(text).toContain('href="/calibrate"');
    expect(text).toMatch(/Even daylight/);
    expect(text).toMatch(/No glare/);
    expect(text).toMatch(/parallel/);
    expect(text).toMatch(/white paper/);
    expect(text).toContain('capture="environment"');
    for (const ink of panel.colours) expect(text).toContain(`name="ink_${ink.name}"`);
    expect(text).toContain('catalogue&#39;s inks of the waveshare-7in3e');
    const state = await c.get('/api/calibration');
    expect(state.json.saved).toBeNull();
    expect(state.json.inks.every((i: { delta_e2000: number }) => i.delta_e2000 === 0)).toBe(true);
  });

  it('reads a phone photo of the swatch into the inks of the unit, each within ΔE2000 3', async () => {
    const r = await postBytes('/api/calibration/photo', photo, 'image/jpeg');
    expect(r.status).toBe(200);
    expect(r.json.panel).toBe(panel.id);
    measured = r.json.inks;
    expect(measured.map((i) => i.name).sort()).toEqual(panel.colours.map((c) => c.name).sort());
    for (const ink of measured) {
      expect(deltaE2000(ink.lab, labOf(unit[ink.name]!)), ink.name).toBeLessThan(3);
      expect(ink.hex).toMatch(/^#[0-9a-f]{6}$/);
    }
    // Beside the catalogue's, with how far they are from it.
    const green = r.json.inks.find((i: { name: string }) => i.name === 'green');
    expect(green.catalogue.rgb).toEqual(panel.colours.find((x) => x.name === 'green')!.measured);
    expect(green.delta_e2000).toBeGreaterThan(3);
    // Nothing kept yet.
    await expect(access(inksPath())).rejects.toThrow();
  }, 60_000);

  it('refuses a photo it cannot read, with the reason', async () => {
    const hidden = await photographSwatch(panel, unit, { ...HARD_SHOT, hide: 2 });
    const r = await postBytes('/api/calibration/photo', hidden, 'image/jpeg');
    expect(r.status).toBe(422);
    expect(r.json.error).toMatchObject({ code: 'CALIBRATION_REFUSED', reason: 'markers-not-found' });
    expect(r.json.error.message).toMatch(/marker/);
    const swapped = await photographSwatch(panel, unit, { ...HARD_SHOT, swap: ['red', 'green'] });
    const s = await postBytes('/api/calibration/photo', swapped, 'image/jpeg');
    expect(s.json.error.reason).toBe('patches-out-of-order');
    const junk = await postBytes('/api/calibration/photo', Buffer.from('not a photo at all'), 'image/jpeg');
    expect(junk.status).toBe(422);
    expect(junk.json.error.reason).toBe('unreadable');
    const text = await postBytes('/api/calibration/photo', Buffer.from('{}'), 'application/json');
    expect(text.status).toBe(415);
  }, 60_000);

  it('takes a phone-sized upload on its own route only, and refuses a larger one with a clear message', async () => {
    const big = Buffer.alloc(17 * 1024 * 1024, 0xff);
    const r = await postBytes('/api/calibration/photo', big, 'image/jpeg');
    expect(r.status).toBe(413);
    expect(r.json.error).toEqual({ code: 'BODY_TOO_LARGE', message: 'the request body is larger than 16 MB' });
    // Every other route keeps the small limit.
    const other = await postBytes('/api/calibration/inks', Buffer.alloc(100 * 1024, 0x20), 'application/json');
    expect(other.status).toBe(413);
    expect(other.json.error.message).toBe('the request body is larger than 64 KB');
    // The frame is still fine.
    expect((await c.get('/api/status')).status).toBe(200);
  }, 60_000);

  it('refuses every change without the CSRF token', async () => {
    const r = await postBytes('/api/calibration/photo', photo, 'image/jpeg', '');
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('CSRF_REJECTED');
    const forged = await postBytes('/api/calibration/photo', photo, 'image/jpeg', 'forged');
    expect(forged.status).toBe(403);
    const token = c.csrf;
    c.csrf = '';
    try {
      for (const route of [
        '/api/calibration/inks',
        '/api/calibration/reset',
        '/api/calibration/import',
        '/api/calibration/swatch',
        '/api/calibration/preview.png',
      ]) {
        const res = await c.post(route, fieldsOf(measured));
        expect(res.status, route).toBe(403);
        expect(res.json.error.code).toBe('CSRF_REJECTED');
      }
    } finally {
      c.csrf = token;
    }
    await expect(access(inksPath())).rejects.toThrow();
  });

  it('previews the current photo both ways: the catalogue inks and the measured ones differ', async () => {
    const catalogue = await c.post('/api/calibration/preview.png', {});
    const mine = await c.post('/api/calibration/preview.png', fieldsOf(measured));
    expect(catalogue.status).toBe(200);
    expect(mine.status).toBe(200);
    expect(catalogue.headers.get('content-type')).toBe('image/png');
    expect((await pixels(catalogue.bytes)).equals(await pixels(mine.bytes))).toBe(false);
    // Through the real render: the same as the service draws the photo on the glass with those inks.
    expect(
      (await pixels(catalogue.bytes)).equals(await pixels((await frame.host.previewFrame({}, 'catalogue'))!)),
    ).toBe(true);
  }, 60_000);

  it('keeps the measured inks: the next frame is drawn with them, and reset brings the catalogue back', async () => {
    const kept = await c.post('/api/calibration/inks', { ...fieldsOf(measured), source: 'photo' });
    expect(kept.status).toBe(200);
    expect(kept.json.message).toMatch(/kept/);
    const file = inksFileSchema.parse(JSON.parse(await readFile(inksPath(), 'utf8')));
    expect(file.source).toBe('photo');
    for (const ink of measured) expect(file.inks.find((i) => i.name === ink.name)!.rgb).toEqual(ink.rgb);

    const seq = frame.host.snapshot().shown!.seq;
    const next = nextRefresh(frame, seq);
    expect((await c.post('/api/commands/next')).status).toBe(200);
    await next;
    const glass = await pixels((await c.get('/api/frame.png')).bytes);
    const withKept = await pixels((await frame.host.previewFrame({}, file))!);
    const withCatalogue = await pixels((await frame.host.previewFrame({}, 'catalogue'))!);
    expect(glass.equals(withKept)).toBe(true);
    expect(glass.equals(withCatalogue)).toBe(false);
    const screen = (await c.get('/calibrate')).bytes.toString('utf8');
    expect(screen).toContain('measured from a photo');
    expect(screen).toContain(`value="${measured[0]!.hex}"`);

    const reset = await c.post('/api/calibration/reset', {});
    expect(reset.json.message).toBe("back to the catalogue's inks");
    await expect(access(inksPath())).rejects.toThrow();
    const seq2 = frame.host.snapshot().shown!.seq;
    const again = nextRefresh(frame, seq2);
    await c.post('/api/commands/next');
    await again;
    const after = await pixels((await c.get('/api/frame.png')).bytes);
    expect(after.equals(await pixels((await frame.host.previewFrame({}, 'catalogue'))!))).toBe(true);
    expect((await c.post('/api/calibration/reset', {})).json.message).toBe(
      "this frame already uses the catalogue's inks",
    );
  }, 90_000);

  it('takes inks typed by hand, checked; exports them and imports the same file', async () => {
    const typed = fieldsOf(panel.colours.map((x) => ({ name: x.name, hex: '#' + 'aa5511' })));
    const bad = await c.post('/api/calibration/inks', { ...typed, ink_red: 'reddish' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe('ink_red = "reddish" is not allowed; expected a colour as #rrggbb');
    const missing = await c.post('/api/calibration/inks', { ink_red: '#ff0000' });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/^ink_black = null is not allowed/);
    await expect(access(inksPath())).rejects.toThrow();
    expect((await c.get('/api/calibration/inks.json')).status).toBe(404);

    expect((await c.post('/api/calibration/inks', typed)).status).toBe(200);
    const exported = await c.get('/api/calibration/inks.json');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment; filename="waveshare-7in3e-inks.json"/);
    const file = exported.json as InksFile;
    expect(file).toMatchObject({ format: 'artframe-immich-inks', panel: panel.id, source: 'hand' });
    expect(file.inks.every((i) => i.rgb.join() === '170,85,17')).toBe(true);

    await c.post('/api/calibration/reset', {});
    const foreign = await c.post('/api/calibration/import', { ...file, panel: 'inky-impression-7-3' });
    expect(foreign.status).toBe(422);
    expect(foreign.json.error.message).toBe(
      'the imported file holds the inks of a inky-impression-7-3, and this frame is a waveshare-7in3e',
    );
    const imported = await c.post('/api/calibration/import', file);
    expect(imported.status).toBe(200);
    const saved = inksFileSchema.parse(JSON.parse(await readFile(inksPath(), 'utf8')));
    expect(saved).toEqual({ ...file, source: 'import' });
    await c.post('/api/calibration/reset', {});
  });

  it('draws one expensive job at a time: a flood of previews is told to wait, the rest answered', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => c.post('/api/calibration/preview.png', fieldsOf(measured))),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    const busy = answers.find((a) => a.status === 503)!;
    expect(busy.json.error.code).toBe('RATE_LIMITED');
    expect(busy.headers.get('retry-after')).toBe('2');
  }, 60_000);

  it('previews each picture control on the current photo before it is saved, checked by the config rule', async () => {
    const base = await c.post('/api/preview/frame.png', {});
    expect(base.status).toBe(200);
    for (const change of [{ exposure: '1' }, { contrast: '1.6' }, { saturation: '0.3' }, { dither: 'bayer-8' }]) {
      const r = await c.post('/api/preview/frame.png', change);
      expect(r.status, JSON.stringify(change)).toBe(200);
      expect((await pixels(r.bytes)).equals(await pixels(base.bytes)), JSON.stringify(change)).toBe(false);
    }
    expect(frame.host.settings!.exposure).toBe(0);
    const bad = await c.post('/api/preview/frame.png', { exposure: '9' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toMatch(/^config: exposure = 9 is not allowed; expected/);
    const saved = await c.post('/api/config', { exposure: '0.5' });
    expect(saved.status).toBe(200);
    expect(frame.host.settings!.exposure).toBe(0.5);
    expect(JSON.parse(await readFile(frame.configPath, 'utf8')).exposure).toBe(0.5);
  }, 90_000);

  it('puts the swatch on the glass at the panel pace, as the catalogue draws it; previews go on with the last photo', async () => {
    const seq = frame.host.snapshot().shown!.seq;
    const shown = nextRefresh(frame, seq);
    const r = await c.post('/api/calibration/swatch', {});
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, command: 'swatch' });
    await shown;
    expect(frame.host.snapshot().shown!.reason).toBe('swatch');
    const glass = await pixels((await c.get('/api/frame.png')).bytes);
    expect(glass.equals(await pixels(await framePng(drawSwatch(panel, 0).buffer, panel)))).toBe(true);
    // The previews still draw the last photo while the glass shows the swatch.
    const preview = await c.post('/api/calibration/preview.png', fieldsOf(measured));
    expect(preview.status).toBe(200);
    expect((await pixels(preview.bytes)).equals(glass)).toBe(false);
    expect((await c.post('/api/preview/frame.png', {})).status).toBe(200);
  }, 60_000);
});
