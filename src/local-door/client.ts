// Asking the running frame through its local door: one request, one answer, with a deadline.
import net from 'node:net';
import { FrameError } from '../core/errors.js';
import type { LocalAnswer } from './protocol.js';

/** The frame answers a command at once (a refresh it queues runs later); longer is a hung frame. */
const ANSWER_WITHIN_MS = 10_000;

export function askFrame(socketPath: string, request: object): Promise<LocalAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new FrameError(`the frame did not answer on ${socketPath} within ${ANSWER_WITHIN_MS / 1000} s`));
    }, ANSWER_WITHIN_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text) as LocalAnswer);
      } catch {
        reject(new FrameError(`the frame's answer on ${socketPath} was not understood`));
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why =
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? 'the frame is not running (start it: sudo systemctl start artframe-immich)'
          : err.code === 'EACCES'
            ? "no permission: run it as the frame's user (sudo -u artframe artframe-immich frame ...)"
            : (err.code ?? err.message);
      reject(new FrameError(`cannot reach the frame at ${socketPath}: ${why}`));
    });
  });
}
