// Every sync attempt is recorded, whoever ran it (issue 10, point 5): sync_attempts.json keeps the
// last success and the last failure (time, who, code, reason), and `status` shows the failure
// beside the last success. The API key never lands in it.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/commands/status.js';
import { ImmichClient } from '../../src/immich/client.js';
import { readSyncAttempts } from '../../src/library/attempts.js';
import { libraryStatus } from '../../src/library/status.js';
import { startFrame, type TestFrame } from '../support/frame-sim.js';

const frames: TestFrame[] = [];
const clients: ImmichClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(frames.splice(0).map((f) => f.close()));
});

function clientWith(f: TestFrame, apiKey: string) {
  const c = new ImmichClient({ baseUrl: f.sim.url, apiKey, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
  clients.push(c);
  return c;
}

describe('sync attempts', () => {
  it('a fresh library has no record; an unreadable one reads as none', async () => {
    const f = await startFrame({ count: 1, withVideo: false });
    frames.push(f);
    const none = { last_attempt: null, last_success: null, last_failure: null };
    expect(await readSyncAttempts(f.paths)).toEqual(none);
    await mkdir(f.paths.instanceDir, { recursive: true });
    await writeFile(f.paths.syncAttemptsPath, '{"last_attempt": ');
    expect(await readSyncAttempts(f.paths)).toEqual(none);
    // ...and the next sync writes a good one over it.
    await f.sync();
    expect((await readSyncAttempts(f.paths)).last_success).toMatchObject({ ok: true, by: 'cli' });
  });

  it('every attempt is recorded, a rejected key included, and status shows the failure beside the last success', async () => {
    const f = await startFrame({ count: 3, withVideo: false });
    frames.push(f);
    await f.sync();
    const ok = await readSyncAttempts(f.paths);
    expect(ok.last_success).toMatchObject({ by: 'cli', ok: true });
    expect(ok.last_failure).toBeNull();

    const bad = clientWith(f, 'not-a-key');
    await expect(f.sync({ source: bad })).rejects.toMatchObject({ code: 'AUTH_REJECTED' });
    const after = await readSyncAttempts(f.paths);
    expect(after.last_failure).toMatchObject({ by: 'cli', ok: false, code: 'AUTH_REJECTED' });
    expect(after.last_failure!.error).toContain('rejected the API key');
    expect(after.last_success).toEqual(ok.last_success);
    expect(JSON.stringify(after)).not.toContain('not-a-key');

    const now = new Date(Date.parse(after.last_failure!.at) + 60_000);
    const text = formatStatus(await libraryStatus(f.paths, f.config, now), now);
    expect(text).toMatch(/last sync .* by the command line/);
    expect(text).toMatch(/last failure .*by the command line\): the Immich server at .* rejected the API key/);

    // The service's runs are recorded the same way.
    await f.sync({ runBy: 'service' });
    expect((await readSyncAttempts(f.paths)).last_success).toMatchObject({ by: 'service' });
    const later = new Date(Date.now() + 60_000);
    expect(formatStatus(await libraryStatus(f.paths, f.config, later), later)).not.toContain('last failure');
  });

  it('a sync killed while it recorded its attempt leaves a temp the next sync removes, however young', async () => {
    // The record is written before the lock goes (sync.ts), so whoever holds the lock next knows a
    // temp of it is a leftover, not a write in flight: a kill -9 there left one behind (test/slow/
    // sync-kill.test.ts, seed 41) that the 60 s grace for unlocked writers kept.
    const f = await startFrame({ count: 2, withVideo: false });
    frames.push(f);
    await f.sync();
    const leftover = 'sync_attempts.json.tmp-0123456789ab';
    await writeFile(`${f.paths.instanceDir}/${leftover}`, '{"last_attempt": ');
    // A temp of a file the service writes without the lock (its state) stays while it is young.
    const inFlight = 'service_state.json.tmp-0123456789ab';
    await writeFile(`${f.paths.instanceDir}/${inFlight}`, '{');
    await f.sync({ force: true });
    const names = await readdir(f.paths.instanceDir);
    expect(names).not.toContain(leftover);
    expect(names).toContain(inFlight);
    expect((await readSyncAttempts(f.paths)).last_success).toMatchObject({ ok: true });
  });
});
