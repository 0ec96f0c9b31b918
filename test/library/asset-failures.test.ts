// One bad asset never stops a sync (issue 10, points 3 and 4): a key with asset.download but not
// asset.view gets every original and fails only the photos that need a server rendering, each
// reported once with its reason and fix; the result counts failures by reason; the next sync
// retries them.
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { ImmichClient } from '../../src/immich/client.js';
import { isPhotoTemp } from '../../src/library/store.js';
import { startFrame, type TestFrame } from '../support/frame-sim.js';

const frames: TestFrame[] = [];
const clients: ImmichClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(frames.splice(0).map((f) => f.close()));
});

async function frame() {
  const f = await startFrame({ count: 8, withVideo: false });
  frames.push(f);
  return f;
}

function clientWith(f: TestFrame, apiKey: string, lines: string[] = []) {
  const c = new ImmichClient({
    baseUrl: f.sim.url,
    apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    logger: createLogger({ format: 'json', write: (l) => lines.push(l) }),
  });
  clients.push(c);
  return c;
}

describe('one failing asset', () => {
  it('a key without asset.view: originals land, the HEIC fails once with reason and fix, the rest go on', async () => {
    const f = await frame();
    const key = f.sim.addApiKey(f.sim.userId, ['asset.read', 'album.read', 'asset.download']);
    const lines: string[] = [];
    const out = await f.sync({
      source: clientWith(f, key, lines),
      logger: createLogger({ format: 'json', write: (l) => lines.push(l) }),
    });
    const heic = f.seeded.photos.find((p) => p.originalFileName.endsWith('.HEIC'))!;
    expect(out.result).toMatchObject({ added: 7, failed: 1, failed_by_reason: { permission: 1 } });
    expect(out.result.failures).toEqual([
      expect.objectContaining({
        id: heic.id,
        reason: 'permission',
        error: expect.stringContaining('give the key asset.view'),
      }),
    ]);
    // Reported once for that asset in this sync, and asked for once (no retries that cannot help).
    const reports = lines.filter((l) => l.includes('a photo could not be fetched') && l.includes(heic.id));
    expect(reports).toHaveLength(1);
    expect(f.downloads().filter((d) => d.assetId === heic.id)).toHaveLength(1);
    expect(Object.keys((await f.metadata()).synced_assets)).not.toContain(heic.id);

    // The next sync (the key fixed) tries it again and it lands.
    f.sim.clearRequests();
    const again = await f.sync();
    expect(again.result).toMatchObject({ added: 1, failed: 0 });
    // (fullsize answers a redirect to the preview: two requests, one photo)
    expect([...new Set(f.downloads().map((d) => d.assetId))]).toEqual([heic.id]);
  });

  it('a 404 for a rendering, a checksum mismatch and a broken body fail only their photo, counted by reason', async () => {
    const f = await frame();
    const [a, b] = f.seeded.photos.filter((p) => p.originalMimeType === 'image/jpeg');
    const heic = f.seeded.photos.find((p) => p.originalFileName.endsWith('.HEIC'))!;
    f.sim.injectFault({
      route: 'thumbnail',
      assetId: heic.id,
      times: Infinity,
      fault: { kind: 'status', status: 404, body: { message: 'Asset media not found' } },
    });
    f.sim.injectFault({ route: 'original', assetId: a!.id, times: Infinity, fault: { kind: 'wrong-bytes' } });
    f.sim.injectFault({ route: 'original', assetId: b!.id, times: Infinity, fault: { kind: 'truncate' } });
    const out = await f.sync();
    expect(out.result.added).toBe(5);
    expect(out.result.failed_by_reason).toEqual({ 'not-rendered': 1, checksum: 1, download: 1 });
    const heicFailure = out.result.failures.find((x) => x.id === heic.id)!;
    expect(heicFailure.error).toContain('has no fullsize rendering of it (yet)');
    expect(heicFailure.error).not.toMatch(/gone|drops out/);
    // Each temp file is created while its request is on the way: the refused answers and the
    // broken bodies leave none behind.
    expect((await readdir(f.paths.photosDir)).filter((n) => isPhotoTemp(n))).toEqual([]);
  });
});
