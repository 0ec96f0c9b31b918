// What "auto" (the config's default panel, or --panel auto) stands for on this board: the panel the
// Inky HAT's EEPROM names (drivers/detect.ts), resolved before a panel is opened or rendered for.
import { AUTO_PANEL, resolveAutoPanel } from '../../drivers/detect.js';
import type { CommandContext } from './command.js';

/** The panel id itself, or for "auto" the detected one (a one-line ConfigError when none is found). */
export function concretePanelId(id: string, ctx: Pick<CommandContext, 'hardware'>): string {
  return id === AUTO_PANEL ? resolveAutoPanel(ctx.hardware) : id;
}
