// `artframe-immich run` with an mqtt block, as systemd starts it (the built CLI, a real process), on a
// broker with a password: it comes online, a SIGKILL leaves its last will ("offline", retained) on the
// broker, a SIGTERM says offline itself; the password never reaches its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { MOSQUITTO, MOSQUITTO_MISSING, startBroker, type Broker } from '../support/mosquitto.js';
import { HomeAssistant, PANEL, waitFor } from './support.js';

const BIN = path.resolve('bin/artframe-immich.js');
const PASSWORD = 'run-secret-5d2a9';

describe.skipIf(!MOSQUITTO)(`run with MQTT${MOSQUITTO ? '' : ` (skipped: ${MOSQUITTO_MISSING})`}`, () => {
  let sim: ImmichSim;
  let broker: Broker;
  let ha: HomeAssistant;
  let config: string;

  beforeAll(async () => {
    sim = await startImmichSim({ seed: 9 });
    const { album } = await seedSampleLibrary(sim, { count: 2, seed: 9, withVideo: false });
    broker = await startBroker({ user: 'frame', password: PASSWORD });
    ha = await HomeAssistant.connect(broker.url, { username: 'frame', password: PASSWORD });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'run-mqtt-'));
    config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        immich_url: sim.url,
        immich_api_key: sim.apiKey,
        album_id: album.id,
        storage_dir: path.join(dir, 'storage'),
        panel: PANEL.id,
        transport: `virtual:${path.join(dir, 'glass.png')}`,
        mqtt: { url: broker.url, username: 'frame', password: PASSWORD, node_id: 'run_frame' },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await ha?.close();
    await broker?.stop();
    await sim?.close();
  });

  function start(): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, [BIN, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    return { child, output: () => out };
  }

  const availability = () => ha.last('artframe/run_frame/availability');

  it('a killed frame leaves its last will: offline, retained', async () => {
    const { child, output } = start();
    try {
      await waitFor('online', () => availability()?.payload.toString() === 'online', 60_000);
      await waitFor('the glass', () => ha.last('artframe/run_frame/image') !== undefined, 60_000);
      expect(ha.messages.some((m) => m.topic === 'homeassistant/image/run_frame/glass/config')).toBe(true);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    // The broker sees the socket close without a DISCONNECT: it publishes the will.
    await waitFor('the last will', () => availability()?.payload.toString() === 'offline', 20_000);
    const late = await HomeAssistant.connect(broker.url, { username: 'frame', password: PASSWORD });
    await waitFor('retained availability', () => late.last('artframe/run_frame/availability') !== undefined);
    expect(late.last('artframe/run_frame/availability')!.payload.toString()).toBe('offline');
    expect(late.last('artframe/run_frame/availability')!.retain).toBe(true);
    await late.close();
    expect(output()).not.toContain(PASSWORD);
    expect(output()).toContain('"msg":"mqtt: connected"');
  }, 90_000);

  it('SIGTERM says offline itself and exits 0', async () => {
    const { child, output } = start();
    await waitFor('online', () => availability()?.payload.toString() === 'online', 60_000);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('offline', () => availability()?.payload.toString() === 'offline');
    expect(output()).not.toContain(PASSWORD);
  }, 90_000);
});
