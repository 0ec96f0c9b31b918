// Which BCM pins each HAT wires to its panel controller and to its buttons: the defaults a
// panel's driver starts from (every pin can be overridden). hardware/wiring.md has the tables.
import { ConfigError } from '../src/core/errors.js';
import type { PinMap } from './transports/transport.js';

export type HatKind = 'waveshare' | 'inky';

export interface Hat {
  kind: HatKind;
  name: string;
  pins: PinMap;
  /** Buttons wired on the HAT itself, top to bottom; a Waveshare HAT has none. */
  buttons: number[];
}

export const HATS: Record<HatKind, Hat> = {
  // waveshareteam/e-Paper RaspberryPi_JetsonNano/python/lib/waveshare_epd/epdconfig.py (RaspberryPi)
  waveshare: {
    kind: 'waveshare',
    name: 'Waveshare e-Paper HAT / e-Paper Driver HAT',
    pins: { rst: 17, dc: 25, cs: 8, busy: 24, pwr: 18 },
    buttons: [],
  },
  // pimoroni/inky inky/inky_e673.py and inky_ac073tc1a.py (RESET_PIN, BUSY_PIN, DC_PIN, CS0_PIN);
  // buttons A-D from reference/python/examples/spectra6/buttons.py
  inky: {
    kind: 'inky',
    name: 'Pimoroni Inky Impression',
    pins: { rst: 27, dc: 22, cs: 8, busy: 17 },
    buttons: [5, 6, 16, 24],
  },
};

/** Parse "rst=17,dc=25,busy=24" over a HAT's defaults. */
export function parsePins(text: string | undefined, defaults: PinMap): PinMap {
  const pins: PinMap = { ...defaults };
  if (!text) return pins;
  for (const part of text.split(',')) {
    const m = /^\s*(rst|dc|cs|busy|pwr)\s*=\s*(\d{1,2}|none)\s*$/.exec(part);
    if (!m)
      throw new ConfigError(`--pins: "${part}" is not ROLE=BCM (roles: rst, dc, cs, busy, pwr; BCM 0-27; pwr=none)`);
    const role = m[1] as keyof PinMap;
    if (m[2] === 'none') {
      if (role !== 'pwr') throw new ConfigError(`--pins: only pwr can be "none"`);
      delete pins.pwr;
      continue;
    }
    const bcm = Number(m[2]);
    if (bcm > 27) throw new ConfigError(`--pins: ${role}=${bcm} is not a BCM GPIO number (0-27)`);
    pins[role] = bcm;
  }
  return pins;
}
