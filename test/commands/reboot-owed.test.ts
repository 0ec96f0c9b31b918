// The reboot owed, decided from the system's state (issue 20): a config.txt asking for SPI or I2C
// while the kernel has no /dev/spidev0.0 or /dev/i2c-1, said by `status` and `panels --detect`
// through the CLI, with a fake config.txt and a fake /dev folder.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootRequests } from '../../drivers/boot-config.js';
import type { HardwareSeams } from '../../drivers/detect.js';
import { runCli } from '../support/run-cli.js';

async function machine(bootConfig: string, devices: string[]): Promise<HardwareSeams & { dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'boot-state-'));
  await mkdir(path.join(dir, 'boot/firmware'), { recursive: true });
  await mkdir(path.join(dir, 'dev'));
  await writeFile(path.join(dir, 'boot/firmware/config.txt'), bootConfig);
  for (const d of devices) await writeFile(path.join(dir, 'dev', d), '');
  return {
    dir,
    bootConfigPaths: [path.join(dir, 'boot/firmware/config.txt'), path.join(dir, 'boot/config.txt')],
    devDir: path.join(dir, 'dev'),
    modelPath: path.join(dir, 'no-model'),
  };
}

const ASKED = 'dtparam=spi=on\ndtoverlay=spi0-0cs\ndtparam=i2c_arm=on\n';

describe('config.txt requests', () => {
  it('reads dtparam lines as the firmware does: bare names, aliases, several a line, the last one winning', () => {
    expect(bootRequests(ASKED)).toEqual({ spi: true, i2c: true });
    expect(bootRequests('dtparam=audio=on,spi,i2c=on\n')).toEqual({ spi: true, i2c: true });
    expect(bootRequests('dtparam=spi=on\ndtparam=spi=off\n#dtparam=i2c_arm=on\n')).toEqual({ spi: false, i2c: false });
    expect(bootRequests('arm_64bit=1\n')).toEqual({ spi: false, i2c: false });
  });
});

describe('a reboot owed', () => {
  it('panels --detect names SPI and I2C asked for in config.txt but not active', async () => {
    const m = await machine(ASKED, []);
    const r = await runCli(['panels', '--detect'], {}, m);
    const file = path.join(m.dir, 'boot/firmware/config.txt');
    expect(r.stdout).toContain(
      `reboot  SPI is enabled in ${file} but not active (no ${path.join(m.dir, 'dev/spidev0.0')}): reboot\n`,
    );
    expect(r.stdout).toContain(
      `reboot  I2C is enabled in ${file} but not active (no ${path.join(m.dir, 'dev/i2c-1')}): reboot\n`,
    );
    const json = await runCli(['panels', '--detect', '--json'], {}, m);
    expect((JSON.parse(json.stdout) as { reboot: string[] }).reboot).toHaveLength(2);
  });

  it('panels --detect says nothing of a reboot once the devices are there, or when nothing is asked', async () => {
    for (const m of [await machine(ASKED, ['spidev0.0', 'i2c-1']), await machine('arm_64bit=1\n', [])]) {
      const r = await runCli(['panels', '--detect'], {}, m);
      expect(r.stdout).not.toMatch(/reboot/);
    }
  });

  it('status says it too, with only what is still missing', async () => {
    const m = await machine(ASKED, ['i2c-1']);
    const config = path.join(m.dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        immich_url: 'http://127.0.0.1:9',
        immich_api_key: 'key-123456',
        storage_dir: path.join(m.dir, 'state'),
      }),
    );
    const r = await runCli(['status', '--config', config], {}, m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /\nsystem\n {2}reboot {7}SPI is enabled in \S+config\.txt but not active \(no \S+spidev0\.0\): reboot\n$/,
    );
    expect(r.stdout).not.toMatch(/I2C is enabled/);
    const json = await runCli(['status', '--json', '--config', config], {}, m);
    expect((JSON.parse(json.stdout) as { pending_reboot: string[] }).pending_reboot).toEqual([
      expect.stringMatching(/^SPI is enabled/),
    ]);
    await writeFile(path.join(m.dir, 'dev/spidev0.0'), '');
    expect((await runCli(['status', '--config', config], {}, m)).stdout).not.toMatch(/reboot/);
  });
});
