// The transport on the Pi itself, without root: SPI0 through the kernel's spidev (/dev/spidev0.0,
// group spi, via the spi-device addon) and the panel's pins through drivers/gpio.ts (group gpio:
// the GPIO character device on a Pi 5, rpio on /dev/gpiomem on older Pis). The addons are optional dependencies that only build where they are
// needed, so they load lazily.
//
// Chip select: the panel's CS (BCM 8, CE0; and the 13.3" panels' second one, BCM 7 or 16) is ours, a plain GPIO taken low around each command
// and data run as the reference drivers do, so a 192 000-byte frame is one CS-low run although
// spidev sends it as transfers of its bufsiz (4096 bytes by default). The kernel must not move that line as well:
// - `dtparam=spi=on` alone: recent Pi kernels give SPI0 GPIO chip selects (cs-gpios on BCM 8
//   and 7), so spi-bcm2835 claims BCM 8 and the SPI core raises it after every transfer,
//   cutting the frame into pieces.
// - `dtoverlay=spi0-0cs`: an empty cs-gpios and no CS pins muxed to SPI0, so the kernel claims
//   and drives neither; /dev/spidev0.0 stays (only spidev0.1 goes). Kernels before
//   raspberrypi/linux#5837 (January 2024) still turned the native CE0 into a claimed GPIO.
// We recommend the overlay (Pimoroni's setup; install.sh adds it) and also open spidev with
// SPI_NO_CS, which stops the SPI core from toggling a CS GPIO it holds, so an older kernel or a
// config without the overlay leaves BCM 8 to us too.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { TransportError } from '../../src/core/errors.js';
import { openGpio, type Gpio, type Pull } from '../gpio.js';
import { SPI_CHUNK_BYTES, spiChunks, type Level, type PinMap, type Transport } from './transport.js';

export const SPIDEV_PATH = '/dev/spidev0.0';

/** The spidev module's transfer limit, which `modprobe spidev bufsiz=N` (or the kernel command line) sets. */
export const SPIDEV_BUFSIZ_PATH = '/sys/module/spidev/parameters/bufsiz';

/**
 * The largest transfer spidev takes here, read as py-spidev reads it (doceme/py-spidev @cbd6b20
 * spidev_module.c:41-94, get_xfer3_block_size): the number in SPIDEV_BUFSIZ_PATH, 4096 where it
 * cannot be read or is not a positive number, at most 65535 (py-spidev's XFER3_MAX_BLOCK_SIZE).
 * So a raised buffer means fewer transfers and a lowered one no EMSGSIZE.
 */
export function spidevBufsiz(file: string = SPIDEV_BUFSIZ_PATH): number {
  let value: number;
  try {
    value = Number.parseInt(readFileSync(file, 'latin1').trim(), 10);
  } catch {
    return SPI_CHUNK_BYTES;
  }
  if (!Number.isInteger(value) || value <= 0) return SPI_CHUNK_BYTES;
  return Math.min(value, 65535);
}

/** One spidev transfer, in spi-device's terms. */
export interface SpiTransfer {
  sendBuffer: Buffer;
  byteLength: number;
  speedHz: number;
}

/** The part of an open spi-device that the transport uses; tests pass an in-memory one. */
export interface SpiDevice {
  transfer(message: SpiTransfer[], callback: (err: Error | null | undefined) => void): unknown;
  closeSync(): void;
}

interface SpiOptions {
  mode?: number;
  maxSpeedHz?: number;
  noChipSelect?: boolean;
}

/** The part of the spi-device module used here (typed locally: the module may not be installed). */
interface SpiDeviceModule {
  MODE0: number;
  openSync(
    bus: number,
    device: number,
    options?: SpiOptions,
  ): SpiDevice & { setOptionsSync(options: SpiOptions): unknown };
}

/** The one-line error for a failed spidev open or transfer, by its errno code. */
export function spidevError(err: unknown, user = os.userInfo().username): TransportError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new TransportError(
        `${SPIDEV_PATH} does not exist, so SPI is off: enable SPI: sudo raspi-config nonint do_spi 0 (or dtparam=spi=on in /boot/firmware/config.txt) and reboot`,
      );
    case 'EACCES':
    case 'EPERM':
      return new TransportError(
        `no permission to open ${SPIDEV_PATH}: add the user to the spi group (sudo usermod -aG spi ${user}) and log in again`,
      );
    default:
      return new TransportError(
        `SPI through ${SPIDEV_PATH} failed (${(err as Error | undefined)?.message ?? String(err)}): check that SPI is enabled and the HAT is seated`,
      );
  }
}

function loadSpiDevice(): SpiDeviceModule {
  try {
    return createRequire(import.meta.url)('spi-device') as SpiDeviceModule;
  } catch (err) {
    throw new TransportError(
      `the spi-device module is not installed (${(err as Error).message.split('\n')[0]}): run "npm install spi-device" in the app's directory on the Pi (it builds with python3, make and g++), or use --transport serial:PATH or trace:FILE`,
    );
  }
}

/** Open /dev/spidev0.0 in mode 0 at `hz`, without the kernel's chip select where it allows. */
export function openSpidev(hz: number): SpiDevice {
  const module = loadSpiDevice();
  let device: ReturnType<SpiDeviceModule['openSync']>;
  try {
    device = module.openSync(0, 0, { mode: module.MODE0, maxSpeedHz: hz });
  } catch (err) {
    throw spidevError(err);
  }
  try {
    device.setOptionsSync({ noChipSelect: true });
  } catch {
    // A driver without SPI_NO_CS: with spi0-0cs the kernel drives no CS pin anyway.
  }
  return device;
}

export interface RpioOptions {
  pins: PinMap;
  /** SPI clock in Hz: the kernel divides the core clock by an even number, never above this. */
  spiHz: number;
  /** BUSY's pull resistor, as the panel's vendor sets it (PanelProfile.busyPull). */
  busyPull: Pull;
  /** The largest spidev transfer (default: spidevBufsiz(), what the running kernel allows). */
  transferBytes?: number;
}

export interface RpioDevices {
  gpio: Gpio;
  spi: SpiDevice;
}

export class RpioTransport implements Transport {
  private readonly gpio: Gpio;
  private readonly spi: SpiDevice;
  private readonly pins: PinMap;
  private readonly spiHz: number;
  private readonly transferBytes: number;
  private closed = false;

  /** Take over open devices and set the panel's pins to their idle levels. */
  constructor(devices: RpioDevices, options: RpioOptions) {
    this.gpio = devices.gpio;
    this.spi = devices.spi;
    this.pins = options.pins;
    this.spiHz = options.spiHz;
    this.transferBytes = options.transferBytes ?? SPI_CHUNK_BYTES;
    const { pins } = options;
    try {
      this.gpio.openOutput(pins.cs, 1);
      // The 13.3" panels' second controller: its chip select is ours too, idle high.
      if (pins.cs1 !== undefined) this.gpio.openOutput(pins.cs1, 1);
      this.gpio.openOutput(pins.dc, 0);
      this.gpio.openOutput(pins.rst, 1);
      if (pins.pwr !== undefined) this.gpio.openOutput(pins.pwr, 0);
      // The pull the vendor's driver sets: up on the newer Inky boards, down on Waveshare's HATs.
      this.gpio.openInput(pins.busy, options.busyPull);
    } catch (err) {
      throw new TransportError(
        `cannot set up the panel's pins (${(err as Error).message}): check that nothing else holds GPIO ${[pins.cs, pins.cs1, pins.dc, pins.rst, pins.busy].filter((p) => p !== undefined).join(', ')}`,
      );
    }
  }

  /** The Pi's own GPIO (refused off a Pi) and /dev/spidev0.0. */
  static open(options: RpioOptions): RpioTransport {
    const gpio = openGpio();
    const spi = openSpidev(options.spiHz);
    try {
      return new RpioTransport({ gpio, spi }, { ...options, transferBytes: options.transferBytes ?? spidevBufsiz() });
    } catch (err) {
      spi.closeSync();
      throw err;
    }
  }

  async writePin(pin: number, level: Level): Promise<void> {
    this.gpio.write(pin, level);
  }

  async readPin(pin: number): Promise<Level> {
    return this.gpio.read(pin);
  }

  /**
   * One spidev transfer a chunk, each within spidev's bufsiz (transferBytes). The asynchronous transfer
   * runs on libuv's pool: a frame at 1 MHz takes 1.5 s, which would otherwise stall the event
   * loop (the buttons' polling, a sync in progress).
   */
  async spiWrite(bytes: Uint8Array): Promise<void> {
    for (const chunk of spiChunks(bytes, this.transferBytes)) {
      const sendBuffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      await new Promise<void>((resolve, reject) => {
        this.spi.transfer([{ sendBuffer, byteLength: chunk.length, speedHz: this.spiHz }], (err) =>
          err ? reject(spidevError(err)) : resolve(),
        );
      });
    }
  }

  async delay(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.spi.closeSync();
    } finally {
      for (const pin of [this.pins.rst, this.pins.dc, this.pins.cs, this.pins.cs1, this.pins.busy, this.pins.pwr]) {
        if (pin !== undefined) this.gpio.close(pin);
      }
    }
  }
}
