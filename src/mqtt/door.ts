// The MQTT door: the frame on a broker, as Home Assistant discovers it. It hands commands from its
// topics to the frame (FrameControl, like every door) and publishes what the frame tells it. It is
// never in the way: the broker is reached in the background, a broker that is away, slow, refusing
// or flooding costs a bounded amount of memory and a few log lines, and nothing here throws into the frame.
import os from 'node:os';
// The client core only, not the package's entry (which loads every transport): see broker-stream.ts.
import clientModule, { type IClientOptions } from 'mqtt/lib/client';
import type { FrameControl, FrameEvent } from '../frame/control.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { allDiscoveryTopics, discoveryConfigs, type DeviceFacts } from './discovery.js';
import { featuresOf, frameState, photoAttributes, type FrameFeatures, type HealthFacts } from './frame-state.js';
import { readMessage } from './inbox.js';
import { defaultNodeId } from './node-id.js';
import { brokerAddress, brokerStream } from './broker-stream.js';
import { Outbox } from './outbox.js';
import { TokenBucket } from './rate-limit.js';
import type { MqttSettings } from './settings.js';
import { frameTopics, type FrameTopics } from './topics.js';

/** The package's CommonJS `exports.default`: Node (and the bundle) hand an ES module the whole exports
 * object, vitest's interop hands it the default itself. */
type ClientClass = typeof clientModule.default;
const MqttClient: ClientClass =
  'default' in clientModule ? clientModule.default : (clientModule as unknown as ClientClass);
type MqttClient = InstanceType<typeof MqttClient>;

export interface MqttDoorOptions {
  frame: FrameControl;
  settings: MqttSettings;
  /** The frame's instance (for the default node id and name) and server (for links into Immich). */
  instanceId: string;
  immichUrl: string;
  /** The panel's name, the version, and the frame's page when the web door is on. */
  device: { model: string; swVersion: string; configurationUrl: string | null };
  logger: Logger;
  /** How the frame is doing (FrameControl.health); the sensors show what the status alone says without it. */
  health?: () => Promise<HealthFacts>;
  /** Seams for tests: the machine's id, how often the sensors are read again, the reconnect backoff,
   * the command rate. */
  machineId?: string;
  stateEveryMs?: number;
  backoff?: { firstMs: number; maxMs: number };
  commands?: { burst: number; perSecond: number };
}

export interface MqttDoor {
  readonly nodeId: string;
  readonly topics: FrameTopics;
  /** Counters for tests and the bench. */
  stats(): {
    connects: number;
    received: number;
    commands: number;
    dropped: number;
    rejected: number;
    /** PNGs of the glass drawn for the image topic. */
    images: number;
    heldBytes: number;
  };
  /** Say "offline" (retained) and leave the broker; never waits more than a couple of seconds. */
  stop(): Promise<void>;
}

const DEFAULT_STATE_EVERY_MS = 5 * 60_000;
const DEFAULT_BACKOFF = { firstMs: 1_000, maxMs: 5 * 60_000 };
const DEFAULT_COMMANDS = { burst: 5, perSecond: 1 };
/** Nothing we subscribe to is bigger than a command: MQTT 5 lets us tell the broker so, and it drops the rest. */
const MAX_INCOMING_PACKET = 4096;
const STOP_WAIT_MS = 2_000;

/** One line about why the broker cannot be used, naming the key to look at; never a credential. */
export function brokerProblem(err: unknown, url: string): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = e?.code;
  if (code === 4 || code === 134) return `${url} refused the user name or password (mqtt.username, mqtt.password)`;
  // Mosquitto answers a wrong password with "not authorized" (135), not "bad user name or password" (134).
  if (code === 5 || code === 135)
    return `${url} refused to let us in: a wrong user name or password, or a user it does not allow (mqtt.username, mqtt.password)`;
  if (code === 2 || code === 133) return `${url} refused the client id (mqtt.node_id)`;
  if (code === 'ECONNREFUSED') return `nothing answers at ${url} (is the broker running? mqtt.url)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the broker's host in ${url} is not known (mqtt.url)`;
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${url} cannot be reached`;
  return `${url}: ${describeError(err)}`;
}

/** Start the door: returns at once; the broker is reached in the background. */
export function startMqttDoor(o: MqttDoorOptions): MqttDoor {
  const log = o.logger;
  const s = o.settings;
  const nodeId = s.node_id || defaultNodeId(o.instanceId, o.machineId);
  const topics = frameTopics(s, nodeId);
  const name =
    s.name || `Photo frame ${os.hostname()}${o.instanceId === 'default' ? '' : ` (${o.instanceId})`}`.slice(0, 100);
  const device: DeviceFacts = { name, ...o.device };
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  const rate = o.commands ?? DEFAULT_COMMANDS;
  const bucket = new TokenBucket(rate.burst, rate.perSecond);
  const outbox = new Outbox();
  const discoveryTopics = new Set(allDiscoveryTopics(topics, device));
  const counters = { connects: 0, received: 0, commands: 0, dropped: 0, rejected: 0, images: 0 };

  const stream = brokerStream(brokerAddress(s.url));
  let client: MqttClient | null = null;
  let stopped = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  let lastProblem: string | null = null;
  let features: FrameFeatures | null = null;
  let droppedSince = 0;
  let dropTimer: NodeJS.Timeout | null = null;

  // ---- what the broker should hold -------------------------------------------------------------

  const announce = (f: FrameFeatures) => {
    if (features && features.cpuTemperature === f.cpuTemperature && features.battery === f.battery) return;
    features = f;
    const configs = discoveryConfigs(topics, device, f);
    const live = new Set(configs.map((c) => c.topic));
    for (const c of configs) outbox.put(c.topic, JSON.stringify(c.payload));
    // An entity that went away (the battery board was removed): an empty config deletes it in HA.
    for (const t of discoveryTopics) if (!live.has(t)) outbox.put(t, '');
  };

  /** `work` one run at a time: a call while it runs asks for one more run after it (the latest state wins),
   * so a burst of events costs two reads, not one each. A failure is a log line. */
  const coalesced = (work: () => Promise<void>, failure: string): (() => void) => {
    let running = false;
    let again = false;
    const run = (): void => {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      work()
        .catch((err: unknown) => log.warn(failure, { error: describeError(err) }))
        .finally(() => {
          running = false;
          if (again) {
            again = false;
            run();
          }
        });
    };
    return run;
  };

  /** The frame's status and health, as the sensors and the photo's attributes. */
  const refreshState = coalesced(async () => {
    const health = o.health ? await o.health().catch(() => null) : null;
    let status;
    try {
      status = o.frame.snapshot();
    } catch {
      return; // the frame is restarting: its next event brings the state
    }
    announce(featuresOf(health));
    outbox.put(topics.state, JSON.stringify(frameState(status, health)));
    outbox.put(topics.photo, JSON.stringify(photoAttributes(status.shown, o.immichUrl)));
  }, 'mqtt: cannot read the frame state');

  /** The glass, as the image entity shows it: drawn only for a connected broker (a PNG costs a
   * render's worth of memory and CPU, for nobody while the broker is away), the latest one only. */
  let imageStale = true;
  const refreshImage = coalesced(async () => {
    imageStale = false;
    counters.images += 1;
    const shown = await o.frame.framePng();
    if (shown) outbox.put(topics.image, shown.png);
  }, 'mqtt: cannot draw the glass for Home Assistant');
  const glassChanged = () => {
    if (client?.connected) return refreshImage();
    // Drawn on the next connect; the old picture is not worth holding or sending before it.
    imageStale = true;
    outbox.drop(topics.image);
  };

  const onEvent = (event: FrameEvent): void => {
    if (event.type === 'refreshed') glassChanged();
    if (event.type !== 'sync-progress') refreshState();
  };

  // ---- commands ---------------------------------------------------------------------------------

  const dropped = () => {
    counters.dropped += 1;
    droppedSince += 1;
    // One summary a minute, not a line a message.
    dropTimer ??= setTimeout(() => {
      dropTimer = null;
      log.warn(
        `mqtt: ${droppedSince} commands dropped in the last minute: more than ${rate.burst} at once or ${rate.perSecond} a second`,
      );
      droppedSince = 0;
    }, 60_000).unref();
  };

  const onMessage = (topic: string, payload: Buffer, retained: boolean): void => {
    const verdict = readMessage(topics, topic, payload, retained);
    if (verdict.kind === 'ignore') return;
    if (verdict.kind === 'rediscover') {
      // Home Assistant (re)started: it wants the configs and the states again.
      outbox.resend((t) => discoveryTopics.has(t) || t === topics.availability || t.startsWith(topics.base + '/'));
      return;
    }
    if (!bucket.take()) return dropped();
    if (verdict.kind === 'rejected') {
      counters.rejected += 1;
      log.warn(`mqtt: ignored a message on ${verdict.topic}: ${verdict.why}`);
      return;
    }
    counters.commands += 1;
    o.frame
      .command(verdict.command, 'mqtt')
      .then((outcome) => {
        if (!outcome.ok) log.info(`mqtt: ${outcome.command} refused: ${outcome.message}`, { code: outcome.code });
      })
      .catch((err: unknown) => log.warn('mqtt: the command failed', { error: describeError(err) }));
  };

  // ---- the connection ---------------------------------------------------------------------------

  const problem = (text: string) => {
    if (text === lastProblem) return;
    lastProblem = text;
    log.warn(`mqtt: ${text}; the frame goes on without it and keeps trying`);
  };

  const scheduleRetry = () => {
    if (stopped || retryTimer) return;
    const base = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(attempt, 20));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    attempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  const connect = () => {
    if (stopped) return;
    const options: IClientOptions = {
      clientId: `artframe_${nodeId}`.slice(0, 64),
      username: s.username || undefined,
      password: s.password || undefined,
      protocolVersion: 5,
      properties: { maximumPacketSize: MAX_INCOMING_PACKET },
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      // We reconnect ourselves, with a growing backoff, and queue nothing in the client: the outbox
      // holds the latest value of each topic and sends it on connect.
      reconnectPeriod: 0,
      // By default mqtt-packet fills a cache of 65,536 two-byte Buffers, one per packet id, at the
      // first packet it writes (mqtt-packet 9 numbers.js generateCache; mqtt 5 build/lib/client.js
      // turns it off for writeCache: false): 6 MB of heap, 8 MB of RSS, for a frame that sends a few
      // packets a minute (bench: mqtt). Without it a packet id is written as it comes.
      writeCache: false,
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    let c: MqttClient;
    try {
      c = new MqttClient(stream, options);
    } catch (err) {
      problem(brokerProblem(err, s.url));
      scheduleRetry();
      return;
    }
    client = c;
    let failure: unknown = null;
    c.on('error', (err) => {
      failure = err;
    });
    c.on('connect', () => {
      counters.connects += 1;
      attempt = 0;
      const again = lastProblem !== null || counters.connects > 1;
      lastProblem = null;
      log.info(again ? 'mqtt: connected again' : 'mqtt: connected', {
        broker: s.url,
        node_id: nodeId,
        base_topic: topics.base,
      });
      c.subscribe(
        { [topics.command]: { qos: 0 }, [topics.group]: { qos: 0 }, [topics.haStatus]: { qos: 0 } },
        (err) => {
          if (err && client === c)
            log.warn('mqtt: cannot subscribe to the command topics', { error: describeError(err) });
        },
      );
      outbox.put(topics.availability, 'online');
      outbox.online((topic, payload, done) => {
        if (client !== c || !c.connected) return done(new Error('not connected'));
        c.publish(topic, payload, { qos: 0, retain: true }, (err) => done(err ?? undefined));
      });
      if (imageStale) refreshImage();
    });
    c.on('message', (topic, payload, packet) => {
      counters.received += 1;
      try {
        onMessage(topic, payload, packet.retain === true);
      } catch (err) {
        log.warn('mqtt: a message could not be handled', { topic, error: describeError(err) });
      }
    });
    c.on('close', () => {
      if (client !== c) return;
      outbox.offline();
      c.removeAllListeners('message');
      c.end(true);
      client = null;
      if (stopped) return;
      problem(failure ? brokerProblem(failure, s.url) : `${s.url} closed the connection`);
      scheduleRetry();
    });
  };

  const unsubscribe = o.frame.subscribe(onEvent);
  const stateTimer = setInterval(refreshState, o.stateEveryMs ?? DEFAULT_STATE_EVERY_MS);
  stateTimer.unref();
  refreshState();
  connect();

  return {
    nodeId,
    topics,
    stats: () => ({ ...counters, heldBytes: outbox.heldBytes }),
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      clearInterval(stateTimer);
      if (retryTimer) clearTimeout(retryTimer);
      if (dropTimer) clearTimeout(dropTimer);
      const c = client;
      client = null;
      outbox.offline();
      if (!c) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          c.end(true);
          resolve();
        }, STOP_WAIT_MS);
        const end = () =>
          c.end(false, {}, () => {
            clearTimeout(timer);
            resolve();
          });
        if (c.connected) c.publish(topics.availability, 'offline', { qos: 1, retain: true }, end);
        else end();
      });
    },
  };
}
