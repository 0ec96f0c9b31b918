// The MQTT door follows the settings the frame restarts with (the page saves, the FrameHost restarts):
// a real FrameHost on the virtual panel, fed from the simulated Immich, on real brokers (mosquitto).
// A block that changed stops the old door (saying offline) and starts the new one; a block that did
// not leaves the door alone; a block removed turns it off; a block added turns it on.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type FrameConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/core/log.js';
import { frameHost } from '../../src/frame/frame-host.js';
import type { FrameHost } from '../../src/frame/host.js';
import { ImmichClient } from '../../src/immich/client.js';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';
import { doorSettings, MqttDoorSlot } from '../../src/mqtt/door-slot.js';
import { MOSQUITTO, MOSQUITTO_MISSING, startBroker, type Broker } from '../support/mosquitto.js';
import { HomeAssistant, PANEL, waitFor } from './support.js';

const PASSWORD = 'slot-pass-41d2';
const DEVICE = { model: PANEL.name, swVersion: '0.1.0-test', configurationUrl: null };

describe.skipIf(!MOSQUITTO)(
  `the MQTT door follows the frame's settings${MOSQUITTO ? '' : ` (skipped: ${MOSQUITTO_MISSING})`}`,
  () => {
    let sim: ImmichSim;
    let broker: Broker;
    let auth: Broker;
    let ha: HomeAssistant;
    let haAuth: HomeAssistant;
    let raw: Record<string, unknown>;
    let host: FrameHost<FrameConfig>;
    let slot: MqttDoorSlot;
    const logs: string[] = [];

    const online = (watcher: HomeAssistant, node: string) =>
      watcher.last(`artframe/${node}/availability`)?.payload.toString() === 'online';
    const offline = (watcher: HomeAssistant, node: string) =>
      watcher.last(`artframe/${node}/availability`)?.payload.toString() === 'offline';
    /** The frame restarted with the file's settings and `mqtt` as its block (undefined: none). */
    const restartWith = async (mqtt: Record<string, unknown> | undefined, over: Record<string, unknown> = {}) => {
      const { mqtt: _old, ...rest } = raw;
      await host.restart(parseConfig({ ...rest, ...over, ...(mqtt ? { mqtt } : {}) }));
    };

    beforeAll(async () => {
      sim = await startImmichSim({ seed: 7 });
      const { album } = await seedSampleLibrary(sim, { count: 3, seed: 7, withVideo: false });
      broker = await startBroker();
      auth = await startBroker({ user: 'frame', password: PASSWORD });
      ha = await HomeAssistant.connect(broker.url);
      haAuth = await HomeAssistant.connect(auth.url, { username: 'frame', password: PASSWORD });
      const storage = await mkdtemp(path.join(os.tmpdir(), 'mqtt-slot-'));
      raw = {
        immich_url: sim.url,
        immich_api_key: sim.apiKey,
        album_id: album.id,
        storage_dir: storage,
        panel: PANEL.id,
        transport: `virtual:${path.join(storage, 'glass.png')}`,
        mqtt: { url: broker.url, node_id: 'slot_a' },
      };
      const config = parseConfig(raw);
      const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
      await syncLibrary({ paths: instancePaths(config), source, config });
      await source.close();
      const logger = createLogger({ write: (l) => void logs.push(l) });
      host = frameHost<FrameConfig>(PANEL, logger);
      await host.start(config);
      // As run composes it (src/commands/run.ts).
      slot = new MqttDoorSlot({ frame: host, logger, commands: { burst: 100, perSecond: 100 } });
      await slot.apply(doorSettings(config, DEVICE));
      slot.follow(host, (c) => doorSettings(c, DEVICE));
      await waitFor('slot_a online', () => online(ha, 'slot_a'));
    }, 60_000);

    afterAll(async () => {
      await slot?.stop();
      await host?.stop();
      await ha?.close();
      await haAuth?.close();
      await broker?.stop();
      await auth?.stop();
      await sim?.close();
    });

    it('a restart whose mqtt block did not change leaves the door connected as it was', async () => {
      const door = slot.current!;
      const said = ha.on('artframe/slot_a/availability').length;
      await restartWith({ url: broker.url, node_id: 'slot_a' }, { refresh_interval_minutes: 30 });
      expect(host.settings!.refresh_interval_minutes).toBe(30);
      expect(slot.current).toBe(door);
      expect(door.stats().connects).toBe(1);
      // The door speaks for the new service: a command reaches it.
      await ha.publish(door.topics.command, 'pause');
      await waitFor('paused', () => host.snapshot().paused);
      await ha.publish(door.topics.command, 'resume');
      await waitFor('resumed', () => !host.snapshot().paused);
      expect(ha.on('artframe/slot_a/availability')).toHaveLength(said);
    });

    it('a new url and credentials: the old door says offline, the new one is online on the other broker', async () => {
      const old = slot.current!;
      await restartWith({ url: auth.url, node_id: 'slot_a', username: 'frame', password: PASSWORD });
      await waitFor('slot_a online on the other broker', () => online(haAuth, 'slot_a'));
      // Said by the old door on its way out, and kept (retained) for whoever looks later.
      expect(offline(ha, 'slot_a')).toBe(true);
      const late = await HomeAssistant.connect(broker.url);
      await waitFor('the retained offline', () => offline(late, 'slot_a'));
      await late.close();
      expect(slot.current).not.toBe(old);
      expect(logs.some((l) => l.includes('"msg":"mqtt: the settings changed; the door starts again with them"'))).toBe(
        true,
      );
      expect(logs.join('\n')).not.toContain(PASSWORD);
      await haAuth.publish('artframe/slot_a/command', 'pause');
      await waitFor('paused through the new door', () => host.snapshot().paused);
      await haAuth.publish('artframe/slot_a/command', 'resume');
      await waitFor('resumed', () => !host.snapshot().paused);
    });

    it('a new node id: the old device goes offline, the new one comes online, and only the new one commands', async () => {
      await restartWith({ url: auth.url, node_id: 'slot_b', username: 'frame', password: PASSWORD });
      await waitFor('slot_b online', () => online(haAuth, 'slot_b'));
      await waitFor('slot_a offline', () => offline(haAuth, 'slot_a'));
      await haAuth.publish('artframe/slot_a/command', 'pause');
      await new Promise((r) => setTimeout(r, 300));
      expect(host.snapshot().paused).toBe(false);
      await haAuth.publish('artframe/slot_b/command', 'pause');
      await waitFor('paused through slot_b', () => host.snapshot().paused);
      await haAuth.publish('artframe/slot_b/command', 'resume');
      await waitFor('resumed', () => !host.snapshot().paused);
    });

    it('a block removed turns the door off (offline); added again, it is back', async () => {
      await restartWith(undefined);
      await waitFor('slot_b offline', () => offline(haAuth, 'slot_b'));
      expect(slot.current).toBeNull();
      expect(logs.some((l) => l.includes('"msg":"mqtt: the block is gone; the door is off"'))).toBe(true);
      await restartWith({ url: broker.url, node_id: 'slot_c' });
      await waitFor('slot_c online', () => online(ha, 'slot_c'));
      await waitFor('the glass of slot_c', () => ha.last('artframe/slot_c/image') !== undefined);
    });
  },
);
