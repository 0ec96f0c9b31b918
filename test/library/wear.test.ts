// SD-card wear: a sync that finds nothing new leaves sync_metadata.json alone (its time is kept in
// sync_attempts.json) and still counts as the last sync for "is a sync due" and `status`; a
// service state save that would write the same bytes writes nothing.
import { mkdir, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readSyncAttempts } from '../../src/library/attempts.js';
import { Library } from '../../src/library/library.js';
import { libraryStatus } from '../../src/library/status.js';
import { initialServiceState, readServiceState, writeServiceState } from '../../src/frame/state.js';
import { startFrame, type TestFrame } from '../support/frame-sim.js';

let frame: TestFrame | null = null;
afterEach(async () => {
  await frame?.close();
  frame = null;
});

const identity = async (file: string) => {
  const s = await stat(file);
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
};

describe('wear: no rewrite for nothing new', () => {
  it('a sync that changes nothing leaves the metadata file as it was, and still counts as the last sync', async () => {
    frame = await startFrame({ count: 3, withVideo: false });
    const t0 = new Date('2026-03-01T10:00:00Z');
    await frame.sync({ now: () => t0 });
    const before = await identity(frame.paths.metadataPath);
    const count = (await frame.metadata()).sync_count;

    const t1 = new Date('2026-03-01T17:00:00Z');
    const again = await frame.sync({ now: () => t1 });
    expect(again.unchanged).toBe(true);
    expect(await identity(frame.paths.metadataPath)).toBe(before);
    expect((await readSyncAttempts(frame.paths)).last_success).toMatchObject({ ok: true, unchanged: true });

    // What decides the next sync sees the second one: not due an hour later (interval 6 h).
    const library = new Library({
      paths: frame.paths,
      settings: frame.config,
      now: () => new Date(t1.getTime() + 3_600_000),
    });
    const metadata = await library.metadata();
    expect(metadata!.last_sync).toBe(t1.toISOString());
    expect(library.syncDue(metadata).due).toBe(false);
    const status = await libraryStatus(frame.paths, frame.config, new Date(t1.getTime() + 3_600_000));
    expect(status.last_sync).toBe(t1.toISOString());
    expect(status.sync_count).toBe(count);
  });

  it('a favourite set on the server is a change: the metadata is written again', async () => {
    frame = await startFrame({ count: 3, withVideo: false });
    await frame.sync({ now: () => new Date('2026-03-01T10:00:00Z') });
    const before = await identity(frame.paths.metadataPath);
    frame.sim.updateAsset(frame.seeded.photos[0]!.id, { isFavorite: true });
    const again = await frame.sync({ now: () => new Date('2026-03-01T17:00:00Z') });
    expect(again.unchanged).toBeUndefined();
    expect(await identity(frame.paths.metadataPath)).not.toBe(before);
    expect((await frame.metadata()).last_sync).toBe('2026-03-01T17:00:00.000Z');
    expect((await readSyncAttempts(frame.paths)).last_success?.unchanged).toBeUndefined();
  });

  it('a service state save with nothing new writes nothing', async () => {
    frame = await startFrame({ count: 1, withVideo: false });
    await mkdir(frame.paths.instanceDir, { recursive: true });
    const state = { ...initialServiceState(), running: true, pid: 42 };
    await writeServiceState(frame.paths, state);
    const first = await identity(frame.paths.serviceStatePath);
    await writeServiceState(frame.paths, { ...state });
    expect(await identity(frame.paths.serviceStatePath)).toBe(first);
    await writeServiceState(frame.paths, { ...state, pid: 43 });
    expect(await identity(frame.paths.serviceStatePath)).not.toBe(first);
    expect((await readServiceState(frame.paths)).pid).toBe(43);
  });
});
