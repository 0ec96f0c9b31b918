// install.sh run for real by bash into temporary trees (--prefix): the systemd unit, the config,
// SPI, the Node.js plan per release, idempotence, uninstall, dry-run and the one-line errors.
// The machine is simulated where the script asks it questions: DIR/etc/os-release stands in for
// the OS, and small dpkg/uname/node stand-ins on PATH answer for the architecture and Node.js.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.js';
import { INSTALLED_NODE_FLAG } from './support/installed-node.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(repo, 'install.sh');

const OS_RELEASE = {
  bookworm: [
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
    'NAME="Debian GNU/Linux"',
    'VERSION_ID="12"',
    'VERSION="12 (bookworm)"',
    'VERSION_CODENAME=bookworm',
    'ID=debian',
  ],
  // Raspberry Pi OS 32-bit calls itself raspbian.
  raspbianBookworm: [
    'PRETTY_NAME="Raspbian GNU/Linux 12 (bookworm)"',
    'VERSION_ID="12"',
    'VERSION_CODENAME=bookworm',
    'ID=raspbian',
    'ID_LIKE=debian',
  ],
  trixie: ['PRETTY_NAME="Debian GNU/Linux 13 (trixie)"', 'VERSION_ID="13"', 'VERSION_CODENAME=trixie', 'ID=debian'],
  fedora: [
    'NAME="Fedora Linux"',
    'VERSION="40 (Workstation Edition)"',
    'ID=fedora',
    'VERSION_ID=40',
    'PRETTY_NAME="Fedora Linux 40 (Workstation Edition)"',
  ],
} as const;

interface Machine {
  os?: keyof typeof OS_RELEASE;
  arch?: string;
  machine?: string;
  /** `node --version` of a stand-in node; absent: the real node on PATH. */
  node?: string;
  /** Contents of DIR/boot/firmware/config.txt; absent: no boot config. */
  bootConfig?: string;
  /** Device files the running system has (DIR/dev/NAME), such as spidev0.0 after a reboot. */
  devices?: string[];
  /** The device tree's model (DIR/proc/device-tree/model); absent: not a Pi. */
  model?: string;
  /**
   * A node found on PATH whose prefix has Node's headers (include/node/node_version.h) for its
   * own version ('match') or another ('other'); it runs the real node.
   */
  nodeHeaders?: 'match' | 'other';
}

interface Tree {
  root: string;
  stubs: string;
}

const realUname = spawnSync('sh', ['-c', 'command -v uname'], { encoding: 'utf8' }).stdout.trim();

async function executable(file: string, text: string): Promise<void> {
  await writeFile(file, text);
  await chmod(file, 0o755);
}

async function makeTree(m: Machine = {}): Promise<Tree> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'install-tree-'));
  const stubs = await mkdtemp(path.join(os.tmpdir(), 'install-stubs-'));
  await mkdir(path.join(root, 'etc'));
  await writeFile(path.join(root, 'etc/os-release'), OS_RELEASE[m.os ?? 'bookworm'].join('\n') + '\n');
  if (m.bootConfig !== undefined) {
    await mkdir(path.join(root, 'boot/firmware'), { recursive: true });
    await writeFile(path.join(root, 'boot/firmware/config.txt'), m.bootConfig);
  }
  await executable(
    path.join(stubs, 'dpkg'),
    `#!/bin/sh\n[ "$1" = --print-architecture ] && { echo ${m.arch ?? 'arm64'}; exit 0; }\nexit 1\n`,
  );
  await executable(
    path.join(stubs, 'uname'),
    `#!/bin/sh\n[ "$1" = -m ] && { echo ${m.machine ?? 'aarch64'}; exit 0; }\nexec ${realUname} "$@"\n`,
  );
  if (m.node) await executable(path.join(stubs, 'node'), `#!/bin/sh\necho ${m.node}\n`);
  for (const d of m.devices ?? []) {
    await mkdir(path.join(root, 'dev'), { recursive: true });
    await writeFile(path.join(root, 'dev', d), '');
  }
  if (m.model !== undefined) {
    await mkdir(path.join(root, 'proc/device-tree'), { recursive: true });
    await writeFile(path.join(root, 'proc/device-tree/model'), m.model + '\0');
  }
  if (m.nodeHeaders) {
    const prefix = path.join(stubs, 'node-prefix');
    await mkdir(path.join(prefix, 'bin'), { recursive: true });
    await mkdir(path.join(prefix, 'include/node'), { recursive: true });
    await executable(path.join(prefix, 'bin/node'), `#!/bin/sh\nexec ${process.execPath} "$@"\n`);
    const [major, minor, patch] = m.nodeHeaders === 'match' ? process.versions.node.split('.') : ['1', '2', '3'];
    await writeFile(
      path.join(prefix, 'include/node/node_version.h'),
      `#define NODE_MAJOR_VERSION ${major}\n#define NODE_MINOR_VERSION ${minor}\n#define NODE_PATCH_VERSION ${patch}\n`,
    );
    await symlink(path.join(prefix, 'bin/node'), path.join(stubs, 'node'));
  }
  return { root, stubs };
}

/** Run install.sh with no terminal on stdin and only the environment we give it. */
function runScript(
  args: string[],
  t: Tree | undefined,
  env: Record<string, string> = {},
  wrap: string[] = [],
): SpawnSyncReturns<string> {
  const argv = [...wrap, 'bash', script, ...(t ? ['--prefix', t.root] : []), ...args];
  return spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: t ? `${t.stubs}:${process.env.PATH}` : process.env.PATH!,
      HOME: process.env.HOME ?? '/root',
      LANG: 'C.UTF-8',
      ...env,
    },
  });
}

const URL_ = 'https://immich.example.com';
const KEY = 'k3y-SECRET-0123456789abcdefghij';
const ALBUM = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';
const flags = ['--url', URL_, '--key', KEY, '--album', ALBUM, '--skip-npm'];

function install(t: Tree, args: string[] = flags, env: Record<string, string> = {}) {
  const r = runScript(args, t, env);
  if (r.status !== 0) throw new Error(`install.sh failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const p = (t: Tree, rel: string) => path.join(t.root, rel);
const read = (t: Tree, rel: string) => readFile(p(t, rel), 'utf8');
const modeOf = async (t: Tree, rel: string) => (await lstat(p(t, rel))).mode & 0o777;

/** Every path in the tree with its type, mode and content hash: to compare before and after. */
async function snapshot(dir: string, skip: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    for (const name of (await readdir(d)).sort()) {
      const full = path.join(d, name);
      const rel = path.relative(dir, full);
      if (skip.includes(rel)) continue;
      const st = await lstat(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link ${await readlink(full)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`;
        await walk(full);
      } else {
        const hash = createHash('sha256')
          .update(await readFile(full))
          .digest('hex');
        out[rel] = `file ${mode} ${hash} ${st.mtimeMs}`;
      }
    }
  }
  await walk(dir);
  return out;
}

/** All text of every file in the tree except the app's copy of the repository. */
async function treeTexts(t: Tree): Promise<Record<string, string>> {
  const texts: Record<string, string> = {};
  for (const rel of Object.keys(await snapshot(t.root, ['opt']))) {
    const st = await lstat(p(t, rel));
    if (st.isFile()) texts[rel] = await read(t, rel);
  }
  return texts;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('install.sh', () => {
  it('is shellcheck clean', () => {
    const r = spawnSync('shellcheck', [script], { encoding: 'utf8' });
    if (r.error) {
      throw new Error(
        `shellcheck is not installed (${r.error.message}): apt-get install shellcheck (.ci/run installs it)`,
      );
    }
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the unit starts the installed app as the service user with the frame config, at boot, without waiting for the network', async () => {
    const t = await makeTree({ os: 'bookworm', arch: 'arm64' });
    install(t);
    const unit = await read(t, 'etc/systemd/system/artframe-immich.service');
    const exec = /^ExecStart=(\S+) (\S+) run --config (\S+)$/m.exec(unit);
    expect(exec).not.toBeNull();
    const [, node, entry, config] = exec!;
    expect(spawnSync(node!, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v\d+\./);
    expect(entry).toBe(p(t, 'opt/artframe-immich/bin/artframe-immich.js'));
    expect((await lstat(entry!)).isFile()).toBe(true);
    expect(config).toBe(p(t, 'etc/artframe-immich/config.json'));
    expect(unit).toMatch(/^User=artframe$/m);
    expect(unit).toMatch(/^SupplementaryGroups=gpio spi i2c$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^RestartSec=\S+$/m);
    expect(unit).toMatch(/^StartLimitIntervalSec=\S+$/m);
    expect(unit).toMatch(/^WantedBy=multi-user.target$/m);
    expect(unit).toMatch(new RegExp(`^ReadWritePaths=${p(t, 'var/lib/artframe-immich')}$`, 'm'));
    // Offline first: nothing in [Unit] waits for the network to be up.
    const directives = unit.split('\n').filter((l) => !l.startsWith('#'));
    expect(directives.join('\n')).not.toMatch(/network-online/);
    expect(directives.join('\n')).not.toMatch(/^Requires=/m);
    const log = await read(t, 'install.log');
    expect(log).toContain('not run: systemctl enable artframe-immich.service');
  });

  it("the unit's hardening leaves the GPIO, SPI and serial devices reachable", async () => {
    const t = await makeTree();
    install(t);
    const directives = (await read(t, 'etc/systemd/system/artframe-immich.service'))
      .split('\n')
      .filter((l) => !l.startsWith('#'));
    // Each of these closes /dev to an allow-list that /dev/gpiomem and /dev/spidev0.0 are not on.
    for (const closing of ['PrivateDevices=yes', 'DevicePolicy=', 'DeviceAllow=', 'ProtectClock=yes']) {
      expect(directives.filter((l) => l.startsWith(closing))).toEqual([]);
    }
    expect(directives).toContain('NoNewPrivileges=yes');
    expect(directives).toContain('ProtectSystem=strict');
  });

  it('the config is mode 600, holds the given values and passes the app config validation', async () => {
    const t = await makeTree();
    // The album as a pasted album URL: the script keeps the UUID.
    install(t, ['--url', URL_ + '/', '--key', KEY, '--album', `${URL_}/albums/${ALBUM.toUpperCase()}`, '--skip-npm']);
    expect(await modeOf(t, 'etc/artframe-immich/config.json')).toBe(0o600);
    expect(await modeOf(t, 'etc/artframe-immich')).toBe(0o750);
    const config = parseConfig(JSON.parse(await read(t, 'etc/artframe-immich/config.json')), 'installed config');
    expect(config.immich_url).toBe(URL_);
    expect(config.immich_api_key).toBe(KEY);
    expect(config.album_id).toBe(ALBUM);
    expect(config.storage_dir).toBe(p(t, 'var/lib/artframe-immich'));
    expect(await modeOf(t, 'var/lib/artframe-immich')).toBe(0o750);
    expect(await read(t, 'install.log')).toMatch(/not run: chown artframe:artframe \S+config\.json/);
  });

  it('a config without --panel is "auto", and the install says what that needs, then and on later runs', async () => {
    const t = await makeTree();
    const first = install(t);
    expect(parseConfig(JSON.parse(await read(t, 'etc/artframe-immich/config.json'))).panel).toBe('auto');
    const note = /note: the config names no "panel", so it is "auto": .*a Waveshare HAT has none, so add "panel"/;
    expect(first.stdout).toMatch(note);
    expect(install(t, ['--skip-npm']).stdout).toMatch(note);
    const named = await makeTree();
    expect(install(named, [...flags, '--panel', 'waveshare-7in3e']).stdout).not.toMatch(note);
  });

  it('a key with quotes and backslashes is written as valid JSON', async () => {
    const t = await makeTree();
    const odd = 'a"b\\c&d';
    install(t, ['--url', URL_, '--key', odd, '--skip-npm']);
    const config = parseConfig(JSON.parse(await read(t, 'etc/artframe-immich/config.json')));
    expect(config.immich_api_key).toBe(odd);
    expect(config.album_id).toBe('');
  });

  it('--panel puts the panel into the config', async () => {
    const t = await makeTree();
    install(t, [...flags, '--panel', 'inky-impression-7in3']);
    const config = parseConfig(JSON.parse(await read(t, 'etc/artframe-immich/config.json')));
    expect(config.panel).toBe('inky-impression-7in3');
  });

  it('the API key is written to the config and nowhere else: not the output, the log, the unit or the command', async () => {
    for (const how of ['flag', 'file', 'env'] as const) {
      const t = await makeTree();
      const keyFile = path.join(t.stubs, 'immich.key');
      await writeFile(keyFile, KEY + '\n');
      const keyArgs = how === 'flag' ? ['--key', KEY] : how === 'file' ? ['--key-file', keyFile] : [];
      const r = install(t, ['--url', URL_, ...keyArgs, '--skip-npm'], how === 'env' ? { IMMICH_API_KEY: KEY } : {});
      expect(r.stdout + r.stderr).not.toContain(KEY);
      const holding = Object.entries(await treeTexts(t))
        .filter(([, text]) => text.includes(KEY))
        .map(([rel]) => rel);
      expect(holding).toEqual(['etc/artframe-immich/config.json']);
    }
  });

  it('a second run changes nothing and says so', async () => {
    // After the reboot the first run asked for, the kernel has the SPI and I2C devices.
    const t = await makeTree({ bootConfig: 'arm_64bit=1\n', devices: ['spidev0.0', 'i2c-1'] });
    install(t);
    const before = await snapshot(t.root, ['install.log']);
    const again = install(t, ['--skip-npm']);
    expect(await snapshot(t.root, ['install.log'])).toEqual(before);
    expect(again.stdout).toContain('Nothing changed');
    expect(again.stdout).toMatch(/config\.json exists: left unchanged/);
    expect(again.stdout).not.toMatch(/reboot/);
  });

  it('a second run with other flags leaves the existing config alone', async () => {
    const t = await makeTree();
    install(t);
    const before = await read(t, 'etc/artframe-immich/config.json');
    const again = install(t, ['--url', 'https://other.example.com', '--key', 'another-key', '--skip-npm']);
    expect(await read(t, 'etc/artframe-immich/config.json')).toBe(before);
    expect(again.stdout).toContain('only apply to a new config');
    expect(again.stdout).toContain('Nothing changed');
  });

  it('a changed checkout is installed again, replacing the old copy', async () => {
    const t = await makeTree();
    install(t);
    // A file only the installed copy has stands for one deleted from the checkout since.
    await writeFile(p(t, 'opt/artframe-immich/src/stale.ts'), 'export {};\n');
    await writeFile(p(t, 'opt/artframe-immich/.install-manifest'), 'an older checkout\n');
    const again = install(t, ['--skip-npm']);
    expect(again.stdout).toMatch(/install the app from/);
    await expect(lstat(p(t, 'opt/artframe-immich/src/stale.ts'))).rejects.toThrow(/ENOENT/);
    expect(await read(t, 'opt/artframe-immich/package.json')).toBe(
      await readFile(path.join(repo, 'package.json'), 'utf8'),
    );
  });

  it('the installed command is node running the app, no shell between, with the frame config by default', async () => {
    const t = await makeTree();
    install(t);
    const wrapper = await read(t, 'usr/local/bin/artframe-immich');
    expect(wrapper.split('\n')[0]).toBe(`#!${process.execPath} ${INSTALLED_NODE_FLAG}`);
    expect(wrapper).not.toMatch(/bin\/sh|exec /);
    // Give the --skip-npm install this checkout's build, then run the command as a user would.
    await symlink(path.join(repo, 'dist'), p(t, 'opt/artframe-immich/dist'));
    await symlink(path.join(repo, 'node_modules'), p(t, 'opt/artframe-immich/node_modules'));
    // V8 took the flag: the command's heap limit is that of a Node started with it (its young
    // generation three 1 MiB semi-spaces, whatever this machine's memory would give).
    const seen = path.join(t.root, 'heap.json');
    const probe = path.join(t.root, 'heap-probe.mjs');
    await writeFile(
      probe,
      `process.on('exit', () => process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ argv: process.execArgv, limit: process.getBuiltinModule('node:v8').getHeapStatistics().heap_size_limit })));\n`,
    );
    const version = spawnSync(p(t, 'usr/local/bin/artframe-immich'), ['--version'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: `--import=${probe}` },
    });
    expect(version.stdout).toBe(JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')).version + '\n');
    const heap = JSON.parse(await readFile(seen, 'utf8')) as { argv: string[]; limit: number };
    expect(heap.argv).toContain(INSTALLED_NODE_FLAG);
    const limit = (args: string[]) =>
      Number(
        spawnSync(process.execPath, [...args, '-p', 'v8.getHeapStatistics().heap_size_limit'], { encoding: 'utf8' })
          .stdout,
      );
    expect(heap.limit).toBe(limit([INSTALLED_NODE_FLAG]));
    const check = spawnSync(p(t, 'usr/local/bin/artframe-immich'), ['config', 'check'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: t.root },
    });
    // The config it found is the one install.sh wrote (the ARTFRAME_IMMICH_CONFIG default).
    expect(check.stdout + check.stderr).toContain(p(t, 'etc/artframe-immich/config.json'));
  });

  it('a failed build keeps the previous install and says what failed', async () => {
    const t = await makeTree();
    install(t);
    const installed = await snapshot(p(t, 'opt/artframe-immich'));
    // A checkout whose lockfile npm cannot read: `npm ci` fails at once, without the network.
    const checkout = await mkdtemp(path.join(os.tmpdir(), 'install-checkout-'));
    for (const f of ['install.sh', 'package.json', 'bin', 'src', 'drivers', 'hardware', 'tsconfig.json']) {
      spawnSync('cp', ['-R', path.join(repo, f), path.join(checkout, f)]);
    }
    await writeFile(path.join(checkout, 'package-lock.json'), '{"broken":');
    const r = spawnSync('bash', [path.join(checkout, 'install.sh'), '--prefix', t.root], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${t.stubs}:${process.env.PATH}`, HOME: process.env.HOME ?? '/root' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      /^error: npm could not build the app in \S+artframe-immich\.new/,
    );
    expect(await snapshot(p(t, 'opt/artframe-immich'))).toEqual(installed);
  });

  it('SPI is switched on once in the boot config, keeping what was there, and asks for a reboot', async () => {
    const t = await makeTree({ bootConfig: 'arm_64bit=1\n[all]' });
    const first = install(t);
    const expected = 'arm_64bit=1\n[all]\ndtparam=spi=on\ndtoverlay=spi0-0cs\ndtparam=i2c_arm=on\n';
    expect(await read(t, 'boot/firmware/config.txt')).toBe(expected);
    expect(first.stdout).toMatch(/sudo reboot/);
    install(t, ['--skip-npm']);
    expect(await read(t, 'boot/firmware/config.txt')).toBe(expected);
  });

  it('spi0-0cs is added where SPI is already on, so the kernel leaves GPIO 8 (CS) to the panel', async () => {
    const t = await makeTree({ bootConfig: 'dtparam=spi=on\n' });
    const r = install(t);
    expect(await read(t, 'boot/firmware/config.txt')).toBe('dtparam=spi=on\ndtoverlay=spi0-0cs\ndtparam=i2c_arm=on\n');
    expect(r.stdout).toMatch(/add dtoverlay=spi0-0cs to \S+config\.txt/);
    expect(r.stdout).toMatch(/sudo reboot/);
  });

  it('lines added after a model filter such as [cm5] go under [all], so they apply to every Pi', async () => {
    const t = await makeTree({ bootConfig: 'dtparam=spi=on\n[cm5]\ndtoverlay=dwc2,dr_mode=host\n' });
    install(t);
    expect(await read(t, 'boot/firmware/config.txt')).toBe(
      'dtparam=spi=on\n[cm5]\ndtoverlay=dwc2,dr_mode=host\n[all]\ndtoverlay=spi0-0cs\ndtparam=i2c_arm=on\n',
    );
  });

  it('another spi0 chip-select overlay is kept, with a warning that the kernel may drive GPIO 8', async () => {
    const boot = 'dtparam=spi=on\ndtoverlay=spi0-1cs,cs0_pin=8\ndtparam=i2c_arm=on\n';
    const t = await makeTree({ bootConfig: boot });
    const r = install(t);
    expect(await read(t, 'boot/firmware/config.txt')).toBe(boot);
    expect(r.stderr).toMatch(
      /^warning: \S+config\.txt loads another spi0 chip-select overlay, .*: replace it with dtoverlay=spi0-0cs/m,
    );
  });

  it('SPI and I2C already on in a combined dtparam line are left alone', async () => {
    const boot = 'dtparam=audio=on,spi=on,i2c_arm=on\ndtoverlay=spi0-0cs\n';
    const t = await makeTree({ bootConfig: boot, devices: ['spidev0.0', 'i2c-1'] });
    const r = install(t);
    expect(await read(t, 'boot/firmware/config.txt')).toBe(boot);
    expect(r.stdout).not.toMatch(/sudo reboot/);
  });

  it('I2C is switched on once for the Inky EEPROM, with i2c-dev loaded at boot', async () => {
    const t = await makeTree({ bootConfig: 'dtparam=spi=on\ndtoverlay=spi0-0cs\n' });
    const r = install(t);
    expect(await read(t, 'boot/firmware/config.txt')).toBe('dtparam=spi=on\ndtoverlay=spi0-0cs\ndtparam=i2c_arm=on\n');
    expect(await read(t, 'etc/modules-load.d/artframe-immich.conf')).toBe('i2c-dev\n');
    expect(r.stdout).toMatch(/add dtparam=i2c_arm=on to \S+config\.txt/);
    expect(r.stdout).toMatch(/sudo reboot +the SPI and I2C boot settings changed/);
    const again = install(t, ['--skip-npm']);
    expect(await read(t, 'boot/firmware/config.txt')).toBe('dtparam=spi=on\ndtoverlay=spi0-0cs\ndtparam=i2c_arm=on\n');
    expect(again.stdout).toMatch(/I2C is enabled in \S+config\.txt/);
  });

  it('I2C on under its alias is left alone; an i2c_arm=off is followed by the line that switches it on', async () => {
    const on = await makeTree({ bootConfig: 'dtparam=spi=on\ndtoverlay=spi0-0cs\ndtparam=i2c=on\n' });
    install(on);
    expect(await read(on, 'boot/firmware/config.txt')).toBe('dtparam=spi=on\ndtoverlay=spi0-0cs\ndtparam=i2c=on\n');
    const off = await makeTree({ bootConfig: 'dtparam=i2c_arm=off\n' });
    install(off);
    // The firmware takes the last setting: the line added after it switches I2C on.
    expect(await read(off, 'boot/firmware/config.txt')).toMatch(/^dtparam=i2c_arm=off\n.*dtparam=i2c_arm=on\n$/s);
  });

  it('the service user joins gpio (GPIO chip and gpiomem), spi and i2c', async () => {
    const t = await makeTree();
    install(t);
    const log = await read(t, 'install.log');
    for (const g of ['gpio', 'spi', 'i2c']) expect(log).toContain(`not run: groupadd --system ${g}`);
    expect(log).toMatch(/not run: useradd .*--groups gpio,spi,i2c artframe/);
  });

  it('--dry-run names the I2C change without making it', async () => {
    const t = await makeTree({ bootConfig: 'dtparam=spi=on\ndtoverlay=spi0-0cs\n' });
    const r = install(t, [...flags, '--dry-run']);
    expect(r.stdout).toMatch(/\(dry run\) would add dtparam=i2c_arm=on/);
    expect(r.stdout).toMatch(/\(dry run\) would write i2c-dev loads at boot/);
    expect(await read(t, 'boot/firmware/config.txt')).toBe('dtparam=spi=on\ndtoverlay=spi0-0cs\n');
  });

  it('on bookworm with Node.js 18 the plan adds NodeSource node_22.x with a signed-by keyring', async () => {
    const t = await makeTree({ os: 'bookworm', node: 'v18.19.0' });
    const r = install(t);
    expect(r.stdout).toContain('Node.js 18.19.0 is too old');
    expect(await read(t, 'etc/apt/sources.list.d/nodesource.list')).toBe(
      'deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_22.x nodistro main\n',
    );
    const log = await read(t, 'install.log');
    expect(log).toMatch(/curl -fsSL -o \S+ https:\/\/deb\.nodesource\.com\/gpgkey\/nodesource-repo\.gpg\.key/);
    expect(log).toMatch(/gpg --dearmor --yes -o \S+\/etc\/apt\/keyrings\/nodesource\.gpg/);
    expect(log).toMatch(/apt-get install -y -q nodejs\n/);
  });

  it("on trixie with Node.js 18 the plan installs Debian's own nodejs and npm, without NodeSource", async () => {
    const t = await makeTree({ os: 'trixie', node: 'v18.19.0' });
    install(t);
    await expect(lstat(p(t, 'etc/apt/sources.list.d/nodesource.list'))).rejects.toThrow(/ENOENT/);
    const log = await read(t, 'install.log');
    expect(log).toMatch(/apt-get install -y -q nodejs npm\n/);
    expect(log).not.toContain('nodesource');
  });

  it('a new enough Node.js is kept: no apt-get for Node.js', async () => {
    const t = await makeTree({ os: 'trixie', node: 'v20.18.1' });
    const r = install(t);
    expect(r.stdout).toContain('= Node.js 20.18.1');
    expect(await read(t, 'install.log')).not.toMatch(/nodejs/);
  });

  it('Node.js 22.0-22.2 (no process.getBuiltinModule) is replaced; 22.3 is kept', async () => {
    const early = await makeTree({ os: 'trixie', node: 'v22.1.0' });
    const r = install(early);
    expect(r.stdout).toContain('Node.js 22.1.0 lacks process.getBuiltinModule');
    expect(await read(early, 'install.log')).toMatch(/apt-get install -y -q nodejs npm\n/);
    const later = await makeTree({ os: 'trixie', node: 'v22.3.0' });
    expect(install(later).stdout).toContain('= Node.js 22.3.0');
    expect(await read(later, 'install.log')).not.toMatch(/nodejs/);
  });

  it('Raspberry Pi OS 32-bit on an ARMv6 Pi without a new enough Node.js fails with one line pointing at unofficial builds', async () => {
    const t = await makeTree({ os: 'raspbianBookworm', arch: 'armhf', machine: 'armv6l', node: 'v18.19.0' });
    const r = runScript(flags, t);
    expect(r.status).not.toBe(0);
    expect(oneLine(r.stderr)).toMatch(/^error: .*ARMv6.*unofficial-builds\.nodejs\.org/);
  });

  it('--uninstall removes the unit, the command and the app but keeps the config and photos', async () => {
    const t = await makeTree();
    install(t);
    await mkdir(p(t, 'var/lib/artframe-immich/plugins/immich/default/photos'), { recursive: true });
    await writeFile(p(t, 'var/lib/artframe-immich/plugins/immich/default/photos/IMG_1.jpg'), 'jpeg');
    const config = await read(t, 'etc/artframe-immich/config.json');
    const r = install(t, ['--uninstall']);
    for (const gone of [
      'etc/systemd/system/artframe-immich.service',
      'usr/local/bin/artframe-immich',
      'opt/artframe-immich',
    ]) {
      await expect(lstat(p(t, gone))).rejects.toThrow(/ENOENT/);
    }
    expect(await read(t, 'etc/artframe-immich/config.json')).toBe(config);
    expect(await read(t, 'var/lib/artframe-immich/plugins/immich/default/photos/IMG_1.jpg')).toBe('jpeg');
    expect(r.stdout).toContain('--purge removes');
    expect(await read(t, 'install.log')).toContain('not run: systemctl disable --now artframe-immich.service');
    expect(install(t, ['--uninstall']).stdout).toContain('Nothing to remove');
  });

  it('--uninstall --purge also removes the config, the photos and the user', async () => {
    const t = await makeTree();
    install(t);
    install(t, ['--uninstall', '--purge']);
    for (const gone of ['etc/artframe-immich', 'var/lib/artframe-immich', 'opt/artframe-immich']) {
      await expect(lstat(p(t, gone))).rejects.toThrow(/ENOENT/);
    }
    expect(await read(t, 'install.log')).toContain('not run: userdel artframe');
  });

  it('--dry-run changes nothing, on a fresh machine and on an installed one', async () => {
    const t = await makeTree({ bootConfig: 'arm_64bit=1\n' });
    const fresh = await snapshot(t.root);
    const r = install(t, [...flags, '--dry-run']);
    expect(r.stdout).toContain('Dry run: nothing was changed.');
    expect(r.stdout).toMatch(/would add dtparam=spi=on/);
    expect(r.stdout).toMatch(/would write \S+config\.json/);
    expect(await snapshot(t.root)).toEqual(fresh);

    install(t);
    const installed = await snapshot(t.root);
    install(t, ['--dry-run', '--uninstall', '--purge']);
    expect(await snapshot(t.root)).toEqual(installed);
  });

  it('an unsupported OS fails with one line naming it, before touching anything', async () => {
    const t = await makeTree({ os: 'fedora' });
    const fresh = await snapshot(t.root, ['install.log']);
    const r = runScript(flags, t);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^error: unsupported OS: Fedora Linux 40 .*\(ID=fedora\)/);
    expect(await snapshot(t.root, ['install.log'])).toEqual(fresh);
  });

  it('without a terminal a missing --url fails with one line naming --url', async () => {
    const t = await makeTree();
    const r = runScript(['--key', KEY, '--skip-npm'], t);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^error: --url is required/);
    await expect(lstat(p(t, 'etc/artframe-immich/config.json'))).rejects.toThrow(/ENOENT/);
  });

  it('without a terminal a missing key fails with one line naming --key-file', async () => {
    const t = await makeTree();
    const r = runScript(['--url', URL_, '--skip-npm'], t);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^error: --key-file \(or --key, or IMMICH_API_KEY\) is required/);
  });

  it('a URL that is not http(s) fails with one line naming it', async () => {
    const t = await makeTree();
    const r = runScript(['--url', 'ftp://immich.example.com', '--key', KEY], t);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toBe(
      'error: --url "ftp://immich.example.com" is not an http:// or https:// URL (such as https://immich.example.com)',
    );
  });

  it('an album that is not a UUID fails with one line naming it', async () => {
    const t = await makeTree();
    const r = runScript(['--url', URL_, '--key', KEY, '--album', 'my holidays'], t);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^error: --album "my holidays" is not an album id/);
  });

  it('an unknown option fails with one line naming it', () => {
    const r = runScript(['--colour', 'blue'], undefined);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toBe('error: unknown option --colour (see ./install.sh --help)');
  });

  it('outside prefix mode it refuses to run without root, in one line', () => {
    // As root (CI containers), drop to nobody for this run.
    const wrap = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const r = runScript(['--url', URL_, '--key', KEY], undefined, {}, wrap);
    if (r.error) throw new Error(`cannot run as an unprivileged user: ${r.error.message}`);
    expect(r.status).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^error: install\.sh must run as root: sudo \.\/install\.sh/);
  });

  it('--help describes the options and exits 0', () => {
    const r = runScript(['--help'], undefined);
    expect(r.status).toBe(0);
    for (const option of [
      '--url',
      '--key-file',
      '--album',
      '--panel',
      '--uninstall',
      '--purge',
      '--dry-run',
      '--prefix',
    ]) {
      expect(r.stdout).toContain(option);
    }
  });
});

describe('install.sh keeps the key from npm and contains the service (issue 12)', () => {
  it("npm's install scripts run without IMMICH_API_KEY in their environment", async () => {
    const t = await makeTree();
    const seen = path.join(t.stubs, 'npm-env');
    // A stand-in npm that records the environment its scripts would inherit.
    await executable(path.join(t.stubs, 'npm'), `#!/bin/sh\nenv >> ${seen}\necho "npm $*" >> ${seen}\nexit 0\n`);
    runScript(['--url', URL_, '--album', ALBUM], t, { IMMICH_API_KEY: KEY });
    const env = await readFile(seen, 'utf8');
    expect(env).toMatch(/^npm ci$/m);
    expect(env).not.toContain(KEY);
    expect(env).not.toMatch(/^IMMICH_API_KEY=/m);
    // The key still reached the config.
    expect(await read(t, 'etc/artframe-immich/config.json')).toContain(KEY);
  });

  it('the unit never gives up restarting and bounds memory, tasks and system calls', async () => {
    const t = await makeTree();
    install(t);
    const file = p(t, 'etc/systemd/system/artframe-immich.service');
    const directives = (await readFile(file, 'utf8')).split('\n').filter((l) => !l.startsWith('#'));
    for (const d of [
      'StartLimitIntervalSec=0',
      'MemoryMax=512M',
      'TasksMax=128',
      'SystemCallFilter=@system-service',
      'SystemCallErrorNumber=EPERM',
      'ProtectProc=invisible',
    ]) {
      expect(directives).toContain(d);
    }
    // systemd's own offline score (3.9 before these directives); its exit status also reflects
    // the keys a systemd older than 254 does not know (RestartSteps=), so only the score counts.
    const analyze = spawnSync('systemd-analyze', ['security', '--offline=yes', file], { encoding: 'utf8' });
    if (analyze.error) return; // No systemd-analyze here: the directives above are the check.
    const score = /Overall exposure level for \S+: (\d+\.\d+)/.exec(analyze.stdout);
    expect(Number(score?.[1])).toBeLessThanOrEqual(2.5);
  });
});

describe('install.sh after a failed first run (issue 20)', () => {
  it('a reboot owed by an earlier run is still asked for: decided from config.txt and the devices', async () => {
    // An earlier run wrote the SPI and I2C lines and failed before its summary; nothing rebooted.
    const boot = 'dtparam=spi=on\ndtoverlay=spi0-0cs\ndtparam=i2c_arm=on\n';
    const pending = await makeTree({ bootConfig: boot });
    const r = install(pending);
    expect(await read(pending, 'boot/firmware/config.txt')).toBe(boot);
    expect(r.stdout).not.toMatch(/boot settings changed/);
    expect(r.stdout).toMatch(
      /sudo reboot +SPI is enabled in \S+\/boot\/firmware\/config\.txt but not active \(no \S+\/dev\/spidev0\.0\): reboot/,
    );
    expect(r.stdout).toMatch(
      /sudo reboot +I2C is enabled in \S+config\.txt but not active \(no \S+\/dev\/i2c-1\): reboot/,
    );
    // SPI active, I2C not yet: only I2C is named.
    const half = await makeTree({ bootConfig: boot, devices: ['spidev0.0'] });
    const h = install(half);
    expect(h.stdout).not.toMatch(/SPI is enabled in \S+ but not active/);
    expect(h.stdout).toMatch(/I2C is enabled in \S+ but not active/);
    // Rebooted: nothing owed.
    const done = await makeTree({ bootConfig: boot, devices: ['spidev0.0', 'i2c-1'] });
    expect(install(done).stdout).not.toMatch(/reboot/);
  });
});

describe('install.sh loads the addons the board and panel need after npm ci (issue 20)', () => {
  /** A stand-in npm: `npm ci` prints `output` and installs the given addons in the working folder. */
  async function fakeNpm(t: Tree, addons: Record<string, 'ok' | 'throws'>, output: string): Promise<string> {
    const seen = path.join(t.stubs, 'npm-env');
    const lines = ['#!/bin/sh', `env >> ${seen}`, '[ "$1" = ci ] || exit 0', `cat ${path.join(t.stubs, 'npm-output')}`];
    for (const [name, how] of Object.entries(addons)) {
      const body = how === 'ok' ? 'module.exports = {};' : "throw new Error('Could not locate the bindings file.');";
      lines.push(
        `mkdir -p node_modules/${name}`,
        `echo '{"name":"${name}","version":"1.0.0","main":"index.js"}' > node_modules/${name}/package.json`,
        `echo "${body}" > node_modules/${name}/index.js`,
      );
    }
    await writeFile(path.join(t.stubs, 'npm-output'), output);
    await executable(path.join(t.stubs, 'npm'), lines.join('\n') + '\n');
    return seen;
  }
  // What npm ci printed on an offline machine (node-gyp 12.4.0, npm --foreground-scripts).
  const offline = [
    '> rpio@2.4.2 install',
    '> node-gyp rebuild',
    '',
    'gyp info it worked if it ends with ok',
    'gyp http GET https://nodejs.org/download/release/v20.20.2/node-v20.20.2-headers.tar.gz',
    'gyp WARN install got an error, rolling back install',
    'gyp ERR! configure error ',
    'gyp ERR! stack Error: This is most likely not a problem with node-gyp or the package itself and',
    'gyp ERR! stack is related to network connectivity. In most cases you are behind a proxy or have bad',
    'gyp ERR! not ok ',
    '',
    '> spi-device@3.1.2 install',
    '> node-gyp rebuild',
    'gyp info ok ',
    '',
    'added 120 packages in 12s',
  ].join('\n');
  const withNpm = ['--url', URL_, '--key', KEY];

  it('an addon that did not build stops the install in one line naming it, the error and the fix', async () => {
    const t = await makeTree({ model: 'Raspberry Pi 4 Model B Rev 1.4' });
    await fakeNpm(t, { 'spi-device': 'ok', ioctl: 'ok' }, offline);
    const r = runScript(withNpm, t);
    expect(r.status).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(
      /^error: the rpio addon \(GPIO on a Pi 1-4\) did not build: node-gyp could not download Node\.js \S+'s headers from nodejs\.org; fix: .*\/usr\/include\/node.*npm_config_nodedir/,
    );
    expect(r.stdout).not.toMatch(/Installed/);
    // The half-built app never replaced anything.
    await expect(lstat(p(t, 'opt/artframe-immich'))).rejects.toThrow(/ENOENT/);
  });

  it('an addon that is installed but does not load is named with its load error', async () => {
    const t = await makeTree({ model: 'Raspberry Pi 5 Model B Rev 1.0' });
    await fakeNpm(t, { 'spi-device': 'ok', ioctl: 'throws' }, 'added 120 packages in 12s\n');
    const r = runScript(withNpm, t);
    expect(r.status).toBe(1);
    expect(
      oneLine(
        r.stderr
          .split('\n')
          .filter((l) => l.startsWith('error:'))
          .join('\n'),
      ),
    ).toMatch(
      /^error: the ioctl addon \(the Pi 5's GPIO and the Inky EEPROM on I2C\) did not build: .*\[loading it: Error: Could not locate the bindings file\.\]$/,
    );
  });

  it('a Pi 5 does not need rpio: the install goes on without it', async () => {
    const t = await makeTree({ model: 'Raspberry Pi 5 Model B Rev 1.0' });
    await fakeNpm(t, { 'spi-device': 'ok', ioctl: 'ok' }, offline);
    const r = runScript(withNpm, t);
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/= ioctl loads/);
    expect(r.stdout).not.toMatch(/rpio loads/);
  });

  it("node-gyp builds against the installed headers of this Node.js (offline), never another version's", async () => {
    for (const headers of ['match', 'other'] as const) {
      const t = await makeTree({ model: 'Raspberry Pi 4 Model B Rev 1.4', nodeHeaders: headers });
      const seen = await fakeNpm(t, { rpio: 'ok', 'spi-device': 'ok', ioctl: 'ok' }, '');
      const r = runScript(withNpm, t);
      expect(r.status).toBe(0);
      const env = await readFile(seen, 'utf8');
      if (headers === 'match') expect(env).toContain(`npm_config_nodedir=${path.join(t.stubs, 'node-prefix')}\n`);
      else expect(env).not.toMatch(/npm_config_nodedir/);
    }
  });
});

describe('install.sh gives a battery frame its power-off and wake alarm', () => {
  const POLKIT = 'etc/polkit-1/rules.d/50-artframe-immich.rules';
  const UDEV = 'etc/udev/rules.d/60-artframe-immich-rtc.rules';

  it('writes a polkit rule and a udev rule for the service user alone, installs polkitd and applies the udev rule', async () => {
    const t = await makeTree();
    install(t, [...flags, '--user', 'frame2']);
    expect(await modeOf(t, POLKIT)).toBe(0o644);
    expect(await modeOf(t, UDEV)).toBe(0o644);
    const polkit = await read(t, POLKIT);
    expect(polkit).toContain('subject.user === "frame2"');
    expect(polkit).not.toContain('artframe"');
    const udev = (await read(t, UDEV)).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(udev).toEqual([
      'ACTION=="add|change", SUBSYSTEM=="rtc", KERNEL=="rtc0", RUN+="/bin/chgrp frame2 /sys%p/wakealarm", RUN+="/bin/chmod g+w /sys%p/wakealarm"',
    ]);
    const log = await read(t, 'install.log');
    expect(log).toContain('not run: env DEBIAN_FRONTEND=noninteractive apt-get install -y -q polkitd');
    expect(log).toContain(
      'not run: udevadm control --reload-rules\nnot run: udevadm trigger --action=change --subsystem-match=rtc',
    );
  });

  it("the rule, read as polkit reads it, allows the service user logind's two power-off actions and nothing else", async () => {
    const t = await makeTree();
    install(t);
    const rules: ((action: { id: string }, subject: { user: string }) => unknown)[] = [];
    const polkit = { Result: { YES: 'yes' }, addRule: (f: (typeof rules)[number]) => rules.push(f) };
    new Function('polkit', await read(t, POLKIT))(polkit);
    expect(rules).toHaveLength(1);
    const verdict = (id: string, user: string) => rules[0]!({ id: `org.freedesktop.login1.${id}` }, { user });
    expect(verdict('power-off', 'artframe')).toBe('yes');
    expect(verdict('power-off-multiple-sessions', 'artframe')).toBe('yes');
    for (const id of ['power-off-ignore-inhibit', 'reboot', 'halt', 'suspend'])
      expect(verdict(id, 'artframe')).toBeUndefined();
    expect(verdict('power-off', 'pi')).toBeUndefined();
  });

  // The real check: Debian's polkitd (the one Raspberry Pi OS ships) loads the rule from the tree
  // and pkcheck asks it, as each user, on a system bus of its own. A private mount namespace puts
  // the tree's rules folder and an empty /run in place, so the machine's own are never touched.
  const tools = [
    '/usr/lib/polkit-1/polkitd',
    '/usr/bin/pkcheck',
    '/usr/bin/dbus-daemon',
    '/usr/bin/unshare',
    '/usr/bin/setpriv',
  ];
  const missing = tools.filter((f) => spawnSync('test', ['-x', f]).status !== 0);
  // Root, and a mount namespace of our own (a container may refuse one).
  const root = process.getuid?.() === 0 && spawnSync('unshare', ['--mount', 'true']).status === 0;
  it.skipIf(!root || missing.length > 0)(
    `polkitd itself grants the power-off to the service user only (needs root, a mount namespace and ${tools.join(', ')})`,
    async () => {
      const t = await makeTree();
      install(t, [...flags, '--user', 'nobody']);
      const probe = [
        'set -eu',
        'mount -t tmpfs tmpfs /run && mkdir /run/dbus',
        'mount --bind "$RULES" /etc/polkit-1/rules.d',
        'bus=$(dbus-daemon --system --fork --print-pid)',
        '/usr/lib/polkit-1/polkitd --no-debug >/dev/null 2>&1 & pk=$!',
        'trap \'kill "$pk" "$bus" 2>/dev/null || true\' EXIT',
        'for _ in $(seq 100); do',
        '  dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\',
        '    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null | grep -q true && break',
        '  sleep 0.1',
        'done',
        'for user in nobody daemon; do',
        '  for action in power-off power-off-multiple-sessions power-off-ignore-inhibit reboot; do',
        '    code=$(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups sh -c \\',
        '      \'pkcheck --action-id "org.freedesktop.login1.$0" --process $$ >/dev/null 2>&1; echo $?\' "$action")',
        '    echo "$user $action $code"',
        '  done',
        'done',
      ].join('\n');
      const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', probe], {
        encoding: 'utf8',
        env: { ...process.env, RULES: p(t, 'etc/polkit-1/rules.d') },
      });
      expect(r.status, r.stderr).toBe(0);
      // pkcheck: 0 authorized, 2 not authorized.
      expect(r.stdout.trim().split('\n')).toEqual([
        'nobody power-off 0',
        'nobody power-off-multiple-sessions 0',
        'nobody power-off-ignore-inhibit 2',
        'nobody reboot 2',
        'daemon power-off 2',
        'daemon power-off-multiple-sessions 2',
        'daemon power-off-ignore-inhibit 2',
        'daemon reboot 2',
      ]);
    },
  );

  it('--uninstall removes both rules and reloads udev', async () => {
    const t = await makeTree();
    install(t);
    install(t, ['--uninstall']);
    for (const gone of [POLKIT, UDEV]) await expect(lstat(p(t, gone))).rejects.toThrow(/ENOENT/);
    expect((await read(t, 'install.log')).split('# install.sh').at(-1)).toContain(
      'not run: udevadm control --reload-rules',
    );
  });

  it('--upgrade gives an install from before these rules both, for the user its unit runs as', async () => {
    const t = await makeTree();
    install(t, [...flags, '--user', 'frame2']);
    for (const rule of [POLKIT, UDEV]) await rm(p(t, rule));
    const r = runScript(['--upgrade', '--dry-run', '--skip-npm'], t);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Power-off and wake alarm for battery frames (power "battery"), for frame2');
    for (const rule of [POLKIT, UDEV]) expect(r.stdout).toContain(`(dry run) would write ${p(t, rule)}`);
  });
});
