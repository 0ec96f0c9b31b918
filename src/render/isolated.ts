// Frames drawn in a child process that the caller can stop. Inside this process a runaway
// decode cannot be stopped: libvips' timeout does not reach librsvg (an SVG with filters drawn
// for minutes), and a busy thread-pool thread holds the process at exit. One child lives from the
// first frame on and draws every later one (its start, Node and sharp loading, cost more than a
// frame); it is killed (SIGKILL) when a frame misses its deadline (the photo is then a
// RenderError, and the caller shows the next one), when the caller's signal aborts (SIGTERM,
// the frame stopping), or when it dies, and the next frame starts a fresh one.
// Kept with no idle timer: waiting, it holds 86 MiB RSS (58 of them Node and sharp loaded) and no
// CPU (`npm run bench -- render-child`), and a frame's peak is the same either way (a child draws
// every frame). An idle exit would only pay off with a timer shorter than the refresh interval
// (minutes; 3 at the least), which would restart it for every frame: the ~1.2-1.5 s of CPU a
// frame that keeping it saves, several seconds on a Pi Zero 2 W. On that Pi's 512 MB the unit's
// MemoryHigh (384M) leaves room for the waiting child beside the service and a sync.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RenderError } from '../core/errors.js';
import type { ComposedFrame, FrameRequest } from './frame.js';

/** A small picture of one photo (the page's Library thumbnails): made in the child too, so a
 * frame whose page is used never loads sharp and libvips itself (+18-29 MB RSS measured). */
export interface ThumbnailRequest {
  source: string;
  /** The square's side in pixels. */
  px: number;
}

/** What the child is asked to do: a frame to draw or a thumbnail to make. */
export type ChildTask = { request: FrameRequest } | { thumbnail: ThumbnailRequest };

/** What the parent sends: a task, numbered so its answer is matched to it. */
export type ChildRequest = { id: number } & ChildTask;

type SentFrame = Omit<ComposedFrame, 'failed'> & { failed: { index: number; message: string }[] };

/** What the child sends back: that it has the task, then the frame (its failed photos as
 * messages), the thumbnail's bytes, or the error. */
export type ChildAnswer = { id: number } & (
  | { received: true }
  | { ok: true; frame: SentFrame }
  | { ok: true; bytes: Uint8Array }
  | { ok: false; message: string; render: boolean }
);

type Done = { frame: SentFrame } | { bytes: Uint8Array };

export interface StopOptions {
  /** Kill the child and fail the frame with a RenderError when its drawing takes longer than this. */
  deadlineMs: number;
  /** Kill the child at once (the service stopping). */
  signal?: AbortSignal;
}

/** The built child (`npm run build` makes dist/render/render-child.js), found from this module
 * whether it runs from src/ (tests) or from a chunk of dist/. */
export function childEntry(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const entry = path.join(dir, 'dist', 'render', 'render-child.js');
    if (existsSync(entry)) return entry;
    dir = path.dirname(dir);
  }
  throw new RenderError('cannot find the render child (dist/render/render-child.js): run npm run build');
}

function names(task: ChildTask): string {
  if ('thumbnail' in task) return `a thumbnail of ${task.thumbnail.source}`;
  return task.request.photos.map((p) => p.name ?? (typeof p.source === 'string' ? p.source : 'photo')).join(' and ');
}

interface Job {
  task: ChildTask;
  o: StopOptions;
  resolve: (done: Done) => void;
  reject: (err: Error) => void;
  onAbort: () => void;
  /** Sent once to a child that had died before it could read it: not sent again. */
  resent?: boolean;
}

/** The one child and the frames waiting for it: one frame at a time, in the order asked. */
interface Drawer {
  child: ChildProcess | null;
  /** The frame being drawn, its number, its deadline, and what its child said on stderr. */
  current: { job: Job; id: number; timer: NodeJS.Timeout; stderr: string; delivered: boolean } | null;
  queue: Job[];
  nextId: number;
  /** Signals whose abort also ends an idle child (the frame stopping between refreshes). */
  watched: WeakSet<AbortSignal>;
}

const drawer: Drawer = { child: null, current: null, queue: [], nextId: 1, watched: new WeakSet() };

/**
 * Draw `request` in the render child, started on first use and kept for the next frame. A frame
 * waits while another is drawn; its deadline counts from when its drawing starts.
 */
export async function renderFrameStoppable(request: FrameRequest, o: StopOptions): Promise<ComposedFrame> {
  const done = await inChild({ request }, o);
  if (!('frame' in done)) throw new RenderError(`cannot render ${names({ request })}: the render child answered oddly`);
  const { failed, ...frame } = done.frame;
  return { ...frame, failed: failed.map((f) => ({ index: f.index, error: new RenderError(f.message) })) };
}

/** A thumbnail (WebP) of `thumbnail.source` made in the render child, in line with the frames. */
export async function thumbnailInChild(thumbnail: ThumbnailRequest, o: StopOptions): Promise<Buffer> {
  const done = await inChild({ thumbnail }, o);
  if (!('bytes' in done)) throw new RenderError(`cannot make ${names({ thumbnail })}: the render child answered oddly`);
  return Buffer.from(done.bytes.buffer, done.bytes.byteOffset, done.bytes.byteLength);
}

function inChild(task: ChildTask, o: StopOptions): Promise<Done> {
  return new Promise<Done>((resolve, reject) => {
    if (o.signal?.aborted) return reject(abortReason(o.signal));
    const job: Job = { task, o, resolve, reject, onAbort: () => abortJob(job) };
    o.signal?.addEventListener('abort', job.onAbort, { once: true });
    watch(o.signal);
    drawer.queue.push(job);
    drawNext();
  });
}

/** The child's process id while one is running (tests and the bench look at it). */
export function renderChildPid(): number | undefined {
  return drawer.child?.pid;
}

/** Whether the child has said it holds the frame it is drawing (a test kills it only then: a
 * child killed before that word is not a frame's failure, the frame goes to a fresh child). */
export function renderChildHasFrame(): boolean {
  return drawer.current?.delivered === true;
}

/** End the child now (SIGKILL), failing the frame it draws; the next frame starts a fresh one. */
export function stopRenderChild(): void {
  const c = drawer.current;
  if (c) return failCurrent(new RenderError(`cannot render ${names(c.job.task)}: the render child was stopped`));
  killChild();
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('render stopped');
}

/** A signal's abort ends the child even when it waits between frames: the frame is stopping. */
function watch(signal: AbortSignal | undefined): void {
  if (!signal || drawer.watched.has(signal)) return;
  drawer.watched.add(signal);
  signal.addEventListener(
    'abort',
    () => {
      // A frame of another caller (a new service after a restart) keeps its child.
      if (!drawer.current || drawer.current.job.o.signal === signal) killChild();
    },
    { once: true },
  );
}

function abortJob(job: Job): void {
  if (drawer.current?.job === job) return failCurrent(abortReason(job.o.signal!));
  const at = drawer.queue.indexOf(job);
  if (at >= 0) {
    drawer.queue.splice(at, 1);
    job.reject(abortReason(job.o.signal!));
  }
}

function killChild(): void {
  const child = drawer.child;
  drawer.child = null;
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Fail the frame being drawn and kill its child (it may be stuck in it); then the next frame. */
function failCurrent(err: Error): void {
  const c = drawer.current!;
  drawer.current = null;
  clearTimeout(c.timer);
  c.job.o.signal?.removeEventListener('abort', c.job.onAbort);
  killChild();
  c.job.reject(err);
  drawNext();
}

function drawNext(): void {
  if (drawer.current) return;
  const job = drawer.queue.shift();
  if (!job) return;
  let child: ChildProcess;
  try {
    child = drawer.child ?? startChild();
  } catch (err) {
    job.o.signal?.removeEventListener('abort', job.onAbort);
    job.reject(err as Error);
    return drawNext();
  }
  const id = drawer.nextId++;
  const timer = setTimeout(
    () =>
      failCurrent(
        new RenderError(
          `cannot render ${names(job.task)}: drawing it took longer than ${Math.round(job.o.deadlineMs / 1000)} s and was stopped`,
          { code: 'RENDER_DEADLINE' },
        ),
      ),
    job.o.deadlineMs,
  );
  const current = { job, id, timer, stderr: '', delivered: false };
  drawer.current = current;
  // A child that died between frames, before this process heard of it (its end not yet seen
  // here), never reads the frame: the frame goes to a fresh child instead. Only the child's own
  // word that it has the frame counts as delivered: the channel's write callback can report
  // success for a child already dead (seen about one run in two in render-child.test.ts).
  child.send({ id, ...job.task } satisfies ChildRequest, (err) => {
    if (err && drawer.current === current) resend(current);
  });
}

/** The frame again, first in line, for a fresh child: once, so a frame that kills its child fails. */
function resend(c: NonNullable<Drawer['current']>): void {
  drawer.current = null;
  clearTimeout(c.timer);
  killChild();
  if (c.job.resent) {
    c.job.o.signal?.removeEventListener('abort', c.job.onAbort);
    c.job.reject(new RenderError(`cannot render ${names(c.job.task)}: the render process could not be reached`));
  } else {
    c.job.resent = true;
    drawer.queue.unshift(c.job);
  }
  drawNext();
}

function startChild(): ChildProcess {
  const child = fork(childEntry(), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  drawer.child = child;
  // Waiting between frames, the child holds nothing open: this process ends when its own work
  // does, and the child then sees its channel close and ends too.
  child.unref();
  child.channel?.unref();
  const stderr = child.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null;
  stderr?.unref?.();
  stderr?.on('data', (d: Buffer) => {
    const c = drawer.current;
    if (c && drawer.child === child && c.stderr.length < 2000) c.stderr += d.toString('utf8');
  });
  child.on('message', (answer: ChildAnswer) => {
    const c = drawer.current;
    if (drawer.child !== child || !c || answer.id !== c.id) return;
    if ('received' in answer) {
      c.delivered = true;
      return;
    }
    drawer.current = null;
    clearTimeout(c.timer);
    c.job.o.signal?.removeEventListener('abort', c.job.onAbort);
    if (!answer.ok) c.job.reject(answer.render ? new RenderError(answer.message) : new Error(answer.message));
    else c.job.resolve(answer);
    drawNext();
  });
  const gone = (why: string) => {
    if (drawer.child !== child) return; // killed by us: its frame is already failed
    drawer.child = null;
    const c = drawer.current;
    if (!c) return; // it died between frames: the next frame starts a fresh one
    if (!c.delivered && !c.job.resent) return resend(c);
    const said = c.stderr ? `: ${c.stderr.trim().split('\n')[0]}` : '';
    failCurrent(new RenderError(`cannot render ${names(c.job.task)}: the render process ${why}${said}`));
  };
  child.once('error', (err) => gone(`failed: ${err.message}`));
  child.once('exit', (code, sig) => gone(`ended (${sig ?? `exit ${code}`})`));
  return child;
}
