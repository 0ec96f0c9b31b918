// A landscape photo comes out upright on every panel as its vendor hangs it landscape: rendered
// through the real sharp pipeline with the catalogue's `landscapeRotate`, packed, driven
// through the driver, emulated, and read off the glass the way the fixtures README says each
// vendor's glass shows a landscape picture (so the drivers' turns are checked, not assumed).
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { PANELS, type PanelProfile } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { SpiPanel } from '../../drivers/spi-panel.js';
import { renderForPanel } from '../../src/render/pipeline.js';
import { createGlass, frameFromGlass } from '../emulator/glass.js';

/**
 * Where landscape picture pixel (x, y) lands in the glass's scan (column c, row r), as the
 * vendor's own code puts it (test/fixtures/vendor-traces/README.md, "How the buffer maps to the
 * frame data sent"). Every other panel takes its landscape frame as is.
 */
const VENDOR_LANDSCAPE: Record<string, (x: number, y: number) => [number, number]> = {
  // Waveshare getbuffer: image.rotate(90, expand=True) into the 1200x1600 portrait buffer,
  // "Waveshare sends landscape pixel (1599 - r, c) at (c, r)".
  'waveshare-13in3e': (x, y) => [y, 1599 - x],
  // Pimoroni show(): rot90(buf, -1), "sent pixel (column c, row r) = buffer pixel (x = r, y = 1199 - c)".
  'inky-impression-13in3-spectra6': (x, y) => [1199 - y, x],
  // The same for the e640: "(x = r, y = 399 - c)".
  'inky-impression-4in-spectra6': (x, y) => [399 - y, x],
};

/** A white landscape photo with a big black block top left and a small one top right. */
async function markedPhoto(w: number, h: number): Promise<Buffer> {
  const rgb = Buffer.alloc(w * h * 3, 255);
  const block = (x0: number, y0: number, x1: number, y1: number) => {
    for (let y = Math.round(y0 * h); y < Math.round(y1 * h); y++) {
      for (let x = Math.round(x0 * w); x < Math.round(x1 * w); x++) rgb.fill(0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    }
  };
  block(0.05, 0.05, 0.35, 0.35);
  block(0.75, 0.05, 0.9, 0.2);
  return sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toBuffer();
}

/** Black pixels in each quadrant of the picture as the hung glass shows it. */
function blackByQuadrant(view: (x: number, y: number) => number, w: number, h: number, black: number) {
  const q = { topLeft: 0, topRight: 0, bottomLeft: 0, bottomRight: 0 };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (view(x, y) !== black) continue;
      const key = `${y < h / 2 ? 'top' : 'bottom'}${x < w / 2 ? 'Left' : 'Right'}` as keyof typeof q;
      q[key]++;
    }
  }
  return q;
}

describe.each(PANELS.map((p) => [p.id, p] as const))('%s', (id, profile: PanelProfile) => {
  it('a landscape photo, rendered and driven, is on the glass pixel for pixel and upright as the vendor hangs it', async () => {
    const w = Math.max(profile.width, profile.height);
    const h = Math.min(profile.width, profile.height);
    const frame = await renderForPanel(await markedPhoto(w, h), profile, {
      rotate: profile.landscapeRotate,
      name: 'marked.png',
    });
    const driver = driverFor(profile);
    const pins = HATS[driver.hat].pins;
    const glass = createGlass(driver.name, pins);
    await new SpiPanel(driver, glass, pins).show(frame.buffer);
    const scan = glass.shown[0]!;
    expect(scan.length).toBe(w * h);
    // Render, pack, drive, emulate: the glass holds exactly the rendered pixels.
    expect(Buffer.from(frameFromGlass(scan, profile)).equals(Buffer.from(frame.indices))).toBe(true);
    const place = VENDOR_LANDSCAPE[id] ?? ((x: number, y: number) => [x, y]);
    const view = (x: number, y: number) => {
      const [c, r] = place(x, y);
      return scan[r * glass.scanWidth + c]!;
    };
    const black = profile.colours.find((c) => c.name === 'black')!.index;
    const q = blackByQuadrant(view, w, h, black);
    const big = 0.3 * w * 0.3 * h;
    expect(q.topLeft).toBeGreaterThan(0.9 * big);
    expect(q.topRight).toBeGreaterThan(0.9 * 0.15 * w * 0.15 * h);
    expect(q.topRight).toBeLessThan(0.5 * q.topLeft);
    expect(q.bottomLeft + q.bottomRight).toBeLessThan(0.01 * big);
  });
});
