// The command line's stdout and stderr, written without Node's stream objects: the first touch of
// process.stdout on a pipe loads net and the stream machinery (~10 ms of CPU, as much as a whole
// `status` does), while a write(2) on the descriptor is what Node's stdio does on Linux anyway.
import { fs } from './node-fs.js';
const { writeSync } = fs;

/**
 * A writer for fd 1 or 2. A reader that went away (EPIPE) calls `onBrokenPipe`; a descriptor left
 * non-blocking by whoever started us (EAGAIN) hands the rest, and every later write, to Node's
 * stream, which waits for the reader.
 */
export function fdWriter(fd: 1 | 2, onBrokenPipe: () => void): (text: string) => void {
  let stream: NodeJS.WriteStream | null = null;
  const toStream = (data: Uint8Array | string) => {
    if (!stream) {
      stream = fd === 1 ? process.stdout : process.stderr;
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') onBrokenPipe();
        else throw err;
      });
    }
    stream.write(data);
  };
  return (text) => {
    if (stream) return toStream(text);
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return onBrokenPipe();
      if (code !== 'EAGAIN') throw err;
      toStream(bytes.subarray(done));
    }
  };
}

/** Whether fd is a terminal; node:tty (and net with it) is loaded only when someone asks. */
export function isTerminal(fd: number): boolean {
  return process.getBuiltinModule('node:tty').isatty(fd);
}
