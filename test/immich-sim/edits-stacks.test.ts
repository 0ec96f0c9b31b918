// The simulator's edits, stacks and per-permission refusals against the recorded v3.1.0 answers
// (test/fixtures/immich-v3.1.0-added: fixtures recorded on 2026-12-02, after the main set): the
// same statuses, headers, field sets and pixel sizes for the same operations.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';

const DIR = fileURLToPath(new URL('../fixtures/immich-v3.1.0-added/', import.meta.url));
type Json = Record<string, unknown>;
interface Fixture {
  request: { query: Record<string, string> | null };
  response: { status: number; headers: Record<string, string>; body: Json };
}
const load = (name: string) => JSON.parse(readFileSync(DIR + name + '.json', 'utf8')) as Fixture;

const sims: ImmichSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** DSC_1013.JPG (1920x1080) edited as recorded (crop 1000x1080, rotate 90), DSC_1014.JPG not. */
async function editedScene() {
  const s = await startImmichSim({ seed: 13 });
  sims.push(s);
  const jpeg = (seed: number) =>
    sharp({ create: { width: 1920, height: 1080, channels: 3, background: { r: seed, g: 90, b: 40 } } })
      .jpeg()
      .toBuffer();
  const edited = s.addAsset({ bytes: await jpeg(10), originalFileName: 'DSC_1013.JPG', width: 1920, height: 1080 });
  const plain = s.addAsset({ bytes: await jpeg(20), originalFileName: 'DSC_1014.JPG', width: 1920, height: 1080 });
  const recorded = load('asset-edits-get').response.body['edits'] as { action: string; parameters: unknown }[];
  const before = edited.updatedAt;
  s.setEdits(
    edited.id,
    recorded.map(({ action, parameters }) => ({ action, parameters }) as never),
  );
  expect(edited.updatedAt > before).toBe(true);
  return { s, edited, plain };
}

async function get(s: ImmichSim, path: string, apiKey = s.apiKey) {
  const res = await fetch(s.url + path, { headers: { 'x-api-key': apiKey }, redirect: 'manual' });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const keysOf = (o: unknown) => Object.keys(o as Json).sort();
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('base64');
async function pixelSize(bytes: Buffer) {
  const m = await sharp(bytes).metadata();
  return [m.width, m.height];
}

describe('edits, as recorded', () => {
  it('GET /api/assets/{id}: isEdited, the edited width/height, the original EXIF size', async () => {
    const { s, edited } = await editedScene();
    const want = load('asset-get-edited').response.body;
    const { bytes } = await get(s, `/api/assets/${edited.id}`);
    const body = JSON.parse(bytes.toString()) as Json;
    expect(keysOf(body)).toEqual(keysOf(want));
    expect([body['isEdited'], body['width'], body['height']]).toEqual([true, want['width'], want['height']]);
    expect((body['exifInfo'] as Json)['exifImageWidth']).toBe((want['exifInfo'] as Json)['exifImageWidth']);
  });

  it('GET /api/assets/{id}/edits lists the edits in order', async () => {
    const { s, edited } = await editedScene();
    const want = load('asset-edits-get').response.body;
    const body = JSON.parse((await get(s, `/api/assets/${edited.id}/edits`)).bytes.toString()) as Json;
    expect(keysOf(body)).toEqual(keysOf(want));
    const strip = (e: unknown) => (e as Json[]).map(({ action, parameters }) => ({ action, parameters }));
    expect(strip(body['edits'])).toEqual(strip(want['edits']));
    expect((body['edits'] as Json[]).every((e) => typeof e['id'] === 'string')).toBe(true);
  });

  it('/original?edited=true: the edited JPEG named .jpeg, not the checksum; unedited: the original', async () => {
    const { s, edited, plain } = await editedScene();
    const want = load('original-edited-edited-true').response;
    const a = await get(s, `/api/assets/${edited.id}/original?edited=true`);
    expect(a.res.status).toBe(want.status);
    expect(a.res.headers.get('content-type')).toBe(want.headers['content-type']);
    expect(a.res.headers.get('content-disposition')).toBe(want.headers['content-disposition']);
    expect(await pixelSize(a.bytes)).toEqual(want.body['pixelSize']);
    expect(sha1(a.bytes)).not.toBe(edited.checksum);
    const b = await get(s, `/api/assets/${plain.id}/original?edited=true`);
    expect(load('original-unedited-edited-true').response.body['sha1MatchesAssetChecksum']).toBe(true);
    expect(sha1(b.bytes)).toBe(plain.checksum);
  });

  it('/thumbnail?size=fullsize&edited=true: 200 edited for an edited asset, 302 to the preview otherwise', async () => {
    const { s, edited, plain } = await editedScene();
    const yes = load('thumbnail-edited-fullsize-edited-true').response;
    const a = await get(s, `/api/assets/${edited.id}/thumbnail?size=fullsize&edited=true`);
    expect(a.res.status).toBe(yes.status);
    expect(a.res.headers.get('content-disposition')).toBe(yes.headers['content-disposition']);
    expect(await pixelSize(a.bytes)).toEqual(yes.body['pixelSize']);
    const no = load('thumbnail-unedited-fullsize-edited-true').response;
    const b = await get(s, `/api/assets/${plain.id}/thumbnail?size=fullsize&edited=true`);
    expect(b.res.status).toBe(no.status);
    expect(b.res.headers.get('location')).toBe(`/api/assets/${plain.id}/thumbnail?size=preview&edited=true`);
  });

  it('/thumbnail?size=preview&edited=true is the edited preview; edited=True is a 400 as recorded', async () => {
    const { s, edited } = await editedScene();
    const want = load('thumbnail-edited-preview-edited-true').response;
    const a = await get(s, `/api/assets/${edited.id}/thumbnail?size=preview&edited=true`);
    expect(await pixelSize(a.bytes)).toEqual(want.body['pixelSize']);
    const bad = load('error-thumbnail-edited-capitalised-true').response;
    const b = await get(s, `/api/assets/${edited.id}/thumbnail?size=preview&edited=True`);
    expect(b.res.status).toBe(bad.status);
    expect(JSON.parse(b.bytes.toString())).toEqual(bad.body);
  });
});

describe('stacks and permissions, as recorded', () => {
  it('GET /api/stacks and the asset detail carry the recorded fields; search withStacked:false drops members', async () => {
    const { s, edited, plain } = await editedScene();
    const stack = s.addStack([plain.id, edited.id]);
    const want = load('stacks-list').response.body as unknown as Json[];
    const list = JSON.parse((await get(s, '/api/stacks')).bytes.toString()) as Json[];
    expect(list.map(keysOf)).toEqual(want.map(keysOf));
    expect(list[0]).toMatchObject({ id: stack.id, primaryAssetId: plain.id });
    const members = (list[0]!['assets'] as Json[]).map((a) => a['id']);
    expect(members).toEqual([plain.id, edited.id]);
    for (const [name, id] of [
      ['asset-get-stack-primary', plain.id],
      ['asset-get-stack-member', edited.id],
    ] as const) {
      const recorded = load(name).response.body['stack'] as Json;
      const body = JSON.parse((await get(s, `/api/assets/${id}`)).bytes.toString()) as Json;
      expect(keysOf(body['stack'])).toEqual(keysOf(recorded));
      expect(body['stack']).toMatchObject({ id: stack.id, primaryAssetId: plain.id, assetCount: 2 });
    }
    const res = await fetch(`${s.url}/api/search/metadata`, {
      method: 'POST',
      headers: { 'x-api-key': s.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ withStacked: false }),
    });
    expect(((await res.json()) as { assets: { items: unknown[] } }).assets.items).toHaveLength(0);
  });

  it('a key with asset.download but not asset.view: originals yes, renderings 403 naming asset.view', async () => {
    const { s, plain } = await editedScene();
    const key = s.addApiKey(s.userId, ['asset.read', 'asset.download']);
    expect((await get(s, `/api/assets/${plain.id}/original`, key)).res.status).toBe(200);
    const refused = await get(s, `/api/assets/${plain.id}/thumbnail?size=preview`, key);
    expect(refused.res.status).toBe(403);
    expect(JSON.parse(refused.bytes.toString())).toEqual({ message: 'Missing required permission: asset.view' });
    expect((await get(s, '/api/stacks', key)).res.status).toBe(403);
  });
});
