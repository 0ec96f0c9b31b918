// `panel: "auto"` from the board's model fixture and a simulated EEPROM on I2C bus 1: the panel an
// Inky names, and one line when nothing answers (a Waveshare HAT), when I2C is off or forbidden,
// or when this is not a Pi (where no I2C is touched).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectPanel, resolveAutoPanel } from '../../../drivers/detect.js';
import { openI2cDevice } from '../../../drivers/i2c.js';
import { ConfigError } from '../../../src/core/errors.js';
import { eepromMemory, eepromRecord, fakeI2c } from './fake-eeprom.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/device-tree');
const PI5 = path.join(fixtures, 'pi5-model-b.model');
const PI_ZERO_2 = path.join(fixtures, 'pi-zero-2-w.model');

const e673 = eepromRecord({ width: 800, height: 480, colour: 6, pcb: 12, variant: 22, time: '2025-03-01 09:00:00.5' });

describe('panel auto-detect', () => {
  it('an Inky Impression 7.3" Spectra 6 on a Pi 5: read as inky does (write 00 00, read 29) and picked', () => {
    const bus = fakeI2c(eepromMemory(e673));
    const d = detectPanel({ modelPath: PI5, openI2c: bus.open });
    expect(bus.log).toEqual(['1/0x50 write 0000', '1/0x50 read 29']);
    expect(d.board).toEqual({ model: 'Raspberry Pi 5 Model B Rev 1.0', gpio: 'chardev' });
    expect(d.eeprom).toMatchObject({ displayVariant: 22, width: 800, height: 480, writeTime: '2025-03-01 09:00:00.5' });
    expect([d.panelId, d.problem]).toEqual(['inky-impression-7in3-spectra6', undefined]);
    expect(resolveAutoPanel({ modelPath: PI5, openI2c: bus.open })).toBe('inky-impression-7in3-spectra6');
  });

  it('the 7-colour Impression 7.3" (variant 20) on a Pi Zero 2 W', () => {
    const rec = eepromRecord({ width: 800, height: 480, colour: 5, pcb: 12, variant: 20, time: '2024-01-01' });
    expect(resolveAutoPanel({ modelPath: PI_ZERO_2, openI2c: fakeI2c(eepromMemory(rec)).open })).toBe(
      'inky-impression-7in3',
    );
  });

  it('nothing at 0x50 (a Waveshare HAT): one ConfigError line saying the config must name the panel', () => {
    let err: unknown;
    try {
      resolveAutoPanel({ modelPath: PI5, openI2c: fakeI2c(undefined).open });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('PANEL_NOT_DETECTED');
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as Error).message).toBe(
      'panel "auto": no EEPROM answered at 0x50 on I2C bus 1 (ENXIO): a Waveshare HAT has none, so set "panel" in the config to your panel\'s id (artframe-immich panels lists them)',
    );
  });

  it('I2C off, or the user not in group i2c: the one line says what to do', () => {
    expect(detectPanel({ modelPath: PI5, openI2c: fakeI2c(undefined, { openError: 'ENOENT' }).open }).problem).toMatch(
      /^\/dev\/i2c-1 does not exist, so I2C is off: enable it: sudo raspi-config nonint do_i2c 0 \(or dtparam=i2c_arm=on/,
    );
    expect(detectPanel({ modelPath: PI5, openI2c: fakeI2c(undefined, { openError: 'EACCES' }).open }).problem).toMatch(
      /^no permission to open \/dev\/i2c-1: add the user to the i2c group \(sudo usermod -aG i2c \S+\) and log in again$/,
    );
  });

  it('a short read and a blank EEPROM are reported, not guessed past', () => {
    expect(
      detectPanel({ modelPath: PI5, openI2c: fakeI2c(eepromMemory(e673), { readLimit: 12 }).open }).problem,
    ).toMatch(/gave 12 of its 29 bytes/);
    const blank = detectPanel({ modelPath: PI5, openI2c: fakeI2c(new Uint8Array(4096).fill(0xff)).open });
    expect([blank.panelId, blank.problem]).toEqual([undefined, expect.stringMatching(/is blank \(all 0xff\)/)]);
  });

  it.each([
    [14, 600, 448, 'inky-impression-5in7'],
    [16, 640, 400, 'inky-impression-4in'],
    [21, 1600, 1200, 'inky-impression-13in3-spectra6'],
    [25, 600, 400, 'inky-impression-4in-spectra6'],
    [27, 1600, 1200, 'inky-impression-13in3-spectra6'],
  ])('display variant %i (%ix%i) picks %s', (variant, width, height, id) => {
    const rec = eepromRecord({ width, height, colour: 6, pcb: 10, variant, time: 't' });
    expect(resolveAutoPanel({ modelPath: PI5, openI2c: fakeI2c(eepromMemory(rec)).open })).toBe(id);
  });

  it('not a Pi: no I2C is touched and the line names the model', () => {
    const bus = fakeI2c(eepromMemory(e673));
    const d = detectPanel({ modelPath: path.join(fixtures, 'not-a-pi.model'), openI2c: bus.open });
    expect(bus.log).toEqual([]);
    expect(d.problem).toMatch(/^not a Raspberry Pi \(.*not-a-pi\.model: "Radxa ROCK 5A"\)/);
  });
});

describe.skipIf(existsSync('/dev/i2c-1'))('the real I2C bus where there is none', () => {
  it('opening /dev/i2c-1 says I2C is off and how to switch it on', () => {
    expect(() => openI2cDevice(1, 0x50)).toThrow(
      '/dev/i2c-1 does not exist, so I2C is off: enable it: sudo raspi-config nonint do_i2c 0 (or dtparam=i2c_arm=on in /boot/firmware/config.txt) and reboot',
    );
  });
});
