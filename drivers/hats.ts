// Which BCM pins each HAT wires to its panel controller and to its buttons: the defaults a
// panel's driver starts from (every pin can be overridden). hardware/wiring.md has the tables.
import { ConfigError } from '../src/core/errors.js';
import type { PinMap } from './transports/transport.js';

export type HatKind = 'waveshare' | 'waveshare-13in3e' | 'inky' | 'inky-13in3';

export interface Hat {
  kind: HatKind;
  name: string;
  pins: PinMap;
  /** Buttons wired on the HAT itself, A to D; a Waveshare HAT has none. */
  buttons: number[];
}

// Inky Impression buttons A 5, B 6, C 16, D 24, inputs with pull-up, pressed = falling edge:
// pimoroni/inky @07035b3 examples/7color/buttons.py:30, :37 and examples/spectra6/buttons.py:31-34, :43.
const INKY_BUTTONS = [5, 6, 16, 24];

export const HATS: Record<HatKind, Hat> = {
  // waveshareteam/e-Paper @86aa993 RaspberryPi_JetsonNano/python/lib/waveshare_epd/epdconfig.py:43-47.
  // Its drivers read no buttons.
  waveshare: {
    kind: 'waveshare',
    name: 'Waveshare e-Paper HAT / e-Paper Driver HAT',
    pins: { rst: 17, dc: 25, cs: 8, busy: 24, pwr: 18 },
    buttons: [],
  },
  // E-paper_Separate_Program/13.3inch_e-Paper_E/RaspberryPi/python/lib/epdconfig.py:40-47: CS
  // master 8, slave 7 (plain GPIOs), DC 25 (held low), RST 17, BUSY 24, PWR 18. No buttons.
  'waveshare-13in3e': {
    kind: 'waveshare-13in3e',
    name: 'Waveshare 13.3" e-Paper HAT (E)',
    pins: { rst: 17, dc: 25, cs: 8, cs1: 7, busy: 24, pwr: 18 },
    buttons: [],
  },
  // pimoroni/inky @07035b3 inky/inky_uc8159.py:46-52, inky_e640.py:38-44 (RESET_PIN, BUSY_PIN,
  // DC_PIN, CS0_PIN); the same on every Impression but the 13.3".
  inky: {
    kind: 'inky',
    name: 'Pimoroni Inky Impression',
    pins: { rst: 27, dc: 22, cs: 8, busy: 17 },
    buttons: INKY_BUTTONS,
  },
  // inky/inky_el133uf1.py:38-45: CS0 26, CS1 16. Button C moves to 25 because 16 is CS1
  // ("Set this value to '25' if you're using a Impression 13.3\"", examples/spectra6/buttons.py:33).
  'inky-13in3': {
    kind: 'inky-13in3',
    name: 'Pimoroni Inky Impression 13.3"',
    pins: { rst: 27, dc: 22, cs: 26, cs1: 16, busy: 17 },
    buttons: [5, 6, 25, 24],
  },
};

/** Parse "rst=17,dc=25,busy=24" over a HAT's defaults. */
export function parsePins(text: string | undefined, defaults: PinMap): PinMap {
  const pins: PinMap = { ...defaults };
  if (!text) return pins;
  for (const part of text.split(',')) {
    const m = /^\s*(rst|dc|cs|cs1|busy|pwr)\s*=\s*(\d{1,2}|none)\s*$/.exec(part);
    if (!m)
      throw new ConfigError(
        `--pins: "${part}" is not ROLE=BCM (roles: rst, dc, cs, cs1, busy, pwr; BCM 0-27; pwr=none)`,
      );
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
  // Two lines on one GPIO cannot both work: reset and chip select on one pin, say, drives the
  // panel's reset with every byte sent.
  const byPin = new Map<number, string[]>();
  for (const [role, bcm] of Object.entries(pins) as [string, number | undefined][]) {
    if (bcm !== undefined) byPin.set(bcm, [...(byPin.get(bcm) ?? []), role]);
  }
  for (const [bcm, roles] of byPin) {
    if (roles.length > 1)
      throw new ConfigError(
        `--pins: ${roles.slice(0, -1).join(', ')} and ${roles.at(-1)} are ${roles.length === 2 ? 'both' : 'all'} on BCM ${bcm}; each line needs its own pin`,
      );
  }
  return pins;
}
