// One deadline over a whole piece of work (a sync, a listing): the work gets a signal that aborts
// at the caller's word or at the deadline, and past the deadline the deadline's own error is what
// the caller sees, not what the work made of its abort.

/** `run` under `signal` and a deadline of `ms`; `error` says what missing the deadline means (asked
 * when it passes, so it can tell how far the work got). */
export async function withinDeadline<T>(
  ms: number,
  signal: AbortSignal | undefined,
  error: () => Error,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(error()), ms);
  timer.unref();
  try {
    return await run(signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal);
  } catch (err) {
    if (deadline.signal.aborted && !signal?.aborted) throw deadline.signal.reason as Error;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
