// `show`: render a photo (or the library's next one) for the panel and push it to the glass.
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import { renderOptionsFromConfig } from '../render/options.js';
import { nextPhoto } from '../library/selection/state.js';
import type { Command } from './command.js';
import { optionalConfig, PANEL_TARGET_HELP, PANEL_TARGET_OPTIONS, panelTarget } from './panel-target.js';
import { instancePaths } from '../library/instance.js';
import { framePanel } from '../calibration/inks-file.js';

export const showCommand: Command = {
  name: 'show',
  summary: 'render a photo (default: the next one from the library) and show it on the panel',
  usage: 'show [PHOTO] [--panel ID] [--transport rpio|serial:PATH|trace:FILE] [--dry-run]',
  options: [...PANEL_TARGET_HELP, '--json                print what was shown as JSON'],
  examples: [
    'artframe-immich show',
    'artframe-immich show holiday.jpg --panel waveshare-7in3e --transport rpio',
    'artframe-immich show holiday.jpg --panel inky-impression-7in3 --dry-run > trace.jsonl',
  ],
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: { ...PANEL_TARGET_OPTIONS, json: { type: 'boolean' } },
    });
    if (positionals.length > 1) throw new ConfigError('show takes at most one PHOTO (see artframe-immich show --help)');
    const config = await optionalConfig(ctx);
    const target = panelTarget(ctx, values, config);

    let photo = positionals[0];
    if (photo === undefined) {
      if (!config)
        throw new ConfigError('show without PHOTO picks from the library, which needs a config (--config FILE)');
      photo = (await nextPhoto(instancePaths(config), config.selection_mode, { logger: ctx.logger })).path;
    }

    // sharp loads only when a photo is rendered, so the other commands start quickly.
    const { renderForPanel } = await import('../render/pipeline.js');
    const started = performance.now();
    // The frame's own inks when it has been calibrated (and the panel is the config's).
    const inked =
      config && (values.panel === undefined || values.panel === config.panel)
        ? await framePanel(target.profile, instancePaths(config), (m) => ctx.logger.warn(m))
        : target.profile;
    const frame = await renderForPanel(photo, inked, config ? renderOptionsFromConfig(config) : {});
    const panel = await target.open({ rotate: frame.rotate });
    try {
      await panel.show(frame.buffer);
    } finally {
      await panel.close();
    }
    const ms = Math.round(performance.now() - started);
    const summary = { photo, panel: target.profile.id, transport: target.transport, ms };
    // With --dry-run stdout carries the trace, so the summary goes to the log instead.
    if (target.transport === 'dry-run') ctx.logger.info('shown', summary);
    else if (values.json) ctx.stdout(JSON.stringify(summary) + '\n');
    else ctx.stdout(`shown ${photo} on ${target.profile.id} via ${target.transport} (${ms} ms)\n`);
    return 0;
  },
};
