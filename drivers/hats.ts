// Which BCM pins each HAT wires to its panel controller and to its buttons: the defaults a
// panel's driver starts from (every pin can be overridden). hardware/wiring.md has the tables.
import type { PinMap } from './transport.js';

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
