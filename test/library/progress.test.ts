// What a person at a terminal sees during a sync: the scope listed (album or library), the bar,
// and each failed photo once, on a line of its own (the log's warning), never twice.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { createProgressReporter } from '../../src/library/progress.js';

function terminal(isTTY: boolean) {
  let out = '';
  const write = (t: string) => (out += t);
  const logger = createLogger({ format: 'text', write: (l) => write(l + '\n') });
  return { report: createProgressReporter({ isTTY, write, logger }), logger, text: () => out };
}

describe('sync progress', () => {
  it.each([true, false])('names the library in whole-library mode (tty %s)', (isTTY) => {
    const t = terminal(isTTY);
    t.report({ phase: 'listing', scope: 'library' });
    expect(t.text()).toContain('listing the library on the server');
    expect(t.text()).not.toContain('album');
  });

  it('on a terminal, a failed photo ends the bar line and is reported once, by the log', () => {
    const t = terminal(true);
    t.report({ phase: 'download', done: 1, total: 3, bytes: 100, name: 'a.jpg', ok: true });
    t.report({ phase: 'download', done: 2, total: 3, bytes: 100, name: 'b.heic', ok: false, error: 'no view' });
    t.logger.warn('a photo could not be fetched', { name: 'b.heic', error: 'no view' });
    t.report({ phase: 'download', done: 3, total: 3, bytes: 200, name: 'c.jpg', ok: true });
    t.report({ phase: 'finished' });
    const lines = t.text().split('\n');
    expect(lines.filter((l) => l.includes('b.heic'))).toEqual([
      expect.stringMatching(/^warn +a photo could not be fetched/),
    ]);
  });
});
