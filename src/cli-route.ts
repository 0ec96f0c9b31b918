// Which build the installed command starts (bin/artframe-immich.js): the hot entry (cli-hot.ts,
// one CommonJS file) for the commands that must start fast, the sync entry (cli-sync.ts, another)
// for `sync`, or the whole command line (cli.ts, the split ES module build) for the rest, which
// then compiles neither (~7 ms of a `run` start). Each build answers any command line the same
// way: a command sent to another one would only start slower.
import { readGlobalArgs } from './cli-args.js';

/** The commands cli-hot.ts runs itself. */
export const HOT_COMMANDS: readonly string[] = ['status', 'next'];

/** Whether the hot entry should answer `argv`: one of its commands, or an answer runCli gives
 * before any command (the version, a --config without its file). */
export function startsHot(argv: readonly string[]): boolean {
  const args = readGlobalArgs(argv);
  return args.kind !== 'command' || HOT_COMMANDS.includes(args.rest[0] ?? '');
}

/** The commands cli-sync.ts runs itself. */
export const SYNC_ENTRY_COMMANDS: readonly string[] = ['sync'];

/** Whether the sync entry should answer `argv`: its command (anything the hot entry answers
 * first, a --version after `sync` among them, goes there). */
export function startsSyncEntry(argv: readonly string[]): boolean {
  const args = readGlobalArgs(argv);
  return args.kind === 'command' && SYNC_ENTRY_COMMANDS.includes(args.rest[0] ?? '');
}

/** Which of the hot entry's code caches `argv` uses (code-cache.ts): its command's own, since each
 * command compiles its own functions lazily, or one for the answers given before any command. */
export function hotSlot(argv: readonly string[]): string {
  const args = readGlobalArgs(argv);
  const command = args.kind === 'command' ? (args.rest[0] ?? '') : '';
  return HOT_COMMANDS.includes(command) ? command : 'other';
}
