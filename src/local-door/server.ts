// The CLI's door to the running frame: `run` listens on a Unix socket in the instance folder (mode
// 0600, so only the frame's own user, or root, can steer it), and hands each request to the frame's
// one way in. A bad request is answered with an error and changes nothing.
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from '../core/log.js';
import { describeError } from '../core/errors.js';
import { type FrameControl, parseFrameCommand } from '../frame/control.js';
import { type LocalAnswer, MAX_REQUEST_BYTES } from './protocol.js';

/** Connections at once: a person at a shell, a script; more is not a use of ours. */
const MAX_CONNECTIONS = 8;

async function answer(frame: FrameControl, line: string): Promise<LocalAnswer> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { kind: 'error', code: 'BAD_REQUEST', message: 'a request is one JSON object a line' };
  }
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (type === 'status') return { kind: 'status', status: frame.snapshot() };
  if (type === 'health') return { kind: 'health', health: await frame.health() };
  const command = parseFrameCommand(raw);
  if (typeof command === 'string') return { kind: 'error', code: 'BAD_COMMAND', message: command };
  return { kind: 'outcome', outcome: await frame.command(command, 'cli') };
}

/** Listen on `socketPath`; the returned function stops listening and removes the socket. */
export async function startLocalDoor(
  frame: FrameControl,
  socketPath: string,
  log: Logger,
): Promise<() => Promise<void>> {
  // A socket left by a frame that was killed: nobody listens on it any more.
  await rm(socketPath, { force: true });
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_REQUEST_BYTES) {
        socket.end(JSON.stringify({ kind: 'error', code: 'BAD_REQUEST', message: 'request too long' }) + '\n');
        return;
      }
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      const line = buffered.slice(0, nl);
      buffered = '';
      answer(frame, line)
        .catch((err: unknown): LocalAnswer => ({ kind: 'error', code: 'FRAME_ERROR', message: describeError(err) }))
        .then((a) => socket.end(JSON.stringify(a) + '\n'));
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  log.info('the local door is open', { socket: socketPath });
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(socketPath, { force: true });
  };
}
