// A frame drawn in a child process that the caller can stop. Inside this process a runaway
// decode cannot be stopped: libvips' timeout does not reach librsvg (an SVG with filters drawn
// for minutes), and a busy thread-pool thread holds the process at exit. The child is killed at
// the render deadline (the photo is then a RenderError, and the caller shows the next one) and
// when the caller's signal aborts (SIGTERM).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RenderError } from '../core/errors.js';
import type { ComposedFrame, FrameRequest } from './frame.js';

/** What the child sends back: the frame (its failed photos as messages) or the error. */
export type ChildAnswer =
  | { ok: true; frame: Omit<ComposedFrame, 'failed'> & { failed: { index: number; message: string }[] } }
  | { ok: false; message: string; render: boolean };

export interface StopOptions {
  /** Kill the child and fail the frame with a RenderError after this long. */
  deadlineMs: number;
  /** Kill the child at once (the service stopping). */
  signal?: AbortSignal;
}

/** The built child (`npm run build` makes dist/render/render-child.js), found from this module
 * whether it runs from src/ (tests) or from a chunk of dist/. */
export function childEntry(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'render', 'render-child.js');
    dir = path.dirname(dir);
  }
  throw new RenderError('cannot find the render child (dist/render/render-child.js): run npm run build');
}

function names(request: FrameRequest): string {
  return request.photos.map((p) => p.name ?? (typeof p.source === 'string' ? p.source : 'photo')).join(' and ');
}

export function renderFrameStoppable(request: FrameRequest, o: StopOptions): Promise<ComposedFrame> {
  const entry = childEntry();
  if (!existsSync(entry)) {
    return Promise.reject(new RenderError(`cannot find the render child ${entry}: run npm run build`));
  }
  return new Promise<ComposedFrame>((resolve, reject) => {
    const child = fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString('utf8');
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new RenderError(
              `cannot render ${names(request)}: drawing it took longer than ${Math.round(o.deadlineMs / 1000)} s and was stopped`,
              { code: 'RENDER_DEADLINE' },
            ),
          ),
        ),
      o.deadlineMs,
    );
    const onAbort = () => finish(() => reject(o.signal!.reason ?? new Error('render stopped')));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('message', (answer: ChildAnswer) => {
      finish(() => {
        if (!answer.ok) {
          reject(answer.render ? new RenderError(answer.message) : new Error(answer.message));
          return;
        }
        const { failed, ...frame } = answer.frame;
        resolve({ ...frame, failed: failed.map((f) => ({ index: f.index, error: new RenderError(f.message) })) });
      });
    });
    child.once('error', (err) => finish(() => reject(new RenderError(`the render process failed: ${err.message}`))));
    child.once('exit', (code, sig) =>
      finish(() =>
        reject(
          new RenderError(
            `cannot render ${names(request)}: the render process ended (${sig ?? `exit ${code}`})${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`,
          ),
        ),
      ),
    );
    child.send(request);
  });
}
