// The registry of CLI commands, in the order `--help` lists them. Each lives in its own file.
import type { Command } from './command.js';
import { clearCommand } from './clear.js';
import { configCheckCommand } from './config-check.js';
import { demoCommand } from './demo.js';
import { nextCommand } from './next.js';
import { panelsCommand } from './panels.js';
import { renderCommand } from './render.js';
import { runCommand } from './run.js';
import { showCommand } from './show.js';
import { statusCommand } from './status.js';
import { syncCommand } from './sync.js';
import { testCommand } from './test.js';

export const commands: Command[] = [
  runCommand,
  syncCommand,
  statusCommand,
  nextCommand,
  testCommand,
  demoCommand,
  configCheckCommand,
  renderCommand,
  panelsCommand,
  showCommand,
  clearCommand,
];
