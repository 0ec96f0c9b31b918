// A real MQTT broker for the MQTT door's tests: Debian's mosquitto, started by the test on a free
// loopback port with a generated config (and a password file made by mosquitto_passwd for the auth
// tests). No persistence: a restart loses the retained messages, as a broker without a disk would.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'];

/** The broker's binary, or null (the tests then skip, saying why). */
export const MOSQUITTO = CANDIDATES.find((p) => existsSync(p)) ?? null;
export const MOSQUITTO_MISSING =
  'mosquitto is not installed (apt-get install mosquitto; .ci/run installs it): the MQTT tests need a real broker';

export interface Broker {
  port: number;
  url: string;
  /** What the broker wrote to stderr (its own log). */
  log(): string;
  stop(): Promise<void>;
  /** Stop and start again on the same port: retained messages are gone. */
  restart(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function listening(port: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startBroker(options: { user?: string; password?: string } = {}): Promise<Broker> {
  if (!MOSQUITTO) throw new Error(MOSQUITTO_MISSING);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mosquitto-'));
  const port = await freePort();
  // Run as root (CI), mosquitto drops to the user "mosquitto", who cannot read our 0700 temp folder:
  // stay the user we are.
  const lines = [
    `listener ${port} 127.0.0.1`,
    `user ${os.userInfo().username}`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    ...(process.env.MOSQUITTO_DEBUG ? ['log_type all'] : []),
  ];
  if (options.user) {
    const file = path.join(dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', file, options.user, options.password ?? '']);
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else lines.push('allow_anonymous true');
  const conf = path.join(dir, 'mosquitto.conf');
  await writeFile(conf, lines.join('\n') + '\n');

  let child: ChildProcess | null = null;
  let stderr = '';
  const start = async () => {
    const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (d) => (stderr += d));
    child = c;
    await listening(port).catch((err: Error) => {
      throw new Error(`${err.message}: ${stderr.trim()}`);
    });
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    log: () => stderr,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}
