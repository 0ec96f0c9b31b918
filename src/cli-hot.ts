// Where the installed command enters: `status` and `next`, which scripts and the owner run most and
// which must start fast, are built into this one CommonJS file, dist/cli-hot.cjs (no chunks to find,
// read and link, and no ES module loader to set up: a third of their start-up went to loading some
// twenty chunks of the split build, and the loader cost ~6 ms more); anything else goes to the
// whole command line (cli.ts), loaded only then.
import { type MainIO, runCli } from './cli-main.js';
import type { CommandEntry } from './commands/index.js';

/** Loaded lazily all the same, so `--version` or `run` pays for parsing them, not for running them. */
const hot: readonly CommandEntry[] = [
  { name: 'status', load: async () => (await import('./commands/hot.js')).statusCommand },
  { name: 'next', load: async () => (await import('./commands/hot.js')).nextCommand },
];

/** The whole command line, as the caller loads it: the installed command imports the split ES
 * module build (dist/cli.js) itself, because this entry is built as CommonJS, where `import()` of
 * an ES module would be turned into a `require` that Node 20 cannot do (package.json `build`). */
export type LoadWhole = () => Promise<{ main: (argv: string[], io: MainIO) => Promise<number> }>;

/** The names of the commands this entry runs itself (cli-route.ts sends them here). */
export const hotCommandNames = (): string[] => hot.map((c) => c.name);

export function main(argv: string[], io: MainIO, loadWhole: LoadWhole): Promise<number> {
  return runCli(argv, io, hot, async () => (await loadWhole()).main(argv, io));
}
