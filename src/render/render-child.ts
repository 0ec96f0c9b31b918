// The render child's side (isolated.ts forks it): draw each frame the parent sends (or make a
// thumbnail) and send it back, one at a time, for as long as the parent keeps it. A process of its own, so that a photo
// whose drawing runs away can be killed.
import sharp from 'sharp';
import { FrameError } from '../core/errors.js';
import { renderFrame, type FrameRequest } from './frame.js';
import type { ChildAnswer, ChildRequest } from './isolated.js';
import { makeThumbnail } from './thumbnail.js';

/** Buffers arrive as Uint8Arrays over the IPC channel: sharp is given Buffers again. */
function revive(request: FrameRequest): FrameRequest {
  return {
    ...request,
    photos: request.photos.map((p) =>
      typeof p.source === 'string'
        ? p
        : { ...p, source: Buffer.from(p.source.buffer, p.source.byteOffset, p.source.length) },
    ),
  };
}

function send(answer: ChildAnswer): Promise<void> {
  return new Promise((resolve) => process.send!(answer, undefined, {}, () => resolve()));
}

// The child waits between frames for minutes: libvips' cache of recent operations would stay
// resident all that time (11 MiB of the idle child's ~99 MiB in the render-child bench), and a
// frame rarely repeats the last one's work.
sharp.cache(false);

// The parent gone (ended, or killed without a word): no frame of this child is for anyone.
process.once('disconnect', () => process.exit(1));

process.on('message', (task: ChildRequest) => {
  const { id } = task;
  void (async () => {
    // Said first: a frame the child had is never drawn a second time by a fresh child.
    await send({ id, received: true });
    try {
      if ('thumbnail' in task) {
        await send({ id, ok: true, bytes: await makeThumbnail(task.thumbnail) });
        return;
      }
      const frame = await renderFrame(revive(task.request));
      await send({
        id,
        ok: true,
        frame: { ...frame, failed: frame.failed.map((f) => ({ index: f.index, message: f.error.message })) },
      });
    } catch (err) {
      await send({
        id,
        ok: false,
        message: err instanceof Error ? err.message : String(err),
        render: err instanceof FrameError && err.code === 'RENDER',
      });
    }
  })();
});
