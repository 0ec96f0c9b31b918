// One refresh with the library's facts and the render stage joined: a portrait photo on a
// landscape frame comes with a partner (the other portrait of the same day) and a paper gutter;
// captions and faces reach the render stage from the synced metadata. Real sync from the
// simulator, real sharp, the virtual panel's PNG.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { VirtualPanel } from '../../drivers/virtual-panel.js';
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/core/log.js';
import { framePhoto, framePhotos } from '../../src/frame/compose.js';
import { photoFacts } from '../../src/library/selection/facts.js';
import { FrameService } from '../../src/frame/service.js';
import { ImmichClient } from '../../src/immich/client.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { Library } from '../../src/library/library.js';
import { syncLibrary } from '../../src/library/sync.js';
import { ManualClock } from '../support/manual-clock.js';

const PANEL = findPanel('waveshare-7in3e'); // 800x480, landscape as it hangs at rotate 0

async function jpeg(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg()
    .toBuffer();
}

let sim: ImmichSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Two portraits of one day (the older one with a face), a landscape of another day, synced. */
async function syncedLibrary(extra: Record<string, unknown> = {}) {
  sim = await startImmichSim({ seed: 5 });
  const older = sim.addAsset({
    bytes: await jpeg(600, 800, [200, 40, 40]),
    originalFileName: 'older-portrait.jpg',
    originalMimeType: 'image/jpeg',
    fileCreatedAt: '2024-06-01T09:00:00.000Z',
    width: 600,
    height: 800,
  });
  const later = sim.addAsset({
    bytes: await jpeg(600, 800, [40, 40, 200]),
    originalFileName: 'later-portrait.jpg',
    originalMimeType: 'image/jpeg',
    fileCreatedAt: '2024-06-01T15:00:00.000Z',
    width: 600,
    height: 800,
  });
  const wide = sim.addAsset({
    bytes: await jpeg(800, 600, [40, 200, 40]),
    originalFileName: 'landscape.jpg',
    originalMimeType: 'image/jpeg',
    fileCreatedAt: '2025-01-01T12:00:00.000Z',
    width: 800,
    height: 600,
  });
  const alice = sim.addPerson({ name: 'Alice' });
  sim.addFace({
    assetId: older.id,
    personId: alice.id,
    x1: 100,
    y1: 80,
    x2: 300,
    y2: 300,
    imageWidth: 600,
    imageHeight: 800,
  });
  const album = sim.addAlbum({ albumName: 'Frame', assetIds: [older.id, later.id, wide.id] });
  const storage = await mkdtemp(path.join(os.tmpdir(), 'compose-'));
  const config = parseConfig({
    immich_url: sim.url,
    immich_api_key: sim.apiKey,
    album_id: album.id,
    storage_dir: storage,
    panel: PANEL.id,
    selection_mode: 'oldest',
    fit: 'contain',
    ...extra,
  });
  const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await syncLibrary({ paths: instancePaths(config), source, config });
  await source.close();
  return { config, storage, ids: { older: older.id, later: later.id, wide: wide.id } };
}

describe('a refresh joins the selection and the render stage', () => {
  it('a portrait photo on a landscape frame comes with the other portrait of its day; the faces and people come along', async () => {
    const { config } = await syncedLibrary();
    const library = new Library({ paths: instancePaths(config), settings: config });
    const selection = await library.nextSelection();
    expect(selection.photo.id).not.toBe('');
    const o = { panel: PANEL, rotate: 0 as const, pairs: true };
    const photos = framePhotos(selection, o);
    expect(photos.map((p) => path.basename(p.path))).toEqual(['older-portrait.jpg', 'later-portrait.jpg']);
    const first = framePhoto(photoFacts(photos[0]!));
    expect(first!.people).toEqual(['Alice']);
    expect(first!.faces).toHaveLength(1);
    expect(first!.takenAt).toBe('2024-06-01T09:00:00.000Z');
    // Pairs off, or a portrait frame (the panel turned 90): one photo.
    expect(framePhotos(selection, { ...o, pairs: false })).toHaveLength(1);
    expect(framePhotos(selection, { ...o, rotate: 90 })).toHaveLength(1);
    // The partner counts as shown: the next pick is the photo not yet on the glass.
    await library.markShown(photos[1]!.id);
    expect(path.basename((await library.nextSelection()).photo.path)).toBe('landscape.jpg');
  });

  it('the service shows the pair on the glass: two photos, a paper gutter between them, and a caption in one small box', async () => {
    const { config, storage } = await syncedLibrary({ caption: ['date'] });
    const logs: string[] = [];
    /** One start of the service (a refresh at once) with this config, onto a PNG. */
    const showOnce = async (c: typeof config, png: string) => {
      const service = new FrameService({
        config: c,
        panel: PANEL,
        openPanel: async () => new VirtualPanel(PANEL, png, 0),
        createSource: () => new ImmichClient({ baseUrl: sim!.url, apiKey: sim!.apiKey }),
        clock: new ManualClock(new Date('2026-06-01T10:00:00Z')),
        logger: createLogger({ write: (l) => void logs.push(l) }),
      });
      await service.start();
      await service.stop();
    };
    const png = path.join(storage, 'glass.png');
    await showOnce(config, png);
    const shown = logs.map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.msg === 'photo shown');
    expect(path.basename(shown!.photo!)).toBe('older-portrait.jpg');
    expect(path.basename(shown!.partner!)).toBe('later-portrait.jpg');

    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const white = PANEL.colours.find((c) => c.name === 'white')!.measured;
    const at = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3),
    ];
    // The middle column is the gutter: paper from top to bottom.
    for (let y = 0; y < info.height; y += 7) expect(at(info.width / 2, y)).toEqual([...white]);
    // Each half shows its photo: the red one left, the blue one right (mostly not paper).
    const inkShare = (x0: number) => {
      let ink = 0;
      for (let y = 100; y < 380; y += 5)
        for (let x = x0; x < x0 + 200; x += 5) if (at(x, y).join() !== white.join()) ink++;
      return ink / ((280 / 5) * (200 / 5));
    };
    expect(inkShare(100)).toBeGreaterThan(0.9);
    expect(inkShare(500)).toBeGreaterThan(0.9);

    // The caption: the same frame without it differs only inside one small box (a corner label).
    const plainPng = path.join(storage, 'plain.png');
    await rm(instancePaths(config).selectionStatePath);
    await rm(instancePaths(config).serviceStatePath);
    await showOnce({ ...config, caption: [] }, plainPng);
    const plain = (await sharp(plainPng).raw().toBuffer({ resolveWithObject: true })).data;
    let box = { x0: Infinity, y0: Infinity, x1: -1, y1: -1 };
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const i = (y * info.width + x) * info.channels;
        if (data[i] !== plain[i] || data[i + 1] !== plain[i + 1] || data[i + 2] !== plain[i + 2]) {
          box = { x0: Math.min(box.x0, x), y0: Math.min(box.y0, y), x1: Math.max(box.x1, x), y1: Math.max(box.y1, y) };
        }
      }
    }
    expect(box.x1).toBeGreaterThan(-1);
    const area = (box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1);
    expect(area).toBeLessThan((info.width * info.height) / 16);
  });
});
