// The file calls of the library, the config and the frame's state, as promises over node:fs's
// callbacks rather than node:fs/promises, for two reasons measured on our 2-core VM:
// - Start-up. Loading node:fs/promises brings fs.Dir, the watchers, readline's interface and the
//   string decoder with it: +0.10x of `node -e 0` in CPU, a fifth of what `status` costs above
//   bare Node. node:fs itself is loaded before any of our code. `status` and `next` make a dozen
//   file calls in all (test/cli-hot.test.ts checks they never load node:fs/promises).
// - Per call. A FileHandle is a native object of its own, counted in and out around each call,
//   with a promise machinery per call: over 1,000 small files (open, one writev, fdatasync, close,
//   rename each, four at once) FileHandles took 1.2-1.5x the CPU of these callbacks.
//
// The errors are node:fs's own (code, syscall, path), as node:fs/promises gives them.
//
// An FdFile gives its descriptor up at the first close, so a second close (an error path after a
// flush that already closed) never closes a number the process has since reused for another file.
import { fs } from './node-fs.js';

type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void;

/** `start(callback)` as a promise. */
function settle<T>(start: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => (err ? reject(err) : resolve(value)));
  });
}

/** `start(callback)` as a promise, for a call whose callback gets an error alone. */
function settleVoid(start: (callback: (err: NodeJS.ErrnoException | null) => void) => void): Promise<void> {
  return settle<void>((cb) => start((err) => cb(err, undefined)));
}

export class FdFile {
  private fd: number;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** Open `file` with `flags` ('r', 'wx': create, fail if it exists; or O_ numbers) and `mode`. */
  static open(file: string, flags: string | number, mode?: number): Promise<FdFile> {
    return settle<number>((cb) => fs.open(file, flags, mode, cb)).then((fd) => new FdFile(fd));
  }

  /** Whether close() has been called. */
  get closed(): boolean {
    return this.fd < 0;
  }

  /** The descriptor; called inside a promise's executor, so a closed file rejects (EBADF). */
  private live(): number {
    if (this.fd < 0) throw Object.assign(new Error('file already closed'), { code: 'EBADF' });
    return this.fd;
  }

  /** Read up to `length` bytes into `buffer` at `offset`, from the file's position (`position`
   * null) or from `position`; resolves with the bytes read, 0 at the end. */
  read(buffer: Buffer, offset: number, length: number, position: number | null = null): Promise<number> {
    return settle<number>((cb) => fs.read(this.live(), buffer, offset, length, position, cb));
  }

  /** fstat(2). */
  stat(): Promise<import('node:fs').Stats> {
    return settle((cb) => fs.fstat(this.live(), cb));
  }

  /** Write `length` bytes of `buffer` from `offset` at the file's position; resolves with the
   * bytes written (a short write is possible, as with write(2)). */
  write(buffer: Uint8Array, offset: number, length: number): Promise<number> {
    return settle<number>((cb) => fs.write(this.live(), buffer, offset, length, null, cb));
  }

  /** Write the chunks in one system call; resolves with the bytes written (maybe fewer). */
  writev(chunks: Buffer[]): Promise<number> {
    return settle<number>((cb) => fs.writev(this.live(), chunks, cb));
  }

  /** Write all of `data` (a string as UTF-8) at the file's position, short writes continued. */
  async writeAll(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let at = 0;
    while (at < bytes.length) {
      const n = await this.write(bytes, at, bytes.length - at);
      if (n === 0) throw Object.assign(new Error('write(2) wrote nothing'), { code: 'EIO' });
      at += n;
    }
  }

  /** fdatasync(2): the data and what reading it back needs (the size), not the times. */
  datasync(): Promise<void> {
    return settleVoid((cb) => fs.fdatasync(this.live(), cb));
  }

  /** fsync(2); also what makes a folder's entries (a rename into it) last, on a folder's fd. */
  sync(): Promise<void> {
    return settleVoid((cb) => fs.fsync(this.live(), cb));
  }

  /** Close; a second call does nothing (the descriptor was given up by the first). */
  close(): Promise<void> {
    if (this.fd < 0) return Promise.resolve();
    const fd = this.fd;
    this.fd = -1;
    return settleVoid((cb) => fs.close(fd, cb));
  }
}

/** The whole file: its bytes, or its text in `encoding`. */
export function readFile(file: string): Promise<Buffer>;
export function readFile(file: string, encoding: BufferEncoding): Promise<string>;
export function readFile(file: string, encoding?: BufferEncoding): Promise<Buffer | string> {
  return encoding === undefined
    ? settle<Buffer>((cb) => fs.readFile(file, cb))
    : settle<string>((cb) => fs.readFile(file, encoding, cb));
}

/** Replace the file's content with `data` (a string as UTF-8), not atomically: for files the
 * kernel serves (sysfs), not for state (library/atomic-file.ts). */
export function writeFile(file: string, data: string | Uint8Array): Promise<void> {
  return settleVoid((cb) => fs.writeFile(file, data, cb));
}

/** stat(2), following links. */
export function stat(file: string): Promise<import('node:fs').Stats> {
  return settle((cb) => fs.stat(file, cb));
}

/** statfs(2): the filesystem holding `file`. */
export function statfs(file: string): Promise<import('node:fs').StatsFs> {
  return settle((cb) => fs.statfs(file, cb));
}

/** access(2) with `mode` (fs.constants.W_OK...): rejects when it is not allowed. */
export function access(file: string, mode: number): Promise<void> {
  return settleVoid((cb) => fs.access(file, mode, cb));
}

/** rename(2): `from` to `to`, replacing `to` atomically. */
export function rename(from: string, to: string): Promise<void> {
  return settleVoid((cb) => fs.rename(from, to, cb));
}

/** link(2): `to` as a second name of `from`; fails if `to` exists. */
export function link(from: string, to: string): Promise<void> {
  return settleVoid((cb) => fs.link(from, to, cb));
}

/** unlink(2). */
export function unlink(file: string): Promise<void> {
  return settleVoid((cb) => fs.unlink(file, cb));
}

/** mkdir(2) of one folder with `mode`, less the umask; not recursive (core/folders.ts walks a path). */
export function mkdir(dir: string, mode?: number): Promise<void> {
  return settleVoid((cb) => fs.mkdir(dir, { mode }, cb));
}

/** The names in a folder. */
export function readdir(dir: string): Promise<string[]> {
  return settle<string[]>((cb) => fs.readdir(dir, cb));
}
