// The frame's one MQTT door as its settings say, across restarts with new settings (the page saves,
// the FrameHost restarts): started when an mqtt block appears, stopped (saying offline) when it goes,
// stopped and started anew when it changes, left alone when it does not. Small on purpose: the door
// and its MQTT client are loaded only once a block asks for them.
import os from 'node:os';
import type { FrameConfig } from '../config/config.js';
import { describeError } from '../core/errors.js';
import type { MqttDoor, MqttDoorOptions } from './door.js';

/** What a door is started from: the same values, the same door. */
export type DoorSettings = Pick<MqttDoorOptions, 'settings' | 'instanceId' | 'immichUrl' | 'device'>;
type DoorModule = typeof import('./door.js');

/** The frame's page: http://<host>:<port>/ from the web block when it is there (src/web/ owns the page). */
export function pageUrl(web: unknown, hostname = os.hostname()): string | null {
  if (typeof web !== 'object' || web === null) return null;
  const port = (web as { port?: unknown }).port;
  if ((web as { enabled?: unknown }).enabled === false) return null;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 ? `http://${hostname}:${port}/` : null;
}

/** The door a config asks for, or null for none. `device` is the process's own (the panel, the
 * version, the page: none of them changes without the process starting again). */
export function doorSettings(config: FrameConfig, device: MqttDoorOptions['device']): DoorSettings | null {
  if (!config.mqtt) return null;
  return { settings: config.mqtt, instanceId: config.instance_id, immichUrl: config.immich_url, device };
}

export class MqttDoorSlot {
  private door: MqttDoor | null = null;
  /** The running door's settings, as JSON: what an apply compares with. */
  private running: string | null = null;
  private steps: Promise<void> = Promise.resolve();
  private module: Promise<DoorModule> | null = null;

  constructor(
    /** Everything a door needs but its settings (the frame, the logger, health, and tests' seams). */
    private readonly base: Omit<MqttDoorOptions, keyof DoorSettings>,
  ) {}

  /** Start loading the door's code without starting it (run does it before the frame's first render,
   * so what loading leaves behind is collected before the render's peak). */
  preload(): void {
    this.load().catch(() => {}); // said when a door is started
  }

  /** The running door, if any. */
  get current(): MqttDoor | null {
    return this.door;
  }

  /** Run the door `next` asks for (null: none). Calls take effect one after another, in order. */
  apply(next: DoorSettings | null): Promise<void> {
    const step = this.steps.then(() => this.swap(next));
    this.steps = step.catch(() => {});
    return step;
  }

  /** Follow the settings each restart of the frame brings. */
  follow<C>(
    host: { onSettings(listener: (config: C) => void): () => void },
    settingsOf: (config: C) => DoorSettings | null,
  ) {
    return host.onSettings((config) => void this.apply(settingsOf(config)));
  }

  stop(): Promise<void> {
    return this.apply(null);
  }

  private load(): Promise<DoorModule> {
    this.module ??= import('./door.js');
    return this.module;
  }

  private async swap(next: DoorSettings | null): Promise<void> {
    const key = next ? JSON.stringify(next) : null;
    if (key === this.running) return;
    const log = this.base.logger;
    const old = this.door;
    this.door = null;
    this.running = null;
    if (old) {
      // The old door says offline and leaves before the new one (maybe the same client id) arrives.
      log.info(
        next
          ? 'mqtt: the settings changed; the door starts again with them'
          : 'mqtt: the block is gone; the door is off',
      );
      await old.stop();
    }
    if (!next) return;
    try {
      const { startMqttDoor } = await this.load();
      this.door = startMqttDoor({ ...this.base, ...next });
      this.running = key;
    } catch (err) {
      this.module = null; // loaded again at the next try
      // A door that cannot start is logged and left out; the frame runs the same without it.
      log.error('mqtt: cannot start the MQTT door; the frame runs without it', { error: describeError(err) });
    }
  }
}
