// The rpio transport's choices that can be checked off a Pi: the SPI clock divider, and refusing
// to pretend when rpio finds no Pi GPIO (it would otherwise run in its silent mock mode).
import { describe, expect, it } from 'vitest';
import { HATS } from '../drivers/hats.js';
import { RpioTransport, spiClockDivider } from '../drivers/transports/rpio.js';
import { TransportError } from '../src/errors.js';

describe('rpio transport', () => {
  it('the SPI divider is the smallest even divider of 250 MHz not above the asked clock', () => {
    expect(spiClockDivider(4_000_000)).toBe(64); // 3.9 MHz
    expect(spiClockDivider(1_000_000)).toBe(250);
    expect(spiClockDivider(5_000_000)).toBe(50);
    expect(spiClockDivider(3_000_000)).toBe(84);
    for (const hz of [123_456, 2_000_000, 7_777_777]) {
      const d = spiClockDivider(hz);
      expect(d % 2).toBe(0);
      expect(250_000_000 / d).toBeLessThanOrEqual(hz);
    }
  });

  it.skipIf(process.arch === 'arm' || process.arch === 'arm64')(
    'on a machine without Pi GPIO, opening fails with a TransportError instead of mocking',
    () => {
      let err: unknown;
      try {
        RpioTransport.open({ pins: HATS.waveshare.pins, spiHz: 4_000_000 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TransportError);
      expect((err as Error).message).toBe(
        'rpio found no Raspberry Pi GPIO here (Pi 5 is not supported by rpio): use --transport serial:PATH, or --dry-run',
      );
    },
  );
});
