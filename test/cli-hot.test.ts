// The installed command's entry (cli-hot.ts): `status` and `next` run from their own build and say
// what the whole command line says; everything else reaches the whole command line; output goes
// straight to the descriptors and a reader that goes away is no error.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as hotMain } from '../src/cli-hot.js';
import { main as fullMain } from '../src/cli.js';
import { commands } from '../src/commands/index.js';
import { seedSampleLibrary } from '../src/immich-sim/sample-photos.js';
import { type ImmichSim, startImmichSim } from '../src/immich-sim/server.js';
import { runInstalledWithReaderGone } from './support/run-cli.js';
import { type SyncedConfig, syncedConfig } from './support/synced-config.js';

async function run(main: typeof fullMain, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env: {},
    isTTY: false,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('the installed entry', () => {
  let sim: ImmichSim;
  let synced: SyncedConfig;
  beforeAll(async () => {
    sim = await startImmichSim();
    const { album } = await seedSampleLibrary(sim, { count: 4, seed: 5, withVideo: false });
    synced = await syncedConfig(sim, album.id);
    await sim.close();
  });
  afterAll(async () => {
    await sim.close().catch(() => {});
  });

  it('status and next say what the whole command line says; the rest is answered by it', async () => {
    const status = await run(hotMain, ['status', '--json', '--config', synced.file]);
    const whole = await run(fullMain, ['status', '--json', '--config', synced.file]);
    expect(status.code).toBe(0);
    // The same report, the clock's "ago" aside.
    const report = (t: string) => JSON.parse(t) as { photos: number; photos_dir: string; selection: unknown };
    expect(report(status.stdout).photos).toBe(4);
    expect(report(status.stdout).photos_dir).toBe(report(whole.stdout).photos_dir);
    expect(report(status.stdout).selection).toEqual(report(whole.stdout).selection);

    const next = await run(hotMain, ['--config', synced.file, 'next', '--mode', 'sequential']);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/photos\/[^/\n]+\n$/);
    // A bad flag of a hot command fails as the whole command line fails it.
    const bad = await run(hotMain, ['next', '--mode', 'shuffle', '--config', synced.file]);
    expect(bad).toEqual(await run(fullMain, ['next', '--mode', 'shuffle', '--config', synced.file]));
    expect(bad.code).toBe(2);

    // Not one of its own: the overview, another command, a typo.
    const help = await run(hotMain, ['--help']);
    for (const c of commands) expect(help.stdout).toContain(c.name);
    expect(await run(hotMain, ['panels', '--json'])).toEqual(await run(fullMain, ['panels', '--json']));
    const typo = await run(hotMain, ['stauts']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "stauts"');
  });

  it('the built command prints through the descriptors: to a pipe, and to a reader that left', async () => {
    const env = { ...process.env, ARTFRAME_IMMICH_CONFIG: synced.file };
    const piped = spawnSync(process.execPath, ['bin/artframe-immich.js', 'status'], { env, encoding: 'utf8' });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toContain('photos       4 ');
    expect(piped.stderr).toBe('');
    // `artframe-immich next | head -c 0`: the pipe is closed before the command writes.
    expect(await runInstalledWithReaderGone(['next'], env)).toEqual({ code: 0, stderr: '' });
  });

  it('the built status and next read the frame’s own files without loading zod', async () => {
    // A module hook that names every file the command loads (on stderr, from the hooks' thread).
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hot-modules-'));
    try {
      await writeFile(
        path.join(dir, 'hooks.mjs'),
        "export async function load(url, context, next) { process._rawDebug('LOADED ' + url); return next(url, context); }\n",
      );
      await writeFile(
        path.join(dir, 'register.mjs'),
        "import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);\n",
      );
      const env = { ...process.env, ARTFRAME_IMMICH_CONFIG: synced.file };
      for (const command of ['status', 'next']) {
        const r = spawnSync(
          process.execPath,
          ['--import', path.join(dir, 'register.mjs'), 'bin/artframe-immich.js', command],
          { env, encoding: 'utf8' },
        );
        expect(r.status, r.stderr).toBe(0);
        const files = [...r.stderr.matchAll(/^LOADED (file:\S+)$/gm)].map((m) => fileURLToPath(m[1]!));
        expect(files.some((f) => f.includes(`${path.sep}dist${path.sep}hot${path.sep}`))).toBe(true);
        // zod's own class names survive minifying: no file the command loaded holds them.
        for (const f of files.filter((x) => x.includes(`${path.sep}dist${path.sep}`)))
          expect(await readFile(f, 'utf8'), `${command} loaded ${f}`).not.toContain('$ZodType');
      }
      // The marker is real: the build does hold zod, in a chunk these commands did not load.
      const { stdout } = spawnSync('grep', ['-l', '$ZodType', '-r', 'dist/hot'], { encoding: 'utf8' });
      expect(stdout.trim()).not.toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
