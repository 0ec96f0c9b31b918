// The registry of CLI commands, in the order `--help` lists them. Each lives in its own file.
import type { Command } from './command.js';
import { configCheckCommand } from './config-check.js';

export const commands: Command[] = [configCheckCommand];
