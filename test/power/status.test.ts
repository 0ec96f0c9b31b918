// Battery mode in `status`: the wake board that answers, the battery, and what a Pi needs to draw
// nothing after halt; a missing board is said in one line.
import { describe, expect, it } from 'vitest';
import { batteryConfigSchema } from '../../src/power/config.js';
import { formatPower, haltAdvice, powerStatus } from '../../src/power/status.js';
import { rtcFolder, startPiSugarSim } from './sim-boards.js';

const noI2c = () => {
  throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
};

describe('power in status', () => {
  it('shows the PiSugar battery, level and charging', async () => {
    const sim = await startPiSugarSim({ level: 57, plugged: true });
    try {
      const p = await powerStatus(batteryConfigSchema.parse({ pisugar_address: sim.address }), noI2c, undefined);
      expect(formatPower(p)).toContain('battery      57%, charging (pisugar3)');
    } finally {
      await sim.close();
    }
  });

  it('on a Pi 5 with its own RTC, says POWER_OFF_ON_HALT; without a board, says what it looked for', async () => {
    const dir = await rtcFolder(new Date());
    const closed = await startPiSugarSim();
    await closed.close();
    const c = batteryConfigSchema.parse({ pisugar_address: closed.address, rtc_dir: dir });
    const p = await powerStatus(c, noI2c, 'Raspberry Pi 5 Model B Rev 1.0');
    expect(p.board).toBe('rtc');
    expect(formatPower(p)).toMatch(/POWER_OFF_ON_HALT=1/);
    const none = await powerStatus({ ...c, rtc_dir: '/nonexistent' }, noI2c, 'Raspberry Pi 4 Model B Rev 1.5');
    expect(formatPower(none)).toContain('wake board   none: power is "battery" but no wake board answers');
    expect(none.halt_advice).toMatch(/270-400 mA/);
    expect(haltAdvice('Raspberry Pi Zero 2 W Rev 1.0')).toBeNull();
  });
});
