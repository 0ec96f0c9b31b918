// The MQTT door's test bench: real frames (FrameService on the virtual panel, a library synced from
// the simulated Immich, a manual clock for the panel's 3-minute minimum), a real broker, and a
// client standing in for Home Assistant that records everything it is sent.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { findPanel } from '../../drivers/panels.js';
import { openPanel } from '../../drivers/registry.js';
import { parseConfig, type FrameConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/core/log.js';
import { FrameService } from '../../src/frame/service.js';
import { ImmichClient } from '../../src/immich/client.js';
import type { ImmichSim } from '../../src/immich-sim/server.js';
import { instancePaths } from '../../src/library/instance.js';
import { syncLibrary } from '../../src/library/sync.js';
import { startMqttDoor, type MqttDoor, type MqttDoorOptions } from '../../src/mqtt/door.js';
import { ManualClock } from '../support/manual-clock.js';

export const PANEL = findPanel('waveshare-7in3e');

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface TestFrame {
  config: FrameConfig;
  service: FrameService;
  clock: ManualClock;
  logs: string[];
  /** The virtual panel's picture of the glass. */
  glass: string;
  door: MqttDoor | null;
  startDoor(over?: Partial<MqttDoorOptions>): MqttDoor;
  /** Wait until the service logged that a door asked for `command`, `times` times in all. */
  asked(command: string, times?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A frame whose library an earlier sync filled; started, so the glass shows a photo. */
export async function startTestFrame(
  sim: ImmichSim,
  albumId: string,
  mqttBlock: Record<string, unknown>,
): Promise<TestFrame> {
  const storage = await mkdtemp(path.join(os.tmpdir(), 'mqtt-frame-'));
  const glass = path.join(storage, 'glass.png');
  const config = parseConfig({
    immich_url: sim.url,
    immich_api_key: sim.apiKey,
    album_id: albumId,
    storage_dir: storage,
    panel: PANEL.id,
    transport: `virtual:${glass}`,
    mqtt: mqttBlock,
  });
  const source = new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  await syncLibrary({ paths: instancePaths(config), source, config });
  await source.close();
  const logs: string[] = [];
  const logger = createLogger({ write: (l) => void logs.push(l) });
  const clock = new ManualClock(new Date('2026-11-25T09:00:00Z'));
  const service = new FrameService({
    config,
    panel: PANEL,
    openPanel: () => openPanel(PANEL, config.transport),
    createSource: () => new ImmichClient({ baseUrl: sim.url, apiKey: sim.apiKey }),
    clock,
    logger,
    rng: () => 0.5,
  });
  await service.start();
  const frame: TestFrame = {
    config,
    service,
    clock,
    logs,
    glass,
    door: null,
    startDoor(over = {}) {
      frame.door = startMqttDoor({
        frame: service,
        settings: config.mqtt!,
        instanceId: config.instance_id,
        immichUrl: config.immich_url,
        device: { model: PANEL.name, swVersion: '0.1.0-test', configurationUrl: null },
        logger,
        health: () => service.health(),
        backoff: { firstMs: 50, maxMs: 400 },
        ...over,
      });
      return frame.door;
    },
    async asked(command, times = 1) {
      const line = `"msg":"mqtt: ${command}"`;
      await waitFor(`the frame to be asked ${command}`, () => logs.filter((l) => l.includes(line)).length >= times);
    },
    async stop() {
      await frame.door?.stop();
      await service.stop();
    },
  };
  return frame;
}

/** A new photo on the glass through the frame's own door (not MQTT), past the panel's minimum interval. */
export async function showNext(frame: TestFrame): Promise<void> {
  const seq = frame.service.snapshot().shown!.seq;
  const outcome = await frame.service.command({ type: 'next' }, 'test');
  if (!outcome.ok) throw new Error(`next refused: ${outcome.message}`);
  frame.clock.advance(PANEL.minRefreshIntervalSeconds * 1000);
  await waitFor('a refresh', () => (frame.service.snapshot().shown?.seq ?? 0) > seq);
  await frame.service.idle();
}

export interface Message {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/** A client standing in for Home Assistant: subscribes to everything and keeps what arrives. */
export class HomeAssistant {
  readonly messages: Message[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload, retain: packet.retain }));
  }

  static async connect(url: string, options: mqtt.IClientOptions = {}): Promise<HomeAssistant> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 100, ...options });
    const ha = new HomeAssistant(client);
    await client.subscribeAsync(['homeassistant/#', 'artframe/#']);
    return ha;
  }

  /** The last message on a topic. */
  last(topic: string): Message | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.topic === topic) return this.messages[i];
    return undefined;
  }

  on(topic: string): Message[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  publish(topic: string, payload: string | Buffer, retain = false): Promise<unknown> {
    return this.client.publishAsync(topic, payload, { retain });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

export const readGlass = (frame: TestFrame) => readFile(frame.glass);
