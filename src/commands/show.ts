// `show`: render a photo (or the library's next one) for the panel and push it to the glass.
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.js';
import { frameOptionsFromConfig, renderOptionsFromConfig } from '../render/options.js';
import type { Command } from './command.js';
import { openLibrary } from './open-library.js';
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
    // A photo and --panel are all show needs; without a photo it picks from the config's library.
    const config = await optionalConfig(ctx, Boolean(values.panel && positionals[0] !== undefined));
    const target = panelTarget(ctx, values, config);
    // The frame's own inks when it has been calibrated (and the panel is the config's).
    const inked =
      config && (values.panel === undefined || values.panel === config.panel)
        ? await framePanel(target.profile, instancePaths(config), (m) => ctx.logger.warn(m))
        : target.profile;

    const started = performance.now();
    let photo = positionals[0];
    let frame: { buffer: Uint8Array; rotate: number };
    let partner: string | null = null;
    let library: ReturnType<typeof openLibrary> | null = null;
    if (photo === undefined) {
      if (!config)
        throw new ConfigError('show without PHOTO picks from the library, which needs a config (--config FILE)');
      // The frame's own refresh: the one pick (filters, hide list, bit-rot check), then captions,
      // face-aware crops and a portrait partner, as the service draws it.
      library = openLibrary(config, { logger: ctx.logger });
      const { pickAndRender } = await import('../frame/compose.js');
      const picked = await pickAndRender(
        () => library!.nextSelection(),
        {
          panel: inked,
          rotate: config.rotate,
          pairs: config.portrait_pairs,
          timeZone: config.timezone || undefined,
          options: { ...renderOptionsFromConfig(config), ...frameOptionsFromConfig(config) },
        },
        (err) => ctx.logger.warn('cannot render a photo; trying the next one', { error: err.message }),
      );
      if (!picked) throw new ConfigError('show: three photos in a row could not be rendered; see the log');
      photo = picked.rendered.paths[0]!;
      partner = picked.rendered.partner?.id ?? null;
      frame = picked.rendered.frame;
    } else {
      // sharp loads only when a photo is rendered, so the other commands start quickly.
      const { renderForPanel } = await import('../render/pipeline.js');
      frame = await renderForPanel(photo, inked, config ? renderOptionsFromConfig(config) : {});
    }
    const panel = await target.open({ rotate: frame.rotate });
    try {
      await panel.show(frame.buffer);
    } finally {
      await panel.close();
    }
    if (partner && library) await library.markShown(partner);
    const ms = Math.round(performance.now() - started);
    const summary = { photo, panel: target.profile.id, transport: target.transport, ms };
    // With --dry-run stdout carries the trace, so the summary goes to the log instead.
    if (target.transport === 'dry-run') ctx.logger.info('shown', summary);
    else if (values.json) ctx.stdout(JSON.stringify(summary) + '\n');
    else ctx.stdout(`shown ${photo} on ${target.profile.id} via ${target.transport} (${ms} ms)\n`);
    return 0;
  },
};
