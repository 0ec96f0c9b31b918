// The client's own abort for a request (request-abort.ts): what the agent reads of an AbortSignal,
// and one listener on a caller's signal for all the requests in flight under it, gone with the last.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortFanout, RequestAbort } from '../../src/immich/request-abort.js';

describe('a request abort', () => {
  it('calls each listener once with its reason set, and none added or removed after', () => {
    const a = new RequestAbort();
    const calls: unknown[] = [];
    const kept = () => calls.push(['kept', a.aborted, a.reason]);
    const removed = () => calls.push('removed');
    a.addEventListener('abort', kept);
    a.addEventListener('abort', removed);
    a.removeEventListener('abort', removed);
    const reason = new Error('deadline');
    a.abort(reason);
    a.abort(new Error('second'));
    a.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual([['kept', true, reason]]);
    expect(a.reason).toBe(reason);
  });

  it('aborts with an AbortError when given no reason, as AbortController.abort() does', () => {
    const a = new RequestAbort();
    a.abort();
    const own = new AbortController();
    own.abort();
    expect((a.reason as Error).name).toBe('AbortError');
    expect((a.reason as Error).name).toBe((own.signal.reason as Error).name);
  });
});

describe('the caller signal fan-out', () => {
  it('holds one listener on the caller while requests are in flight, none after the last leaves', () => {
    const fanout = new AbortFanout();
    const caller = new AbortController().signal;
    const requests = [new RequestAbort(), new RequestAbort(), new RequestAbort()];
    for (const r of requests) fanout.join(caller, r);
    expect(getEventListeners(caller, 'abort')).toHaveLength(1);
    fanout.leave(caller, requests[0]!);
    fanout.leave(caller, requests[0]!);
    fanout.leave(caller, requests[1]!);
    expect(getEventListeners(caller, 'abort')).toHaveLength(1);
    fanout.leave(caller, requests[2]!);
    expect(getEventListeners(caller, 'abort')).toHaveLength(0);
    expect(requests.some((r) => r.aborted)).toBe(false);
  });

  it("aborts the requests in flight with the caller's reason, not those that left", () => {
    const fanout = new AbortFanout();
    const controller = new AbortController();
    const [left, inFlight] = [new RequestAbort(), new RequestAbort()];
    fanout.join(controller.signal, left);
    fanout.join(controller.signal, inFlight);
    fanout.leave(controller.signal, left);
    const reason = new Error('received SIGTERM');
    controller.abort(reason);
    expect(left.aborted).toBe(false);
    expect(inFlight.reason).toBe(reason);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // A request that leaves after the abort finds nothing left to remove, and adds nothing.
    fanout.leave(controller.signal, inFlight);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
