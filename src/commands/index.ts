// The registry of CLI commands, in the order `--help` lists them. Each lives in its own file.
import type { Command } from './command.js';
import { configCheckCommand } from './config-check.js';
import { panelsCommand } from './panels.js';
import { renderCommand } from './render.js';

export const commands: Command[] = [configCheckCommand, renderCommand, panelsCommand];
