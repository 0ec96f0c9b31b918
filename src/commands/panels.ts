// `panels`: the panel catalogue, for people (a table) or machines (--json).
import { parseArgs } from 'node:util';
import { PANELS } from '../../drivers/panels.js';
import type { Command } from './command.js';

export const panelsCommand: Command = {
  name: 'panels',
  summary: 'list the supported e-paper panels (the ids the config\'s "panel" key takes)',
  usage: 'panels [--json]',
  options: ['--json   the whole catalogue: sizes, drivers, colour indices, nominal and measured palettes'],
  examples: ['artframe-immich panels', 'artframe-immich panels --json'],
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: { json: { type: 'boolean' } } });
    if (values.json) {
      ctx.stdout(JSON.stringify(PANELS, null, 2) + '\n');
      return 0;
    }
    const rows = PANELS.map((p) => [
      p.id,
      `${p.width}x${p.height}`,
      p.colours.map((c) => c.name).join(' '),
      p.driver,
      p.name,
    ]);
    const head = ['id', 'size', 'inks', 'driver', 'panel'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) {
      ctx.stdout(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ') + '\n');
    }
    return 0;
  },
};
