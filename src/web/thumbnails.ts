// The Library screen's thumbnails: made once (small WebP) in the render child, kept under the
// instance folder, remade when the photo's file is newer. Made one at a time in a bounded queue,
// so a refresh waits behind one thumbnail at most.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../library/atomic-file.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { WebError } from './http.js';
import { OneAtATime } from './one-at-a-time.js';
import { thumbnailInChild } from '../render/isolated.js';
import { makeFolders } from '../core/folders.js';

export const THUMBNAIL_PX = 160;
/** A thumbnail takes well under a second; one that takes this long is given up. */
const THUMBNAIL_DEADLINE_MS = 30_000;
/** Waiting requests at most; more is a 503 the page retries, not an ever longer queue. */
const MAX_QUEUED = 64;

export class Thumbnails {
  private readonly queue = new OneAtATime(MAX_QUEUED, 'thumbnails are being made; try again in a moment');
  private readonly pending = new Map<string, Promise<Buffer>>();
  /** Thumbnails made by this process (tests and the bench count them). */
  made = 0;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  private fileFor(id: string): string {
    return path.join(this.dir, createHash('sha1').update(id).digest('hex') + '.webp');
  }

  /** The thumbnail of photo `id` whose file is `source`: from the cache, else made in turn. */
  async get(id: string, source: string): Promise<Buffer> {
    const file = this.fileFor(id);
    const [thumb, photo] = await Promise.all([stat(file).catch(() => null), stat(source).catch(() => null)]);
    if (!photo) throw new WebError(404, 'NOT_FOUND', `photo ${JSON.stringify(id)} has no file in the offline library`);
    if (thumb && thumb.mtimeMs >= photo.mtimeMs) return readFile(file);
    const waiting = this.pending.get(id);
    if (waiting) return waiting;
    const done = this.queue.run(() => this.make(source, file)).finally(() => this.pending.delete(id));
    this.pending.set(id, done);
    return done;
  }

  private async make(source: string, file: string): Promise<Buffer> {
    // In the render child, in line with the frames: this process never loads sharp for the page
    // (+18-29 MB RSS), and a photo that decodes forever is stopped at the deadline.
    const bytes = await thumbnailInChild({ source, px: THUMBNAIL_PX }, { deadlineMs: THUMBNAIL_DEADLINE_MS });
    this.made += 1;
    try {
      await makeFolders(this.dir);
      await writeFileAtomic(file, bytes);
    } catch (err) {
      // A full or read-only disk: the page still gets its thumbnail, only not kept.
      this.log.warn('cannot keep a thumbnail', { error: describeError(err) });
    }
    return bytes;
  }
}
