// The Pi's GPIO buttons for the service: opens the GPIO (drivers/gpio.ts: the character device on a
// Pi 5, rpio elsewhere) and watches the configured pins. A frame without working GPIO still runs;
// it just has no buttons.
import { watchGpioButtons, type OnPress } from './button-input.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';

export async function startGpioButtons(pins: readonly number[], onPress: OnPress, logger: Logger): Promise<() => void> {
  try {
    const { openGpio } = await import('../../drivers/gpio.js');
    const gpio = openGpio();
    const stop = watchGpioButtons(gpio, pins, (kind, pin) => {
      logger.info('button', { pin, press: kind });
      onPress(kind, pin);
    });
    logger.info('watching buttons', { pins });
    return stop;
  } catch (err) {
    logger.warn('buttons are not available; the frame runs without them', { pins, error: describeError(err) });
    return () => {};
  }
}
