// `next`: the path of the photo to show now, advancing the selection. Offline: it reads the
// local library only, so it works with the server (or the network) gone.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config-file.js';
import { ConfigError } from '../core/errors.js';
import type { Command } from './command.js';
import { openLibrary } from './open-library.js';
import { type SelectionMode, SELECTION_MODES } from '../library/selection/select.js';

export const nextCommand: Command = {
  name: 'next',
  summary: 'print the path of the photo to show now and advance the selection (works offline)',
  usage: 'next [--mode random|sequential|newest|oldest] [--json]',
  options: [
    "--mode MODE   override the config's selection_mode for this pick",
    '--json        print {path, id, captured_at, reason} as JSON',
  ],
  examples: ['artframe-immich next', 'artframe-immich render "$(artframe-immich next)" --out frame.png'],
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: { mode: { type: 'string' }, json: { type: 'boolean' } } });
    const config = await loadConfig({ flag: ctx.configFlag, env: ctx.env, redactor: ctx.redactor });
    let mode: SelectionMode = config.selection_mode;
    if (values.mode !== undefined) {
      if (!(SELECTION_MODES as readonly string[]).includes(values.mode)) {
        throw new ConfigError(`--mode ${values.mode} is not allowed; expected ${SELECTION_MODES.join(' | ')}`);
      }
      mode = values.mode as SelectionMode;
    }
    // The frame's own pick: filters, the hide list and the bit-rot check, as the service does it.
    const { photo, reason } = await openLibrary(config, { logger: ctx.logger }).nextSelection({ mode });
    if (values.json) {
      const id = photo.id.startsWith('file:') ? null : photo.id;
      ctx.stdout(JSON.stringify({ path: photo.path, id, captured_at: photo.capturedAt || null, reason }) + '\n');
    } else ctx.stdout(photo.path + '\n');
    return 0;
  },
};
