// What `show` and `clear` share: which panel, over which transport, with which pins, taken from
// the flags first and the config second (a config file is optional when the flags say it all).
import { findPanel, type PanelProfile } from '../../drivers/panels.js';
import type { Panel } from '../../drivers/driver.js';
import { openPanel } from '../../drivers/registry.js';
import { loadOptionalConfig, type FrameConfig } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import { concretePanelId } from './auto-panel.js';
import type { CommandContext } from './command.js';

export const PANEL_TARGET_OPTIONS = {
  panel: { type: 'string' },
  transport: { type: 'string' },
  'dry-run': { type: 'boolean' },
  pins: { type: 'string' },
  'spi-hz': { type: 'string' },
} as const;

export const PANEL_TARGET_HELP = [
  "--panel ID            a panel id from `artframe-immich panels`, or auto (the Inky HAT's EEPROM says; default: the config's panel)",
  "--transport T         rpio (SPI on the Pi), serial:/dev/ttyACM0, trace:FILE.jsonl (default: the config's transport)",
  '--dry-run             the trace transport to stdout: every pin change and byte as JSON lines, no hardware',
  "--pins ROLE=BCM,...   override the HAT's pins, e.g. rst=17,dc=25,cs=8,busy=24,pwr=18 (pwr=none; default: the config's panel_pins)",
  "--spi-hz N            SPI clock for rpio (default: the reference driver's)",
];

export interface PanelTargetFlags {
  panel?: string;
  transport?: string;
  'dry-run'?: boolean;
  pins?: string;
  'spi-hz'?: string;
}

/**
 * The config when there is one; undefined when none exists and none was asked for, or when the
 * flags say all the command needs (`complete`) and this user may not read it (a note says so).
 */
export function optionalConfig(
  ctx: CommandContext,
  complete = false,
): Promise<(FrameConfig & { path: string }) | undefined> {
  return loadOptionalConfig({
    flag: ctx.configFlag,
    env: ctx.env,
    redactor: ctx.redactor,
    complete: complete ? { skipped: (why) => ctx.stderr(`note: ${why}\n`) } : undefined,
  });
}

export interface PanelTarget {
  profile: PanelProfile;
  /** rpio, serial:PATH, trace:FILE, virtual:FILE.png or dry-run. */
  transport: string;
  /** `rotate` turns the virtual panel's PNG upright (how the frame hangs). */
  open(extra?: { rotate?: number }): Promise<Panel>;
}

export function panelTarget(
  ctx: CommandContext,
  flags: PanelTargetFlags,
  config: FrameConfig | undefined,
): PanelTarget {
  const id = flags.panel ?? config?.panel;
  if (!id)
    throw new ConfigError('which panel? pass --panel ID (see artframe-immich panels) or set "panel" in the config');
  const profile = findPanel(concretePanelId(id, ctx));
  const transport = flags['dry-run'] ? 'dry-run' : (flags.transport ?? config?.transport ?? 'rpio');
  let spiHz: number | undefined;
  if (flags['spi-hz'] !== undefined) {
    spiHz = Number(flags['spi-hz']);
    if (!Number.isInteger(spiHz) || spiHz < 10_000 || spiHz > 32_000_000) {
      throw new ConfigError(
        `--spi-hz ${flags['spi-hz']} is not allowed; expected a whole number of Hz from 10000 to 32000000`,
      );
    }
  }
  return {
    profile,
    transport,
    open: (extra = {}) =>
      openPanel(profile, transport, {
        pins: flags.pins ?? (config?.panel_pins || undefined),
        spiHz,
        stdout: (line) => ctx.stdout(line + '\n'),
        ...extra,
      }),
  };
}
