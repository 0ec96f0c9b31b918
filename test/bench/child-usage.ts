// A child process's own CPU time and peak RSS, for the benches that time whole commands: a
// preload (node --require, or --import) writes them at exit to the file named by BENCH_USAGE_FILE. Peak RSS is
// VmHWM of the child's post-exec address space where /proc has it: getrusage's maxRSS survives
// exec on Linux, so a child would report the bench process's own size.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ChildUsage {
  cpuMs: number;
  rssKb: number;
}

// node:fs as the plain module: an ESM import of it would load Node's stream modules in every
// child, `node -e 0` included (its facade reads fs.ReadStream), and flatter every start-up ratio.
const PRELOAD = [
  "const { readFileSync, writeFileSync } = process.getBuiltinModule('node:fs');",
  "process.on('exit', () => {",
  '  const u = process.resourceUsage();',
  '  let rssKb = u.maxRSS;',
  "  try { rssKb = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}",
  '  const cpuMs = (u.userCPUTime + u.systemCPUTime) / 1000;',
  '  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ cpuMs, rssKb }));',
  '});',
  '',
].join('\n');

/** Write the preload into `dir`; pass its path to the child as `--require PATH` (or `--import`). It
 * is CommonJS: given with --require it starts no ES module loader in a child that would not have
 * one (bin/artframe-immich.js for `status` and `next`, and `node -e 0`), which would add the same
 * ~6 ms to both sides of a start-up ratio. */
export async function writeUsagePreload(dir: string): Promise<string> {
  const file = path.join(dir, 'usage.cjs');
  await writeFile(file, PRELOAD);
  return file;
}

/** What the child wrote (and remove the file); null when it wrote nothing (it was killed). */
export async function takeChildUsage(file: string): Promise<ChildUsage | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  await rm(file, { force: true });
  return text === null ? null : (JSON.parse(text) as ChildUsage);
}

/** A running process's resident size now and at its peak (VmRSS, VmHWM) and its CPU so far,
 * read from /proc: for a child that lives on between calls, which the exit preload cannot measure. */
export async function processUsage(pid: number): Promise<{ rssKb: number; peakKb: number; cpuMs: number } | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (status === null || stat === null) return null;
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  // utime and stime, fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM'), cpuMs: ticks * 10 };
}
