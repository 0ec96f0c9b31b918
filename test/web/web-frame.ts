// A real frame with its page for the web suites: the simulated Immich with sample photos, a real
// sync into a temp library, a FrameService on the virtual panel (the PNG the glass would show)
// behind a FrameHost, and the page started as `run` starts it, on a free loopback port.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { findPanel } from '../../drivers/panels.js';
import { parseConfig, type FrameConfig } from '../../src/config/config.js';
import { createLogger, Redactor } from '../../src/core/log.js';
import type { FrameHost } from '../../src/frame/host.js';
import type { FrameEvent } from '../../src/frame/control.js';
import { frameHost } from '../../src/frame/frame-host.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';
import { LogRing } from '../../src/web/log-ring.js';
import { setPassword } from '../../src/web/password.js';
import { startFrameWebDoor } from '../../src/web/start.js';

export const PASSWORD = 'correct horse battery';
export const PAIRING_CODE = '1234 5678';

export interface WebFrame {
  url: string;
  sim: ImmichSim;
  configPath: string;
  glass: string;
  host: FrameHost<FrameConfig & { path: string }>;
  logRing: LogRing;
  /** Every line the frame logged. */
  logLines: string[];
  apiKey: string;
  people: { ada: string };
  close(): Promise<void>;
}

export async function startWebFrame(
  o: { password?: boolean; count?: number; minRefreshSeconds?: number; config?: Record<string, unknown> } = {},
): Promise<WebFrame> {
  const sim = await startImmichSim({ seed: 16 });
  const seeded = await seedSampleLibrary(sim, { count: o.count ?? 6, seed: 16, withVideo: false });
  const ada = sim.addPerson({ name: 'Ada' });
  // Ada is on the first two photos: a people filter lets exactly those through.
  for (const p of seeded.photos.slice(0, 2))
    sim.addFace({
      assetId: p.id,
      personId: ada.id,
      x1: 10,
      y1: 10,
      x2: 50,
      y2: 50,
      imageWidth: p.width ?? 100,
      imageHeight: p.height ?? 100,
    });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'web-'));
  const glass = path.join(dir, 'glass.png');
  const raw = {
    immich_url: sim.url,
    immich_api_key: sim.apiKey,
    album_id: seeded.album.id,
    storage_dir: path.join(dir, 'storage'),
    panel: 'waveshare-7in3e',
    transport: `virtual:${glass}`,
    selection_mode: 'newest',
    web: { enabled: true, port: 0, bind: '127.0.0.1' },
    ...o.config,
  };
  const configPath = path.join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(raw, null, 2));
  const redactor = new Redactor();
  const config = { ...parseConfig(raw, 'config', redactor), path: configPath };
  const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await syncLibrary({ paths: instancePaths(config), source, config });
  await source.close();
  if (o.password !== false) await setPassword(configPath, PASSWORD);

  const logRing = new LogRing();
  const logLines: string[] = [];
  const logger = createLogger({ redactor, level: 'debug', write: (l) => logLines.push(l), sink: logRing.push });
  // The panel as named, with its minimum refresh interval shortened so a test's "next" comes at once.
  const panel = { ...findPanel('waveshare-7in3e'), minRefreshIntervalSeconds: o.minRefreshSeconds ?? 0 };
  const host = frameHost<FrameConfig & { path: string }>(panel, logger);
  await host.start(config);
  const web = await startFrameWebDoor({
    frame: host,
    config,
    logger,
    redactor,
    logRing,
    panel,
    pairingCode: () => PAIRING_CODE,
  });
  return {
    url: web.url,
    sim,
    configPath,
    glass,
    host,
    logRing,
    logLines,
    apiKey: sim.apiKey,
    people: { ada: ada.id },
    async close() {
      await web.close();
      await host.stop();
      await sim.close();
    },
  };
}

/** An answer's JSON: the tests check it field by field, as a curl user would read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A browser-less client: one session cookie, the CSRF token, and every answer's body kept. */
export class ApiClient {
  cookie = '';
  csrf = '';
  readonly bodies: string[] = [];

  constructor(readonly base: string) {}

  async request(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Json; bytes: Buffer; headers: Headers }> {
    const res = await fetch(this.base + route, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('artframe_session='));
    if (set) this.cookie = set.split(';')[0]!;
    const bytes = Buffer.from(await res.arrayBuffer());
    this.bodies.push(bytes.toString('latin1'));
    let json: Json = null;
    if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(bytes.toString('utf8'));
    if (json?.csrf_token) this.csrf = json.csrf_token;
    return { status: res.status, json, bytes, headers: res.headers };
  }

  get(route: string) {
    return this.request('GET', route);
  }
  post(route: string, body: unknown = {}) {
    return this.request('POST', route, body);
  }

  async signIn(password = PASSWORD): Promise<number> {
    await this.get('/api/session');
    return (await this.post('/api/login', { password })).status;
  }
}

/** The seq of the next frame on the glass after `after`. */
export function nextRefresh(frame: WebFrame, after: number): Promise<number> {
  return new Promise((resolve) => {
    const off = frame.host.subscribe((e: FrameEvent) => {
      if (e.type === 'refreshed' && e.frame.seq > after) {
        off();
        resolve(e.frame.seq);
      }
    });
  });
}

/** The glass as the virtual panel last wrote it. */
export function glassBytes(frame: WebFrame): Promise<Buffer> {
  return readFile(frame.glass);
}

/** A PNG's raw pixels (compared with Buffer.equals: a deep toEqual of a megabyte takes seconds). */
export async function pixels(png: Buffer): Promise<Buffer> {
  return sharp(png).raw().toBuffer();
}

/** `f`'s first truthy answer, asked every 25 ms for at most `ms`. */
export async function until<T>(f: () => Promise<T | null | undefined> | T | null | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
