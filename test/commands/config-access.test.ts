// A config this user may not read (issue 20): installed, it is the service user's (mode 600 in a
// folder only its group enters). The built CLI runs as `nobody` (setpriv) against such a config:
// a command given all it needs runs without it, one that needs it says how to read it.
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { namesById, unreadableConfigMessage } from '../../src/config/access.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repo, 'bin/artframe-immich.js');
const NOBODY = 65534;
// The stand-in service user: Debian's `daemon` (uid and gid 1), which every image has.
const SERVICE = { uid: 1, gid: 1, name: 'daemon' };

// Running as another user needs root (CI and this machine run as root); elsewhere these skip.
const asRoot = process.getuid?.() === 0;
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
const why = !asRoot ? 'needs root to give the config to another user' : !setpriv ? 'needs setpriv (util-linux)' : '';

let dir: string;
let photo: string;
let out: string;

/** The installed layout: DIR/etc/artframe-immich (root:daemon 750) holding config.json (daemon, `mode`). */
async function installedConfig(mode: number, dirMode = 0o750): Promise<string> {
  const etc = await mkdtemp(path.join(dir, 'etc-'));
  await chmod(etc, 0o755);
  const cfgDir = path.join(etc, 'artframe-immich');
  await mkdir(cfgDir);
  const file = path.join(cfgDir, 'config.json');
  await writeFile(
    file,
    JSON.stringify({ immich_url: 'http://127.0.0.1:9', immich_api_key: 'k3y-SECRET-access', storage_dir: dir }),
  );
  await chown(file, SERVICE.uid, SERVICE.gid);
  await chmod(file, mode);
  await chown(cfgDir, 0, SERVICE.gid);
  await chmod(cfgDir, dirMode);
  return file;
}

function asNobody(args: string[], config: string) {
  const r = spawnSync(
    'setpriv',
    [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, cli, ...args],
    { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, ARTFRAME_IMMICH_CONFIG: config }, cwd: dir },
  );
  if (r.error) throw r.error;
  return r;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'config-access-'));
  await chmod(dir, 0o755);
  photo = path.join(dir, 'photo.png');
  await sharp({ create: { width: 120, height: 80, channels: 3, background: '#3060c0' } })
    .png()
    .toFile(photo);
  out = path.join(dir, 'out');
  await mkdir(out);
  await chmod(out, 0o777);
});

describe('the message for an unreadable config', () => {
  it('names the user to run as and, where the mode lets a group read, the group', () => {
    expect(namesById('root:x:0:0:root:/root:/bin/bash\nartframe:x:998:998::/var/lib:/usr/sbin/nologin\n')).toEqual(
      new Map([
        [0, 'root'],
        [998, 'artframe'],
      ]),
    );
    const m = unreadableConfigMessage('/etc/artframe-immich/config.json', 'EACCES', {
      user: 'artframe',
      readingGroup: 'artframe',
    });
    expect(m).toBe(
      "cannot read config file /etc/artframe-immich/config.json: permission denied (EACCES); it is artframe's: run the command as that user, sudo -u artframe artframe-immich ..., or join the group that can read it: sudo usermod -aG artframe $USER (then log in again); or name another with --config FILE",
    );
  });
});

describe.skipIf(why !== '')(`the CLI as a user who may not read the config${why ? ` (skipped: ${why})` : ''}`, () => {
  it('render PHOTO --panel X runs without the config, with a note', async () => {
    const config = await installedConfig(0o600);
    const png = path.join(out, 'render.png');
    const r = asNobody(['render', photo, '--panel', 'waveshare-7in3e', '--out', png], config);
    expect(r.stderr).toBe(`note: not reading ${config} (permission denied): the flags say all this command needs\n`);
    expect(r.status).toBe(0);
    expect((await stat(png)).size).toBeGreaterThan(0);
  });

  it('clear --panel X --dry-run runs without the config', async () => {
    const config = await installedConfig(0o600);
    const r = asNobody(['clear', '--panel', 'waveshare-7in3e', '--dry-run'], config);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/"op"/);
  });

  it('a command that needs the config says in one line how to read it: sudo -u the service user', async () => {
    const config = await installedConfig(0o600);
    for (const args of [['config', 'check'], ['status'], ['render', photo, '--out', path.join(out, 'x.png')]]) {
      const r = asNobody(args, config);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        `error: cannot read config file ${config}: permission denied (EACCES); it is daemon's: run the command as that user, sudo -u daemon artframe-immich ...; or name another with --config FILE\n`,
      );
      expect(r.stderr).not.toContain('k3y-SECRET');
    }
  });

  it('a config named with --config is read or refused, never gone without', async () => {
    const config = await installedConfig(0o600);
    const r = asNobody(
      ['render', photo, '--panel', 'waveshare-7in3e', '--out', path.join(out, 'y.png'), '--config', config],
      config,
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read config file .*sudo -u daemon artframe-immich/);
  });

  it('a config its group may read names the group too', async () => {
    const config = await installedConfig(0o640, 0o755);
    const r = asNobody(['config', 'check'], config);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /sudo -u daemon artframe-immich \.\.\., or join the group that can read it: sudo usermod -aG daemon \$USER/,
    );
  });
});
