// `calibrate` end to end: the swatch to a PNG and through a driver to the panel emulator, a
// synthetic phone photo read into inks, kept beside the library, and the next render and show
// made with them; export, import and reset; a refusal with its reason and exit code.
import { access, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { parseTrace } from '../../drivers/transports/trace.js';
import { calibratedPanel, inksFile } from '../../src/calibration/inks-file.js';
import { drawSwatch } from '../../src/calibration/swatch.js';
import { instancePaths } from '../../src/library/instance.js';
import { renderForPanel } from '../../src/render/pipeline.js';
import { createGlass, frameFromGlass, replayInto } from '../emulator/glass.js';
import { runCli } from '../support/run-cli.js';
import { differingUnit, photographSwatch } from '../support/swatch-camera.js';

const panel = findPanel('waveshare-7in3e');
const unit = differingUnit(panel);
let dir: string;
let config: string;
let swatchPhoto: string;
let hiddenPhoto: string;
let photo: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'calibrate-cli-'));
  config = path.join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      immich_url: 'http://127.0.0.1:9',
      immich_api_key: 'key-123456',
      storage_dir: path.join(dir, 'storage'),
      panel: panel.id,
    }),
  );
  swatchPhoto = path.join(dir, 'swatch.jpg');
  hiddenPhoto = path.join(dir, 'hidden.jpg');
  const shot = { tiltX: 10, tiltY: -15, gradient: [0.2, 0.1] as [number, number], noise: 2 };
  await writeFile(swatchPhoto, await photographSwatch(panel, unit, shot));
  await writeFile(hiddenPhoto, await photographSwatch(panel, unit, { ...shot, hide: 1 }));
  photo = path.join(dir, 'photo.png');
  const w = 200;
  const h = 120;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i % w) * 1.2, (i / w) * 2, ((i % w) + i / w) * 0.8], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(photo);
});

/** The distinct colours of a PNG. */
async function coloursOf(file: string): Promise<Set<string>> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const out = new Set<string>();
  for (let i = 0; i < data.length; i += info.channels) out.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
  return out;
}

describe('calibrate', () => {
  it('--swatch writes the swatch as the glass shows it: the panel resolution, the catalogue inks', async () => {
    const png = path.join(dir, 'swatch.png');
    const r = await runCli(['calibrate', '--swatch', png, '--panel', 'waveshare-13in3e']);
    expect(r.code).toBe(0);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([1200, 1600]);
    const catalogue = findPanel('waveshare-13in3e').colours.map((c) => c.measured.join(','));
    expect([...(await coloursOf(png))].sort()).toEqual([...catalogue].sort());
  });

  it('--show puts the swatch on the glass through the driver, in the panel format', async () => {
    const trace = path.join(dir, 'swatch.jsonl');
    const id = 'inky-impression-7in3';
    const r = await runCli(['calibrate', '--show', '--panel', id, '--transport', `trace:${trace}`]);
    expect(r.code).toBe(0);
    const driver = driverFor(findPanel(id));
    const emu = await replayInto(
      parseTrace(await readFile(trace, 'utf8')),
      createGlass(driver.name, HATS[driver.hat].pins),
    );
    const onGlass = frameFromGlass(emu.shown[0]!, findPanel(id));
    expect(Buffer.from(onGlass).equals(Buffer.from(drawSwatch(findPanel(id)).indices))).toBe(true);
  });

  it('PHOTO --json prints the inks found in sRGB and Lab, and keeps nothing', async () => {
    const r = await runCli(['calibrate', swatchPhoto, '--json', '--config', config]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { inks: { name: string; rgb: number[]; lab: number[] }[]; saved: null };
    expect(out.inks.map((i) => i.name)).toEqual(panel.colours.map((c) => c.name));
    for (const ink of out.inks) {
      expect(ink.lab).toHaveLength(3);
      ink.rgb.forEach((v, c) => expect(Math.abs(v - unit[ink.name]![c]!)).toBeLessThanOrEqual(6));
    }
    expect(out.saved).toBeNull();
    await expect(
      access(instancePaths({ storage_dir: path.join(dir, 'storage'), instance_id: 'default' }).calibratedInksPath),
    ).rejects.toThrow();
  });

  it('a photo it cannot read exits 8 with the reason, as JSON or as one line', async () => {
    const json = await runCli(['calibrate', hiddenPhoto, '--json', '--panel', panel.id]);
    expect(json.code).toBe(8);
    expect(JSON.parse(json.stdout)).toMatchObject({ refused: { reason: 'markers-not-found' } });
    const text = await runCli(['calibrate', hiddenPhoto, '--panel', panel.id]);
    expect(text.code).toBe(8);
    expect(text.stderr).toMatch(/^error: cannot calibrate from .*hidden\.jpg: found 4 of the swatch's 5 ring markers/);
    expect(text.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--save keeps the inks: render and show use them from then on; --export, --reset and --import', async () => {
    const paths = instancePaths({ storage_dir: path.join(dir, 'storage'), instance_id: 'default' });
    const saved = await runCli(['calibrate', swatchPhoto, '--save', '--config', config]);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain(`kept for this frame in ${paths.calibratedInksPath}`);
    const kept = JSON.parse(await readFile(paths.calibratedInksPath, 'utf8')) as { inks: { rgb: number[] }[] };
    const ownInks = new Set(kept.inks.map((i) => i.rgb.join(',')));

    // The virtual panel shows each ink in the colour the render matched against: the unit's own.
    const png = path.join(dir, 'render.png');
    expect((await runCli(['render', photo, '--out', png, '--config', config])).code).toBe(0);
    expect([...(await coloursOf(png))].every((c) => ownInks.has(c))).toBe(true);

    // show: the glass gets the frame rendered with the unit's inks, not the catalogue's.
    const trace = path.join(dir, 'show.jsonl');
    expect((await runCli(['show', photo, '--config', config, '--transport', `trace:${trace}`])).code).toBe(0);
    const driver = driverFor(panel);
    const emu = await replayInto(
      parseTrace(await readFile(trace, 'utf8')),
      createGlass(driver.name, HATS[driver.hat].pins),
    );
    const own = await renderForPanel(
      photo,
      calibratedPanel(
        panel,
        inksFile(
          panel,
          kept.inks.map((k, i) => ({ name: panel.colours[i]!.name, rgb: k.rgb as [number, number, number] })),
          'photo',
        ),
      ),
    );
    const catalogue = await renderForPanel(photo, panel);
    const onGlass = Buffer.from(frameFromGlass(emu.shown[0]!, panel));
    expect(onGlass.equals(Buffer.from(own.indices))).toBe(true);
    expect(onGlass.equals(Buffer.from(catalogue.indices))).toBe(false);

    const exported = path.join(dir, 'exported', 'inks.json');
    await mkdir(path.dirname(exported), { recursive: true });
    expect((await runCli(['calibrate', '--export', exported, '--config', config])).code).toBe(0);
    expect(JSON.parse(await readFile(exported, 'utf8'))).toEqual(kept);

    expect((await runCli(['calibrate', '--reset', '--config', config])).stdout).toBe("back to the catalogue's inks\n");
    await expect(access(paths.calibratedInksPath)).rejects.toThrow();
    expect((await runCli(['render', photo, '--out', png, '--config', config])).code).toBe(0);
    const catalogueInks = new Set(panel.colours.map((c) => c.measured.join(',')));
    expect([...(await coloursOf(png))].every((c) => catalogueInks.has(c))).toBe(true);

    expect((await runCli(['calibrate', '--import', exported, '--config', config])).code).toBe(0);
    const imported = JSON.parse(await readFile(paths.calibratedInksPath, 'utf8')) as { inks: unknown; source: string };
    expect(imported).toMatchObject({ inks: kept.inks, source: 'import' });
  });

  it('--import of a file for another panel, or with an ink missing, is refused naming the file; nothing is kept', async () => {
    const paths = instancePaths({ storage_dir: path.join(dir, 'storage2'), instance_id: 'default' });
    const cfg = path.join(dir, 'config2.json');
    await writeFile(
      cfg,
      JSON.stringify({ ...JSON.parse(await readFile(config, 'utf8')), storage_dir: path.join(dir, 'storage2') }),
    );
    const other = path.join(dir, 'other.json');
    const acep = findPanel('waveshare-7in3f');
    await writeFile(
      other,
      JSON.stringify(
        inksFile(
          acep,
          acep.colours.map((c) => ({ name: c.name, rgb: c.measured })),
          'hand',
        ),
      ),
    );
    const r = await runCli(['calibrate', '--import', other, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${other} holds the inks of a waveshare-7in3f, and this frame is a waveshare-7in3e\n`);
    const short = path.join(dir, 'short.json');
    const file = inksFile(
      panel,
      panel.colours.map((c) => ({ name: c.name, rgb: c.measured })),
      'hand',
    );
    await writeFile(short, JSON.stringify({ ...file, inks: file.inks.slice(1) }));
    const s = await runCli(['calibrate', '--import', short, '--config', cfg]);
    expect(s.stderr).toBe(`error: ${short} has the waveshare-7in3e's black ink 0 times; it needs it once\n`);
    await expect(access(paths.calibratedInksPath)).rejects.toThrow();
  });

  it('a damaged inks file never stops a render: a warning, and the catalogue inks', async () => {
    const storage = path.join(dir, 'storage3');
    const paths = instancePaths({ storage_dir: storage, instance_id: 'default' });
    await mkdir(paths.instanceDir, { recursive: true });
    await writeFile(paths.calibratedInksPath, '{"format": "artframe-immich-inks", "vers');
    const cfg = path.join(dir, 'config3.json');
    await writeFile(cfg, JSON.stringify({ ...JSON.parse(await readFile(config, 'utf8')), storage_dir: storage }));
    const png = path.join(dir, 'damaged.png');
    const r = await runCli(['render', photo, '--out', png, '--config', cfg]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${paths.calibratedInksPath} is not JSON`);
    const catalogueInks = new Set(panel.colours.map((c) => c.measured.join(',')));
    expect([...(await coloursOf(png))].every((c) => catalogueInks.has(c))).toBe(true);
  });
});
