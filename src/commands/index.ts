// The registry of CLI commands, in the order `--help` lists them. Each lives in its own file and is
// loaded only when it runs (or when help lists them all), so a command pays for its own imports
// and no other's: `status` never loads sharp, `--version` loads nothing.
import type { Command } from './command.js';

export interface CommandEntry {
  /** One word, or two for a group ("config check"); the same as the loaded command's name. */
  name: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'run', load: async () => (await import('./run.js')).runCommand },
  { name: 'sync', load: async () => (await import('./sync.js')).syncCommand },
  { name: 'status', load: async () => (await import('./status.js')).statusCommand },
  { name: 'next', load: async () => (await import('./next.js')).nextCommand },
  { name: 'frame', load: async () => (await import('./frame.js')).frameCommand },
  { name: 'test', load: async () => (await import('./test.js')).testCommand },
  { name: 'demo', load: async () => (await import('./demo.js')).demoCommand },
  { name: 'config check', load: async () => (await import('./config-check.js')).configCheckCommand },
  { name: 'render', load: async () => (await import('./render.js')).renderCommand },
  { name: 'panels', load: async () => (await import('./panels.js')).panelsCommand },
  { name: 'show', load: async () => (await import('./show.js')).showCommand },
  { name: 'clear', load: async () => (await import('./clear.js')).clearCommand },
  { name: 'calibrate', load: async () => (await import('./calibrate.js')).calibrateCommand },
];
