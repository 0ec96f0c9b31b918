// The Pi's I2C bus without root: /dev/i2c-N (group i2c) with the I2C_SLAVE ioctl to pick the device
// address, then plain write() and read(), each one I2C transaction. Used to read the Inky EEPROM.
//
// Why this way: the same `ioctl` addon the GPIO character device uses (drivers/gpio/chardev.ts)
// is all it needs, so no second native module (i2c-bus) and no apt package. The kernel's at24
// driver would expose the EEPROM as a sysfs file, but only after a device-tree overlay or a
// root-only write to new_device, and it would then hold the address (I2C_SLAVE answers EBUSY).
// I2C_SLAVE = 0x0703 (include/uapi/linux/i2c-dev.h).
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { TransportError } from '../src/core/errors.js';

export const I2C_SLAVE = 0x0703;

/** One I2C device on a bus: the seam where tests put a simulated EEPROM. */
export interface I2cDevice {
  /** One write transaction; throws an errno error when nothing acknowledges. */
  write(bytes: Uint8Array): void;
  /** One read transaction of up to `length` bytes. */
  read(length: number): Uint8Array;
  close(): void;
}

export type OpenI2c = (bus: number, address: number) => I2cDevice;

type IoctlFn = (fd: number, request: number, arg: number) => number;

function loadIoctl(): IoctlFn {
  try {
    return createRequire(import.meta.url)('ioctl') as IoctlFn;
  } catch (err) {
    throw new TransportError(
      `the ioctl module is not installed (${(err as Error).message.split('\n')[0]}): run "npm install ioctl" in the app's directory on the Pi`,
    );
  }
}

/** The one-line error for an I2C bus that cannot be opened, by errno. */
export function i2cOpenError(bus: number, err: unknown, user = os.userInfo().username): TransportError {
  const path = `/dev/i2c-${bus}`;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new TransportError(
        `${path} does not exist, so I2C is off: enable it: sudo raspi-config nonint do_i2c 0 (or dtparam=i2c_arm=on in /boot/firmware/config.txt) and reboot`,
      );
    case 'EACCES':
    case 'EPERM':
      return new TransportError(
        `no permission to open ${path}: add the user to the i2c group (sudo usermod -aG i2c ${user}) and log in again`,
      );
    default:
      return new TransportError(`cannot open ${path} (${code ?? String(err)})`);
  }
}

/** The real bus: /dev/i2c-<bus>, addressed to `address`. */
export function openI2cDevice(bus: number, address: number): I2cDevice {
  const path = `/dev/i2c-${bus}`;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR);
  } catch (err) {
    throw i2cOpenError(bus, err);
  }
  try {
    loadIoctl()(fd, I2C_SLAVE, address);
  } catch (err) {
    closeSync(fd);
    if ((err as NodeJS.ErrnoException).code === 'EBUSY') {
      throw new TransportError(
        `address 0x${address.toString(16)} on ${path} is held by a kernel driver (an at24 overlay?): remove that overlay, or set "panel" in the config`,
      );
    }
    throw err instanceof TransportError
      ? err
      : new TransportError(`cannot address 0x${address.toString(16)} on ${path} (${(err as Error).message})`);
  }
  return {
    write: (bytes) => void writeSync(fd, bytes),
    read: (length) => {
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, null);
      return buf.subarray(0, n);
    },
    close: () => closeSync(fd),
  };
}
