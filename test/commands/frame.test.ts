// `frame`: the CLI's door to a running frame. A real `run` process on the virtual panel, steered
// from the command line through its local socket, and the one-line answers when it cannot be.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';
import { runCli } from '../support/run-cli.js';

const BIN = path.resolve('bin/artframe-immich.js');

describe('frame: the command line steers the running frame', () => {
  let sim: ImmichSim;
  let child: ChildProcess;
  let file: string;
  let glass: string;
  let ids: string[];
  let stdout = '';

  beforeAll(async () => {
    sim = await startImmichSim({ seed: 9 });
    const seeded = await seedSampleLibrary(sim, { count: 4, seed: 9, withVideo: false });
    ids = seeded.photos.map((p) => p.id);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'frame-cli-'));
    glass = path.join(dir, 'glass.png');
    const raw = {
      immich_url: sim.url,
      immich_api_key: sim.apiKey,
      album_id: seeded.album.id,
      storage_dir: path.join(dir, 'storage'),
      panel: 'waveshare-7in3e',
      transport: `virtual:${glass}`,
      selection_mode: 'sequential',
    };
    const config = parseConfig(raw);
    const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
    await syncLibrary({ paths: instancePaths(config), source, config });
    await source.close();
    file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify(raw));
    child = spawn(process.execPath, [BIN, 'run', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        stdout += d;
        if (stdout.includes('the local door is open') && stdout.includes('"msg":"photo shown"')) resolve();
      });
      child.once('exit', () => reject(new Error(`run exited early:\n${stdout}`)));
    });
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await sim.close();
  });

  it("status names the photo on the glass; the socket is the frame user's alone", async () => {
    const r = await runCli(['frame', 'status', '--json', '--config', file]);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as { kind: string; status: { shown: { photos: { id: string }[] } } };
    expect(answer.kind).toBe('status');
    expect(ids).toContain(answer.status.shown.photos[0]!.id);
    const sock = await stat(instancePaths(parseConfig(JSON.parse(await readFile(file, 'utf8')))).controlSocketPath);
    expect(sock.mode & 0o777).toBe(0o600);
  });

  it('next is taken and says when the panel allows it; pause and resume are said back', async () => {
    const next = await runCli(['frame', 'next', '--config', file]);
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/^next photo in \d+ min( \d+ s)?: the panel needs 3 min between refreshes\n$/);
    expect((await runCli(['frame', 'pause', '--config', file])).stdout).toBe(
      'paused: this photo stays until resumed\n',
    );
    const paused = JSON.parse((await runCli(['frame', 'status', '--json', '--config', file])).stdout) as {
      status: { paused: boolean; next_refresh: string | null };
    };
    expect(paused.status).toMatchObject({ paused: true, next_refresh: null });
    expect((await runCli(['frame', 'resume', '--config', file])).stdout).toBe('resumed\n');
  });

  it('a photo the library does not have is refused with its code, exit 1', async () => {
    const r = await runCli(['frame', 'show', '00000000-0000-4000-8000-000000000000', '--json', '--config', file]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'outcome', outcome: { ok: false, code: 'PHOTO_NOT_FOUND' } });
  });

  it('a word it does not know, or a path for a photo, is one line and exit 2', async () => {
    const bogus = await runCli(['frame', 'reboot', '--config', file]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/frame: expected one of next, previous, pause/);
    const pathy = await runCli(['frame', 'hide', '../../etc/passwd', '--config', file]);
    expect(pathy.code).not.toBe(0);
    expect(pathy.stderr).toMatch(/needs a photo id/);
  });

  it('with the frame stopped, it says so in one line', async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const r = await runCli(['frame', 'next', '--config', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/the frame is not running/);
  });
});
