// The character-device backend on its own: finding the Pi's pinctrl chip as gpiodevice does, BCM n
// as line n with our consumer name, one-line errors for a line held elsewhere, no file descriptor
// left open, and the real /dev listing in number order.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { findPinctrlChip, openChardevGpio, systemGpioSys } from '../../../drivers/gpio/chardev.js';
import { FIONBIO, GPIO_GET_CHIPINFO_IOCTL } from '../../../drivers/gpio/uapi.js';
import { FakeGpioKernel } from './fake-gpiochip.js';

// Pi 5 on an early 6.6 kernel: four brcmstb chips first, the RP1 at gpiochip4.
const PI5_EARLY = [
  { path: '/dev/gpiochip0', label: 'gpio-brcmstb@107d508500' },
  { path: '/dev/gpiochip1', label: 'gpio-brcmstb@107d508520' },
  { path: '/dev/gpiochip2', label: 'gpio-brcmstb@107d517c00' },
  { path: '/dev/gpiochip3', label: 'gpio-brcmstb@107d517c20' },
  { path: '/dev/gpiochip4', label: 'pinctrl-rp1' },
];

describe('GPIO character device backend', () => {
  it('takes the first chip labelled pinctrl-*, whatever its number, and closes the others', () => {
    const kernel = new FakeGpioKernel(PI5_EARLY);
    const chip = findPinctrlChip(kernel);
    expect([chip.path, chip.label]).toEqual(['/dev/gpiochip4', 'pinctrl-rp1']);
    expect(kernel.openFds).toBe(1);
  });

  it('Pi 5 on a 6.6.45+ kernel (raspberrypi/linux#6144): pinctrl-rp1 at gpiochip0, the SoC chips from 10', () => {
    const kernel = new FakeGpioKernel([
      { path: '/dev/gpiochip0', label: 'pinctrl-rp1' },
      { path: '/dev/gpiochip10', label: 'gpio-brcmstb@107d508500' },
      { path: '/dev/gpiochip11', label: 'gpio-brcmstb@107d508520' },
    ]);
    expect(openChardevGpio(kernel).description).toBe('/dev/gpiochip0 (pinctrl-rp1)');
  });

  it("a Pi 4's pinctrl-bcm2711 at gpiochip0 is found too", () => {
    const kernel = new FakeGpioKernel([
      { path: '/dev/gpiochip0', label: 'pinctrl-bcm2711' },
      { path: '/dev/gpiochip1', label: 'raspberrypi-exp-gpio' },
    ]);
    expect(openChardevGpio(kernel).description).toBe('/dev/gpiochip0 (pinctrl-bcm2711)');
  });

  it('BCM n is line n, claimed under our name, released on close', () => {
    const kernel = new FakeGpioKernel(PI5_EARLY);
    const gpio = openChardevGpio(kernel);
    gpio.openOutput(22, 0);
    expect(kernel.line(22)).toMatchObject({ direction: 'out', level: 0, consumer: 'artframe-immich' });
    gpio.close(22);
    expect(kernel.line(22)?.owner).toBeUndefined();
    expect(kernel.openFds).toBe(1);
  });

  it('opening a pin again reconfigures the same line instead of claiming it twice', () => {
    const kernel = new FakeGpioKernel(PI5_EARLY);
    const gpio = openChardevGpio(kernel);
    gpio.openOutput(8, 1);
    gpio.openInput(8, 'down');
    expect(kernel.line(8)).toMatchObject({ direction: 'in', bias: 'down' });
    expect(kernel.openFds).toBe(2);
  });

  it('a line another program holds is refused in one line naming the pin', () => {
    const kernel = new FakeGpioKernel(PI5_EARLY);
    kernel.hold(8, 'spi0 CS0');
    kernel.hold(25, 'gpioset');
    const gpio = openChardevGpio(kernel);
    expect(() => gpio.openOutput(8, 1)).toThrow(
      "GPIO 8 is in use by another program or a kernel driver (gpioinfo shows who; SPI's chip select holds it unless dtoverlay=spi0-0cs is set)",
    );
    expect(() => gpio.openOutput(25, 0)).toThrow(
      'GPIO 25 is in use by another program or a kernel driver (gpioinfo shows who)',
    );
  });

  it('NaN, fractional, negative or too-high pins and levels other than 0/1 are refused in words (issue 21)', () => {
    const kernel = new FakeGpioKernel(PI5_EARLY);
    const gpio = openChardevGpio(kernel);
    for (const pin of [Number.NaN, 2.5, -1, 54, Infinity]) {
      expect(() => gpio.openOutput(pin, 0)).toThrow(
        `GPIO ${String(pin)} is not a pin number: a BCM GPIO is a whole number from 0 to 53`,
      );
      expect(() => gpio.openInput(pin, 'up')).toThrow(/is not a pin number/);
      expect(() => gpio.read(pin)).toThrow(/is not a pin number/);
    }
    for (const level of [2, -1, 0.5, Number.NaN, true, '1']) {
      expect(() => gpio.openOutput(17, level as never)).toThrow(`GPIO 17: level ${String(level)} is not 0 or 1`);
    }
    gpio.openOutput(17, 0);
    expect(() => gpio.write(17, 2 as never)).toThrow('GPIO 17: level 2 is not 0 or 1');
    expect(() => gpio.openInput(5, 'sideways' as never)).toThrow('GPIO 5: pull sideways is not up, down or off');
    // Nothing was claimed for the refused pins: only BCM 17.
    gpio.close(17);
  });

  it('a blip shorter than a poll (down and up again between two looks) still arrives, in order', async () => {
    const kernel = new FakeGpioKernel(PI5_EARLY);
    const gpio = openChardevGpio(kernel);
    gpio.openInput(6, 'up');
    const seen: number[] = [];
    const unwatch = gpio.watch(6, (l) => seen.push(l));
    kernel.drive(6, 0);
    kernel.drive(6, 1);
    await vi.waitFor(() => expect(seen).toEqual([0, 1]), { timeout: 2000 });
    unwatch();
  });

  it('a watch whose edges cannot be read stops with a warning instead of ending the process', async () => {
    const kernel = new FakeGpioKernel(PI5_EARLY);
    const gpio = openChardevGpio(kernel);
    gpio.openInput(5, 'up');
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const seen: number[] = [];
      gpio.watch(5, (l) => seen.push(l));
      kernel.failReads = 'EIO';
      await vi.waitFor(() =>
        expect(warnings.map((w) => w.message)).toContain(
          'GPIO 5: reading its edges failed (EIO), so it is no longer watched',
        ),
      );
      kernel.failReads = undefined;
      kernel.drive(5, 0);
      await new Promise((r) => setTimeout(r, 30));
      expect(seen).toEqual([]);
      expect(kernel.line(5)?.edges).toBe(false);
      // The pin can be watched again; what happened before is not reported.
      gpio.watch(5, (l) => seen.push(l));
      kernel.drive(5, 0);
      kernel.drive(5, 1);
      await vi.waitFor(() => expect(seen).toEqual([0, 1]));
      gpio.close(5);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a pin that was never set up is refused, not written blindly', () => {
    const gpio = openChardevGpio(new FakeGpioKernel(PI5_EARLY));
    expect(() => gpio.write(17, 1)).toThrow('GPIO 17 is not set up: openOutput or openInput first');
  });

  it('no pinctrl chip: one line listing what there is', () => {
    const kernel = new FakeGpioKernel([{ path: '/dev/gpiochip0', label: 'gpio-mockup-A' }]);
    expect(() => findPinctrlChip(kernel)).toThrow(
      'no GPIO chip labelled pinctrl-* (the Pi\'s own pins) among /dev/gpiochip0 "gpio-mockup-A": is this a Raspberry Pi running Raspberry Pi OS?',
    );
    expect(kernel.openFds).toBe(0);
  });

  it('no chip at all: one line', () => {
    expect(() => findPinctrlChip(new FakeGpioKernel([]))).toThrow(
      /^no GPIO character device \(\/dev\/gpiochip\*\) here/,
    );
  });

  it('the real listing is in number order and skips other devices', async () => {
    const dev = await mkdtemp(path.join(os.tmpdir(), 'dev-'));
    for (const name of ['gpiochip10', 'gpiochip4', 'gpiochip0', 'gpiomem', 'gpiochip4x'])
      await writeFile(path.join(dev, name), '');
    expect(systemGpioSys(dev).listChips()).toEqual([`${dev}/gpiochip0`, `${dev}/gpiochip4`, `${dev}/gpiochip10`]);
    expect(systemGpioSys(path.join(dev, 'absent')).listChips()).toEqual([]);
  });
});

// The real addon on this machine: it loads, passes our buffer to the kernel, and its errors carry
// the errno code the backend's messages branch on.
describe.skipIf(!hasIoctl())('the ioctl addon', () => {
  it('FIONBIO on a real descriptor succeeds; a GPIO ioctl on /dev/null fails with ENOTTY (ENOSYS under qemu-user)', () => {
    const sys = systemGpioSys();
    const fd = sys.open('/dev/null');
    try {
      expect(sys.ioctl(fd, FIONBIO, Buffer.from([1, 0, 0, 0]))).toBe(0);
      let code: string | undefined;
      try {
        sys.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, Buffer.alloc(68));
      } catch (err) {
        code = (err as NodeJS.ErrnoException).code;
      }
      // The kernel answers an ioctl /dev/null does not know with ENOTTY; qemu-user (the emulated
      // arm64 check, hardware/check-arm64-install.sh) answers one it cannot translate with ENOSYS.
      expect(['ENOTTY', 'ENOSYS']).toContain(code);
    } finally {
      sys.close(fd);
    }
  });
});

function hasIoctl(): boolean {
  try {
    createRequire(import.meta.url)('ioctl');
    return true;
  } catch {
    return false;
  }
}
