// Where the installed command enters: `status` and `next`, which scripts and the owner run most and
// which must start fast, are built into this one file (no chunks to find, read and link: a third of
// their start-up went to loading some twenty chunks of the split build); anything else goes to the
// whole command line (cli.ts), loaded only then.
import { type MainIO, runCli } from './cli-main.js';
import type { CommandEntry } from './commands/index.js';

/** Loaded lazily all the same, so `--version` or `run` pays for parsing them, not for running them. */
const hot: readonly CommandEntry[] = [
  { name: 'status', load: async () => (await import('./commands/hot.js')).statusCommand },
  { name: 'next', load: async () => (await import('./commands/hot.js')).nextCommand },
];

export function main(argv: string[], io: MainIO = {}): Promise<number> {
  // The build keeps `./cli.js` a separate file (the split build of every other command).
  return runCli(argv, io, hot, async () => (await import('./cli.js')).main(argv, io));
}
