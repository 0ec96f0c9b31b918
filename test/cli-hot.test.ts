// The installed command's entry (cli-hot.ts): `status` and `next` run from their own build and say
// what the whole command line says; everything else reaches the whole command line; output goes
// straight to the descriptors and a reader that goes away is no error.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGlobalArgs } from '../src/cli-args.js';
import { hotCommandNames, main as hotEntry } from '../src/cli-hot.js';
import { HOT_COMMANDS, hotSlot, startsHot, startsSyncEntry, SYNC_ENTRY_COMMANDS } from '../src/cli-route.js';
import { main as syncEntry, syncEntryCommandNames } from '../src/cli-sync.js';
import { main as fullMain } from '../src/cli.js';
import { commands } from '../src/commands/index.js';
import { seedSampleLibrary } from '../src/immich-sim/sample-photos.js';
import { type ImmichSim, startImmichSim } from '../src/immich-sim/server.js';
import { runInstalledWithReaderGone } from './support/run-cli.js';
import { type SyncedConfig, syncedConfig } from './support/synced-config.js';

/** The entry as the installed command calls it, with the whole command line to hand things to. */
const hotMain: typeof fullMain = (argv, io = {}) => hotEntry(argv, io, () => import('../src/cli.js'));
const syncMain: typeof fullMain = (argv, io = {}) => syncEntry(argv, io, () => import('../src/cli.js'));

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

  it('sync says what the whole command line says, and hands it anything else', async () => {
    // Synced a moment ago: not due. The same answer, in words and as JSON, and the same refusal.
    for (const argv of [['sync'], ['sync', '--json'], ['sync', '--dry-run', '--wrong']]) {
      const own = await run(syncMain, [...argv, '--config', synced.file]);
      expect(own, argv.join(' ')).toEqual(await run(fullMain, [...argv, '--config', synced.file]));
    }
    expect((await run(syncMain, ['sync', '--config', synced.file])).stdout).toMatch(/^no sync due/);
    expect(await run(syncMain, ['panels', '--json'])).toEqual(await run(fullMain, ['panels', '--json']));
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

  /** What the built command loads for `args`: every CommonJS module it required and whether it
   * started Node's ES module loader (a preload names them at exit). */
  async function loadedBy(
    args: string[],
    ok = true,
  ): Promise<{ required: string[]; esmLoader: boolean; builtins: string[] }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hot-modules-'));
    try {
      await writeFile(
        path.join(dir, 'loaded.cjs'),
        "process.on('exit', () => { for (const f of Object.keys(require.cache)) process._rawDebug('REQUIRED ' + f); for (const m of process.moduleLoadList) process._rawDebug('NODE ' + m); });\n",
      );
      const r = spawnSync(
        process.execPath,
        ['--require', path.join(dir, 'loaded.cjs'), 'bin/artframe-immich.js', ...args],
        {
          env: { ...process.env, ARTFRAME_IMMICH_CONFIG: synced.file },
          encoding: 'utf8',
        },
      );
      if (ok) expect(r.status, r.stderr).toBe(0);
      else expect(r.status, r.stderr).not.toBe(0);
      return {
        required: [...r.stderr.matchAll(/^REQUIRED (\S+)$/gm)].map((m) => m[1]!),
        esmLoader: /^NODE NativeModule internal\/modules\/esm\/module_job$/m.test(r.stderr),
        builtins: [...r.stderr.matchAll(/^NODE NativeModule (\S+)$/gm)].map((m) => m[1]!),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('the built status and next load one CommonJS entry: no ES module loader, no zod', async () => {
    for (const command of ['status', 'next']) {
      const { required, esmLoader } = await loadedBy([command]);
      expect(required).toContain(path.resolve('dist/cli-hot.cjs'));
      expect(esmLoader, `${command} started the ES module loader`).toBe(false);
      expect(required.filter((f) => f.includes(`${path.sep}zod${path.sep}`))).toEqual([]);
    }
    // The markers are real: another command imports the ES module build, and the entry does load
    // zod, for files it cannot read itself.
    const panels = await loadedBy(['panels']);
    expect(panels.esmLoader).toBe(true);
    // And the rest of the command line never compiles the hot entry (cli-route.ts).
    expect(panels.required).toContain(path.resolve('dist/cli-boot.cjs'));
    expect(panels.required).not.toContain(path.resolve('dist/cli-hot.cjs'));
    expect(await readFile('dist/cli-hot.cjs', 'utf8')).toContain('require("zod/mini")');
  });

  it('the built status and next load none of the Node modules they used to pay for at start', async () => {
    // Each costs a start CPU (against `node -e 0`): node:fs/promises +0.10x (with fs.Dir, the
    // watchers, readline), node:os +0.05x, node:crypto +0.17x, node:module ~1 ms (src/core/fs-async.ts,
    // core/node-fs.ts, core/unique-hex.ts, cli-boot.ts).
    const costly = ['fs/promises', 'os', 'crypto', 'module', 'stream'];
    const status = await loadedBy(['status']);
    expect(status.builtins.filter((m) => costly.includes(m))).toEqual([]);
    // Nor an AbortController (+0.03x): the bin and runCli make theirs when a command asks.
    expect(status.builtins).not.toContain('internal/abort_controller');
    // `next` checks the photo it picks against its SHA-1: that, and only that, loads node:crypto
    // (and the streams it brings).
    const next = await loadedBy(['next']);
    expect(next.builtins.filter((m) => costly.includes(m))).toEqual(['stream', 'crypto']);
    // The markers are real: the whole command line loads them.
    const panels = await loadedBy(['panels']);
    expect(panels.builtins).toEqual(expect.arrayContaining(['module', 'os', 'stream']));
  });

  it('the built sync loads its own CommonJS entry: no ES module loader, not the hot entry', async () => {
    const sync = await loadedBy(['sync']);
    expect(sync.required).toContain(path.resolve('dist/cli-sync.cjs'));
    expect(sync.required).not.toContain(path.resolve('dist/cli-hot.cjs'));
    expect(sync.esmLoader).toBe(false);
    for (const command of ['status', 'panels'])
      expect((await loadedBy([command])).required).not.toContain(path.resolve('dist/cli-sync.cjs'));
  });

  it('a sync that asks the server never loads undici: its own HTTP/1.1 client speaks over net', async () => {
    // undici would be seen by the modules of Node's that it alone loads (http and http2), and by
    // its files or its parser (llhttp) in the sync entry.
    const undiciRan = (builtins: string[]) => builtins.includes('http2') || builtins.includes('http');
    const fromNodeModules = (required: string[]) => required.filter((f) => f.includes(`${path.sep}undici${path.sep}`));
    // Forced, it asks the server (gone since the library was synced, so it fails).
    const forced = await loadedBy(['sync', '--force'], false);
    expect(forced.builtins).toContain('net');
    expect(undiciRan(forced.builtins)).toBe(false);
    expect(fromNodeModules(forced.required)).toEqual([]);
    expect(await readFile('dist/cli-sync.cjs', 'utf8')).not.toContain('llhttp');
  });
});

describe('the installed command’s router', () => {
  it('sends the hot entry its own commands and the answers given before any command, the rest elsewhere', () => {
    expect([...HOT_COMMANDS].sort()).toEqual(hotCommandNames().sort());
    for (const argv of [
      ['status'],
      ['next', '--mode', 'sequential'],
      ['--config', 'a.json', 'next'],
      ['--config=a.json', '-v', 'status', '--json'],
      ['status', '--help'],
      ['--version'],
      ['sync', '--version'],
      ['--config'],
    ])
      expect(startsHot(argv), argv.join(' ')).toBe(true);
    for (const argv of [
      [],
      ['--help'],
      ['sync'],
      ['run', '--config', 'status'],
      ['--config', 'next', 'sync'],
      ['stauts'],
      ['config', 'check'],
      ['--verbose', 'panels', 'next'],
    ])
      expect(startsHot(argv), argv.join(' ')).toBe(false);
  });

  it('sends the sync entry `sync` alone', () => {
    expect([...SYNC_ENTRY_COMMANDS].sort()).toEqual(syncEntryCommandNames().sort());
    for (const argv of [['sync'], ['--config', 'a.json', 'sync', '--force'], ['-v', 'sync', '--help']])
      expect({ argv, sync: startsSyncEntry(argv), hot: startsHot(argv) }).toEqual({ argv, sync: true, hot: false });
    for (const argv of [
      [],
      ['status'],
      ['sync', '--version'],
      ['--config'],
      ['--config', 'sync', 'next'],
      ['syncs'],
      ['run'],
    ])
      expect({ argv, sync: startsSyncEntry(argv) }).toEqual({ argv, sync: false });
  });

  it('gives each hot command its own code cache, and one to the answers before any command', () => {
    expect(hotSlot(['--config', 'a.json', 'next', '--mode', 'sequential'])).toBe('next');
    expect(hotSlot(['-v', 'status', '--json'])).toBe('status');
    expect(hotSlot(['--version'])).toBe('other');
    expect(hotSlot(['--config'])).toBe('other');
    expect(hotSlot(['--config', 'status', 'next'])).toBe('next');
  });

  it('reads the global flags as runCli does: in order, the first --version or bare --config ending it', () => {
    expect(readGlobalArgs(['--config', 'a', '-v', 'next', '--x', '--help'])).toEqual({
      kind: 'command',
      configFlag: 'a',
      verbose: true,
      help: true,
      rest: ['next', '--x'],
    });
    expect(readGlobalArgs(['--version', '--config'])).toEqual({ kind: 'version' });
    expect(readGlobalArgs(['--config'])).toEqual({ kind: 'config-without-file' });
    expect(readGlobalArgs(['--config=b', 'status']).kind).toBe('command');
  });
});
