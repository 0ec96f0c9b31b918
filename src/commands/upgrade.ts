// `upgrade`: install a new checkout or unpacked release beside the running version, switch to it
// atomically, restart the service and keep it only if it reports ready; otherwise switch back by
// itself (src/upgrade/upgrade.ts). `--recover` finishes an upgrade that was interrupted (the
// service's ExecStartPre runs it at every start).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { instancePaths } from '../library/instance.js';
import { APP, recoverUpgrade, upgrade } from '../upgrade/upgrade.js';
import type { Command } from './command.js';

export const upgradeCommand: Command = {
  name: 'upgrade',
  summary: 'install a new version beside this one, switch, and switch back by itself if it does not start',
  usage: 'upgrade --from DIR [--timeout SECONDS] [--root DIR] [--config FILE] | upgrade --recover',
  options: [
    '--from DIR        the new checkout or unpacked release (built: npm ci there first)',
    '--timeout S       how long the new version has to report ready (default 120)',
    '--root DIR        the installed tree (default /; install.sh --prefix trees for tests)',
    '--recover         roll back an upgrade that was interrupted before it was confirmed',
  ],
  examples: ['artframe-immich upgrade --from ~/artframe-immich-0.2.0   (as root: it restarts the service)'],
  async run(ctx) {
    const { values } = parseArgs({
      args: ctx.args,
      options: {
        from: { type: 'string' },
        timeout: { type: 'string', default: '120' },
        root: { type: 'string', default: '/' },
        recover: { type: 'boolean' },
      },
    });
    const root = path.resolve(values.root);
    const configFile = ctx.configFlag ?? path.join(root, 'etc', APP, 'config.json');
    const config = await loadConfig({ flag: configFile, env: ctx.env, redactor: ctx.redactor });
    const base = {
      root,
      instance: instancePaths(config),
      config: configFile,
      node: process.execPath,
      readyTimeoutMs: Number(values.timeout) * 1000,
      log: (line: string) => ctx.stderr(line + '\n'),
    };
    if (values.recover) {
      // From the service's ExecStartPre: the start under way runs whatever the pointer leads to.
      await recoverUpgrade(base, false);
      return 0;
    }
    if (!values.from) {
      ctx.stderr('upgrade needs --from DIR: the new checkout or unpacked release\n');
      return 2;
    }
    const outcome = await upgrade({ ...base, from: path.resolve(values.from) });
    (outcome.ok ? ctx.stdout : ctx.stderr)(outcome.message + '\n');
    return outcome.ok ? 0 : 1;
  },
};
