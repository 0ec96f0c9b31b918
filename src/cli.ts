// The whole `artframe-immich` command line: every command of the registry, each loaded when it runs.
// The installed command enters through cli-hot.ts, which hands everything but its few here.
import { type MainIO, runCli } from './cli-main.js';
import { commands } from './commands/index.js';

export type { MainIO };

export function main(argv: string[], io: MainIO = {}): Promise<number> {
  return runCli(argv, io, commands);
}
