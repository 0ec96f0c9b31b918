// Battery mode in `status`: which wake board answers, the battery, and what the board needs to
// really power off after halt. Figures: Jeff Geerling, "Reducing Raspberry Pi 5's power consumption
// by 140x" (jeffgeerling.com/blog/2023, 2023-12): a halted Pi 5 draws 1.2-1.6 W with the default
// POWER_OFF_ON_HALT=0, about 0.01 W with POWER_OFF_ON_HALT=1 and WAKE_ON_GPIO=0; a Pi 4 measured
// 270-400 mA after poweroff with the default bootloader settings
// (raspberrypi.stackexchange.com/questions/114422).
import type { OpenI2c } from '../../drivers/i2c.js';
import { describeError } from '../core/errors.js';
import type { BatteryReading } from './board.js';
import { chooseWakeBoard } from './choose.js';
import type { BatteryConfig } from './config.js';

export interface PowerStatus {
  board: string | null;
  battery: BatteryReading | null;
  problem: string | null;
  halt_advice: string | null;
}

/** What the Pi model needs so that "power off" is off, in one line; null when nothing is known. */
export function haltAdvice(model: string | undefined): string | null {
  if (model?.includes('Raspberry Pi 5'))
    return 'a halted Pi 5 draws 1.2-1.6 W unless its bootloader has POWER_OFF_ON_HALT=1 and WAKE_ON_GPIO=0 (sudo rpi-eeprom-config -e); then about 0.01 W, and its RTC wakes it';
  if (model?.includes('Raspberry Pi 4'))
    return 'a halted Pi 4 draws 270-400 mA unless its bootloader has POWER_OFF_ON_HALT=1 and WAKE_ON_GPIO=0 (sudo rpi-eeprom-config -e); a PiSugar or Witty Pi cuts the power itself';
  return null;
}

export async function powerStatus(c: BatteryConfig, openI2c: OpenI2c, model: string | undefined): Promise<PowerStatus> {
  const advice = haltAdvice(model);
  try {
    const board = await chooseWakeBoard(c, openI2c);
    const battery = await board.battery().catch(() => null);
    return { board: board.name, battery, problem: null, halt_advice: board.name === 'rtc' ? advice : null };
  } catch (err) {
    return { board: null, battery: null, problem: describeError(err), halt_advice: advice };
  }
}

export function formatPower(p: PowerStatus): string {
  const lines = ['power battery'];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(12)} ${v}`);
  row('wake board', p.board ?? `none: ${p.problem}`);
  if (p.battery)
    row('battery', `${p.battery.level_pct}%${p.battery.charging ? ', charging' : ''} (${p.battery.board})`);
  if (p.halt_advice) row('note', p.halt_advice);
  return lines.join('\n');
}
