// Which GPIO backend a board gets, from /proc/device-tree/model fixtures: the character device on
// a Pi 5, rpio on the Pi Zero 2 W, 3 and 4, a one-line refusal elsewhere; and the shared GPIO off a
// Pi, refused the first time and every time after.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boardFromModel, readBoard } from '../../../drivers/board.js';
import { gpiomemError, openGpio, openGpioFor } from '../../../drivers/gpio.js';
import { TransportError } from '../../../src/core/errors.js';
import { FakeGpioKernel } from './fake-gpiochip.js';
import { FakeRpio } from './fake-rpio.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/device-tree');
const model = (name: string) => path.join(fixtures, `${name}.model`);

describe('board and GPIO backend', () => {
  it.each([
    ['pi5-model-b', 'Raspberry Pi 5 Model B Rev 1.0', 'chardev'],
    ['pi4-model-b', 'Raspberry Pi 4 Model B Rev 1.4', 'rpio'],
    ['pi-zero-2-w', 'Raspberry Pi Zero 2 W Rev 1.0', 'rpio'],
    ['pi3-model-b', 'Raspberry Pi 3 Model B Rev 1.2', 'rpio'],
    ['not-a-pi', 'Radxa ROCK 5A', undefined],
  ])('%s: the model (without its NUL) and the backend', (file, name, backend) => {
    expect(readBoard(model(file))).toEqual({ model: name, gpio: backend });
  });

  it('the other BCM2712 boards take the character device too', () => {
    expect(boardFromModel('Raspberry Pi 500 Rev 1.0').gpio).toBe('chardev');
    expect(boardFromModel('Raspberry Pi Compute Module 5 Rev 1.0').gpio).toBe('chardev');
    expect(boardFromModel('Raspberry Pi Compute Module 4 Rev 1.0').gpio).toBe('rpio');
    expect(boardFromModel('Raspberry Pi 50 Rev 1.0').gpio).toBe('rpio');
  });

  it('no model file: not a Pi', () => {
    expect(readBoard(path.join(fixtures, 'absent.model'))).toEqual({ model: undefined, gpio: undefined });
  });

  it('each fixture opens its own backend and never touches the other', () => {
    const kernel = new FakeGpioKernel([{ path: '/dev/gpiochip0', label: 'pinctrl-rp1' }]);
    const rpio = new FakeRpio();
    expect(openGpioFor({ modelPath: model('pi5-model-b'), chardev: kernel, rpio }).backend).toBe('chardev');
    expect(rpio.pins.size).toBe(0);
    for (const board of ['pi4-model-b', 'pi-zero-2-w', 'pi3-model-b']) {
      const before = kernel.calls.length;
      expect(openGpioFor({ modelPath: model(board), chardev: kernel, rpio }).backend).toBe('rpio');
      expect(kernel.calls.length).toBe(before);
    }
  });

  it('another board is refused in one line naming its model', () => {
    expect(() => openGpioFor({ modelPath: model('not-a-pi') })).toThrow(
      `not a Raspberry Pi (${model('not-a-pi')}: "Radxa ROCK 5A"), so there is no GPIO to drive: use --transport serial:PATH, or --dry-run`,
    );
  });

  it('rpio in mock mode (no Pi registers) is refused rather than believed', () => {
    expect(() => openGpioFor({ modelPath: model('pi4-model-b'), rpio: new FakeRpio({ init: 'mock' }) })).toThrow(
      /^rpio found no Raspberry Pi GPIO here/,
    );
  });

  it.skipIf(process.arch === 'arm' || process.arch === 'arm64')(
    'off a Pi, the shared GPIO is refused the first time and every time after',
    () => {
      for (let i = 0; i < 2; i++) {
        let err: unknown;
        try {
          openGpio();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TransportError);
        expect((err as Error).message).toMatch(/^not a Raspberry Pi \(\/proc\/device-tree\/model: (none|".*")\)/);
      }
    },
  );

  it('a missing /dev/gpiomem points away from rpio', () => {
    expect(gpiomemError('ENOENT').message).toBe(
      "/dev/gpiomem does not exist (Raspberry Pi OS's kernel provides it): run Raspberry Pi OS, or use --transport serial:PATH",
    );
  });
});
