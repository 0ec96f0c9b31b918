// Which wake board this frame has: the one the config names, or with `wake: "auto"` the first that
// answers without side effects: the PiSugar server on loopback (`get model`), a Witty Pi 4 at 0x08
// (a read of its address register), then the kernel RTC (a writable wakealarm).
import type { OpenI2c } from '../../drivers/i2c.js';
import { WakeBoardError } from '../core/errors.js';
import type { WakeBoard } from './board.js';
import type { BatteryConfig } from './config.js';
import { PiSugar } from './pisugar.js';
import { KernelRtc, rtcCanWake } from './rtc.js';
import { WittyPi } from './witty-pi.js';

export async function chooseWakeBoard(c: BatteryConfig, openI2c: OpenI2c): Promise<WakeBoard> {
  const pisugar = new PiSugar(c.pisugar_address);
  const witty = new WittyPi({
    bus: c.witty_pi_bus,
    open: openI2c,
    emptyVolts: c.witty_pi_empty_volts,
    fullVolts: c.witty_pi_full_volts,
  });
  const rtc = new KernelRtc(c.rtc_dir);
  switch (c.wake) {
    case 'pisugar':
      await pisugar.model();
      return pisugar;
    case 'witty-pi':
      if (!witty.present())
        throw new WakeBoardError(`battery.wake: no Witty Pi 4 answers at 0x08 on I2C bus ${c.witty_pi_bus}`);
      return witty;
    case 'rtc':
      if (!(await rtcCanWake(c.rtc_dir)))
        throw new WakeBoardError(`battery.wake: ${c.rtc_dir}/wakealarm is missing or not writable by this user`);
      return rtc;
    case 'auto': {
      if (
        await pisugar.model().then(
          () => true,
          () => false,
        )
      )
        return pisugar;
      if (witty.present()) return witty;
      if (await rtcCanWake(c.rtc_dir)) return rtc;
      throw new WakeBoardError(
        `power is "battery" but no wake board answers: no PiSugar server at ${c.pisugar_address}, no Witty Pi 4 on I2C bus ${c.witty_pi_bus}, no writable ${c.rtc_dir}/wakealarm`,
      );
    }
  }
}
