// The `artframe-immich` command line over a registry of commands: global flags, dispatch to a
// command, and the mapping of errors to one line and an exit code (a stack trace only with
// --verbose). cli.ts runs it over every command; cli-hot.ts over the few that must start fast.
import type { HardwareSeams } from '../drivers/detect.js';
import { readGlobalArgs } from './cli-args.js';
import { FrameError, describeError } from './core/errors.js';
import { Redactor, createLogger } from './core/log.js';
import { fdWriter, isTerminal } from './core/stdio.js';
import type { Command, CommandContext } from './commands/command.js';
import type { CommandEntry } from './commands/index.js';
// Inlined by the bundler: the version is package.json's, stated once.
import pkg from '../package.json' with { type: 'json' };

const VERSION = pkg.version;

/** The overview: every command with its summary (the one place that loads them all). */
async function usage(commands: readonly CommandEntry[]): Promise<string> {
  const all = await Promise.all(commands.map((c) => c.load()));
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    'artframe-immich: an e-paper photo frame fed by Immich, working offline',
    '',
    'Usage: artframe-immich <command> [options]',
    '',
    'Commands:',
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
function findCommand(
  commands: readonly CommandEntry[],
  words: string[],
): { command: CommandEntry; rest: string[] } | undefined {
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

/**
 * Run the command line over `commands`. `elsewhere`, when given, answers whatever is not one of
 * them (another command, the overview, a typo) with the whole command line.
 */
export async function runCli(
  argv: string[],
  io: MainIO,
  commands: readonly CommandEntry[],
  elsewhere?: () => Promise<number>,
): Promise<number> {
  // A reader that goes away (`artframe-immich panels | head -1`) is not an error of ours.
  const brokenPipe = () => process.exit(process.exitCode ?? 0);
  const stdout = io.stdout ?? fdWriter(1, brokenPipe);
  const stderr = io.stderr ?? fdWriter(2, brokenPipe);
  const env = io.env ?? process.env;
  // Asked at most once, and only when a command or a log line needs it (node:tty loads net).
  let tty: boolean | undefined = io.isTTY;
  const isTTY = () => (tty ??= isTerminal(1));

  const args = readGlobalArgs(argv);
  if (args.kind === 'config-without-file') {
    stderr('error: --config needs a file path\n');
    return 2;
  }
  if (args.kind === 'version') {
    stdout(`${VERSION}\n`);
    return 0;
  }
  const { configFlag, verbose, help, rest } = args;

  const found = findCommand(commands, rest);
  if (!found && elsewhere) return elsewhere();
  if (!found) {
    // No words, or --help without a command: the overview. Anything else is a typo.
    if (rest.length === 0 || help) {
      stdout((await usage(commands)) + '\n');
      return 0;
    }
    stderr(`error: unknown command "${rest.join(' ')}" (see artframe-immich --help)\n`);
    return 2;
  }
  const command = await found.command.load();
  if (help) {
    stdout(commandHelp(command) + '\n');
    return 0;
  }

  // The command's signal, made (and tied to the caller's) when the command first asks for it:
  // `status` and `next` never do, and each AbortController is part of a start (the bin's too).
  let controller: AbortController | null = null;
  let external: AbortSignal | undefined;
  const onSignal = () => controller!.abort(external?.reason ?? new Error('interrupted'));
  const signal = (): AbortSignal => {
    if (controller) return controller.signal;
    controller = new AbortController();
    external = io.signal;
    if (external?.aborted) onSignal();
    else external?.addEventListener('abort', onSignal, { once: true });
    return controller.signal;
  };
  const redactor = new Redactor();
  const ctx: CommandContext = {
    args: found.rest,
    configFlag,
    verbose,
    env,
    stdout,
    stderr,
    get isTTY() {
      return isTTY();
    },
    redactor,
    logger: createLogger({
      redactor,
      level: verbose ? 'debug' : 'info',
      format: () => (isTTY() ? 'text' : 'json'),
      write: (line) => stderr(line + '\n'),
    }),
    get signal() {
      return signal();
    },
    hardware: io.hardware,
  };
  try {
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof FrameError) {
      for (const line of redactor.redact(err.message).split('\n')) stderr(`error: ${line}\n`);
      if (verbose && err.stack) stderr(redactor.redact(err.stack) + '\n');
      return err.exitCode;
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      stderr(`error: ${redactor.redact(describeError(err))} (see artframe-immich ${command.name} --help)\n`);
      return 2;
    }
    stderr(`error: ${redactor.redact(describeError(err))}\n`);
    if (verbose && err instanceof Error && err.stack) stderr(redactor.redact(err.stack) + '\n');
    return 1;
  } finally {
    external?.removeEventListener('abort', onSignal);
  }
}
