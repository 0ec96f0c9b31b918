// The MQTT door's cost on a running frame: `artframe-immich run` (the built CLI, a real process on
// the virtual panel) with the mqtt block and without it, interleaved in the same run, on a real
// broker (mosquitto) that a stand-in for Home Assistant watches. Per run: the child's own peak RSS
// (VmHWM, through the child-usage preload), its CPU over an idle window once the frame shows its
// photo and the door has announced it (utime + stime from /proc/<pid>/stat), and its total CPU.
// Budget (issue 17): peak RSS within +5 MB, no idle CPU.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';
import { MOSQUITTO, MOSQUITTO_MISSING, startBroker } from '../support/mosquitto.js';
import { takeChildUsage, writeUsagePreload } from './child-usage.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(here, '../../../bin/artframe-immich.js');
/** Another build to measure beside this one in the same run (its bin/artframe-immich.js, say main's
 * built into build/base-main): before/after figures from one interleaved run, not two. */
const BASELINE_BIN = process.env.MQTT_BENCH_BASELINE_BIN ? path.resolve(process.env.MQTT_BENCH_BASELINE_BIN) : null;
const RUNS = Number(process.env.MQTT_BENCH_RUNS ?? 3);
const IDLE_S = Number(process.env.MQTT_BENCH_IDLE_S ?? 10);
const TICK_MS = 1000 / 100; // USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s

interface Sample {
  rssMb: number;
  totalCpuMs: number;
  idleCpuMs: number;
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces) in parentheses: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<void> {
  if (!MOSQUITTO) {
    console.log(`skipped: ${MOSQUITTO_MISSING}`);
    return;
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'mqtt-bench-'));
  const sim = await startImmichSim();
  const broker = await startBroker();
  const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  const images = new Map<string, number>();
  watcher.on('message', (topic) => images.set(topic, (images.get(topic) ?? 0) + 1));
  await watcher.subscribeAsync('artframe/+/image');
  try {
    const { album } = await seedSampleLibrary(sim, { count: 8, seed: 4, withVideo: false });
    const synced = path.join(work, 'synced');
    const base = {
      immich_url: sim.url,
      immich_api_key: sim.apiKey,
      album_id: album.id,
      storage_dir: synced,
      panel: 'waveshare-7in3e',
    };
    const seedConfig = path.join(work, 'seed.json');
    await writeFile(seedConfig, JSON.stringify(base));
    await promisify(execFile)(process.execPath, [BIN, 'sync', '--config', seedConfig]);
    const preload = await writeUsagePreload(work);

    const measure = async (bin: string, withMqtt: boolean, i: number, tag: string): Promise<Sample> => {
      // A fresh copy of the synced library each run: every run starts alike (nothing on the glass yet).
      const dir = path.join(work, `run-${tag}-${withMqtt ? 'on' : 'off'}-${i}`);
      await cp(synced, path.join(dir, 'storage'), { recursive: true });
      const node = `bench_${tag}_${i}`;
      const config = path.join(dir, 'config.json');
      await writeFile(
        config,
        JSON.stringify({
          ...base,
          storage_dir: path.join(dir, 'storage'),
          transport: `virtual:${path.join(dir, 'glass.png')}`,
          ...(withMqtt ? { mqtt: { url: broker.url, node_id: node } } : {}),
        }),
      );
      const usageFile = path.join(dir, 'usage.json');
      const child = spawn(process.execPath, ['--import', preload, bin, 'run', '--config', config], {
        env: { ...process.env, BENCH_USAGE_FILE: usageFile },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const deadline = Date.now() + 120_000;
      const ready = () =>
        out.includes('"msg":"photo shown"') && (!withMqtt || (images.get(`artframe/${node}/image`) ?? 0) > 0);
      while (!ready()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`run did not settle:\n${out}`);
        await sleep(50);
      }
      await sleep(1_000); // the state file and the last publishes settle
      const t0 = await cpuTicks(child.pid!);
      await sleep(IDLE_S * 1000);
      const t1 = await cpuTicks(child.pid!);
      child.kill('SIGTERM');
      await exited;
      const usage = await takeChildUsage(usageFile);
      if (!usage) throw new Error('the child wrote no usage');
      await rm(dir, { recursive: true, force: true });
      return { rssMb: usage.rssKb / 1024, totalCpuMs: usage.cpuMs, idleCpuMs: (t1 - t0) * TICK_MS };
    };

    const builds = [...(BASELINE_BIN ? [{ tag: 'base', bin: BASELINE_BIN }] : []), { tag: 'this', bin: BIN }];
    const samples = new Map<string, Sample[]>();
    for (let i = 0; i < RUNS; i++)
      for (const b of builds)
        for (const withMqtt of [false, true]) {
          const key = `${b.tag} ${withMqtt ? 'on' : 'off'}`;
          samples.set(key, [...(samples.get(key) ?? []), await measure(b.bin, withMqtt, i, b.tag)]);
        }
    const row = (name: string) => {
      const s = samples.get(name)!;
      return {
        name,
        all: s,
        rss: median(s.map((x) => x.rssMb)),
        cpu: median(s.map((x) => x.totalCpuMs)),
        idle: median(s.map((x) => x.idleCpuMs)),
      };
    };
    console.log(
      `median of ${RUNS} interleaved runs of \`run\` on the virtual panel; idle window ${IDLE_S} s after the first photo` +
        (BASELINE_BIN ? `; "base" = ${BASELINE_BIN}, "this" = this build` : ''),
    );
    console.log('frame            peak RSS MB   total CPU ms   idle CPU ms (per s)   peak RSS of each run (MB)');
    for (const key of samples.keys()) {
      const r = row(key);
      console.log(
        `mqtt ${r.name.padEnd(10)} ${r.rss.toFixed(1).padStart(12)} ${r.cpu.toFixed(0).padStart(14)} ${r.idle
          .toFixed(0)
          .padStart(12)} (${(r.idle / IDLE_S).toFixed(1)})   ${r.all.map((x) => x.rssMb.toFixed(1)).join(' ')}`,
      );
    }
    for (const b of builds) {
      const a = row(`${b.tag} off`);
      const c = row(`${b.tag} on`);
      const drss = c.rss - a.rss;
      console.log(
        `${b.tag}: on / off: peak RSS ${(c.rss / a.rss).toFixed(3)}x (${drss >= 0 ? '+' : ''}${drss.toFixed(1)} MB; budget +5 MB: ${
          drss <= 5 ? 'within' : 'OVER'
        }), total CPU ${(c.cpu / a.cpu).toFixed(2)}x, idle CPU ${c.idle.toFixed(0)} ms vs ${a.idle.toFixed(0)} ms over ${IDLE_S} s`,
      );
    }
  } finally {
    await watcher.endAsync(true).catch(() => {});
    await broker.stop();
    await sim.close().catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}
