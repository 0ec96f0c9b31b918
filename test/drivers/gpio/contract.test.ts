// One Gpio contract, two backends: the character device over a simulated kernel and rpio over an
// in-memory rpio module, each opened the way the app opens it (openGpioFor with a board's
// /proc/device-tree/model fixture), each checked on what reaches the simulated pins.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { openGpioFor, type Gpio } from '../../../drivers/gpio.js';
import type { Level } from '../../../drivers/transports/transport.js';
import { TransportError } from '../../../src/core/errors.js';
import { FakeGpioKernel } from './fake-gpiochip.js';
import { FakeRpio } from './fake-rpio.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/device-tree');
const model = (name: string) => path.join(fixtures, `${name}.model`);

/** What the contract needs to see of the wires, whichever backend drives them. */
interface Wires {
  gpio: Gpio;
  backend: string;
  mode(pin: number): 'in' | 'out' | undefined;
  pull(pin: number): string | undefined;
  level(pin: number): Level | undefined;
  drive(pin: number, level: Level): void;
}

function chardevWires(): Wires {
  const kernel = new FakeGpioKernel([
    { path: '/dev/gpiochip0', label: 'gpio-brcmstb@107d508500' },
    { path: '/dev/gpiochip4', label: 'pinctrl-rp1' },
  ]);
  const { gpio, backend } = openGpioFor({ modelPath: model('pi5-model-b'), chardev: kernel });
  return {
    gpio,
    backend,
    mode: (pin) => kernel.line(pin)?.direction,
    pull: (pin) => kernel.line(pin)?.bias,
    level: (pin) => kernel.line(pin)?.level,
    drive: (pin, level) => kernel.drive(pin, level),
  };
}

function rpioWires(): Wires {
  const rpio = new FakeRpio();
  const { gpio, backend } = openGpioFor({ modelPath: model('pi4-model-b'), rpio });
  return {
    gpio,
    backend,
    mode: (pin) => rpio.pins.get(pin)?.mode,
    pull: (pin) => rpio.pins.get(pin)?.pull,
    level: (pin) => rpio.pins.get(pin)?.level,
    drive: (pin, level) => rpio.drive(pin, level),
  };
}

describe.each([
  { name: 'chardev (Pi 5)', wires: chardevWires, backend: 'chardev' },
  { name: 'rpio (Pi 4)', wires: rpioWires, backend: 'rpio' },
])('Gpio contract: $name', ({ wires, backend }) => {
  it('is the backend the board calls for', () => {
    expect(wires().backend).toBe(backend);
  });

  it('an output starts at the level asked for and follows write', () => {
    const w = wires();
    w.gpio.openOutput(25, 1);
    expect([w.mode(25), w.level(25)]).toEqual(['out', 1]);
    w.gpio.write(25, 0);
    expect(w.level(25)).toBe(0);
    expect(w.gpio.read(25)).toBe(0);
    w.gpio.write(25, 1);
    expect(w.level(25)).toBe(1);
  });

  it('an input takes its pull and reads the level on the wire', () => {
    const w = wires();
    w.gpio.openInput(5, 'up');
    expect([w.mode(5), w.pull(5)]).toEqual(['in', 'up']);
    expect(w.gpio.read(5)).toBe(1);
    w.drive(5, 0);
    expect(w.gpio.read(5)).toBe(0);
    w.gpio.openInput(24, 'off');
    expect(w.pull(24)).toBe('off');
  });

  it('a watch reports the level after every edge, and stops when told', async () => {
    const w = wires();
    w.gpio.openInput(6, 'up');
    const seen: Level[] = [];
    const unwatch = w.gpio.watch(6, (level) => seen.push(level));
    w.drive(6, 0);
    w.drive(6, 1);
    w.drive(6, 0);
    await vi.waitFor(() => expect(seen).toEqual([0, 1, 0]));
    unwatch();
    w.drive(6, 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([0, 1, 0]);
  });

  it('a second watch on the same pin is refused', () => {
    const w = wires();
    w.gpio.openInput(16, 'up');
    const unwatch = w.gpio.watch(16, () => {});
    expect(() => w.gpio.watch(16, () => {})).toThrow(TransportError);
    unwatch();
  });

  it('close leaves the pin an input and ends its watch', async () => {
    const w = wires();
    w.gpio.openOutput(17, 1);
    w.gpio.close(17);
    expect(w.mode(17)).toBe('in');
    w.gpio.openInput(5, 'up');
    const seen: Level[] = [];
    w.gpio.watch(5, (l) => seen.push(l));
    w.gpio.close(5);
    w.drive(5, 0);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([]);
  });
});

describe('Gpio contract: no permission names the gpio group in one line', () => {
  it('chardev: /dev/gpiochip0 not readable', () => {
    const kernel = new FakeGpioKernel([{ path: '/dev/gpiochip0', label: 'pinctrl-rp1' }], {
      denied: ['/dev/gpiochip0'],
    });
    expect(() => openGpioFor({ modelPath: model('pi5-model-b'), chardev: kernel })).toThrow(
      /^no permission to open \/dev\/gpiochip0: add the user to the gpio group \(sudo usermod -aG gpio \S+\) and log in again$/,
    );
  });

  it('rpio: /dev/gpiomem not readable', () => {
    expect(() =>
      openGpioFor({
        modelPath: model('pi3-model-b'),
        rpio: new FakeRpio({ init: 'fails' }),
        gpiomemCode: () => 'EACCES',
      }),
    ).toThrow(
      /^no permission to open \/dev\/gpiomem: add the user to the gpio group \(sudo usermod -aG gpio \S+\) and log in again$/,
    );
  });
});
