// A hung server (issue 10, point 6): it accepts the connection and never answers. With the
// command line's patience (answerWithinMs) the client says "not answering" at each retry and
// gives up with a ServerUnreachableError naming the server; without it, the retry policy alone
// decides (the service's way). Small limits here; the real ones are CLI_PATIENCE in sync.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { ServerUnreachableError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/log.js';
import { ImmichClient } from '../../src/immich/client.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function hungSim(): Promise<ImmichSim> {
  const s = await startImmichSim({ seed: 5 });
  cleanups.push(() => s.close());
  s.injectFault({ times: Infinity, fault: { kind: 'stall' } });
  return s;
}

function clientFor(s: ImmichSim, lines: string[], extra: Partial<ConstructorParameters<typeof ImmichClient>[0]>) {
  const c = new ImmichClient({
    baseUrl: s.url,
    apiKey: s.apiKey,
    retry: { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 50 },
    logger: createLogger({ format: 'json', write: (l) => lines.push(l) }),
    ...extra,
  });
  cleanups.push(() => c.close());
  return c;
}

describe('a server that never answers', () => {
  it('with a time limit: "not answering" while retrying, then a ServerUnreachableError naming it', async () => {
    const s = await hungSim();
    const lines: string[] = [];
    const c = clientFor(s, lines, { timeouts: { headersMs: 100 }, answerWithinMs: 2_500 });
    const err = await c.serverVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect((err as Error).message).toContain(`the Immich server at ${s.url} is not answering`);
    expect((err as Error).message).toContain('GET /api/server/version');
    const retries = lines.filter((l) => l.includes('is not answering') && l.includes('trying again'));
    expect(retries.length).toBeGreaterThanOrEqual(2);
    // It stopped at the limit, not after 50 attempts: each attempt waits its 100 ms for an answer,
    // so 2.5 s hold 25 of them at most (and the one the limit cut short).
    expect(s.requests.length).toBeLessThanOrEqual(26);
  });

  it('without a limit the retry policy decides (the service keeps its own pace)', async () => {
    const s = await hungSim();
    const lines: string[] = [];
    const c = clientFor(s, lines, {
      timeouts: { headersMs: 60 },
      retry: { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 },
    });
    const err = await c.serverVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect((err as Error).message).toContain('no answer within');
    expect(s.requests.length).toBe(3);
  });
});
