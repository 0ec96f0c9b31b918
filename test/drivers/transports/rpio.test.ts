// The Pi transport off a Pi: it is handed an in-memory GPIO and an in-memory spidev that record
// what would reach the wires, and the record is replayed into the panel emulator. Also the
// one-line errors, the real spi-device module's answer where there is no /dev/spidev0.0, and
// refusing to pretend off a Pi.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openGpioFor, type Gpio, type Pull } from '../../../drivers/gpio.js';
import { HATS } from '../../../drivers/hats.js';
import { PANELS } from '../../../drivers/panels.js';
import { driverFor } from '../../../drivers/registry.js';
import { SpiPanel } from '../../../drivers/spi-panel.js';
import { SPI_CHUNK_BYTES, type Level, type PinMap } from '../../../drivers/transports/transport.js';
import {
  openSpidev,
  RpioTransport,
  SPIDEV_PATH,
  spidevBufsiz,
  spidevError,
  type RpioOptions,
  type SpiDevice,
  type SpiTransfer,
} from '../../../drivers/transports/rpio.js';
import { TransportError } from '../../../src/core/errors.js';
import { CONTROLLERS } from '../../emulator/controllers.js';
import { packIndices, randomIndices } from '../../emulator/frames.js';
import { PanelEmulator } from '../../emulator/panel-emulator.js';
import { createGlass, frameFromGlass } from '../../emulator/glass.js';
import { FakeGpioKernel } from '../gpio/fake-gpiochip.js';
import { FakeRpio } from '../gpio/fake-rpio.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/device-tree');
const model = (name: string) => path.join(fixtures, `${name}.model`);

/** What reached the wires, in order. */
type WireEvent =
  | { op: 'pin'; pin: number; level: Level }
  | { op: 'read'; pin: number; level: Level }
  | { op: 'transfer'; bytes: Uint8Array; speedHz: number }
  | { op: 'delay'; ms: number };

/** GPIO as pins with modes and levels; writing a pin that was not opened as an output throws. */
class MemoryGpio implements Gpio {
  readonly modes = new Map<number, 'out' | Pull>();
  readonly levels = new Map<number, Level>();

  constructor(
    private readonly wire: WireEvent[],
    /** What inputs read (BUSY idle, say). */
    private readonly inputs: Map<number, Level> = new Map(),
  ) {}

  openOutput(pin: number, level: Level): void {
    this.modes.set(pin, 'out');
    this.write(pin, level);
  }
  write(pin: number, level: Level): void {
    if (this.modes.get(pin) !== 'out') throw new Error(`GPIO ${pin} is not an output`);
    this.levels.set(pin, level);
    this.wire.push({ op: 'pin', pin, level });
  }
  read(pin: number): Level {
    if (!this.modes.has(pin)) throw new Error(`GPIO ${pin} is not open`);
    const level = this.modes.get(pin) === 'out' ? this.levels.get(pin)! : (this.inputs.get(pin) ?? 0);
    this.wire.push({ op: 'read', pin, level });
    return level;
  }
  openInput(pin: number, pull: Pull): void {
    this.modes.set(pin, pull);
  }
  watch(): () => void {
    throw new Error('not used by the transport');
  }
  close(pin: number): void {
    this.modes.delete(pin);
  }
}

/** spidev as a list of transfers; copies the bytes, as the kernel does on the ioctl. */
class MemorySpi implements SpiDevice {
  closes = 0;
  constructor(
    private readonly wire: WireEvent[],
    private readonly fail?: NodeJS.ErrnoException,
  ) {}
  transfer(message: SpiTransfer[], callback: (err: Error | null | undefined) => void): void {
    for (const t of message) {
      expect(t.sendBuffer.length).toBe(t.byteLength);
      this.wire.push({ op: 'transfer', bytes: Uint8Array.from(t.sendBuffer), speedHz: t.speedHz });
    }
    setImmediate(() => callback(this.fail ?? null));
  }
  closeSync(): void {
    this.closes++;
  }
}

/** The transport with the emulator's clock in the record instead of real waiting. */
class RecordedClockTransport extends RpioTransport {
  wire: WireEvent[] = [];
  override async delay(ms: number): Promise<void> {
    this.wire.push({ op: 'delay', ms });
  }
}

function makeTransport(
  pins: PinMap,
  spiHz: number,
  inputs?: Map<number, Level>,
  fail?: NodeJS.ErrnoException,
  extra: Partial<RpioOptions> = {},
) {
  const wire: WireEvent[] = [];
  const gpio = new MemoryGpio(wire, inputs);
  const spi = new MemorySpi(wire, fail);
  const transport = new RecordedClockTransport({ gpio, spi }, { pins, spiHz, busyPull: 'down', ...extra });
  transport.wire = wire;
  return { wire, gpio, spi, transport };
}

const transfers = (wire: WireEvent[]) =>
  wire.filter((e): e is Extract<WireEvent, { op: 'transfer' }> => e.op === 'transfer');
const pins = HATS.waveshare.pins;

describe('Pi transport (spidev and gpiomem)', () => {
  it('bytes go out as spidev transfers of at most 4096 bytes, in order, each at the asked clock', async () => {
    const { wire, transport } = makeTransport(pins, 3_000_000);
    const bytes = Uint8Array.from({ length: 2 * SPI_CHUNK_BYTES + 1808 }, (_, i) => (i * 7) & 0xff);
    await transport.spiWrite(bytes);
    const sent = transfers(wire);
    expect(sent.map((t) => t.bytes.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(sent.map((t) => t.bytes)).equals(Buffer.from(bytes))).toBe(true);
    expect(sent.every((t) => t.speedHz === 3_000_000)).toBe(true);
  });

  it("opening sets the idle levels: CS high, DC low, RST high, PWR off, BUSY an input with the vendor's pull", () => {
    const { gpio } = makeTransport(pins, 4_000_000);
    expect(Object.fromEntries(gpio.levels)).toEqual({ [pins.cs]: 1, [pins.dc]: 0, [pins.rst]: 1, [pins.pwr!]: 0 });
    expect(gpio.modes.get(pins.busy)).toBe('down');
  });

  it("every panel's BUSY pull is its vendor's, and both GPIO backends put it on the line (issue 15)", () => {
    // The vendors' own drivers (drivers/panels.ts cites each line): Pimoroni's newer Inky boards
    // pull up, its uc8159 and ac073tc1a set none, Waveshare's epdconfig pulls down, its 13.3" E none.
    expect(Object.fromEntries(PANELS.map((p) => [p.id, p.busyPull]))).toEqual({
      'waveshare-7in3e': 'down',
      'waveshare-7in3f': 'down',
      'waveshare-7in5-v2': 'down',
      'waveshare-5in65f': 'down',
      'waveshare-13in3e': 'off',
      'waveshare-4in01f': 'down',
      'inky-impression-7in3-spectra6': 'up',
      'inky-impression-7in3': 'off',
      'inky-impression-13in3-spectra6': 'up',
      'inky-impression-4in-spectra6': 'up',
      'inky-impression-5in7': 'off',
      'inky-impression-4in': 'off',
    });
    for (const profile of PANELS) {
      const hatPins = HATS[driverFor(profile).hat].pins;
      const kernel = new FakeGpioKernel([{ path: '/dev/gpiochip0', label: 'pinctrl-rp1' }]);
      const rpio = new FakeRpio();
      const backends = [
        {
          gpio: openGpioFor({ modelPath: model('pi5-model-b'), chardev: kernel }).gpio,
          pull: () => kernel.line(hatPins.busy)?.bias,
        },
        {
          gpio: openGpioFor({ modelPath: model('pi4-model-b'), rpio }).gpio,
          pull: () => rpio.pins.get(hatPins.busy)?.pull,
        },
      ];
      for (const b of backends) {
        new RpioTransport(
          { gpio: b.gpio, spi: new MemorySpi([]) },
          { pins: hatPins, spiHz: 1_000_000, busyPull: profile.busyPull },
        );
        expect([profile.id, b.pull()]).toEqual([profile.id, profile.busyPull]);
      }
    }
  });

  it("transfers follow spidev's bufsiz, read as py-spidev reads it: raised, lowered, capped, or 4096", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bufsiz-'));
    const file = path.join(dir, 'bufsiz');
    const read = async (text: string | null) => {
      if (text === null) await rm(file, { force: true });
      else await writeFile(file, text);
      return spidevBufsiz(file);
    };
    expect(await read('65536\n')).toBe(65535);
    expect(await read('16384\n')).toBe(16384);
    expect(await read('1024\n')).toBe(1024);
    expect(await read('0\n')).toBe(SPI_CHUNK_BYTES);
    expect(await read('lots\n')).toBe(SPI_CHUNK_BYTES);
    expect(await read(null)).toBe(SPI_CHUNK_BYTES);
    const bytes = Uint8Array.from({ length: 2 * SPI_CHUNK_BYTES + 1808 }, (_, i) => (i * 5) & 0xff);
    for (const [transferBytes, sizes] of [
      [16384, [10_000]],
      [1024, [...Array<number>(9).fill(1024), 784]],
    ] as const) {
      const { wire, transport } = makeTransport(pins, 3_000_000, undefined, undefined, { transferBytes });
      await transport.spiWrite(bytes);
      expect(transfers(wire).map((t) => t.bytes.length)).toEqual(sizes);
      expect(Buffer.concat(transfers(wire).map((t) => t.bytes)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('a full update, replayed into the emulator, shows the frame, sent as one CS-low run of transfers', async () => {
    const profile = PANELS.find((p) => p.id === 'waveshare-7in3e')!;
    const driver = driverFor(profile);
    const idle = (1 - driver.busyLevel) as Level;
    const { wire, transport } = makeTransport(pins, driver.spiHz, new Map([[pins.busy, idle]]));
    const indices = randomIndices(profile, 7);
    const panel = new SpiPanel(driver, transport, pins);
    await panel.show(packIndices(indices, profile));
    await panel.close();

    const emulator = new PanelEmulator(CONTROLLERS[driver.name]!, pins);
    for (const e of wire) {
      if (e.op === 'pin') await emulator.writePin(e.pin, e.level);
      else if (e.op === 'read') emulator.observeRead(e.pin, e.level);
      else if (e.op === 'delay') await emulator.delay(e.ms);
      else await emulator.spiWrite(e.bytes);
    }
    await emulator.close();
    expect(emulator.shown).toHaveLength(1);
    expect(Buffer.from(emulator.shown[0]!).equals(Buffer.from(indices))).toBe(true);

    // The longest stretch of transfers with no pin change between them carries the whole frame.
    let run = 0;
    let longest = 0;
    for (const e of wire) {
      if (e.op === 'transfer') longest = Math.max(longest, (run += e.bytes.length));
      else if (e.op === 'pin') run = 0;
    }
    expect(longest).toBe(emulator.frameBytes);
    expect(Math.max(...transfers(wire).map((t) => t.bytes.length))).toBe(SPI_CHUNK_BYTES);
  });

  it('a two-controller HAT: both chip selects are ours, idle high, and an update reaches both halves', async () => {
    const profile = PANELS.find((p) => p.id === 'inky-impression-13in3-spectra6')!;
    const driver = driverFor(profile);
    const hatPins = HATS[driver.hat].pins;
    const { wire, gpio, transport } = makeTransport(hatPins, driver.spiHz, new Map([[hatPins.busy, 1]]));
    expect(gpio.levels.get(hatPins.cs)).toBe(1);
    expect(gpio.levels.get(hatPins.cs1!)).toBe(1);
    const indices = randomIndices(profile, 8);
    await new SpiPanel(driver, transport, hatPins).show(packIndices(indices, profile));
    const glass = createGlass(driver.name, hatPins);
    for (const e of wire) {
      if (e.op === 'pin') await glass.writePin(e.pin, e.level);
      else if (e.op === 'read') glass.observeRead(e.pin, e.level);
      else if (e.op === 'delay') await glass.delay(e.ms);
      else await glass.spiWrite(e.bytes);
    }
    expect(glass.shown).toHaveLength(1);
    expect(Buffer.from(frameFromGlass(glass.shown[0]!, profile)).equals(Buffer.from(indices))).toBe(true);
    await transport.close();
    expect(gpio.modes.has(hatPins.cs1!)).toBe(false);
  });

  it('closing releases the SPI device and every panel pin, once', async () => {
    const { gpio, spi, transport } = makeTransport(pins, 4_000_000);
    await transport.close();
    await transport.close();
    expect(spi.closes).toBe(1);
    expect(gpio.modes.size).toBe(0);
  });

  it('a failed transfer ends the write with a TransportError', async () => {
    const eio = Object.assign(new Error('EIO, Input/output error'), { code: 'EIO' });
    const { transport } = makeTransport(pins, 4_000_000, undefined, eio);
    await expect(transport.spiWrite(Uint8Array.of(1))).rejects.toThrow(
      new TransportError(
        `SPI through ${SPIDEV_PATH} failed (EIO, Input/output error): check that SPI is enabled and the HAT is seated`,
      ),
    );
  });
});

describe('spidev errors', () => {
  it('no /dev/spidev0.0 means SPI is off: the error says how to switch it on', () => {
    const err = spidevError(Object.assign(new Error('ENOENT, No such file or directory'), { code: 'ENOENT' }));
    expect(err).toBeInstanceOf(TransportError);
    expect(err.message).toBe(
      '/dev/spidev0.0 does not exist, so SPI is off: enable SPI: sudo raspi-config nonint do_spi 0 (or dtparam=spi=on in /boot/firmware/config.txt) and reboot',
    );
  });

  it('permission denied names the spi group', () => {
    const err = spidevError(Object.assign(new Error('EACCES, Permission denied'), { code: 'EACCES' }), 'artframe');
    expect(err.message).toBe(
      'no permission to open /dev/spidev0.0: add the user to the spi group (sudo usermod -aG spi artframe) and log in again',
    );
  });

  it.skipIf(existsSync(SPIDEV_PATH))(
    'the real spi-device module, where there is no /dev/spidev0.0, gives the SPI-is-off error',
    () => {
      expect(() => openSpidev(4_000_000)).toThrow(/^\/dev\/spidev0\.0 does not exist, so SPI is off: enable SPI/);
    },
  );
});

describe('off a Pi', () => {
  it.skipIf(process.arch === 'arm' || process.arch === 'arm64')(
    'opening fails with a TransportError naming the board instead of pretending',
    () => {
      let err: unknown;
      try {
        RpioTransport.open({ pins, spiHz: 4_000_000, busyPull: 'down' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TransportError);
      expect((err as Error).message).toMatch(/^not a Raspberry Pi \(\/proc\/device-tree\/model: /);
    },
  );
});
