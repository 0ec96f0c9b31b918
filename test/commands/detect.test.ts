// `panels --detect` and `panel: "auto"` through the CLI, with the board's model fixture, a
// simulated GPIO chip and a simulated EEPROM on I2C bus 1: what is printed, which panel show and
// clear drive (replayed through the panel emulator), and the one-line errors when nothing is found.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { HATS } from '../../drivers/hats.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { parseTrace } from '../../drivers/transports/trace.js';
import { CONTROLLERS } from '../emulator/controllers.js';
import { whiteIndex } from '../emulator/frames.js';
import { replayTrace } from '../emulator/panel-emulator.js';
import { eepromMemory, eepromRecord, fakeI2c } from '../drivers/detect/fake-eeprom.js';
import { FakeGpioKernel } from '../drivers/gpio/fake-gpiochip.js';
import { runCli } from '../support/run-cli.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/device-tree');
const model = (name: string) => path.join(fixtures, `${name}.model`);

const inky7 = eepromRecord({
  width: 800,
  height: 480,
  colour: 5,
  pcb: 12,
  variant: 20,
  time: '2024-05-02 14:03:11.250117',
});
const pi5Chips = () => new FakeGpioKernel([{ path: '/dev/gpiochip0', label: 'pinctrl-rp1' }]);

let dir: string;
let photo: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'detect-'));
  photo = path.join(dir, 'photo.png');
  await sharp({ create: { width: 120, height: 80, channels: 3, background: '#c03010' } })
    .png()
    .toFile(photo);
});

async function configFile(extra: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ immich_url: 'http://127.0.0.1:9', immich_api_key: 'key-123456', ...extra }));
  return file;
}

describe('panels --detect', () => {
  it('an Inky Impression 7.3" on a Pi 5: the board, the GPIO chip, the EEPROM record and the panel', async () => {
    const r = await runCli(
      ['panels', '--detect'],
      {},
      {
        modelPath: model('pi5-model-b'),
        chardev: pi5Chips(),
        openI2c: fakeI2c(eepromMemory(inky7)).open,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `board   Raspberry Pi 5 Model B Rev 1.0 (${model('pi5-model-b')})`,
      'GPIO    GPIO character device on /dev/gpiochip0 (pinctrl-rp1)',
      'EEPROM  display variant 20 (7-Colour 800x480 (AC073TC1A)), 800x480, colour 7colour, PCB 1.2, written 2024-05-02 14:03:11.2',
      `panel   inky-impression-7in3 (${findPanel('inky-impression-7in3').name})`,
      '',
    ]);
  });

  it('a Waveshare HAT on a Pi 4 whose user is not in gpio: both reasons, exit 1', async () => {
    const r = await runCli(
      ['panels', '--detect'],
      {},
      {
        modelPath: model('pi4-model-b'),
        gpiomemCode: () => 'EACCES',
        openI2c: fakeI2c(undefined).open,
      },
    );
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(
      /^GPIO {4}rpio on \/dev\/gpiomem: no permission to open \/dev\/gpiomem: add the user to the gpio group/,
    );
    expect(lines[2]).toBe('EEPROM  none');
    expect(lines[3]).toBe(
      'panel   none: no EEPROM answered at 0x50 on I2C bus 1 (ENXIO): a Waveshare HAT has none, so set "panel" in the config to your panel\'s id (artframe-immich panels lists them)',
    );
  });

  it('a Pi 5 whose user is not in gpio: the GPIO line says which group, the panel is still found', async () => {
    const denied = new FakeGpioKernel([{ path: '/dev/gpiochip0', label: 'pinctrl-rp1' }], {
      denied: ['/dev/gpiochip0'],
    });
    const r = await runCli(
      ['panels', '--detect'],
      {},
      {
        modelPath: model('pi5-model-b'),
        chardev: denied,
        openI2c: fakeI2c(eepromMemory(inky7)).open,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toMatch(
      /^GPIO {4}GPIO character device: no permission to open \/dev\/gpiochip0: add the user to the gpio group \(sudo usermod -aG gpio \S+\) and log in again$/,
    );
  });

  it('--json carries the same facts for scripts', async () => {
    const r = await runCli(
      ['panels', '--detect', '--json'],
      {},
      {
        modelPath: model('pi-zero-2-w'),
        gpiomemCode: () => undefined,
        openI2c: fakeI2c(eepromMemory(inky7)).open,
      },
    );
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      board: { model: 'Raspberry Pi Zero 2 W Rev 1.0', gpio: 'rpio' },
      gpio: { backend: 'rpio', device: '/dev/gpiomem' },
      eeprom: { displayVariant: 20, pcbVariant: 12, colourName: '7colour' },
      panelId: 'inky-impression-7in3',
    });
  });

  it.skipIf(existsSync('/proc/device-tree/model'))('on this machine (no device tree): not a Pi, exit 1', async () => {
    const r = await runCli(['panels', '--detect']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('board   none (no /proc/device-tree/model): not a Raspberry Pi');
    expect(r.stdout).toMatch(/panel {3}none: not a Raspberry Pi/);
  });
});

describe('panel "auto"', () => {
  it('show --panel auto drives the panel the EEPROM names', async () => {
    const trace = path.join(dir, 'auto.jsonl');
    const r = await runCli(
      ['show', photo, '--panel', 'auto', '--transport', `trace:${trace}`],
      {},
      {
        modelPath: model('pi5-model-b'),
        openI2c: fakeI2c(eepromMemory(inky7)).open,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`shown ${photo} on inky-impression-7in3 via trace:${trace}`);
    const driver = driverFor(findPanel('inky-impression-7in3'));
    const emu = await replayTrace(
      parseTrace(await readFile(trace, 'utf8')),
      CONTROLLERS[driver.name]!,
      HATS[driver.hat].pins,
    );
    expect(emu.shown).toHaveLength(1);
  });

  it('clear with a config that names no panel (the default, auto) clears the detected one', async () => {
    const trace = path.join(dir, 'auto-clear.jsonl');
    const config = await configFile({ transport: `trace:${trace}` });
    const r = await runCli(
      ['clear', '--config', config],
      {},
      {
        modelPath: model('pi3-model-b'),
        openI2c: fakeI2c(eepromMemory(inky7)).open,
      },
    );
    expect(r.code).toBe(0);
    const driver = driverFor(findPanel('inky-impression-7in3'));
    const emu = await replayTrace(
      parseTrace(await readFile(trace, 'utf8')),
      CONTROLLERS[driver.name]!,
      HATS[driver.hat].pins,
    );
    expect(emu.shown[0]!.every((i) => i === whiteIndex(findPanel('inky-impression-7in3')))).toBe(true);
  });

  it('a Waveshare HAT (no EEPROM) and "auto": exit 2, one line saying the config must name the panel', async () => {
    const config = await configFile({ panel: 'auto', transport: `trace:${path.join(dir, 'never.jsonl')}` });
    const r = await runCli(
      ['show', photo, '--config', config],
      {},
      {
        modelPath: model('pi5-model-b'),
        openI2c: fakeI2c(undefined).open,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: panel "auto": no EEPROM answered at 0x50 on I2C bus 1 (ENXIO): a Waveshare HAT has none, so set "panel" in the config to your panel\'s id (artframe-immich panels lists them)\n',
    );
    expect(existsSync(path.join(dir, 'never.jsonl'))).toBe(false);
  });

  it('run resolves "auto" before it starts: no EEPROM is exit 2 (systemd does not restart on 2)', async () => {
    const config = await configFile({ transport: `trace:${path.join(dir, 'run.jsonl')}` });
    const r = await runCli(
      ['run', '--config', config],
      {},
      {
        modelPath: model('pi4-model-b'),
        openI2c: fakeI2c(undefined, { openError: 'EACCES' }).open,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: panel "auto": no permission to open \/dev\/i2c-1: add the user to the i2c group \(sudo usermod -aG i2c \S+\) and log in again\n$/,
    );
  });

  it('config check accepts "auto" and shows it', async () => {
    const config = await configFile({ panel: 'auto' });
    const r = await runCli(['config', 'check', '--config', config, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).config.panel).toBe('auto');
    const bad = await runCli(['config', 'check', '--config', await configFile({ panel: 'automatic' })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /panel = "automatic" is not allowed; expected "auto" \(an Inky HAT's EEPROM names the panel\) or a panel id/,
    );
  });
});
