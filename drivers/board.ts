// Which board this is, from the device tree's model string, and so which GPIO backend reaches its
// pins: the character device on a Pi 5 (RP1), rpio's /dev/gpiomem on the Pi Zero, 1-4.
import { readFileSync } from 'node:fs';

export const MODEL_PATH = '/proc/device-tree/model';

export type GpioBackend = 'chardev' | 'rpio';

export interface Board {
  /** The model string ("Raspberry Pi 5 Model B Rev 1.0"), or undefined when there is none. */
  model: string | undefined;
  /** Undefined: not a Raspberry Pi, so no GPIO backend of ours fits. */
  gpio: GpioBackend | undefined;
}

/**
 * The BCM2712 boards (Pi 5, Pi 500, Compute Module 5) have their GPIO on the RP1, which rpio's
 * BCM2835 register map cannot drive. The model names are the firmware's, e.g. "Raspberry Pi 5
 * Model B Rev 1.0", "Raspberry Pi 500 Rev 1.0", "Raspberry Pi Compute Module 5 Rev 1.0".
 * gpiodevice takes any model starting "Raspberry Pi" as a Pi (gpiodevice/platform/pi.py:1-21).
 */
const PI5_FAMILY = /^Raspberry Pi (5|500|Compute Module 5)\b/;

export function boardFromModel(model: string | undefined): Board {
  if (!model?.startsWith('Raspberry Pi')) return { model, gpio: undefined };
  return { model, gpio: PI5_FAMILY.test(model) ? 'chardev' : 'rpio' };
}

/** Read the model (NUL-terminated in the device tree); a missing file means "not a Pi". */
export function readBoard(modelPath: string = MODEL_PATH): Board {
  let model: string | undefined;
  try {
    model = readFileSync(modelPath, 'latin1').replace(/\0+$/, '').trim() || undefined;
  } catch {
    model = undefined;
  }
  return boardFromModel(model);
}
