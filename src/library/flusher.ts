// Makes verified downloads durable in the background: each photo's temp file is fdatasynced (and
// closed) as soon as its download is verified, a few at a time, while the next downloads go on.
// A checkpoint then only waits for flushes already under way before it renames and records.
import type { LandedFile } from './download.js';
import { storageError } from './store.js';

/** fdatasyncs in flight at once: two of libuv's four pool threads. The downloads' own opens and
 * writes run on the same pool, and a burst of flushes holding all four made them queue behind
 * the disk (each flush of a phone's photo is milliseconds, on an SD card tens). */
export const FLUSHES_AT_ONCE = 2;

/** Files verified but not yet flushed (each holds its descriptor): past this many, a download
 * waits for room, so a disk slower than the network never piles up hundreds of open files. */
export const WAITING_AT_MOST = 32;

/** What a flush ended with: null when the file's bytes are on disk, else the StorageError. */
export type Flushed = Promise<{ err: unknown } | null>;

export class Flusher {
  private running = 0;
  private waiting = 0;
  private readonly queue: (() => void)[] = [];
  private readonly rooms: (() => void)[] = [];

  /** Flush and close one temp file; never rejects (the outcome says), and the handle is always closed. */
  flush(landed: LandedFile, file: string): Flushed {
    this.waiting += 1;
    // A free slot is taken now (not when the promise runs), so a burst of calls stays bounded.
    let turn: Promise<void>;
    if (this.running < FLUSHES_AT_ONCE) {
      this.running += 1;
      turn = Promise.resolve();
    } else turn = new Promise<void>((go) => this.queue.push(go));
    return turn.then(async () => {
      try {
        // Data and size (what reading the file back needs), not the times: fdatasync.
        await landed.handle.datasync();
        await landed.handle.close();
        return null;
      } catch (err) {
        await landed.handle.close().catch(() => {});
        return { err: storageError(err, 'flush', file) };
      } finally {
        this.waiting -= 1;
        // The slot goes to the next file waiting, or is freed.
        const next = this.queue.shift();
        if (next) next();
        else this.running -= 1;
        if (this.waiting < WAITING_AT_MOST) for (const go of this.rooms.splice(0)) go();
      }
    });
  }

  /** Resolves once fewer than WAITING_AT_MOST files wait for their flush. */
  room(): Promise<void> {
    if (this.waiting < WAITING_AT_MOST) return Promise.resolve();
    return new Promise((go) => this.rooms.push(go));
  }
}
