// What a CLI command is: a name, its help, and a run function that returns an exit code.
// Commands get their I/O through CommandContext so tests can run them in-process.
import type { HardwareSeams } from '../../drivers/detect.js';
import type { Logger, Redactor } from '../core/log.js';

export interface CommandContext {
  /** Arguments after the command name (global flags already removed). */
  args: string[];
  /** --config FILE, when given. */
  configFlag: string | undefined;
  verbose: boolean;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stdout is a terminal: progress bars and prompts, not log lines. */
  isTTY: boolean;
  /** Logs for people or journald: text on a TTY, JSON lines otherwise. */
  logger: Logger;
  /** This run's secrets (the API key, once a config is read): every logger of the run masks them. */
  redactor: Redactor;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Where panel auto-detect looks (the board's model file, the I2C bus); tests pass simulated ones. */
  hardware?: HardwareSeams;
}

export interface Command {
  /** One word, or two for a group ("config check"). */
  name: string;
  summary: string;
  /** Usage line(s) after `artframe-immich `. */
  usage: string;
  /** Option help, one per line. */
  options?: string[];
  /** At least one example invocation. */
  examples: string[];
  run(ctx: CommandContext): Promise<number>;
}
