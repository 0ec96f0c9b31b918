// Whole-library mode shows Immich's timeline (issue 10, point 2): no archived photos and one photo
// per stack (its primary) unless include_archived / include_stacked; album mode is the album page.
import { afterEach, describe, expect, it } from 'vitest';
import { formatPlan } from '../../src/library/plan.js';
import { syncLibrary } from '../../src/library/sync.js';
import { startFrame, type TestFrame } from '../support/frame-sim.js';

const frames: TestFrame[] = [];
afterEach(async () => {
  await Promise.all(frames.splice(0).map((f) => f.close()));
});

async function timelineFrame() {
  const f = await startFrame({ count: 6, withVideo: false });
  frames.push(f);
  const [a, b, c, d] = f.seeded.photos;
  f.sim.archive(a!.id);
  // A burst: c is the primary, d is behind it.
  f.sim.addStack([c!.id, d!.id]);
  return { f, archived: a!, plain: b!, primary: c!, member: d! };
}

const synced = async (f: TestFrame) => Object.keys((await f.metadata()).synced_assets).sort();

describe('whole-library mode is the timeline', () => {
  it('leaves out archived photos and non-primary stack members, and says so', async () => {
    const { f, archived, primary, member } = await timelineFrame();
    const out = await f.sync({ config: { album_id: '' } });
    const ids = await synced(f);
    expect(ids).toHaveLength(4);
    expect(ids).not.toContain(archived.id);
    expect(ids).not.toContain(member.id);
    expect(ids).toContain(primary.id);
    expect(out.plan.hidden).toEqual({ archived: 1, stacked: 1 });
    // One GET /api/stacks per sync is all it costs.
    expect(f.sim.requests.filter((r) => r.route === 'stacks')).toHaveLength(1);
  });

  it('include_archived and include_stacked keep them', async () => {
    const { f, archived, member } = await timelineFrame();
    await f.sync({ config: { album_id: '', include_archived: true, include_stacked: true } });
    const ids = await synced(f);
    expect(ids).toHaveLength(6);
    expect(ids).toEqual(expect.arrayContaining([archived.id, member.id]));
    // The stacks are still asked for, once: each photo's info names its stack.
    expect(f.sim.requests.filter((r) => r.route === 'stacks')).toHaveLength(1);
  });

  it('a photo archived after it was synced leaves the frame, and the dry run says why', async () => {
    const { f, plain } = await timelineFrame();
    await f.sync({ config: { album_id: '' } });
    f.sim.archive(plain.id);
    const dry = await syncLibrary({
      paths: f.paths,
      source: f.client,
      config: { ...f.config, album_id: '' },
      dryRun: true,
    });
    if (dry.kind !== 'dry-run') throw new Error(dry.kind);
    expect(formatPlan(dry.plan)).toContain(`(${plain.id}, archived (include_archived keeps archived photos))`);
    const out = await f.sync({ config: { album_id: '' } });
    expect(out.result.removed).toBe(1);
  });

  it('album mode keeps the album page as it is: archived photos and every stack member', async () => {
    const { f, archived, member } = await timelineFrame();
    await f.sync();
    expect(await synced(f)).toEqual(expect.arrayContaining([archived.id, member.id]));
    expect(await synced(f)).toHaveLength(6);
  });

  it('a key without stack.read still syncs the library, every stack member shown, with a warning', async () => {
    const { f, member } = await timelineFrame();
    const key = f.sim.addApiKey(f.sim.userId, ['asset.read', 'album.read', 'asset.download', 'asset.view']);
    const lines: string[] = [];
    const { ImmichClient } = await import('../../src/immich/client.js');
    const { createLogger } = await import('../../src/core/log.js');
    const client = new ImmichClient({
      baseUrl: f.sim.url,
      apiKey: key,
      logger: createLogger({ format: 'json', write: (l) => lines.push(l) }),
    });
    try {
      await f.sync({ source: client, config: { album_id: '' } });
    } finally {
      await client.close();
    }
    expect(await synced(f)).toContain(member.id);
    expect(lines.join('\n')).toContain('lacks stack.read');
  });

  it.each([
    ['album mode', {}],
    ['whole-library mode', { album_id: '' }],
    ['whole-library mode with include_stacked', { album_id: '', include_stacked: true }],
  ])('%s: each photo of a stack records it from GET /api/stacks (search items carry none)', async (_, config) => {
    const { f, plain, primary, member } = await timelineFrame();
    await f.sync({ config });
    const records = (await f.metadata()).synced_assets;
    const stack = { id: expect.any(String) as string, primary_asset_id: primary.id };
    expect(records[primary.id]!.info!.stack).toEqual(stack);
    if (records[member.id]) expect(records[member.id]!.info!.stack).toEqual(records[primary.id]!.info!.stack);
    expect(records[plain.id]!.info!.stack).toBeNull();
    // The search answers themselves had no stack: the one GET /api/stacks did it.
    expect(f.sim.requests.filter((r) => r.route === 'stacks')).toHaveLength(1);
  });
});
