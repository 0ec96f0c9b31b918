// The `artframe-immich` command line: global flags, dispatch to a command, and the mapping of
// errors to one line and an exit code (a stack trace only with --verbose).
import type { HardwareSeams } from '../drivers/detect.js';
import { FrameError, describeError } from './core/errors.js';
import { createLogger } from './core/log.js';
import type { Command, CommandContext } from './commands/command.js';
import { commands } from './commands/index.js';

const VERSION = '0.1.0';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'artframe-immich: an e-paper photo frame fed by Immich, working offline',
    '',
    'Usage: artframe-immich <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --config FILE   config file (default $ARTFRAME_IMMICH_CONFIG, else ~/.config/artframe-immich/config.json)',
    '  --verbose       debug logs and stack traces',
    '  --help          help for a command: artframe-immich <command> --help',
    '  --version       print the version',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [
    `artframe-immich ${c.name}: ${c.summary}`,
    '',
    `Usage: artframe-immich ${c.usage}`,
    ...(c.options?.length ? ['', 'Options:', ...c.options.map((o) => `  ${o}`)] : []),
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e}`),
  ].join('\n');
}

/** Find the command: the longest name whose words start the positional arguments. */
function findCommand(words: string[]): { command: Command; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const c of sorted) {
    const parts = c.name.split(' ');
    if (parts.every((p, i) => words[i] === p)) return { command: c, rest: words.slice(parts.length) };
  }
  return undefined;
}

export interface MainIO {
  env?: NodeJS.ProcessEnv;
  /** The board's model file and I2C bus for panel auto-detect (tests); the real ones by default. */
  hardware?: HardwareSeams;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  isTTY?: boolean;
  signal?: AbortSignal;
}

export async function main(argv: string[], io: MainIO = {}): Promise<number> {
  const stdout = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const stderr = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const env = io.env ?? process.env;
  const isTTY = io.isTTY ?? Boolean(process.stdout.isTTY);

  // Global flags may stand anywhere; everything else goes to the command.
  let configFlag: string | undefined;
  let verbose = false;
  let help = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--config') {
      configFlag = argv[++i];
      if (configFlag === undefined) {
        stderr('error: --config needs a file path\n');
        return 2;
      }
    } else if (a.startsWith('--config=')) configFlag = a.slice('--config='.length);
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a === '--version') {
      stdout(`${VERSION}\n`);
      return 0;
    } else rest.push(a);
  }

  const found = findCommand(rest);
  if (!found) {
    if (rest.length === 0 || (help && rest.length === 0)) {
      stdout(usage() + '\n');
      return help ? 0 : rest.length === 0 ? 0 : 2;
    }
    if (help) {
      stdout(usage() + '\n');
      return 0;
    }
    stderr(`error: unknown command "${rest.join(' ')}" (see artframe-immich --help)\n`);
    return 2;
  }
  if (help) {
    stdout(commandHelp(found.command) + '\n');
    return 0;
  }

  const controller = new AbortController();
  const onSignal = () => controller.abort(io.signal?.reason ?? new Error('interrupted'));
  const external = io.signal;
  if (external) external.addEventListener('abort', onSignal, { once: true });
  const ctx: CommandContext = {
    args: found.rest,
    configFlag,
    verbose,
    env,
    stdout,
    stderr,
    isTTY,
    logger: createLogger({
      level: verbose ? 'debug' : 'info',
      format: isTTY ? 'text' : 'json',
      write: (line) => stderr(line + '\n'),
    }),
    signal: controller.signal,
    hardware: io.hardware,
  };
  try {
    return await found.command.run(ctx);
  } catch (err) {
    if (err instanceof FrameError) {
      for (const line of err.message.split('\n')) stderr(`error: ${line}\n`);
      if (verbose && err.stack) stderr(err.stack + '\n');
      return err.exitCode;
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      stderr(`error: ${describeError(err)} (see artframe-immich ${found.command.name} --help)\n`);
      return 2;
    }
    stderr(`error: ${describeError(err)}\n`);
    if (verbose && err instanceof Error && err.stack) stderr(err.stack + '\n');
    return 1;
  } finally {
    external?.removeEventListener('abort', onSignal);
  }
}
