// The page's log: the last few thousand lines the frame wrote, kept in memory (a ring, so a chatty
// night costs the same as a quiet one) and read back filtered by level. Lines arrive redacted.
import type { LogEntry, LogLevel } from '../core/log.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
export const LOG_LEVELS = Object.keys(ORDER) as LogLevel[];

export class LogRing {
  private readonly entries: (LogEntry | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 2000) {
    this.entries = new Array<LogEntry | undefined>(capacity);
  }

  /** A logger's sink (createLogger's `sink` option). */
  readonly push = (entry: LogEntry): void => {
    this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  };

  /** The newest `limit` lines at `level` or above, oldest first. */
  lines(level: LogLevel = 'debug', limit = this.capacity): LogEntry[] {
    const min = ORDER[level];
    const out: LogEntry[] = [];
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const e = this.entries[(this.next - i + this.capacity) % this.capacity]!;
      if (ORDER[e.level] >= min) out.push(e);
    }
    return out.reverse();
  }
}
