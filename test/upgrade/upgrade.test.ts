// Upgrades that roll back, in a temp install tree with a fake systemctl first on PATH (it logs its
// calls and, at `restart`, runs the app the release pointer leads to, as the unit would): a good
// version is kept; one that never reports ready is rolled back by itself (the CLI exits 1); an
// upgrade stopped after each of its steps leaves a frame that starts, on the old version once the
// service's ExecStartPre (upgrade --recover) has run. The config and the photos never change.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { instancePaths, type InstancePaths } from '../../src/library/instance.js';
import {
  APP,
  UPGRADE_STEPS,
  currentTarget,
  recoverUpgrade,
  upgrade,
  upgradeLayout,
} from '../../src/upgrade/upgrade.js';

const BIN = path.resolve('bin/artframe-immich.js');

/** A stand-in app: `run` writes the service state a real frame writes at start (with its version
 * as the transport, to tell versions apart), or fails at once when `broken`. */
function fakeApp(version: string, broken: boolean): string {
  return [
    "const fs = require('fs'); const path = require('path');",
    'const args = process.argv.slice(2);',
    `if (${broken}) { console.error('cannot start'); process.exit(1); }`,
    "const config = JSON.parse(fs.readFileSync(args[args.indexOf('--config') + 1], 'utf8'));",
    "const dir = path.join(config.storage_dir, 'plugins', 'immich', 'default');",
    'fs.mkdirSync(dir, { recursive: true });',
    `fs.writeFileSync(path.join(dir, 'service_state.json'), JSON.stringify({ running: true, started_at: new Date().toISOString(), transport: ${JSON.stringify(version)} }));`,
    '',
  ].join('\n');
}

async function writeApp(dir: string, version: string, broken = false): Promise<string> {
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await mkdir(path.join(dir, 'dist'), { recursive: true });
  await mkdir(path.join(dir, 'node_modules', 'dep'), { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: APP, version, type: 'commonjs' }));
  await writeFile(path.join(dir, 'bin', `${APP}.js`), fakeApp(version, broken));
  await writeFile(path.join(dir, 'dist', 'cli.js'), '');
  await writeFile(path.join(dir, 'node_modules', 'dep', 'index.js'), '');
  return dir;
}

const FAKE_SYSTEMCTL = `#!/bin/sh
echo "$@" >> "$FAKE_ROOT/systemctl.log"
if [ "$1" = restart ]; then
  app="$FAKE_ROOT/opt/${APP}.current"
  [ -e "$app" ] || app="$FAKE_ROOT/opt/${APP}"
  exec "${process.execPath}" "$app/bin/${APP}.js" run --config "$FAKE_ROOT/etc/${APP}/config.json"
fi
`;

interface Tree {
  root: string;
  config: string;
  instance: InstancePaths;
  photo: string;
}

const sha = async (f: string) =>
  createHash('sha1')
    .update(await readFile(f))
    .digest('hex');
let fakeBin: string;
const savedPath = process.env.PATH;
const savedRoot = process.env.FAKE_ROOT;
beforeAll(async () => {
  fakeBin = await mkdtemp(path.join(os.tmpdir(), 'fake-systemctl-'));
  await writeFile(path.join(fakeBin, 'systemctl'), FAKE_SYSTEMCTL);
  await chmod(path.join(fakeBin, 'systemctl'), 0o755);
  process.env.PATH = `${fakeBin}:${savedPath}`;
});
afterAll(() => {
  process.env.PATH = savedPath;
  process.env.FAKE_ROOT = savedRoot;
});

/** An installed frame (install.sh's layout) running version 0.1.0, with a library. */
async function installedTree(): Promise<Tree> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'upgrade-'));
  process.env.FAKE_ROOT = root;
  await writeApp(path.join(root, 'opt', APP), '0.1.0');
  const config = path.join(root, 'etc', APP, 'config.json');
  await mkdir(path.dirname(config), { recursive: true });
  const raw = {
    immich_url: 'http://127.0.0.1:9',
    immich_api_key: 'k-upgrade-test',
    storage_dir: path.join(root, 'var', 'lib', APP, 'storage'),
  };
  await writeFile(config, JSON.stringify(raw));
  const instance = instancePaths(parseConfig(raw));
  await mkdir(instance.photosDir, { recursive: true });
  const photo = path.join(instance.photosDir, 'IMG_1.jpg');
  await writeFile(photo, 'jpeg bytes');
  await writeFile(instance.metadataPath, JSON.stringify({ format: 1, written_by: '0.1.0' }));
  await promisify(execFile)('systemctl', ['restart', APP]);
  return { root, config, instance, photo };
}

const running = async (t: Tree) =>
  (JSON.parse(await readFile(t.instance.serviceStatePath, 'utf8')) as { transport: string }).transport;

const options = (t: Tree, from: string) => ({
  root: t.root,
  from,
  instance: t.instance,
  config: t.config,
  node: process.execPath,
  readyTimeoutMs: 3000,
});

describe('upgrade', () => {
  it('a version that starts is kept: the pointer leads to it, systemd starts through a drop-in, config and photos untouched', async () => {
    const t = await installedTree();
    const before = [await sha(t.config), await sha(t.photo)];
    const next = await writeApp(await mkdtemp(path.join(os.tmpdir(), 'new-')), '0.2.0');
    const outcome = await upgrade(options(t, next));
    expect(outcome.ok).toBe(true);
    expect(await running(t)).toBe('0.2.0');
    const l = upgradeLayout(t.root);
    expect(await currentTarget(l)).toBe(outcome.release);
    expect(await readFile(l.dropIn, 'utf8')).toContain(`ExecStart=${process.execPath} ${l.current}/bin/${APP}.js run`);
    expect([await sha(t.config), await sha(t.photo)]).toEqual(before);
    expect(await readFile(path.join(t.root, 'systemctl.log'), 'utf8')).toContain('daemon-reload');
  });

  it('a version that does not start is rolled back by itself: old version running, state files restored (the CLI exits 1)', async () => {
    const t = await installedTree();
    const before = [await sha(t.config), await sha(t.photo), await sha(t.instance.metadataPath)];
    const bad = await writeApp(await mkdtemp(path.join(os.tmpdir(), 'bad-')), '0.3.0', true);
    const r = await promisify(execFile)(
      process.execPath,
      [BIN, 'upgrade', '--from', bad, '--root', t.root, '--timeout', '2', '--config', t.config],
      { env: process.env },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(1);
    expect((r as { stderr: string }).stderr).toMatch(/rolled back: the new version did not report ready within 2 s/);
    expect(await running(t)).toBe('0.1.0');
    expect(await readlink(upgradeLayout(t.root).current)).toBe(path.join(t.root, 'opt', APP));
    expect([await sha(t.config), await sha(t.photo), await sha(t.instance.metadataPath)]).toEqual(before);
  });

  for (const step of UPGRADE_STEPS) {
    it(`stopped after "${step}": the frame still starts, and on the old version after the ExecStartPre recovery`, async () => {
      const t = await installedTree();
      const photo = await sha(t.photo);
      const bad = await writeApp(await mkdtemp(path.join(os.tmpdir(), 'bad-')), '0.3.0', true);
      await expect(upgrade({ ...options(t, bad), stopAfter: step })).rejects.toThrow(`stopped after ${step}`);
      // The pointer always leads to a whole tree.
      const l = upgradeLayout(t.root);
      const target = await currentTarget(l);
      expect((await readFile(path.join(target, 'package.json'), 'utf8')).length).toBeGreaterThan(0);
      // The next start of the service: ExecStartPre, then the start itself.
      await recoverUpgrade({ ...options(t, bad), log: () => {} }, false);
      await promisify(execFile)('systemctl', ['restart', APP]);
      expect(await running(t)).toBe('0.1.0');
      expect(await sha(t.photo)).toBe(photo);
      // And a later upgrade to a good version goes through.
      const good = await writeApp(await mkdtemp(path.join(os.tmpdir(), 'good-')), '0.4.0');
      expect((await upgrade(options(t, good))).ok).toBe(true);
      expect(await running(t)).toBe('0.4.0');
    });
  }
});
