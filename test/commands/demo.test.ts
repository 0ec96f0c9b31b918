// `npm run demo` is the README's first command: it must show the whole path working on a machine
// with no server and no panel.
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { runCli } from '../support/run-cli.js';

describe('demo', () => {
  it('syncs from the built-in server and writes frames the size of the panel, in its inks', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'demo-'));
    const r = await runCli(['demo', '--out', out, '--photos', '4', '--frames', '2', '--panel', 'waveshare-7in3f']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 photos downloaded and verified');
    // The newest two are portraits of one day: the first frame shows them side by side.
    expect(r.stdout).toMatch(/frame-1\.png {2}<- portrait-\d\.jpg \+ portrait-\d\.jpg \(a portrait pair\)/);
    const panel = findPanel('waveshare-7in3f');
    const pngs = (await readdir(out)).filter((f) => f.endsWith('.png')).sort();
    expect(pngs).toEqual(['frame-1.png', 'frame-2.png']);
    const inks = new Set(panel.colours.map((c) => c.measured.join(',')));
    for (const png of pngs) {
      expect(r.stdout).toContain(path.join(out, png));
      const { data, info } = await sharp(path.join(out, png)).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([panel.width, panel.height]);
      for (let i = 0; i < data.length; i += info.channels * 997) {
        expect(inks.has(`${data[i]},${data[i + 1]},${data[i + 2]}`)).toBe(true);
      }
    }
    const photos = await readdir(path.join(out, 'storage/plugins/immich/default/photos'));
    expect(photos).toHaveLength(4);
  });

  it('without --out, the temporary folder keeps only the PNGs, and the last line says where and why', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'demo-tmp-'));
    const r = await runCli(['demo', '--photos', '2', '--frames', '1'], { TMPDIR: tmp });
    expect(r.code).toBe(0);
    const [made, ...others] = await readdir(tmp);
    expect(others).toEqual([]);
    const folder = path.join(tmp, made!);
    expect(await readdir(folder)).toEqual(['frame-1.png']);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe(
      `The PNGs stay in ${folder}, a temporary folder made for this demo (its synced library was removed): delete it when done, or give --out DIR to choose the folder.`,
    );
  });

  it('a bad --photos value is one line naming the flag', async () => {
    const r = await runCli(['demo', '--photos', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --photos lots is not allowed; expected a whole number from 1 to 200\n');
  });
});
