// The sync's filesystem calls made once a photo (its temp file: open, write, fdatasync, close;
// then its move into place), through node:fs's callbacks rather than node:fs/promises. A
// FileHandle costs more main-thread CPU per call: it is a native object of its own, counted in and
// out around each call, with a promise machinery per call. Over 1,000 small files (open, one
// writev, fdatasync, close, rename each, four at once) FileHandles took 1.2-1.5x the CPU of these
// callbacks in a micro-benchmark on our 2-core VM; for the whole sync, npm run bench -- sync with
// SYNC_VS set to a build from before.
//
// The descriptor is given up at the first close, so a second close (an error path after a flush
// that already closed) never closes a number the process has since reused for another file.
import { fs } from '../core/node-fs.js';

export class FdFile {
  private fd: number;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** Open `file` with `flags` (e.g. 'wx': create, fail if it exists) and `mode`. */
  static open(file: string, flags: string, mode: number): Promise<FdFile> {
    return new Promise((resolve, reject) => {
      fs.open(file, flags, mode, (err, fd) => (err ? reject(err) : resolve(new FdFile(fd))));
    });
  }

  /** Whether close() has been called. */
  get closed(): boolean {
    return this.fd < 0;
  }

  private live(): number {
    if (this.fd < 0) throw Object.assign(new Error('file already closed'), { code: 'EBADF' });
    return this.fd;
  }

  /** Write `length` bytes of `buffer` from `offset` at the file's position; resolves with the
   * bytes written (a short write is possible, as with write(2)). */
  write(buffer: Buffer, offset: number, length: number): Promise<number> {
    return new Promise((resolve, reject) => {
      fs.write(this.live(), buffer, offset, length, null, (err, n) => (err ? reject(err) : resolve(n)));
    });
  }

  /** Write the chunks in one system call; resolves with the bytes written (maybe fewer). */
  writev(chunks: Buffer[]): Promise<number> {
    return new Promise((resolve, reject) => {
      fs.writev(this.live(), chunks, (err, n) => (err ? reject(err) : resolve(n)));
    });
  }

  /** fdatasync(2): the data and what reading it back needs (the size), not the times. */
  datasync(): Promise<void> {
    return new Promise((resolve, reject) => {
      fs.fdatasync(this.live(), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Close; a second call does nothing (the descriptor was given up by the first). */
  close(): Promise<void> {
    if (this.fd < 0) return Promise.resolve();
    const fd = this.fd;
    this.fd = -1;
    return new Promise((resolve, reject) => {
      fs.close(fd, (err) => (err ? reject(err) : resolve()));
    });
  }
}

/** rename(2): `from` to `to`, replacing `to` atomically. */
export function moveFile(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.rename(from, to, (err) => (err ? reject(err) : resolve()));
  });
}
