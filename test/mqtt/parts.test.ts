// The MQTT door's pure parts: the config block (its password never shown), the node id, what an
// incoming message means, the bounded outbox, the rate limit, the discovery set per fitted hardware,
// and the state the sensors read.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/config.js';
import { Redactor } from '../../src/core/log.js';
import type { FrameStatus, ShownFrame } from '../../src/frame/control.js';
import { initialServiceState } from '../../src/frame/state.js';
import { allDiscoveryTopics, discoveryConfigs } from '../../src/mqtt/discovery.js';
import { brokerProblem } from '../../src/mqtt/door.js';
import { pageUrl } from '../../src/mqtt/door-slot.js';
import { frameState, photoAttributes, type HealthFacts } from '../../src/mqtt/frame-state.js';
import { readMessage } from '../../src/mqtt/inbox.js';
import { defaultNodeId, machineId } from '../../src/mqtt/node-id.js';
import { Outbox } from '../../src/mqtt/outbox.js';
import { TokenBucket } from '../../src/mqtt/rate-limit.js';
import { mqttSettingsSchema } from '../../src/mqtt/settings.js';
import { frameTopics } from '../../src/mqtt/topics.js';
import { HA_ID, schemaProblems } from './ha-schema.js';

const BASE = { immich_url: 'http://immich.local:2283', immich_api_key: 'key-0123456789' };
const SECRET = 'hunter2-broker-secret';

describe('the mqtt config block', () => {
  it('is off when absent and fills its defaults when present', () => {
    expect(parseConfig(BASE).mqtt).toBeUndefined();
    expect(parseConfig({ ...BASE, mqtt: { url: 'mqtt://broker.local' } }).mqtt).toEqual({
      url: 'mqtt://broker.local',
      username: '',
      password: '',
      discovery_prefix: 'homeassistant',
      base_topic: '',
      node_id: '',
      name: '',
      group_topic: 'artframe/all/command',
    });
  });

  it('names the key and hides the password in every message, and the run masks it everywhere', () => {
    const redactor = new Redactor();
    const bad = { ...BASE, mqtt: { url: 'http://broker.local', username: 'frame', password: SECRET, node_id: 'a b' } };
    let message = '';
    try {
      parseConfig(bad, 'config.json', redactor);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'config.json: mqtt.url = "http://broker.local" is not allowed; expected a broker URL "mqtt://HOST:1883" or "mqtts://HOST:8883", without user:password@ (use username and password)',
      'config.json: mqtt.node_id = "a b" is not allowed; expected letters, digits, "_" or "-" (at most 64), unique per frame on the broker, or "" to derive one',
    ]);
    expect(redactor.redact(`auth with ${SECRET}`)).toBe('auth with ***');
    // A bad password value is named, never shown.
    expect(() => parseConfig({ ...BASE, mqtt: { url: 'mqtt://b', password: 12345678 } }, 'c')).toThrow(
      'c: mqtt.password = (hidden) is not allowed',
    );
    expect(() => parseConfig({ ...BASE, mqtt: { url: 'mqtt://u:p@b' } }, 'c')).toThrow('mqtt.url');
    expect(() => parseConfig({ ...BASE, mqtt: { url: 'mqtt://b', pasword: SECRET } }, 'c')).toThrow(
      'c: unknown key "mqtt.pasword"; known keys: url, username, password',
    );
    expect(() => parseConfig({ ...BASE, mqtt: 'mqtt://b' }, 'c')).toThrow('c: mqtt is not allowed as given');
    expect(() => parseConfig({ ...BASE, mqtt: { url: 'mqtt://b', group_topic: 'frames/#' } }, 'c')).toThrow(
      'mqtt.group_topic = "frames/#"',
    );
  });

  it('loadConfig teaches the redactor the password before anything is printed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mqtt-config-'));
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ ...BASE, mqtt: { url: 'mqtt://b', password: SECRET } }));
    const redactor = new Redactor();
    await loadConfig({ flag: file, redactor, env: {} });
    expect(redactor.redact(SECRET)).toBe('***');
  });
});

describe('the node id', () => {
  it('is stable for a machine and instance, differs between instances and machines, and HA accepts it', async () => {
    const a = defaultNodeId('default', 'machine-1');
    expect(a).toBe(defaultNodeId('default', 'machine-1'));
    expect(a).not.toBe(defaultNodeId('kitchen', 'machine-1'));
    expect(a).not.toBe(defaultNodeId('default', 'machine-2'));
    expect(a).toMatch(HA_ID);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'machine-id-'));
    await writeFile(path.join(dir, 'machine-id'), 'abc123\n');
    expect(machineId(path.join(dir, 'machine-id'))).toBe('abc123');
    expect(machineId(path.join(dir, 'absent'))).toBe(os.hostname());
  });
});

const settings = mqttSettingsSchema.parse({ url: 'mqtt://b' });
const topics = frameTopics(settings, 'frame_x');

describe('an incoming message', () => {
  const read = (topic: string, text: string, retained = false) =>
    readMessage(topics, topic, Buffer.from(text), retained);

  it('is a command through the one rule every door uses', () => {
    expect(read(topics.command, 'next')).toEqual({ kind: 'command', command: { type: 'next' }, via: 'own' });
    expect(read(topics.command, ' PAUSE\n')).toEqual({ kind: 'command', command: { type: 'pause' }, via: 'own' });
    expect(read(topics.command, '{"type":"show","photo":"a1b2"}')).toEqual({
      kind: 'command',
      command: { type: 'show', photo: 'a1b2' },
      via: 'own',
    });
    expect(read(topics.group, 'sync')).toEqual({ kind: 'command', command: { type: 'sync' }, via: 'group' });
  });

  it('is refused with a reason when it is not one', () => {
    expect(read(topics.command, 'dance')).toMatchObject({
      kind: 'rejected',
      why: '"dance": unknown command; expected one of next, previous, pause, resume, sync, show, hide, unhide',
    });
    expect(read(topics.command, '{"type":')).toMatchObject({ kind: 'rejected', why: '"{\\"type\\":": not valid JSON' });
    expect(read(topics.command, 'x'.repeat(600))).toMatchObject({ kind: 'rejected' });
    expect((read(topics.command, 'x'.repeat(600)) as { why: string }).why).toContain('longer than 512 bytes');
    expect(read(topics.group, 'hide')).toMatchObject({ kind: 'rejected' });
    // A retained command would run again at every reconnect.
    expect(read(topics.command, 'next', true)).toMatchObject({
      kind: 'rejected',
      why: expect.stringContaining('retained'),
    });
  });

  it('from Home Assistant online asks for rediscovery; anything else is ignored', () => {
    expect(read('homeassistant/status', 'online')).toEqual({ kind: 'rediscover' });
    expect(read('homeassistant/status', 'offline')).toEqual({ kind: 'ignore' });
    expect(read('artframe/other/command', 'next')).toEqual({ kind: 'ignore' });
  });
});

describe('the outbox', () => {
  it('holds one value per topic while the broker is away, and sends each once on connect', () => {
    const box = new Outbox();
    const png = Buffer.alloc(200_000, 7);
    for (let i = 0; i < 1_000; i++) {
      box.put('t/state', JSON.stringify({ i }));
      box.put('t/image', Buffer.concat([png, Buffer.from([i & 0xff])]));
    }
    expect(box.heldBytes).toBeLessThan(png.length + 100);
    const sent: string[] = [];
    box.online((topic, _payload, done) => {
      sent.push(topic);
      done();
    });
    expect(sent.sort()).toEqual(['t/image', 't/state']);
    box.put('t/state', JSON.stringify({ i: 999 })); // no news
    expect(sent).toHaveLength(2);
  });

  it('keeps one message per topic in flight on a slow broker, and sends the latest after it', () => {
    const box = new Outbox();
    const waiting: Array<() => void> = [];
    const sent: string[] = [];
    box.online((_topic, payload, done) => {
      sent.push(payload.toString());
      waiting.push(() => done());
    });
    for (let i = 0; i < 1000; i++) box.put('t/state', String(i));
    expect(sent).toEqual(['0']);
    waiting.shift()!();
    expect(sent).toEqual(['0', '999']);
    expect(box.pending).toBe(1);
  });
});

describe('the rate limit', () => {
  it('lets a burst through, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(5, 1, () => now);
    const passed = Array.from({ length: 100 }, () => bucket.take()).filter(Boolean).length;
    expect(passed).toBe(5);
    now += 2_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});

const device = { name: 'Hall', model: 'Waveshare 7.3" E6', swVersion: '1.0.0', configurationUrl: null };

describe('the discovery set', () => {
  it('has the CPU temperature only on a board that reports it, and the battery only where one is fitted', () => {
    const ids = (cpu: boolean, battery: boolean) =>
      discoveryConfigs(topics, device, { cpuTemperature: cpu, battery }).map((c) => `${c.component}.${c.objectId}`);
    expect(ids(false, false)).not.toContain('sensor.cpu_temperature');
    expect(ids(true, false)).toContain('sensor.cpu_temperature');
    expect(ids(false, true)).toEqual(expect.arrayContaining(['sensor.battery', 'binary_sensor.battery_charging']));
    expect(allDiscoveryTopics(topics, device)).toHaveLength(ids(true, true).length);
    for (const c of discoveryConfigs(topics, device, { cpuTemperature: true, battery: true }))
      expect(schemaProblems(c.component, c.payload), c.objectId).toEqual([]);
  });

  it('links the device to the frame page when the web door is on', () => {
    expect(pageUrl({ port: 8080 }, 'frame.local')).toBe('http://frame.local:8080/');
    expect(pageUrl(undefined, 'frame.local')).toBeNull();
    expect(pageUrl({ port: 8080, enabled: false }, 'frame.local')).toBeNull();
    const [c] = discoveryConfigs(
      topics,
      { ...device, configurationUrl: 'http://frame.local:8080/' },
      {
        cpuTemperature: false,
        battery: false,
      },
    );
    expect((c!.payload.device as { configuration_url: string }).configuration_url).toBe('http://frame.local:8080/');
    expect(schemaProblems(c!.component, c!.payload)).toEqual([]);
  });
});

describe('what the sensors read', () => {
  const shown: ShownFrame = {
    seq: 3,
    at: '2026-11-25T09:00:00.000Z',
    reason: 'mqtt',
    why: 'next in the round',
    photos: [
      {
        id: '6b1c1e1e-7a44-4a0e-9b1b-6f7c9a1f0a01',
        path: '/x.jpg',
        capturedAt: '2019-07-14T10:00:00.000Z',
        localDateTime: '2019-07-14T12:00:00.000Z',
        people: ['Alice', 'Bob'],
        place: 'Lisbon, Portugal',
        description: null,
        favorite: true,
        rating: 4,
        albums: [],
      },
    ],
  };
  const status: FrameStatus = {
    ...initialServiceState(),
    last_refresh: { at: '2026-11-25T09:00:00.000Z', photo: '/x.jpg', reason: 'mqtt' },
    next_refresh: '2026-11-25T10:00:00.000Z',
    last_sync: { at: '2026-11-25T08:00:00.000Z', ok: true, summary: '3 added, 0 updated, 0 removed, 1 kept' },
    paused: false,
    next_possible_refresh: null,
    shown,
  };
  const health: HealthFacts = {
    cpu_temp_c: 51.2,
    disk: { free_bytes: 12_345_678_901, total_bytes: 31_000_000_000, library_bytes: 9_000_000 },
    library: {
      photos: 4,
      failed: 1,
      failed_by_reason: { 'not-found': 1 },
      hidden: 0,
      last_sync: '2026-11-25T08:00:00.000Z',
      next_sync: null,
      sync_running: false,
      last_failure: null,
    },
    panel: {
      id: 'waveshare-7in3e',
      transport: 'rpio',
      last_refresh: null,
      next_refresh: null,
      resets: 0,
      error: null,
      answering: true,
    },
    server_reachable: false,
    battery: { level_pct: 87, charging: true, board: 'pisugar3' },
  };

  it('one state object with a key per sensor; unknown is null', () => {
    expect(frameState(status, health)).toEqual({
      paused: false,
      last_refresh: '2026-11-25T09:00:00.000Z',
      next_refresh: '2026-11-25T10:00:00.000Z',
      last_sync: '2026-11-25T08:00:00.000Z',
      last_sync_result: 'ok: 3 added, 0 updated, 0 removed, 1 kept',
      photos: 4,
      photos_failed: 1,
      disk_free_mb: 12_346,
      cpu_temperature: 51.2,
      battery_level: 87,
      battery_charging: 'ON',
      server_reachable: 'OFF',
      panel_answering: 'ON',
      photo: '2019-07-14 · Lisbon, Portugal · Alice, Bob',
    });
    const bare = frameState({ ...status, paused: true }, null);
    expect(bare).toMatchObject({ paused: true, next_refresh: null, photos: null, server_reachable: null });
  });

  it('the photo facts as attributes, with a link that opens the asset in Immich', () => {
    expect(photoAttributes(shown, 'http://immich.local:2283')).toMatchObject({
      photo_id: shown.photos[0]!.id,
      who: ['Alice', 'Bob'],
      when: '2019-07-14T12:00:00.000Z',
      where: 'Lisbon, Portugal',
      immich_url: `http://immich.local:2283/photos/${shown.photos[0]!.id}`,
    });
    const adopted = { ...shown, photos: [{ ...shown.photos[0]!, id: 'file:beach.jpg' }] };
    expect(photoAttributes(adopted, 'http://immich.local:2283').immich_url).toBeNull();
    expect(photoAttributes(null, 'http://x')).toEqual({ photo_id: null });
  });
});

describe('a broker problem in one line', () => {
  it('names the key to look at and never a credential', () => {
    expect(brokerProblem({ code: 'ECONNREFUSED' }, 'mqtt://b:1883')).toBe(
      'nothing answers at mqtt://b:1883 (is the broker running? mqtt.url)',
    );
    expect(brokerProblem({ code: 134 }, 'mqtt://b')).toContain('(mqtt.username, mqtt.password)');
    expect(brokerProblem({ code: 'ENOTFOUND' }, 'mqtt://nope')).toContain('mqtt.url');
  });
});
