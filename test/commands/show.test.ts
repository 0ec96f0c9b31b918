// `show` and `clear` end to end: a real photo through the render stage and a driver into a
// trace file, and the trace replayed into the panel emulator, which must show the rendered pixels.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { parseTrace } from '../../drivers/transports/trace.js';
import { renderForPanel } from '../../src/render/pipeline.js';
import { createGlass, frameFromGlass, replayInto } from '../emulator/glass.js';
import { whiteIndex } from '../emulator/frames.js';
import { runCli } from '../support/run-cli.js';

let dir: string;
let photo: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'show-'));
  photo = path.join(dir, 'photo.png');
  // A photo with every hue and both ends of the grey scale, so every ink gets used.
  const w = 320;
  const h = 200;
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      rgb[i] = (x * 255) / w;
      rgb[i + 1] = (y * 255) / h;
      rgb[i + 2] = ((x + y) * 255) / (w + h);
    }
  }
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(photo);
});

async function replay(file: string, panelId: string) {
  const driver = driverFor(findPanel(panelId));
  const pins = HATS[driver.hat].pins;
  return replayInto(parseTrace(await readFile(file, 'utf8')), createGlass(driver.name, pins));
}

describe('show and clear', () => {
  it.each([
    'waveshare-7in3e',
    'waveshare-7in5-v2',
    'inky-impression-7in3',
    'waveshare-13in3e',
    'inky-impression-4in-spectra6',
  ])('show PHOTO --transport trace:FILE puts the rendered pixels on %s', async (panelId) => {
    const trace = path.join(dir, `${panelId}.jsonl`);
    const r = await runCli(['show', photo, '--panel', panelId, '--transport', `trace:${trace}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`shown ${photo} on ${panelId} via trace:${trace}`);
    const emu = await replay(trace, panelId);
    const expected = await renderForPanel(photo, findPanel(panelId));
    expect(emu.shown).toHaveLength(1);
    const onGlass = frameFromGlass(emu.shown[0]!, findPanel(panelId));
    expect(Buffer.from(onGlass).equals(Buffer.from(expected.indices))).toBe(true);
    // Waveshare's drivers end in deep sleep; Pimoroni's do not send one.
    expect(emu.isAsleep).toBe(findPanel(panelId).vendor === 'Waveshare');
  });

  it('show --dry-run writes the trace to stdout and nothing else', async () => {
    const r = await runCli(['show', photo, '--panel', 'waveshare-5in65f', '--dry-run']);
    expect(r.code).toBe(0);
    const file = path.join(dir, 'dry.jsonl');
    await writeFile(file, r.stdout);
    const emu = await replay(file, 'waveshare-5in65f');
    expect(emu.shown).toHaveLength(1);
  });

  it('show without PHOTO shows the next photo of the library', async () => {
    const storage = path.join(dir, 'storage');
    const photos = path.join(storage, 'plugins/immich/default/photos');
    await mkdir(photos, { recursive: true });
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#1030c0' } })
      .jpeg()
      .toFile(path.join(photos, 'blue.jpg'));
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        immich_url: 'http://127.0.0.1:9',
        immich_api_key: 'key-123456',
        storage_dir: storage,
        panel: 'waveshare-7in3f',
      }),
    );
    const trace = path.join(dir, 'library.jsonl');
    const r = await runCli(['show', '--config', config, '--transport', `trace:${trace}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`shown ${path.join(photos, 'blue.jpg')} on waveshare-7in3f`);
    const emu = await replay(trace, 'waveshare-7in3f');
    const blue = findPanel('waveshare-7in3f').colours.find((c) => c.name === 'blue')!.index;
    const shown = emu.shown[0]!;
    expect(shown.filter((i) => i === blue).length).toBeGreaterThan(shown.length / 2);
  });

  it('clear --transport trace:FILE turns every pixel white', async () => {
    const trace = path.join(dir, 'clear.jsonl');
    const r = await runCli(['clear', '--panel', 'inky-impression-7in3-spectra6', '--transport', `trace:${trace}`]);
    expect(r.code).toBe(0);
    const emu = await replay(trace, 'inky-impression-7in3-spectra6');
    const white = whiteIndex(findPanel('inky-impression-7in3-spectra6'));
    expect(emu.shown[0]!.every((i) => i === white)).toBe(true);
  });

  it('an unknown transport exits 2 naming the ones there are', async () => {
    const r = await runCli(['clear', '--panel', 'waveshare-7in3e', '--transport', 'usb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: transport "usb" is not one of rpio, trace:FILE, serial:PATH, virtual:FILE.png\n');
  });

  it('show --transport virtual:FILE.png writes what the glass would show, in the measured inks', async () => {
    const out = path.join(dir, 'virtual.png');
    const r = await runCli(['show', photo, '--panel', 'waveshare-7in3e', '--transport', `virtual:${out}`]);
    expect(r.code).toBe(0);
    const panel = findPanel('waveshare-7in3e');
    const frame = await renderForPanel(photo, panel);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([panel.width, panel.height]);
    const byIndex = new Map(panel.colours.map((c) => [c.index, c.measured]));
    for (const i of [0, 1234, 99_999, frame.indices.length - 1]) {
      expect([...data.subarray(i * info.channels, i * info.channels + 3)]).toEqual([
        ...byIndex.get(frame.indices[i]!)!,
      ]);
    }
  });

  it("the config's panel_pins move the panel's lines (here BUSY to BCM 23)", async () => {
    const cfg = path.join(dir, 'pins.json');
    await writeFile(
      cfg,
      JSON.stringify({
        immich_url: 'http://x.invalid',
        immich_api_key: 'k-123456',
        panel: 'waveshare-7in3e',
        panel_pins: 'busy=23',
      }),
    );
    const trace = path.join(dir, 'pins.jsonl');
    const r = await runCli(['show', photo, '--config', cfg, '--transport', `trace:${trace}`]);
    expect(r.code).toBe(0);
    const reads = parseTrace(await readFile(trace, 'utf8')).filter((t) => t.op === 'read');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((t) => t.op === 'read' && t.pin === 23)).toBe(true);
  });

  it('show without a panel says how to name one', async () => {
    const r = await runCli(['show', photo, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('which panel? pass --panel ID');
  });
});
