// The shared GPIO module off a Pi: refusing rpio's mock mode every time it is asked (rpio stays
// in mock mode after its first init, so a second init would quietly succeed), refusing a Pi 5
// before rpio touches its registers, and the one-line errors for /dev/gpiomem.
import { describe, expect, it } from 'vitest';
import { gpiomemError, isPi5, openGpio } from '../../drivers/gpio.js';
import { TransportError } from '../../src/core/errors.js';

const NOT_A_PI =
  'rpio found no Raspberry Pi GPIO here (Pi 5 is not supported by rpio): use --transport serial:PATH, or --dry-run';

describe('shared GPIO', () => {
  it.skipIf(process.arch === 'arm' || process.arch === 'arm64')(
    'off a Pi, opening is refused the first time and every time after',
    () => {
      for (let i = 0; i < 2; i++) {
        let err: unknown;
        try {
          openGpio();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TransportError);
        expect((err as Error).message).toBe(NOT_A_PI);
      }
    },
  );

  it('a Pi 5 is told apart from a Pi 4 by its device-tree compatible string', () => {
    expect(isPi5('raspberrypi,5-model-b\0brcm,bcm2712\0')).toBe(true);
    expect(isPi5('raspberrypi,4-model-b\0brcm,bcm2711\0')).toBe(false);
    expect(isPi5('')).toBe(false);
  });

  it('no permission on /dev/gpiomem names the gpio group', () => {
    expect(gpiomemError('EACCES', 'artframe').message).toBe(
      'no permission to open /dev/gpiomem: add the user to the gpio group (sudo usermod -aG gpio artframe) and log in again',
    );
  });

  it('a missing /dev/gpiomem points away from rpio', () => {
    expect(gpiomemError('ENOENT').message).toBe(
      "/dev/gpiomem does not exist (Raspberry Pi OS's kernel provides it): run Raspberry Pi OS, or use --transport serial:PATH",
    );
  });
});
