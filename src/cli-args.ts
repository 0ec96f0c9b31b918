// The command line's global flags, read one way wherever the command line enters: runCli
// (cli-main.ts) dispatches on what this returns, and the installed command's router
// (cli-route.ts) on the same, so the two never read an argument list differently. No imports:
// the bin's own file (cli-boot.ts) is this, the router and the code cache alone.

/** What the global flags say, in the order they stand: `--version` or a `--config` without its
 * file ends the reading where it stands (what comes after is never looked at). */
export type GlobalArgs =
  | { kind: 'version' }
  | { kind: 'config-without-file' }
  | { kind: 'command'; configFlag: string | undefined; verbose: boolean; help: boolean; rest: string[] };

/** Global flags may stand anywhere; everything else goes to the command (`rest`, in order). */
export function readGlobalArgs(argv: readonly string[]): GlobalArgs {
  let configFlag: string | undefined;
  let verbose = false;
  let help = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config') {
      configFlag = argv[++i];
      if (configFlag === undefined) return { kind: 'config-without-file' };
    } else if (a.startsWith('--config=')) configFlag = a.slice('--config='.length);
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--version') return { kind: 'version' };
    else rest.push(a);
  }
  return { kind: 'command', configFlag, verbose, help, rest };
}
