// The page's expensive work (reading a calibration photo, drawing a preview, making a thumbnail)
// one job at a time, with a bounded queue: a phone that sends previews faster than the frame draws them is told to
// wait rather than piling up decoded photos in the frame's memory.
import { WebError } from './http.js';

export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** `maxPending` jobs at most, the running one included; more are refused with RATE_LIMITED,
   * saying `busy`. */
  constructor(
    private readonly maxPending = 3,
    private readonly busy = 'the frame is busy drawing a preview or reading a photo; try again in a moment',
  ) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.pending >= this.maxPending)
      return Promise.reject(new WebError(503, 'RATE_LIMITED', this.busy, { 'retry-after': '2' }));
    this.pending++;
    const job = this.tail.then(work).finally(() => this.pending--);
    this.tail = job.catch(() => {});
    return job;
  }
}
