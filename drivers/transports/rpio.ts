// The rpio transport: the Pi's own GPIO and SPI0 through the rpio native module (/dev/mem, so
// root). rpio is an optional dependency that only builds where it is needed: loaded lazily.
import { createRequire } from 'node:module';
import { TransportError } from '../../src/errors.js';
import { spiChunks, type Level, type PinMap, type Transport } from '../transport.js';

/** The part of rpio's API this transport uses (rpio ships no types). */
interface Rpio {
  INPUT: number;
  OUTPUT: number;
  LOW: number;
  HIGH: number;
  PULL_OFF: number;
  init(options: { gpiomem?: boolean; mapping?: 'gpio' | 'physical'; mock?: string; close_on_exit?: boolean }): void;
  on(event: 'warn', listener: (message: string) => void): void;
  removeListener(event: 'warn', listener: (message: string) => void): void;
  open(pin: number, mode: number, init?: number): void;
  write(pin: number, value: number): void;
  read(pin: number): number;
  close(pin: number): void;
  spiBegin(): void;
  spiChipSelect(cs: number): void;
  spiSetClockDivider(divider: number): void;
  spiSetDataMode(mode: number): void;
  spiWrite(buffer: Buffer, length: number): void;
  spiEnd(): void;
}

export interface RpioOptions {
  pins: PinMap;
  /** SPI clock in Hz; the SPI0 core clock (250 MHz) is divided by an even number to reach it. */
  spiHz: number;
}

/** The even divider of the 250 MHz SPI core clock that does not exceed `hz`. */
export function spiClockDivider(hz: number): number {
  const raw = Math.ceil(250_000_000 / hz);
  return Math.min(65536, Math.max(2, raw + (raw % 2)));
}

function loadRpio(): Rpio {
  try {
    return createRequire(import.meta.url)('rpio') as Rpio;
  } catch (err) {
    throw new TransportError(
      `the rpio module is not installed (${(err as Error).message.split('\n')[0]}): run "npm install rpio" on the Pi, or use --transport serial:PATH or trace:FILE`,
    );
  }
}

export class RpioTransport implements Transport {
  private constructor(
    private readonly rpio: Rpio,
    private readonly pins: PinMap,
  ) {}

  /**
   * Map the Pi's GPIO and SPI0. The reference drivers drive CS as a plain GPIO around every
   * command and data run (Waveshare's epdconfig sets CS_PIN up as an output; Pimoroni asks
   * spidev for no_cs or claims CE0 through gpiod); we do the same: after spiBegin() hands CE0 to
   * the SPI block, CS is taken back as an output so the hardware's per-transfer toggling never
   * reaches the panel and a 192 000-byte frame stays one CS frame across 4096-byte transfers.
   */
  static open(options: RpioOptions): RpioTransport {
    const rpio = loadRpio();
    const warnings: string[] = [];
    const onWarn = (m: string) => warnings.push(m);
    rpio.on('warn', onWarn);
    try {
      rpio.init({ gpiomem: false, mapping: 'gpio', close_on_exit: true });
    } catch (err) {
      throw new TransportError(
        `cannot open the Pi's GPIO (${(err as Error).message}): run as root (rpio needs /dev/mem for SPI)`,
      );
    } finally {
      rpio.removeListener('warn', onWarn);
    }
    if (warnings.some((w) => /mock/i.test(w))) {
      throw new TransportError(
        'rpio found no Raspberry Pi GPIO here (Pi 5 is not supported by rpio): use --transport serial:PATH, or --dry-run',
      );
    }
    const { pins } = options;
    try {
      rpio.spiBegin();
      rpio.spiSetDataMode(0);
      rpio.spiSetClockDivider(spiClockDivider(options.spiHz));
      rpio.open(pins.cs, rpio.OUTPUT, rpio.HIGH);
      rpio.open(pins.dc, rpio.OUTPUT, rpio.LOW);
      rpio.open(pins.rst, rpio.OUTPUT, rpio.HIGH);
      if (pins.pwr !== undefined) rpio.open(pins.pwr, rpio.OUTPUT, rpio.LOW);
      // The controllers drive BUSY push-pull: no pull resistor.
      rpio.open(pins.busy, rpio.INPUT, rpio.PULL_OFF);
    } catch (err) {
      throw new TransportError(
        `cannot set up SPI0 and the panel's pins (${(err as Error).message}): check that nothing else holds GPIO ${pins.cs}, ${pins.dc}, ${pins.rst}, ${pins.busy}`,
      );
    }
    return new RpioTransport(rpio, pins);
  }

  async writePin(pin: number, level: Level): Promise<void> {
    this.rpio.write(pin, level ? this.rpio.HIGH : this.rpio.LOW);
  }

  async readPin(pin: number): Promise<Level> {
    return this.rpio.read(pin) ? 1 : 0;
  }

  async spiWrite(bytes: Uint8Array): Promise<void> {
    for (const chunk of spiChunks(bytes)) {
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      this.rpio.spiWrite(buf, buf.length);
    }
  }

  async delay(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  async close(): Promise<void> {
    this.rpio.spiEnd();
    for (const pin of [this.pins.rst, this.pins.dc, this.pins.cs, this.pins.busy, this.pins.pwr]) {
      if (pin !== undefined) this.rpio.close(pin);
    }
  }
}
