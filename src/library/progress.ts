// How a sync shows its progress: a one-line bar redrawn on a terminal (stderr), or log lines in a
// pipe or under systemd, where a redrawn bar would be noise: the steps at info, each photo at debug
// (a thousand-photo sync is not a thousand journal lines; its failures are warned once each).
import type { Logger } from '../core/log.js';
import type { SyncProgress } from './apply.js';
import { formatBytes } from './words.js';

export function progressBar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export interface ProgressSink {
  (event: SyncProgress): void;
  /** Finish the bar's line (on a terminal) before other output follows. */
  end(): void;
}

export function createProgressReporter(options: {
  isTTY: boolean;
  write: (text: string) => void;
  logger: Logger;
}): ProgressSink {
  const { isTTY, write, logger } = options;
  let barShown = false;
  const report = ((event: SyncProgress) => {
    if (isTTY) {
      if (event.phase === 'listing') write(`listing the ${event.scope} on the server...\n`);
      if (event.phase === 'download' && !event.ok) {
        // The failure's one report is the log's warning: give it a line of its own.
        report.end();
        return;
      }
      if (event.phase === 'download') {
        const line = `${progressBar(event.done, event.total)} ${event.done}/${event.total} photos, ${formatBytes(event.bytes)}`;
        write(`\r${line.padEnd(60)}`);
        barShown = true;
      }
      if (event.phase === 'finished') report.end();
      return;
    }
    if (event.phase === 'listing') logger.info(`listing the ${event.scope} on the server`);
    else if (event.phase === 'planned')
      logger.info('sync planned', { downloads: event.downloads, removals: event.removals, keeps: event.keeps });
    else if (event.phase === 'download' && event.ok) {
      logger.debug('photo downloaded', { name: event.name, done: event.done, total: event.total });
    } else if (event.phase === 'removed') logger.info('photos removed', { count: event.count });
  }) as ProgressSink;
  report.end = () => {
    if (barShown) write('\n');
    barShown = false;
  };
  return report;
}
