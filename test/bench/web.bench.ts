// The page's cost to the frame, measured against the frame without it in the same run: the `run`
// process's peak RSS and idle CPU with the page on (and used: signed in, every screen, every
// thumbnail made) and off, interleaved; the page's weight compressed; and the Now screen's first
// paint in Chromium over loopback against a static HTML file of the same size.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../../src/immich-sim/server.js';
import { parseConfig } from '../../src/config/config.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';
import { takeChildUsage, writeUsagePreload } from './child-usage.js';
import { CHROMIUM, openChromium } from '../support/chromium.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(here, '../../../bin/artframe-immich.js');
const RUNS = Number(process.env.WEB_RUNS ?? 3);
const IDLE_MS = Number(process.env.WEB_IDLE_MS ?? 10_000);
const PASSWORD = 'bench password 16';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU ms the process used so far, from /proc (utime + stime, in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The largest peak RSS (VmHWM) among the live children of `pid`, in MB (0 when it has none). */
function childrenPeakMb(pid: number): number {
  let kb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.split(') ')[1]!.split(' ')[1]) !== pid) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (hwm) kb = Math.max(kb, Number(hwm[1]));
    } catch {
      // gone meanwhile
    }
  }
  return kb / 1024;
}

/** A signed-in session against the page: cookie and CSRF token. */
async function signIn(url: string): Promise<{ cookie: string; csrf: string }> {
  const s = await fetch(url + '/api/session');
  const cookie = s.headers.getSetCookie()[0]!.split(';')[0]!;
  const { csrf_token } = (await s.json()) as { csrf_token: string };
  const login = await fetch(url + '/api/login', {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf_token, 'content-type': 'application/json' },
    body: JSON.stringify({ password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status}`);
  return {
    cookie: login.headers.getSetCookie()[0]!.split(';')[0]!,
    csrf: ((await login.json()) as { csrf_token: string }).csrf_token,
  };
}

/** Bytes on the wire of one GET (compressed as a browser asks). */
function wireBytes(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie, 'accept-encoding': 'br, gzip' } }, (res) => {
        let n = 0;
        res.on('data', (d: Buffer) => (n += d.length));
        res.on('end', () => resolve(n));
      })
      .on('error', reject);
  });
}

interface FrameRun {
  rssMb: number;
  /** The render child's own peak RSS (MB). */
  childRssMb: number;
  idleCpuMs: number;
  url: string | null;
}

export async function run(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'web-bench-'));
  const sim = await startImmichSim({ seed: 16 });
  try {
    const { album } = await seedSampleLibrary(sim, { count: 24, seed: 16, withVideo: false });
    const raw = {
      immich_url: sim.url,
      immich_api_key: sim.apiKey,
      album_id: album.id,
      storage_dir: path.join(work, 'storage'),
      panel: 'waveshare-7in3e',
      transport: `virtual:${path.join(work, 'glass.png')}`,
    };
    const config = parseConfig(raw);
    const paths = instancePaths(config);
    const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
    await syncLibrary({ paths, source, config });
    await source.close();
    const files = {
      on: path.join(work, 'on.json'),
      off: path.join(work, 'off.json'),
    };
    await writeFile(files.on, JSON.stringify({ ...raw, web: { enabled: true, port: 0, bind: '127.0.0.1' } }));
    await writeFile(files.off, JSON.stringify({ ...raw, web: { enabled: false } }));
    // Both configs sit in one folder: one password file serves the page (set by the real command).
    const set = spawnSync(process.execPath, [BIN, 'password', '--stdin', '--config', files.on], {
      input: PASSWORD + '\n',
    });
    if (set.status !== 0) throw new Error(`password: ${set.stderr}`);
    const preload = await writeUsagePreload(work);

    const frameRun = async (web: boolean): Promise<FrameRun> => {
      // Each run starts alike: a refresh at start, thumbnails made afresh.
      await rm(paths.serviceStatePath, { force: true });
      await rm(paths.thumbnailsDir, { recursive: true, force: true });
      const usageFile = path.join(work, `usage-${web}.json`);
      const child = spawn(
        process.execPath,
        ['--import', preload, BIN, 'run', '--no-buttons', '--config', web ? files.on : files.off],
        {
          // As the systemd unit runs the frame (hardware/systemd: two malloc arenas).
          env: { ...process.env, BENCH_USAGE_FILE: usageFile, MALLOC_ARENA_MAX: '2' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let url: string | null = null;
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          const open = /"msg":"the page is open".*?"url":"([^"]+)"/.exec(out);
          if (open) url = open[1]!;
          if (out.includes('"msg":"photo shown"') && (!web || url)) resolve();
        });
        child.once('exit', () => reject(new Error(`run exited early: ${out}`)));
      });
      if (web && url) {
        const { cookie } = await signIn(url);
        for (const screen of [
          '/',
          '/library',
          '/settings',
          '/calibrate',
          '/health',
          '/api/frame.png',
          '/api/photos?limit=200',
        ])
          await (await fetch(url + screen, { headers: { cookie } })).arrayBuffer();
        const { photos } = (await (await fetch(url + '/api/photos?limit=200', { headers: { cookie } })).json()) as {
          photos: { id: string }[];
        };
        await Promise.all(
          photos.map(async (p) =>
            (await fetch(`${url}/api/photos/${p.id}/thumbnail`, { headers: { cookie } })).arrayBuffer(),
          ),
        );
      }
      // Idle: nothing asked of the frame (its next tick is an hour away), the page open but unused;
      // after 5 s for the work above to settle (sockets closed, garbage collected).
      await new Promise((r) => setTimeout(r, 5000));
      const before = cpuMsOf(child.pid!);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      const idleCpuMs = cpuMsOf(child.pid!) - before;
      // The render child draws the frames and, with the page, its thumbnails: its own peak is
      // counted too, so that work moved into it is not work hidden from this figure.
      const childRssMb = childrenPeakMb(child.pid!);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      const usage = await takeChildUsage(usageFile);
      return { rssMb: (usage?.rssKb ?? 0) / 1024, childRssMb, idleCpuMs, url };
    };

    const on: FrameRun[] = [];
    const off: FrameRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      off.push(await frameRun(false));
      on.push(await frameRun(true));
    }
    const rssOff = median(off.map((r) => r.rssMb));
    const rssOn = median(on.map((r) => r.rssMb));
    console.log(`frame peak RSS, page off: ${rssOff.toFixed(1)} MB; page on and used: ${rssOn.toFixed(1)} MB`);
    console.log(
      `  the page adds ${(rssOn - rssOff).toFixed(1)} MB (${(rssOn / rssOff).toFixed(3)}x; budget +15 MB) [median of ${RUNS} interleaved runs each]`,
    );
    const kidOff = median(off.map((r) => r.childRssMb));
    const kidOn = median(on.map((r) => r.childRssMb));
    console.log(
      `  its render child's own peak RSS (frames, and thumbnails with the page): page off ${kidOff.toFixed(1)} MB, on ${kidOn.toFixed(1)} MB (${(kidOn - kidOff).toFixed(1)} MB); frame and child together +${(rssOn + kidOn - rssOff - kidOff).toFixed(1)} MB`,
    );
    const cpuOff = median(off.map((r) => r.idleCpuMs));
    const cpuOn = median(on.map((r) => r.idleCpuMs));
    console.log(
      `idle CPU over ${IDLE_MS / 1000} s: page off ${cpuOff} ms, page on ${cpuOn} ms (clock ticks of 10 ms; budget: no measurable difference)`,
    );

    // The page's weight and first paint, against a frame left running (showing a photo at start).
    await rm(paths.serviceStatePath, { force: true });
    const child = spawn(process.execPath, [BIN, 'run', '--no-buttons', '--config', files.on], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const open = /"msg":"the page is open".*?"url":"([^"]+)"/.exec(out);
          if (open && out.includes('"msg":"photo shown"')) resolve(open[1]!);
        });
      });
      const { cookie } = await signIn(url);
      const html = await (await fetch(url + '/', { headers: { cookie } })).text();
      const js = /src="(\/assets\/app\.js[^"]*)"/.exec(html)![1]!;
      const css = /href="(\/assets\/app\.css[^"]*)"/.exec(html)![1]!;
      const weights = {
        html: await wireBytes(url + '/', cookie),
        js: await wireBytes(url + js, cookie),
        css: await wireBytes(url + css, cookie),
      };
      const page = weights.html + weights.js + weights.css;
      const glass = await wireBytes(url + '/api/frame.png', cookie);
      console.log(
        `page weight compressed (Now: HTML ${weights.html} B + script ${weights.js} B + styles ${weights.css} B) = ${(page / 1024).toFixed(1)} KB (budget 100 KB); the glass PNG itself ${(glass / 1024).toFixed(1)} KB`,
      );
      for (const screen of ['/library', '/settings', '/calibrate', '/health'])
        console.log(`  ${screen}: HTML ${((await wireBytes(url + screen, cookie)) / 1024).toFixed(1)} KB compressed`);

      if (!existsSync(CHROMIUM)) {
        console.log(`first paint: skipped (no ${CHROMIUM})`);
        return;
      }
      // The same number of bytes, static: the Now page's text without its script, styles and picture.
      const staticHtml = html.replace(/<script[^>]*><\/script>|<link[^>]*>|<img[^>]*>/g, '');
      const padded = staticHtml + `<!--${'x'.repeat(Math.max(0, html.length - staticHtml.length - 7))}-->`;
      const server = http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' });
        res.end(gzipSync(padded));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const staticUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const browser = await openChromium();
      try {
        const [name, value] = cookie.split('=');
        await browser.addCookies([{ name: name!, value: value!, url }]);
        const tab = await browser.newPage();
        const paint = async (target: string) => {
          await tab.goto(target, { waitUntil: 'load' });
          return tab.evaluate(
            () =>
              new Promise<number>((resolve) => {
                const find = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
                const t = find();
                if (t !== undefined) return resolve(t);
                new PerformanceObserver(() => resolve(find() ?? -1)).observe({
                  type: 'paint' as never,
                  buffered: true,
                });
              }),
          );
        };
        await paint(url + '/');
        await paint(staticUrl);
        const nowPaints: number[] = [];
        const staticPaints: number[] = [];
        for (let i = 0; i < 9; i++) {
          nowPaints.push(await paint(url + '/'));
          staticPaints.push(await paint(staticUrl));
        }
        const n = median(nowPaints);
        const s = median(staticPaints);
        console.log(
          `Now screen first contentful paint over loopback: ${n.toFixed(0)} ms vs a static HTML file of the same size ${s.toFixed(0)} ms = ${(n / s).toFixed(2)}x (target within 2x) [median of 9 interleaved]`,
        );
      } finally {
        await browser.close();
        server.close();
      }
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  } finally {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  }
}
