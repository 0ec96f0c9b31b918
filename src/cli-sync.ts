// `sync` from the command line, in a CommonJS file of its own (dist/cli-sync.cjs), as `status` and
// `next` are in cli-hot.ts: no ES module loader and no chunks to find and link, and on Node 20 a
// code cache of its own (code-cache.ts), so the sync engine is not compiled afresh at each run. A
// `sync` that finds nothing due, what a cron job or an owner's script mostly runs, is then mostly
// the library's own check. Its own file, not the hot entry's: `status` and `next` would otherwise
// read and check the engine's 200 KB at every start.
import { type MainIO, runCli } from './cli-main.js';
import type { CommandEntry } from './commands/index.js';
import type { LoadWhole } from './cli-hot.js';

const own: readonly CommandEntry[] = [
  { name: 'sync', load: async () => (await import('./commands/sync.js')).syncCommand },
];

/** The names of the commands this entry runs itself (cli-route.ts sends them here). */
export const syncEntryCommandNames = (): string[] => own.map((c) => c.name);

export function main(argv: string[], io: MainIO, loadWhole: LoadWhole): Promise<number> {
  return runCli(argv, io, own, async () => (await loadWhole()).main(argv, io));
}
