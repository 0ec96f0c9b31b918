// `config check`: load and validate the config, print where it is and the values in effect.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import type { Command } from './command.js';
import { instancePaths } from '../library/instance.js';

export const configCheckCommand: Command = {
  name: 'config check',
  summary: 'validate the config file and show the values in effect',
  usage: 'config check [--config FILE] [--json]',
  options: ['--json   print the effective config as JSON (the API key hidden)'],
  examples: ['artframe-immich config check --config ~/.config/artframe-immich/config.json'],
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: { json: { type: 'boolean' } } });
    const config = await loadConfig({ flag: ctx.configFlag, env: ctx.env, redactor: ctx.redactor });
    const shown = { ...config, immich_api_key: '(hidden)' };
    const paths = instancePaths(config);
    if (values.json) {
      ctx.stdout(JSON.stringify({ ok: true, config: shown, photos_dir: paths.photosDir }, null, 2) + '\n');
    } else {
      ctx.stdout(`config OK: ${config.path}\n`);
      for (const [k, v] of Object.entries(shown)) {
        if (k !== 'path') ctx.stdout(`  ${k.padEnd(20)} ${JSON.stringify(v)}\n`);
      }
      ctx.stdout(`  ${'photos folder'.padEnd(20)} ${paths.photosDir}\n`);
    }
    return 0;
  },
};
