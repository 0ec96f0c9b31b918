// Failed sign-in and pairing attempts, counted per client address in a fixed window: a few
// failures a minute make guessing a password or an 8-digit pairing code hopeless, a success
// clears the count, and the table is bounded.
export class AttemptLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max = 5,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private window(key: string): { start: number; count: number } {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      if (this.windows.size >= 1024) this.windows.clear();
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  /** Seconds to wait before this address may try again; 0 when it may try now. */
  wait(key: string): number {
    const w = this.window(key);
    return w.count >= this.max ? Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000)) : 0;
  }

  failed(key: string): void {
    this.window(key).count += 1;
  }

  succeeded(key: string): void {
    this.windows.delete(key);
  }
}
