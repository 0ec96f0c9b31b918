// `panels`: the panel catalogue, for people (a table) or machines (--json); with --detect, what
// this board is, its GPIO backend, the Inky EEPROM's record and the panel "auto" would pick.
import { parseArgs } from 'node:util';
import { detectHardware, type HardwareReport } from '../../drivers/detect.js';
import { pcbVersion } from '../../drivers/inky-eeprom.js';
import { findPanel, PANELS } from '../../drivers/panels.js';
import type { Command } from './command.js';
import { terminalSafe, terminalSafeJson } from '../core/terminal-text.js';

const BACKENDS = { chardev: 'GPIO character device', rpio: 'rpio' } as const;

/** The --detect report as lines of "label  value". */
export function detectionLines(r: HardwareReport): string[] {
  const rows: Array<[string, string]> = [];
  rows.push([
    'board',
    r.board.model ? `${r.board.model} (${r.modelPath})` : `none (no ${r.modelPath}): not a Raspberry Pi`,
  ]);
  if (r.gpio.backend) {
    const where = r.gpio.device ? ` on ${r.gpio.device}` : '';
    rows.push(['GPIO', `${BACKENDS[r.gpio.backend]}${where}${r.gpio.problem ? `: ${r.gpio.problem}` : ''}`]);
  } else {
    rows.push(['GPIO', 'none (not a Raspberry Pi)']);
  }
  const e = r.eeprom;
  rows.push([
    'EEPROM',
    e
      ? `display variant ${e.displayVariant} (${e.variantName ?? 'unknown'}), ${e.width}x${e.height}, colour ${e.colourName ?? e.colour}, PCB ${pcbVersion(e)}, written ${e.writeTime}`
      : 'none',
  ]);
  rows.push(['panel', r.panelId ? `${r.panelId} (${findPanel(r.panelId).name})` : `none: ${r.problem}`]);
  for (const owed of r.reboot) rows.push(['reboot', owed]);
  // The board's model file and the EEPROM's write time are bytes from the hardware: escaped.
  return rows.map(([k, v]) => `${k.padEnd(8)}${terminalSafe(v)}`);
}

export const panelsCommand: Command = {
  name: 'panels',
  summary: 'list the supported e-paper panels (the ids the config\'s "panel" key takes), or detect the one fitted',
  usage: 'panels [--json] [--detect]',
  options: [
    '--json     the whole catalogue: sizes, drivers, colour indices, nominal and measured palettes',
    '--detect   what panel: "auto" finds here: the board, its GPIO backend, the Inky EEPROM, the panel (exit 1 when none)',
  ],
  examples: ['artframe-immich panels', 'artframe-immich panels --json', 'artframe-immich panels --detect'],
  async run(ctx) {
    const { values } = parseArgs({
      args: ctx.args,
      options: { json: { type: 'boolean' }, detect: { type: 'boolean' } },
    });
    if (values.detect) {
      const report = detectHardware(ctx.hardware);
      if (values.json) ctx.stdout(terminalSafeJson(report) + '\n');
      else for (const line of detectionLines(report)) ctx.stdout(line + '\n');
      return report.panelId ? 0 : 1;
    }
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
