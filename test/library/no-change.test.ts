// The no-change fast path (no-change.ts) against the simulated Immich and a real library: a sync
// that sees what the last unchanged sync saw, answer for answer, skips parsing and planning; every
// kind of change, on the server, on the disk or in the settings, runs the full sync and gets its
// result.
import { existsSync } from 'node:fs';
import { readFile, rm, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planToJson } from '../../src/library/plan.js';
import { verifyPhoto } from '../../src/library/verify.js';
import { syncLibrary, type SyncOutcome } from '../../src/library/sync.js';
import { expectIntactLibrary, startFrame, type TestFrame } from '../support/frame-sim.js';
import { jpegBytes } from '../support/library.js';

const frames: TestFrame[] = [];
afterEach(async () => {
  await Promise.all(frames.splice(0).map((f) => f.close()));
});

/** A frame synced twice: the first sync fetches the photos, the second changes nothing and
 * records what it saw. `pageSize` 2 makes the album's listing several pages. */
async function settled(options: Parameters<typeof startFrame>[0] = {}): Promise<TestFrame> {
  const f = await startFrame({ count: 6, withVideo: false, ...options });
  frames.push(f);
  const first = await f.sync();
  expect(first.result.added).toBeGreaterThan(0);
  const second = await f.sync();
  expect(second.unchanged).toBe(true);
  expect(second.replayed).toBeUndefined();
  expect(existsSync(f.paths.noChangePath)).toBe(true);
  f.sim.clearRequests();
  return f;
}

type Synced = SyncOutcome & { kind: 'synced' };

/** What a sync reports, less its clock. */
function report(out: Synced) {
  const { finished_at: _f, seconds: _s, ...result } = out.result;
  return { result, plan: planToJson(out.plan), version: out.serverVersion, reason: out.reason };
}

function routes(f: TestFrame): string[] {
  return f.sim.requests.map((r) => r.route);
}

describe('no-change fast path', () => {
  it('an unchanged server and library: the listing is asked, not parsed, and the sync reports what the full one did', async () => {
    const f = await settled({ client: { pageSize: 2 } });
    const full = await f.sync();
    expect(full.replayed).toBe(true);
    const before = await stat(f.paths.metadataPath);
    f.sim.clearRequests();
    const fast = await f.sync();
    expect(fast.replayed).toBe(true);
    expect(fast.unchanged).toBe(true);
    // The same requests as a full listing (version, three pages, stacks), nothing else.
    expect(routes(f)).toEqual(['version', 'search', 'search', 'search', 'stacks']);
    expect(f.downloads()).toEqual([]);
    expect(fast.result).toMatchObject({ added: 0, updated: 0, removed: 0, kept: 6, failed: 0, remote_total: 6 });
    expect(fast.plan.keep).toHaveLength(6);
    // The metadata is left alone, as a full no-change sync leaves it.
    const after = await stat(f.paths.metadataPath);
    expect([after.mtimeMs, after.ino]).toEqual([before.mtimeMs, before.ino]);
    await expectIntactLibrary(f);
  });

  it('reports exactly what the full sync reports', async () => {
    const f = await startFrame({ count: 5, withVideo: false });
    frames.push(f);
    await f.sync();
    const full = await f.sync();
    const fast = await f.sync();
    expect(full.replayed).toBeUndefined();
    expect(fast.replayed).toBe(true);
    expect(report(fast)).toEqual(report(full));
    const { last_sync: _a, ...fullMeta } = full.metadata;
    const { last_sync: _b, ...fastMeta } = fast.metadata;
    expect(fastMeta).toEqual(fullMeta);
  });
});
