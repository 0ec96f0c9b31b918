import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { PANELS } from '../../drivers/panels.js';
import { runCli } from '../support/run-cli.js';

let dir: string;
let photo: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'render-cli-'));
  photo = path.join(dir, 'photo.jpg');
  await sharp({
    create: {
      width: 600,
      height: 400,
      channels: 3,
      background: '#000000',
      noise: { type: 'gaussian', mean: 120, sigma: 70 },
    },
  })
    .blur(4)
    .jpeg()
    .toFile(photo);
});

describe('render and panels commands', () => {
  it('render writes the virtual panel PNG and the packed frame buffer', async () => {
    const png = path.join(dir, 'out', 'frame.png');
    const bin = path.join(dir, 'frame.bin');
    const r = await runCli([
      'render',
      photo,
      '--panel',
      'waveshare-7in3e',
      '--out',
      png,
      '--buffer',
      bin,
      '--dither',
      'atkinson',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${png} (waveshare-7in3e, 800x480, atkinson,`);
    expect((await readFile(bin)).length).toBe(192000);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 800, 480]);
  });

  it('render --rotate 90 writes the picture as the portrait frame shows it', async () => {
    const png = path.join(dir, 'portrait.png');
    const r = await runCli([
      'render',
      photo,
      '--panel',
      'waveshare-7in5-v2',
      '--rotate',
      '90',
      '--fit',
      'contain',
      '--out',
      png,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { bytes: number; options: { rotate: number; fit: string } };
    expect(out.bytes).toBe(48000);
    expect(out.options).toMatchObject({ rotate: 90, fit: 'contain' });
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([480, 800]);
  });

  it('render takes the display keys from the config, and flags override them', async () => {
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        immich_url: 'http://immich.local',
        immich_api_key: 'key-123456',
        panel: 'waveshare-5in65f',
        dither: 'stucki',
      }),
    );
    const png = path.join(dir, 'configured.png');
    const fromConfig = await runCli(['render', photo, '--config', config, '--out', png]);
    expect(fromConfig.stdout).toContain('(waveshare-5in65f, 600x448, stucki,');
    const overridden = await runCli(['render', photo, '--config', config, '--out', png, '--dither', 'bayer-4']);
    expect(overridden.stdout).toContain('(waveshare-5in65f, 600x448, bayer-4,');
  });

  it('an unreadable photo exits 5 with one line naming it', async () => {
    const bad = path.join(dir, 'bad.jpg');
    await writeFile(bad, 'not a jpeg');
    const r = await runCli(['render', bad, '--panel', 'waveshare-7in3e', '--out', path.join(dir, 'x.png')]);
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(bad);
  });

  it('an unknown panel or dither algorithm exits 2 and lists what is allowed', async () => {
    const out = path.join(dir, 'x.png');
    const panel = await runCli(['render', photo, '--panel', 'lcd-1080p', '--out', out]);
    expect(panel.code).toBe(2);
    expect(panel.stderr).toContain('known panels: waveshare-7in3e');
    const dither = await runCli([
      'render',
      photo,
      '--panel',
      'waveshare-7in3e',
      '--dither',
      'blue-noise',
      '--out',
      out,
    ]);
    expect(dither.code).toBe(2);
    expect(dither.stderr).toContain('floyd-steinberg | atkinson');
  });

  it('render without --out exits 2', async () => {
    const r = await runCli(['render', photo, '--panel', 'waveshare-7in3e']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out');
  });

  it('panels lists every panel id; --json gives the whole catalogue', async () => {
    const text = await runCli(['panels']);
    expect(text.code).toBe(0);
    for (const p of PANELS) expect(text.stdout).toContain(p.id);
    const json = await runCli(['panels', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(PANELS)));
  });
});
