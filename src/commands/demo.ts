// `demo`: the whole path without a server or a panel. A built-in Immich-compatible server on
// loopback with generated photos, a real sync into a temporary library, and a few frames rendered
// on the virtual panel (PNG files of what the glass would show). Without --out it works in a new
// temporary folder: the library in it goes at exit, the PNGs stay (they are what the demo made)
// and the last line says where they are and that the folder is the user's to delete.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findPanel } from '../../drivers/panels.js';
import { openPanel } from '../../drivers/registry.js';
import { parseConfig } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import { ImmichClient } from '../immich/client.js';
import { generateSamplePhoto, seedSampleLibrary } from '../immich-sim/sample-photos.js';
import { startImmichSim } from '../immich-sim/server.js';
import { syncLibrary } from '../library/sync.js';
import { renderSelection } from '../frame/compose.js';
import { Library } from '../library/library.js';
import { frameOptionsFromConfig, renderOptionsFromConfig } from '../render/options.js';
import type { Command } from './command.js';
import { instancePaths } from '../library/instance.js';
import { makeFolders } from '../core/folders.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'see the whole path work: a built-in server, a sync, frames rendered to PNG',
  usage: 'demo [--out DIR] [--panel ID] [--photos N] [--frames N] [--web] [--port N]',
  options: [
    '--out DIR     where the library and the PNGs go (default: a new folder in the temp dir)',
    '--panel ID    the panel to render for (default waveshare-7in3e; see `artframe-immich panels`)',
    '--photos N    photos on the built-in server (default 12)',
    '--frames N    frames to render (default 3)',
    '--web         then keep the demo frame running with its page (on 127.0.0.1) until Ctrl-C',
    "--port N      the page's port with --web (default 8080)",
  ],
  examples: [
    'artframe-immich demo',
    'artframe-immich demo --panel inky-impression-7in3 --out ./demo',
    'artframe-immich demo --web',
  ],
  async run(ctx) {
    const { values } = parseArgs({
      args: ctx.args,
      options: {
        out: { type: 'string' },
        panel: { type: 'string' },
        photos: { type: 'string' },
        frames: { type: 'string' },
        web: { type: 'boolean' },
        port: { type: 'string' },
      },
    });
    const port = wholeNumber('--port', values.port ?? '8080', 0, 65535);
    const count = wholeNumber('--photos', values.photos ?? '12', 1, 200);
    const frames = wholeNumber('--frames', values.frames ?? '3', 1, 20);
    const panel = findPanel(values.panel ?? 'waveshare-7in3e');
    // The command's environment names the temp dir (TMPDIR), as os.tmpdir() does for the process.
    const temporary = values.out === undefined;
    const out = values.out
      ? path.resolve(values.out)
      : await mkdtemp(path.join(ctx.env['TMPDIR'] || os.tmpdir(), 'artframe-demo-'));
    await makeFolders(out);
    let finished = false;
    const say = (line: string) => ctx.stdout(line + '\n');

    const started = performance.now();
    const sim = await startImmichSim({ seed: 2026 });
    try {
      // Two of the photos are portraits from the newest day, so the first frame shows a portrait pair.
      const pairDays = count >= 2 ? ['2024-06-08T09:10:00.000Z', '2024-06-08T17:40:00.000Z'] : [];
      const seeded = await seedSampleLibrary(sim, { count: count - pairDays.length, seed: 2026, sizes: 'mixed' });
      for (const [i, at] of pairDays.entries()) {
        const s = await generateSamplePhoto(i, { seed: 2026, sizes: 'portrait' });
        const a = sim.addAsset({
          bytes: s.bytes,
          originalFileName: `portrait-${i + 1}.jpg`,
          originalMimeType: s.mimeType,
          fileCreatedAt: at,
          width: s.width,
          height: s.height,
          info: { orientation: s.mimeType === 'image/jpeg' ? s.orientation : null },
        });
        sim.addToAlbum(seeded.album.id, [a.id]);
        seeded.photos.push(a);
      }
      // What Immich would know of them: where each was taken, and who is on the portraits.
      const places = [
        ['Lisbon', 'Portugal'],
        ['Kyoto', 'Japan'],
        ['Oaxaca', 'Mexico'],
      ] as const;
      const ada = sim.addPerson({ name: 'Ada' });
      seeded.photos.forEach((p, i) => {
        const [city, country] = places[i % places.length]!;
        sim.updateAsset(p.id, { city, country });
        const { width: w, height: h } = p;
        if (w && h && h > w) {
          const box = { x1: w * 0.3, y1: h * 0.2, x2: w * 0.7, y2: h * 0.45 };
          sim.addFace({ assetId: p.id, personId: ada.id, ...box, imageWidth: w, imageHeight: h });
        }
      });
      say(`1. A built-in Immich server (simulated v3.1.0) is running at ${sim.url}`);
      say(`   with an album "${seeded.album.albumName}" of ${seeded.photos.length} generated photos and a video.`);

      const raw = {
        immich_url: sim.url,
        immich_api_key: sim.apiKey,
        album_id: seeded.album.id,
        storage_dir: path.join(out, 'storage'),
        selection_mode: 'newest',
        panel: panel.id,
      };
      const config = parseConfig({ ...raw, caption: ['date', 'place', 'people'] });
      const paths = instancePaths(config);
      const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
      let outcome;
      try {
        outcome = await syncLibrary({ paths, source, config });
      } finally {
        await source.close();
      }
      if (outcome.kind !== 'synced') throw new Error('the demo sync did not run');
      const r = outcome.result;
      say(`2. Synced the album into ${paths.photosDir}`);
      say(`   ${r.added} photos downloaded and verified (${(r.bytes / 1e6).toFixed(1)} MB), the video left out.`);

      say(
        `3. Rendered for ${panel.name} (${panel.width}x${panel.height}, ${panel.colours.length} inks), newest first:`,
      );
      // The service's own path: the selection, a partner for a portrait photo, captions.
      const library = new Library({ paths, settings: config });
      const compose = { panel, rotate: config.rotate, pairs: config.portrait_pairs };
      const options = { ...renderOptionsFromConfig(config), ...frameOptionsFromConfig(config) };
      for (let i = 1; i <= frames; i++) {
        const {
          frame,
          paths: shown,
          partner,
        } = await renderSelection(await library.nextSelection(), {
          ...compose,
          options,
        });
        if (partner) await library.markShown(partner.id);
        const png = path.join(out, `frame-${i}.png`);
        const virtual = await openPanel(panel, `virtual:${png}`, { rotate: frame.rotate });
        await virtual.show(frame.buffer);
        await virtual.close();
        const names = shown.map((p) => path.basename(p));
        say(`   ${png}  <- ${names.join(' + ')}${names.length > 1 ? ' (a portrait pair)' : ''}`);
      }
      say(
        `Done in ${((performance.now() - started) / 1000).toFixed(1)} s. Open the PNGs to see what the frame would show.`,
      );
      if (values.web) {
        const { runDemoFrame } = await import('./demo-web.js');
        await runDemoFrame({ ctx, out, port, panel, raw: { ...raw, caption: ['date', 'place', 'people'] } });
      } else say('Next: point a config at your own server (README, "Configuration") and run `artframe-immich test`.');
      if (temporary)
        say(
          `The PNGs stay in ${out}, a temporary folder made for this demo (its synced library was removed): delete it when done, or give --out DIR to choose the folder.`,
        );
      finished = true;
    } finally {
      await sim.close();
      // A temporary folder keeps only the PNGs, and nothing at all when the demo failed.
      if (temporary) await rm(finished ? path.join(out, 'storage') : out, { recursive: true, force: true });
    }
    return 0;
  },
};

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${flag} ${text} is not allowed; expected a whole number from ${min} to ${max}`);
  }
  return n;
}
