// The sync, status, next and test commands against the simulated server: what they print, their
// exit codes, and that they keep working (status, next) with the server gone.
import { execFile } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { runSync } from '../../src/commands/sync.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger, Redactor } from '../../src/core/log.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { type ImmichSim, startImmichSim } from '../../src/immich-sim/server.js';
import { acquireSyncLock } from '../../src/library/lock.js';
import { runCli } from '../support/run-cli.js';
import { instancePaths } from '../../src/library/instance.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/artframe-immich.js');

const sims: ImmichSim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close().catch(() => {})));
});

async function setup(count = 4) {
  const sim = await startImmichSim({ seed: 11 });
  sims.push(sim);
  const { album, photos } = await seedSampleLibrary(sim, { count, seed: 11, withVideo: false });
  const root = await mkdtemp(path.join(os.tmpdir(), 'sync-cli-'));
  const storage = path.join(root, 'storage');
  const configFile = path.join(root, 'config.json');
  const config = { immich_url: sim.url, immich_api_key: sim.apiKey, album_id: album.id, storage_dir: storage };
  await writeFile(configFile, JSON.stringify(config));
  const paths = instancePaths({ storage_dir: storage, instance_id: 'default' });
  const cli = (...args: string[]) => runCli([...args, '--config', configFile]);
  return { sim, album, photos, root, storage, configFile, paths, cli };
}

/** The `error:` lines of a run (log lines also go to stderr, as JSON in a pipe). */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else out.push(p);
  }
  return out;
}

describe('sync command', () => {
  it('a first sync prints the summary and exits 0; a second one says it is not due and when it is', async () => {
    const t = await setup(4);
    const first = await t.cli('sync');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^synced from Immich v3\.1\.0 \(first run\): 4 added, 0 updated, 0 removed, 0 kept, 0 adopted, 0 failed; .* in [\d.]+ s\n$/,
    );
    const second = await t.cli('sync');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      /^no sync due: the next one is at \d{4}-\d\d-\d\dT.*Z \(use --force to sync now\)\n$/,
    );
  });

  it('sync --force --json prints the result as JSON', async () => {
    const t = await setup(3);
    await t.cli('sync');
    const r = await t.cli('sync', '--force', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 'synced',
      reason: 'forced',
      added: 0,
      kept: 3,
      failed: 0,
      server_version: '3.1.0',
    });
  });

  it('sync --dry-run prints the plan and writes nothing', async () => {
    const t = await setup(2);
    const r = await t.cli('sync', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`plan for album ${t.album.id}: 2 images on the server`);
    expect(r.stdout).toContain('2 to add, 0 to update');
    await expect(stat(t.storage)).rejects.toThrow();
    expect(t.sim.requests.some((q) => q.route === 'original')).toBe(false);
  });

  it('a photo that fails its checksum makes sync exit non-zero with one error line, the others kept', async () => {
    const t = await setup(3);
    t.sim.injectFault({ route: 'original', assetId: t.photos[0]!.id, times: Infinity, fault: { kind: 'wrong-bytes' } });
    const r = await t.cli('sync');
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(errorLines(r.stderr)[0]).toMatch(
      /^error: 1 of 3 photos failed to download \(1 checksum \(.*\); first: .*checksum.*\); the others landed, and the next sync tries them again$/,
    );
    expect(r.stdout).toContain('2 added');
    expect(r.stdout).toMatch(/\nfailed: 1 checksum \(/);
    expect(await readdir(t.paths.photosDir)).toHaveLength(2);
  });

  it('with the server gone, sync exits 3 with one line naming it; status and next still work', async () => {
    const t = await setup(3);
    expect((await t.cli('sync')).code).toBe(0);
    await t.sim.close();
    const r = await t.cli('sync', '--force');
    expect(r.code).toBe(3);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(new URL(t.sim.url).host);
    expect(r.stderr + r.stdout).not.toContain(t.sim.apiKey);

    const next = await t.cli('next');
    expect(next.code).toBe(0);
    const shown = next.stdout.trim();
    expect(path.dirname(shown)).toBe(t.paths.photosDir);
    expect((await stat(shown)).isFile()).toBe(true);

    const status = await t.cli('status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      photos: 3,
      server_version: '3.1.0',
      album_id: t.album.id,
      last_failure: { by: 'cli', ok: false, code: 'SERVER_UNREACHABLE' },
      last_success: { by: 'cli', ok: true },
    });
    // The failed run from the command line shows beside the last success.
    const text = (await t.cli('status')).stdout;
    expect(text).toMatch(/last sync +\S+ \(.*\), sync #1 by the command line/);
    expect(text).toMatch(/last failure +\S+ \(.*, by the command line\): cannot reach the Immich server at /);
  });

  it('whole-library mode says it lists the library, never "the album", and what the timeline hides', async () => {
    const t = await setup(2);
    const config = JSON.parse(await readFile(t.configFile, 'utf8')) as Record<string, unknown>;
    await writeFile(t.configFile, JSON.stringify({ ...config, album_id: '' }));
    t.sim.archive(t.photos[0]!.id);
    const r = await t.cli('sync', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('listing the library on the server');
    expect(r.stderr).not.toContain('listing the album');
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 1, hidden: { archived: 1, stacked: 0 } });
    const text = await t.cli('sync', '--force');
    expect(text.stdout).toContain("not copied, as on Immich's timeline: 1 archived, 0 stacked behind their primary");
  });

  it('a sync while another one runs exits 4 with one line', async () => {
    const t = await setup(1);
    await mkdir(t.paths.instanceDir, { recursive: true });
    const lock = await acquireSyncLock(t.paths);
    try {
      const r = await t.cli('sync', '--force');
      expect(r.code).toBe(4);
      expect(errorLines(r.stderr)).toEqual([
        expect.stringMatching(/^error: a sync is already running for this library \(pid \d+ since .*\); wait for it/),
      ]);
    } finally {
      await lock.release();
    }
  });

  it('progress is a bar on a terminal; in a pipe the log has the plan and the summary, each photo only at debug', async () => {
    const t = await setup(3);
    let tty = '';
    const code = await main(['sync', '--config', t.configFile], {
      env: {},
      isTTY: true,
      stdout: () => {},
      stderr: (s) => void (tty += s),
    });
    expect(code).toBe(0);
    expect(tty).toMatch(/\r\[#{24}\] 3\/3 photos/);
    const piped = await t.cli('sync', '--force', '--config', t.configFile);
    const logs = piped.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toContain('sync planned');
    expect(logs.map((l) => l.msg)).toContain('sync finished');
    expect(logs.map((l) => l.msg)).not.toContain('photo downloaded');
    expect(piped.stderr).not.toContain('\r');
  });

  it('a first sync logs a constant number of lines at info, one per photo at debug', async () => {
    const t = await setup(6);
    const lines = async (...args: string[]) => {
      const r = await t.cli(...args);
      expect(r.code).toBe(0);
      return r.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg: string; level: string });
    };
    const info = await lines('sync');
    expect(info.filter((l) => l.msg === 'photo downloaded')).toHaveLength(0);
    expect(info.length).toBeLessThanOrEqual(5);
    await rm(t.storage, { recursive: true, force: true });
    const debug = await lines('sync', '--verbose');
    expect(debug.filter((l) => l.msg === 'photo downloaded' && l.level === 'debug')).toHaveLength(6);
  });

  it("a sync of 25 photos leaves no abort listener on the caller's signal, and no MaxListeners warning", async () => {
    const t = await setup(25);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const controller = new AbortController();
    const before = getEventListeners(controller.signal, 'abort').length;
    const redactor = new Redactor();
    try {
      const outcome = await runSync(
        {
          args: [],
          configFlag: t.configFile,
          verbose: false,
          env: {},
          stdout: () => {},
          stderr: () => {},
          isTTY: false,
          redactor,
          logger: createLogger({ redactor, write: () => {} }),
          signal: controller.signal,
        },
        await loadConfig({ flag: t.configFile, env: {}, redactor }),
        { force: true, dryRun: false },
      );
      expect(outcome.kind === 'synced' && outcome.result.added).toBe(25);
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    // The sync's own signal for its downloads had one listener a photo: the warning said so.
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(before);
  });

  it('the API key reaches no file but the config, and no output', async () => {
    const t = await setup(2);
    const r1 = await t.cli('sync', '--json');
    const r2 = await t.cli('status');
    for (const r of [r1, r2]) expect(r.stdout + r.stderr).not.toContain(t.sim.apiKey);
    for (const file of await allFiles(t.storage)) {
      expect(await readFile(file, 'latin1'), file).not.toContain(t.sim.apiKey);
    }
  });
});

describe('status and next commands', () => {
  it('status shows photos, disk use, last sync and result, next due, album and server version', async () => {
    const t = await setup(3);
    await t.cli('sync');
    const r = await t.cli('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  album        ${t.album.id}`);
    expect(r.stdout).toMatch(/ {2}server {7}127\.0\.0\.1:\d+ \(Immich v3\.1\.0\)/);
    expect(r.stdout).toMatch(/ {2}photos {7}3 \([\d.]+ KB on disk, photo_size original\)/);
    expect(r.stdout).toMatch(/ {2}last result {2}3 added, 0 updated, 0 removed, 0 kept, 0 failed/);
    expect(r.stdout).toMatch(/ {2}next sync {4}\d{4}-.*Z \(in 6 h\)/);
  });

  it('status shows the active filters, how many match and why the last photo was picked; a filter change needs no network', async () => {
    const t = await setup(4);
    t.sim.updateAsset(t.photos[1]!.id, { isFavorite: true, rating: 5 });
    t.sim.updateAsset(t.photos[2]!.id, { isFavorite: true, rating: 2 });
    await t.cli('sync');
    await t.sim.close();
    const config = JSON.parse(await readFile(t.configFile, 'utf8')) as Record<string, unknown>;
    await writeFile(t.configFile, JSON.stringify({ ...config, favorites_only: true, min_rating: 3 }));
    const next = await t.cli('next', '--json');
    expect(next.code).toBe(0);
    const picked = JSON.parse(next.stdout) as { id: string; reason: string };
    expect(picked.id).toBe(t.photos[1]!.id);
    const r = await t.cli('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('selection\n  filters      favourites only; rating 3 or more\n');
    expect(r.stdout).toContain('  matching     1 of 4 photos match (favourites only; rating 3 or more)\n');
    expect(r.stdout).toContain(`  last pick    ${picked.reason}\n`);
    const json = JSON.parse((await t.cli('status', '--json')).stdout) as { selection: Record<string, unknown> };
    expect(json.selection).toMatchObject({ matching: 1, total: 4, last_photo: t.photos[1]!.id });
  });

  it('status counts a deleted photo as missing and the rest at their sizes on disk, with or without a recorded size', async () => {
    const t = await setup(3);
    await t.cli('sync');
    const m = JSON.parse(await readFile(t.paths.metadataPath, 'utf8')) as {
      synced_assets: Record<string, { local_path: string; bytes?: number }>;
    };
    const [gone, kept, older] = Object.values(m.synced_assets);
    await rm(path.join(t.paths.photosDir, gone!.local_path));
    // A record from before sizes were recorded: its size is read from the file.
    delete older!.bytes;
    await writeFile(t.paths.metadataPath, JSON.stringify(m));
    const onDisk = async (name: string) => (await stat(path.join(t.paths.photosDir, name))).size;
    const json = JSON.parse((await t.cli('status', '--json')).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      photos: 3,
      missing_files: 1,
      bytes_on_disk: (await onDisk(kept!.local_path)) + (await onDisk(older!.local_path)),
    });
    expect((await t.cli('status')).stdout).toContain('1 files missing, fetched again at the next sync');
  });

  it('status before any sync says never and due now', async () => {
    const t = await setup(1);
    const r = await t.cli('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('last sync    never');
    expect(r.stdout).toContain('next sync    due now (first run)');
  });

  it('next walks the photos in the configured order and remembers its place between runs', async () => {
    const t = await setup(3);
    await t.cli('sync');
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push((await t.cli('next', '--mode', 'oldest')).stdout.trim());
    const byAge = [...t.photos].sort((a, b) => a.fileCreatedAt.localeCompare(b.fileCreatedAt));
    const meta = JSON.parse(await readFile(t.paths.metadataPath, 'utf8')) as {
      synced_assets: Record<string, { local_path: string }>;
    };
    expect(seen).toEqual(byAge.map((p) => path.join(t.paths.photosDir, meta.synced_assets[p.id]!.local_path)));
  });

  it('next with nothing synced exits 7 with one line saying to sync', async () => {
    const t = await setup(1);
    const r = await t.cli('next');
    expect(r.code).toBe(7);
    expect(errorLines(r.stderr)).toEqual([expect.stringContaining('run `artframe-immich sync`')]);
  });
});

describe('test command', () => {
  it('test --url --key --album syncs into ./test_output and prints what it got', async () => {
    const t = await setup(3);
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'test-cmd-'));
    const { stdout } = await run(
      process.execPath,
      [BIN, 'test', '--url', t.sim.url, '--key', t.sim.apiKey, '--album', t.album.id],
      {
        cwd,
        env: { ...process.env, ARTFRAME_IMMICH_CONFIG: path.join(cwd, 'none.json') },
      },
    );
    expect(stdout).toContain('Immich v3.1.0');
    expect(stdout).toMatch(/got 3 photos, [\d.]+ KB, in .*test_output\/plugins\/immich\/test\/photos/);
    expect(stdout).toMatch(/ {2}IMG_\d{4}\.jpg {2}[\d.]+ KB {2}original {2}taken \d{4}-/);
    expect(await readdir(path.join(cwd, 'test_output/plugins/immich/test/photos'))).toHaveLength(3);
    expect(stdout).not.toContain(t.sim.apiKey);
  });

  it('test without a terminal and without --url says what it needs, in one line', async () => {
    const r = await runCli(['test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: test needs the server URL and an API key: pass --url and --key (or run it in a terminal to be asked)\n',
    );
  });
});
