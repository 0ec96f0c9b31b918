// `clear`: refresh the panel to plain white (before storing a frame, or to rest the inks).
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { optionalConfig, PANEL_TARGET_HELP, PANEL_TARGET_OPTIONS, panelTarget } from './panel-target.js';

export const clearCommand: Command = {
  name: 'clear',
  summary: 'refresh the panel to white and put it to sleep',
  usage: 'clear [--panel ID] [--transport rpio|serial:PATH|trace:FILE] [--dry-run]',
  options: PANEL_TARGET_HELP,
  examples: ['artframe-immich clear', 'artframe-immich clear --panel waveshare-7in5-v2 --transport rpio'],
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: PANEL_TARGET_OPTIONS });
    const target = panelTarget(ctx, values, await optionalConfig(ctx, Boolean(values.panel)));
    const started = performance.now();
    const panel = await target.open();
    try {
      await panel.clear();
    } finally {
      await panel.close();
    }
    const ms = Math.round(performance.now() - started);
    if (target.transport === 'dry-run') ctx.logger.info('cleared', { panel: target.profile.id, ms });
    else ctx.stdout(`cleared ${target.profile.id} via ${target.transport} (${ms} ms)\n`);
    return 0;
  },
};
