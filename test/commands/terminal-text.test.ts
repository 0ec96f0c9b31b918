// Raw bytes on the terminal (issue 21, points 13 and 15): `status` prints metadata and state that
// hold server text, and `panels --detect` an EEPROM's write-time text; ESC, NUL, CR and bidi
// overrides are shown escaped, in text and in JSON, and a key planted in the metadata is masked.
// The real CLI in-process, real files, the fake EEPROM behind the I2C seam.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGpioKernel } from '../drivers/gpio/fake-gpiochip.js';
import { eepromMemory, eepromRecord, fakeI2c } from '../drivers/detect/fake-eeprom.js';
import { startFrame, type TestFrame } from '../support/frame-sim.js';
import { runCli } from '../support/run-cli.js';

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = '\u001b[2J\u001b]0;pwned\u0007\u0000\r\u202eevil';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

describe('status escapes what the metadata holds (point 15) and masks a planted key (point 13)', () => {
  it('ESC, NUL, CR and bidi overrides come out escaped; the key as ***', async () => {
    const f: TestFrame = await startFrame({ count: 2, withVideo: false });
    cleanups.push(() => f.close());
    await f.sync();
    const m = JSON.parse(await readFile(f.paths.metadataPath, 'utf8')) as Record<string, unknown> & {
      last_result: { failed: number; failures: unknown[] };
    };
    m['server_host'] = `host${HOSTILE}`;
    m.last_result.failed = 1;
    m.last_result.failures = [{ id: 'x', name: 'x.jpg', error: `x.jpg: ${HOSTILE} ${f.sim.apiKey}` }];
    await writeFile(f.paths.metadataPath, JSON.stringify(m));
    const file = path.join(f.root, 'config.json');
    await writeFile(file, JSON.stringify({ ...f.config, immich_api_key: f.sim.apiKey }));

    const text = await runCli(['status', '--config', file]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(RAW);
    expect(text.stdout).toContain('\\x1b[2J\\x1b]0;pwned\\x07\\x00\\x0d\\u202eevil');
    expect(text.stdout).not.toContain(f.sim.apiKey);
    expect(text.stdout).toContain('***');

    const json = await runCli(['status', '--json', '--config', file]);
    expect(json.stdout).not.toMatch(RAW);
    expect(json.stdout).not.toContain(f.sim.apiKey);
    const parsed = JSON.parse(json.stdout) as { server_host: string };
    expect(parsed.server_host).toBe(`host${HOSTILE}`);
  });
});

describe('panels --detect escapes the EEPROM text (point 15)', () => {
  const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/device-tree');
  const hardware = (time: string) => ({
    modelPath: path.join(fixtures, 'pi5-model-b.model'),
    chardev: new FakeGpioKernel([{ path: '/dev/gpiochip0', label: 'pinctrl-rp1' }]),
    openI2c: fakeI2c(eepromMemory(eepromRecord({ width: 800, height: 480, colour: 5, pcb: 12, variant: 20, time })))
      .open,
  });

  it('ESC, NUL and CR in the write time come out escaped, in text and in JSON', async () => {
    const time = '\u001b[2J\u0000\r\u0085x';
    const text = await runCli(['panels', '--detect'], {}, hardware(time));
    expect(text.stdout).not.toMatch(RAW);
    expect(text.stdout).toContain('written \\x1b[2J\\x00\\x0d\\x85x');
    const json = await runCli(['panels', '--detect', '--json'], {}, hardware(time));
    expect(json.stdout).not.toMatch(RAW);
    expect((JSON.parse(json.stdout) as { eeprom: { writeTime: string } }).eeprom.writeTime).toBe(time);
  });
});
