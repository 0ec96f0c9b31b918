import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';
import { runCli, runInstalledWithReaderGone } from './support/run-cli.js';

describe('cli', () => {
  it('--help lists every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(c.name);
  });

  it('every command has help with a usage line and an example', async () => {
    for (const entry of commands) {
      const c = await entry.load();
      expect(c.name).toBe(entry.name);
      const r = await runCli([...c.name.split(' '), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: artframe-immich ${c.usage}`);
      expect(r.stdout).toMatch(/Examples:\n {2}artframe-immich /);
    }
  });

  it('the installed command prints its version from package.json and exits 0 when its reader goes away', async () => {
    const { version } = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile('package.json', 'utf8')));
    const v = await runCli(['--version']);
    expect(v.stdout).toBe(`${version}\n`);
    // `artframe-immich panels --json | head -c 0`: the pipe is closed before the command writes.
    expect(await runInstalledWithReaderGone(['panels', '--json'])).toEqual({ code: 0, stderr: '' });
  });

  it('an unknown command exits 2 with one line', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('config check exits 0 on a good config and 2 with the culprit on a bad one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-'));
    const file = path.join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ immich_url: 'https://i.example', immich_api_key: 'key-abcdef' }));
    const ok = await runCli(['config', 'check', '--config', file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('config OK');
    expect(ok.stdout).not.toContain('key-abcdef');

    await writeFile(
      file,
      JSON.stringify({ immich_url: 'https://i.example', immich_api_key: 'key-abcdef', max_photos: -3 }),
    );
    const bad = await runCli(['config', 'check', '--config', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `error: ${file}: max_photos = -3 is not allowed; expected a whole number, 0 for unlimited\n`,
    );
  });

  it('config check and run refuse a schedule whose every tick is quiet, in one line naming both keys (issue 20)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-'));
    const file = path.join(dir, 'c.json');
    const config = {
      immich_url: 'https://i.example',
      immich_api_key: 'key-abcdef',
      storage_dir: dir,
      panel: 'waveshare-7in3e',
      transport: 'virtual:' + path.join(dir, 'frame.png'),
    };
    await writeFile(file, JSON.stringify({ ...config, refresh_cron: '0 23 * * *', quiet_hours: '22:00-23:30' }));
    for (const args of [['config', 'check'], ['run']]) {
      const r = await runCli([...args, '--config', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `error: ${file}: refresh_cron = "0 23 * * *" is not allowed; every time it names falls inside quiet_hours, so the frame would never refresh (quiet_hours "22:00-23:30"): change one of the two\n`,
      );
    }
  });
});
