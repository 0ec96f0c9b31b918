// A request's abort, made cheap. Each request had an AbortController and two listeners on
// AbortSignals (the caller's, and the agent's on the controller's): ~60 µs of CPU a request in a
// fresh process, measured on our 2-core VM, about as much as the rest of a small photo's request.
// A RequestAbort is what the agent and the fetcher read of a signal, in a plain object; and the
// caller's signal gets one listener for all the requests it covers at a time (AbortFanout), not
// one a request.

/** What the agent (http1-agent.ts) and the fetcher (api-fetch.ts) read of an abort signal; an
 * AbortSignal has it. */
export interface AbortLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Called once, when it aborts (never if it has already). */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** One request's abort: an AbortController and its signal in one. */
export class RequestAbort implements AbortLike {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | null = null;

  addEventListener(_type: 'abort', listener: () => void): void {
    // As an AbortSignal's: an abort already past never calls a listener added after it.
    if (!this.aborted) (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at !== -1) this.listeners!.splice(at, 1);
  }

  /** Abort with `reason` (default: an AbortError, as AbortController.abort() makes); the first
   * call only. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const listener of listeners) listener();
  }
}

/** The requests each caller's signal covers: one listener on the signal while any is in flight
 * (removed when the last leaves, so none stays on a signal that outlives them). */
export class AbortFanout {
  private readonly bySignal = new Map<AbortSignal, { requests: Set<RequestAbort>; onAbort: () => void }>();

  /** `request` aborts, with the signal's reason, if `signal` does before it leaves. */
  join(signal: AbortSignal, request: RequestAbort): void {
    let entry = this.bySignal.get(signal);
    if (!entry) {
      const requests = new Set<RequestAbort>();
      const onAbort = () => {
        this.bySignal.delete(signal);
        for (const r of requests) r.abort(signal.reason);
      };
      entry = { requests, onAbort };
      this.bySignal.set(signal, entry);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    entry.requests.add(request);
  }

  leave(signal: AbortSignal, request: RequestAbort): void {
    const entry = this.bySignal.get(signal);
    if (!entry?.requests.delete(request) || entry.requests.size > 0) return;
    this.bySignal.delete(signal);
    signal.removeEventListener('abort', entry.onAbort);
  }
}
