// A running page never holds up the frame: with every thumbnail of the library being made and
// the page polled all the while, a Next press still reaches the glass before the thumbnails are
// done (the thumbnails queue one at a time; the refresh does not queue behind them).
import { describe, expect, it } from 'vitest';
import type { FrameEvent } from '../../src/frame/control.js';
import { ApiClient, startWebFrame } from '../web/web-frame.js';

describe('the page and the frame', () => {
  it('shows the next photo while thumbnails are being made and the page is polled', async () => {
    const frame = await startWebFrame({ count: 40 });
    try {
      const c = new ApiClient(frame.url);
      await c.signIn();
      const ids: string[] = (await c.get('/api/photos?limit=200')).json.photos.map((p: { id: string }) => p.id);
      expect(ids).toHaveLength(40);
      const order: string[] = [];
      const seq = frame.host.snapshot().shown!.seq;
      const refreshed = new Promise<void>((resolve) => {
        const off = frame.host.subscribe((e: FrameEvent) => {
          if (e.type === 'refreshed' && e.frame.seq > seq) {
            order.push('refreshed');
            off();
            resolve();
          }
        });
      });
      // Every thumbnail asked for at once, as a Library screen scrolled to the end would.
      const thumbnails = Promise.all(
        ids.map((id) => c.get(`/api/photos/${id}/thumbnail`).then((r) => (r.status === 200 ? 'ok' : r.status))),
      ).then((all) => {
        order.push('thumbnails done');
        return all;
      });
      let polling = true;
      const polls = (async () => {
        let n = 0;
        while (polling) {
          expect((await c.get('/api/status')).status).toBe(200);
          n++;
        }
        return n;
      })();
      const next = await c.post('/api/commands/next');
      expect(next.json.ok).toBe(true);
      await refreshed;
      const results = await thumbnails;
      polling = false;
      expect(await polls).toBeGreaterThan(0);
      expect(results.every((r) => r === 'ok')).toBe(true);
      expect(order).toEqual(['refreshed', 'thumbnails done']);
    } finally {
      await frame.close();
    }
  }, 120_000);
});
