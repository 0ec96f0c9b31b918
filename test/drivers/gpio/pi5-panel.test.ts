// A panel on a Pi 5, end to end off a Pi: the Pi transport with its GPIO on the character-device
// backend over a simulated pinctrl-rp1 chip and an in-memory spidev; every pin level the kernel
// was asked for, every BUSY read and every SPI transfer is replayed into the panel emulator, which
// must show the frame. An Inky (rst 27, dc 22, busy 17), a Waveshare HAT (with pwr 18), and the
// two-controller 13.3" HATs with their second chip select (Inky cs0 26 / cs1 16, Waveshare 8 / 7).
import { describe, expect, it } from 'vitest';
import { openChardevGpio } from '../../../drivers/gpio/chardev.js';
import { HATS } from '../../../drivers/hats.js';
import { PANELS } from '../../../drivers/panels.js';
import { driverFor } from '../../../drivers/registry.js';
import { SpiPanel } from '../../../drivers/spi-panel.js';
import { RpioTransport, type SpiDevice, type SpiTransfer } from '../../../drivers/transports/rpio.js';
import type { Level } from '../../../drivers/transports/transport.js';
import { packIndices, randomIndices } from '../../emulator/frames.js';
import { createGlass, frameFromGlass } from '../../emulator/glass.js';
import { FakeGpioKernel } from './fake-gpiochip.js';

type Wire =
  | { op: 'pin'; pin: number; level: Level }
  | { op: 'read'; pin: number; level: Level }
  | { op: 'spi'; bytes: Uint8Array }
  | { op: 'delay'; ms: number };

class WireSpi implements SpiDevice {
  constructor(private readonly wire: Wire[]) {}
  transfer(message: SpiTransfer[], callback: (err: Error | null | undefined) => void): void {
    for (const t of message) this.wire.push({ op: 'spi', bytes: Uint8Array.from(t.sendBuffer) });
    setImmediate(() => callback(null));
  }
  closeSync(): void {}
}

describe('a panel on a Pi 5 through the GPIO character device', () => {
  it.each(['inky-impression-7in3-spectra6', 'waveshare-7in3e', 'inky-impression-13in3-spectra6', 'waveshare-13in3e'])(
    '%s shows the frame',
    async (id) => {
      const profile = PANELS.find((p) => p.id === id)!;
      const driver = driverFor(profile);
      const pins = HATS[driver.hat].pins;
      const wire: Wire[] = [];
      const kernel = new FakeGpioKernel([{ path: '/dev/gpiochip0', label: 'pinctrl-rp1' }], {
        wire: (e) => wire.push(e.op === 'pin' ? { ...e, op: 'pin' } : { ...e, op: 'read' }),
      });
      const transport = new (class extends RpioTransport {
        override async delay(ms: number): Promise<void> {
          wire.push({ op: 'delay', ms });
        }
      })(
        { gpio: openChardevGpio(kernel), spi: new WireSpi(wire) },
        { pins, spiHz: driver.spiHz, busyPull: profile.busyPull },
      );

      // The controller drives BUSY idle, whatever pull the transport set on the line.
      kernel.drive(pins.busy, (1 - driver.busyLevel) as Level);

      const indices = randomIndices(profile, 11);
      const panel = new SpiPanel(driver, transport, pins);
      await panel.show(packIndices(indices, profile));
      await panel.close();

      const emulator = createGlass(driver.name, pins);
      for (const e of wire) {
        if (e.op === 'pin') await emulator.writePin(e.pin, e.level);
        else if (e.op === 'read') emulator.observeRead(e.pin, e.level);
        else if (e.op === 'delay') await emulator.delay(e.ms);
        else await emulator.spiWrite(e.bytes);
      }
      await emulator.close();
      expect(emulator.shown).toHaveLength(1);
      expect(Buffer.from(frameFromGlass(emulator.shown[0]!, profile)).equals(Buffer.from(indices))).toBe(true);
      expect(wire.filter((e) => e.op === 'read' && e.pin === pins.busy).length).toBeGreaterThan(0);
      // Every panel line was given back, left an input; only the chip's own descriptor stays open.
      for (const pin of Object.values(pins)) {
        expect([kernel.line(pin)?.direction, kernel.line(pin)?.owner]).toEqual(['in', undefined]);
      }
      expect(kernel.openFds).toBe(1);
    },
  );
});
