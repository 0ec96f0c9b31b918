// Upgrades that roll back: a new version is copied beside the running one
// (/opt/artframe-immich.releases/<id>), the one pointer systemd starts through
// (/opt/artframe-immich.current, a symlink) is swapped atomically (rename over it), the service
// is restarted and must report ready (service_state.json: running, started after the swap) within
// a time; if it does not, the pointer goes back, the state files are restored from the copy taken
// before the swap, and the service is restarted on the old version. The library (photos) and the
// config are never touched. A journal (upgrade.json in the state folder) records a swap not yet
// confirmed: the next start of the service (the drop-in's ExecStartPre) or upgrade rolls it back.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, lstat, readdir, readFile, readlink, rename, rm, stat, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { FrameError, type FrameErrorCode } from '../core/errors.js';
import { writeFileAtomic } from '../library/atomic-file.js';
import type { InstancePaths } from '../library/instance.js';
import { makeFolders } from '../core/folders.js';

export const APP = 'artframe-immich';

export interface UpgradeLayout {
  /** What install.sh installed: the first "old version", never changed by an upgrade. */
  installDir: string;
  releasesDir: string;
  /** The symlink systemd starts through (the drop-in's ExecStart). */
  current: string;
  dropIn: string;
  journal: string;
  backupDir: string;
}

export function upgradeLayout(root: string): UpgradeLayout {
  const opt = path.join(root, 'opt');
  const state = path.join(root, 'var', 'lib', APP);
  return {
    installDir: path.join(opt, APP),
    releasesDir: path.join(opt, `${APP}.releases`),
    current: path.join(opt, `${APP}.current`),
    dropIn: path.join(root, 'etc', 'systemd', 'system', `${APP}.service.d`, '50-current.conf'),
    journal: path.join(state, 'upgrade.json'),
    backupDir: path.join(state, 'upgrade-backup'),
  };
}

/** The app's files a release holds (install.sh's APP_FILES plus the build and its modules). */
const RELEASE_FILES = ['package.json', 'package-lock.json', 'bin', 'dist', 'hardware', 'README.md', 'node_modules'];

/** The steps in order; a test stops after any one of them, as a pulled plug would. */
export const UPGRADE_STEPS = ['copied', 'backed-up', 'journal', 'switched', 'restarted'] as const;
export type UpgradeStep = (typeof UPGRADE_STEPS)[number];

export interface UpgradeOptions {
  root: string;
  /** The new checkout or unpacked release archive (built: bin/ and dist/). */
  from: string;
  /** The state files of the frame's library (the config's instance): copied before the swap. */
  instance: InstancePaths;
  config: string;
  node: string;
  /** How long the new version has to report ready. */
  readyTimeoutMs: number;
  /** systemctl, found on PATH (tests put a fake first). */
  systemctl?: string;
  now?: () => Date;
  log?: (line: string) => void;
  /** Tests: stop (throw) right after this step, as if the machine died there. */
  stopAfter?: UpgradeStep;
}

export class UpgradeError extends FrameError {
  protected static override readonly defaultCode: FrameErrorCode = 'UPGRADE';
}

interface Journal {
  from: string;
  to: string;
  backup: string;
  switched_at: string | null;
}

const run = promisify(execFile);

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

/** Where the pointer leads now (the install dir before any upgrade). */
export async function currentTarget(l: UpgradeLayout): Promise<string> {
  return (await exists(l.current)) ? path.resolve(path.dirname(l.current), await readlink(l.current)) : l.installDir;
}

/** Point `current` at `target` in one rename: a reader sees the old link or the new, never none. */
async function swapPointer(l: UpgradeLayout, target: string): Promise<void> {
  const tmp = `${l.current}.tmp-${randomBytes(4).toString('hex')}`;
  await symlink(target, tmp);
  await rename(tmp, l.current);
}

function dropInText(o: { node: string; current: string; config: string; installDir: string; root: string }): string {
  const bin = (dir: string) => path.join(dir, 'bin', `${APP}.js`);
  return [
    '# Written by `artframe-immich upgrade`: the service starts through the release pointer, and',
    '# finishes (rolls back) an upgrade that was never confirmed before it starts ("+": as root and',
    '# outside the sandbox, which keeps /opt read-only; "-": its failure never stops the frame).',
    '[Service]',
    `ExecStartPre=-+${o.node} ${bin(o.installDir)} upgrade --recover --root ${o.root} --config ${o.config}`,
    'ExecStart=',
    `ExecStart=${o.node} ${bin(o.current)} run --config ${o.config}`,
    '',
  ].join('\n');
}

/** The state files a version writes: the copy a rollback restores (never the photos). */
function stateFiles(i: InstancePaths): string[] {
  return [i.metadataPath, i.serviceStatePath, i.selectionStatePath, i.syncAttemptsPath, i.hiddenPath];
}

async function systemctl(o: UpgradeOptions, ...args: string[]): Promise<void> {
  await run(o.systemctl ?? 'systemctl', args, { timeout: 120_000 });
}

/** The service says it runs, and started after `since`: the new version came up. */
export async function waitReady(i: InstancePaths, since: Date, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const s = JSON.parse(await readFile(i.serviceStatePath, 'utf8')) as { running?: boolean; started_at?: string };
      if (s.running === true && s.started_at && Date.parse(s.started_at) >= since.getTime() - 1000) return true;
    } catch {
      // not there yet, or mid-replace
    }
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function checkpoint(o: UpgradeOptions, step: UpgradeStep): void {
  o.log?.(`upgrade: ${step}`);
  if (o.stopAfter === step) throw new UpgradeError(`stopped after ${step} (test)`);
}

/** Put the pointer back, restore the state files, restart on the old version; forget the journal. */
async function rollBack(o: UpgradeOptions, l: UpgradeLayout, j: Journal, restart = true): Promise<void> {
  await swapPointer(l, j.from);
  for (const file of stateFiles(o.instance)) {
    const saved = path.join(j.backup, path.basename(file));
    if (await exists(saved)) await cp(saved, file);
    else await rm(file, { force: true });
  }
  if (restart)
    await systemctl(o, 'restart', APP).catch((err: unknown) =>
      o.log?.(`upgrade: restarting the old version failed: ${(err as Error).message}`),
    );
  await unlink(l.journal).catch(() => {});
}

/** An upgrade the journal says was never confirmed: back to the version before it. `restart`
 * false from the service's own ExecStartPre: the start under way runs the old version. */
export async function recoverUpgrade(o: Omit<UpgradeOptions, 'from'>, restart = true): Promise<'none' | 'rolled-back'> {
  const l = upgradeLayout(o.root);
  let j: Journal;
  try {
    j = JSON.parse(await readFile(l.journal, 'utf8')) as Journal;
  } catch {
    return 'none';
  }
  o.log?.(`upgrade: an upgrade to ${j.to} was never confirmed; back to ${j.from}`);
  await rollBack({ ...o, from: '' }, l, j, restart);
  return 'rolled-back';
}

/** Install `from` beside the running version, swap, restart, confirm or roll back. */
export async function upgrade(o: UpgradeOptions): Promise<{ ok: boolean; release: string; message: string }> {
  const l = upgradeLayout(o.root);
  const now = o.now ?? (() => new Date());
  if ((await recoverUpgrade(o)) === 'rolled-back') o.log?.('upgrade: the interrupted upgrade was rolled back first');
  for (const f of ['bin', 'dist', 'package.json']) {
    if (!(await exists(path.join(o.from, f))))
      throw new UpgradeError(`${o.from} is not a built checkout (no ${f}): run npm ci there first`);
  }
  const version = (JSON.parse(await readFile(path.join(o.from, 'package.json'), 'utf8')) as { version?: string })
    .version;
  const id = `${version ?? '0'}-${now().toISOString().replace(/[:.]/g, '-')}`;
  const release = path.join(l.releasesDir, id);
  const from = await currentTarget(l);

  // 1. Beside the old one: a partial copy is never pointed at (renamed in whole).
  const partial = `${release}.partial`;
  await makeFolders(l.releasesDir);
  await rm(partial, { recursive: true, force: true });
  for (const f of RELEASE_FILES) {
    const src = path.join(o.from, f);
    const fallback = f === 'node_modules' ? path.join(from, f) : null;
    if (await exists(src)) await cp(src, path.join(partial, f), { recursive: true, verbatimSymlinks: true });
    else if (fallback && (await exists(fallback)))
      await cp(fallback, path.join(partial, f), { recursive: true, verbatimSymlinks: true });
  }
  await rename(partial, release);
  checkpoint(o, 'copied');

  // 2. A copy of the state files: the old version may not read what the new one writes.
  const backup = path.join(l.backupDir, path.basename(from));
  await rm(backup, { recursive: true, force: true });
  await makeFolders(backup);
  for (const file of stateFiles(o.instance))
    if (await exists(file)) await cp(file, path.join(backup, path.basename(file)));
  checkpoint(o, 'backed-up');

  // 3. The journal before the swap: from here a restart finishes the job (rolls back).
  const journal: Journal = { from, to: release, backup, switched_at: null };
  await makeFolders(path.dirname(l.journal));
  await writeFileAtomic(l.journal, JSON.stringify(journal) + '\n');
  if (!(await exists(l.dropIn))) {
    await makeFolders(path.dirname(l.dropIn));
    await writeFileAtomic(
      l.dropIn,
      dropInText({ node: o.node, current: l.current, config: o.config, installDir: l.installDir, root: o.root }),
    );
    await systemctl(o, 'daemon-reload');
  }
  checkpoint(o, 'journal');

  // 4. The swap.
  const switchedAt = now();
  await swapPointer(l, release);
  await writeFileAtomic(l.journal, JSON.stringify({ ...journal, switched_at: switchedAt.toISOString() }) + '\n');
  checkpoint(o, 'switched');

  // 5. Restart and wait for ready.
  let restarted = true;
  await systemctl(o, 'restart', APP).catch(() => (restarted = false));
  checkpoint(o, 'restarted');
  const ready = restarted && (await waitReady(o.instance, switchedAt, o.readyTimeoutMs));
  if (!ready) {
    await rollBack(o, l, journal);
    return {
      ok: false,
      release: from,
      message: `upgrade to ${id} rolled back: the new version did not report ready within ${Math.round(o.readyTimeoutMs / 1000)} s; ${from} runs again`,
    };
  }
  await unlink(l.journal);
  await pruneReleases(l, [release, from]);
  return { ok: true, release, message: `upgraded to ${id}; the version before it stays in ${from}` };
}

/** Keep the running release and the one before it; older ones go. */
async function pruneReleases(l: UpgradeLayout, keep: string[]): Promise<void> {
  for (const name of await readdir(l.releasesDir).catch(() => [])) {
    const p = path.join(l.releasesDir, name);
    if (keep.includes(p)) continue;
    if ((await stat(p).catch(() => null))?.isDirectory()) await rm(p, { recursive: true, force: true });
  }
}
