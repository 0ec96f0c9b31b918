// The MQTT door against a real broker (mosquitto) and real frames (FrameService on the virtual
// panel, fed from the simulated Immich): what Home Assistant discovers, commands end to end, several
// frames and the group topic, Home Assistant coming online, a broker restart, a flood, junk, and a
// wrong password. Skipped, saying why, where mosquitto is not installed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { MOSQUITTO, MOSQUITTO_MISSING, startBroker, type Broker } from '../support/mosquitto.js';
import { HA_ID, schemaProblems } from './ha-schema.js';
import { HomeAssistant, PANEL, readGlass, showNext, startTestFrame, waitFor, type TestFrame } from './support.js';

const PASSWORD = 'broker-pass-8c1f';

describe.skipIf(!MOSQUITTO)(
  `the MQTT door on a real broker${MOSQUITTO ? '' : ` (skipped: ${MOSQUITTO_MISSING})`}`,
  () => {
    let sim: ImmichSim;
    let albumId: string;
    let broker: Broker;
    let ha: HomeAssistant;
    let a: TestFrame;
    let b: TestFrame | null = null;

    /** The discovery configs announced for a node (an empty one deletes an entity: not counted). */
    const configsOf = (node: string) =>
      ha.messages.filter((m) => m.topic.includes(`/${node}/`) && m.topic.endsWith('/config') && m.payload.length > 0);

    beforeAll(async () => {
      sim = await startImmichSim({ seed: 5 });
      albumId = (await seedSampleLibrary(sim, { count: 4, seed: 5, withVideo: false })).album.id;
      broker = await startBroker();
      ha = await HomeAssistant.connect(broker.url);
      a = await startTestFrame(sim, albumId, { url: broker.url, node_id: 'frame_a', name: 'Hall frame' });
    }, 60_000);

    afterAll(async () => {
      await b?.stop();
      await a?.stop();
      await ha?.close();
      await broker?.stop();
      await sim?.close();
    });

    it('announces one device with its entities, valid against HA discovery schema, and the glass as PNG', async () => {
      // A generous rate here: these tests press often; the flood test below uses the default.
      const door = a.startDoor({ commands: { burst: 100, perSecond: 100 } });
      const t = door.topics;
      await waitFor('availability online', () => ha.last(t.availability)?.payload.toString() === 'online');
      await waitFor('the glass', () => ha.last(t.image) !== undefined);
      await waitFor('the configs', () => configsOf('frame_a').length >= 15);

      const configs = configsOf('frame_a').map((m) => ({
        component: m.topic.split('/')[1]!,
        objectId: m.topic.split('/')[3]!,
        payload: JSON.parse(m.payload.toString()) as Record<string, unknown>,
      }));
      for (const c of configs) {
        expect(schemaProblems(c.component, c.payload), c.objectId).toEqual([]);
        expect(c.objectId).toMatch(HA_ID);
        expect((c.payload.availability as Array<{ topic: string }>)[0]!.topic).toBe(t.availability);
      }
      const byId = new Map(configs.map((c) => [`${c.component}.${c.objectId}`, c.payload]));
      expect([...byId.keys()].sort()).toEqual(
        [
          'image.glass',
          'button.next',
          'button.previous',
          'button.sync',
          'switch.paused',
          'sensor.photo',
          'sensor.last_refresh',
          'sensor.next_refresh',
          'sensor.last_sync',
          'sensor.last_sync_result',
          'sensor.photos',
          'sensor.photos_failed',
          'sensor.disk_free',
          'binary_sensor.server_reachable',
          'binary_sensor.panel_answering',
        ].sort(),
      );
      // One device: the same block everywhere, the panel as the model; unique ids unique.
      const devices = new Set(configs.map((c) => JSON.stringify(c.payload.device)));
      expect(devices.size).toBe(1);
      expect(JSON.parse([...devices][0]!)).toEqual({
        identifiers: ['frame_a'],
        name: 'Hall frame',
        manufacturer: 'artframe-immich',
        model: PANEL.name,
        sw_version: '0.1.0-test',
      });
      expect(new Set(configs.map((c) => c.payload.unique_id)).size).toBe(configs.length);
      expect(byId.get('image.glass')).toMatchObject({ image_topic: t.image, content_type: 'image/png' });
      expect(byId.get('button.next')).toMatchObject({ command_topic: t.command, payload_press: 'next' });

      // Retained: discovery and availability; the glass is the PNG the virtual panel shows.
      expect(ha.last(t.availability)!.payload.toString()).toBe('online');
      expect(ha.last(t.image)!.payload.equals(await readGlass(a))).toBe(true);
      const state = JSON.parse(ha.last(t.state)!.payload.toString()) as Record<string, unknown>;
      expect(state.paused).toBe(false);
      expect(state.last_refresh).toBe(a.service.snapshot().last_refresh!.at);
      // From the frame's health: the library, the panel, the disk.
      await waitFor('the health in the state', () => JSON.parse(ha.last(t.state)!.payload.toString()).photos === 4);
      const health = JSON.parse(ha.last(t.state)!.payload.toString()) as Record<string, unknown>;
      expect(health).toMatchObject({ photos: 4, photos_failed: 0, panel_answering: 'ON' });
      expect(health.disk_free_mb).toBeGreaterThan(0);
      const photo = JSON.parse(ha.last(t.photo)!.payload.toString()) as Record<string, unknown>;
      const shown = a.service.snapshot().shown!.photos[0]!;
      expect(photo.photo_id).toBe(shown.id);
      expect(photo.immich_url).toBe(`${sim.url}/photos/${shown.id}`);

      // A fresh subscriber (HA after a restart) gets the configs, the availability and the glass retained.
      const late = await HomeAssistant.connect(broker.url);
      await waitFor('retained messages', () => late.on(t.availability).length > 0 && late.on(t.image).length > 0);
      // (A state update may arrive live meanwhile: only what was there before it subscribed is checked.)
      const stored = late.messages.filter((m) => m.topic.endsWith('/config') || m.topic === t.availability);
      expect(stored.every((m) => m.retain)).toBe(true);
      const retained = late.messages.filter((m) => m.topic.endsWith('/config') && m.topic.includes('/frame_a/'));
      expect(retained.filter((m) => m.payload.length > 0)).toHaveLength(configs.length);
      await late.close();
    });

    it('next from Home Assistant puts a new frame on the glass, and the image topic carries the same PNG', async () => {
      const t = a.door!.topics;
      const before = await readGlass(a);
      const seqBefore = a.service.snapshot().shown!.seq;
      await ha.publish(t.command, 'next');
      await a.asked('next');
      a.clock.advance(PANEL.minRefreshIntervalSeconds * 1000);
      await waitFor('a new frame', () => (a.service.snapshot().shown?.seq ?? 0) > seqBefore);
      await a.service.idle();
      const after = await readGlass(a);
      expect(after.equals(before)).toBe(false);
      await waitFor('the new glass on the image topic', () => ha.last(t.image)!.payload.equals(after));
      // Commands are never retained: a new subscriber sees nothing on the command topic.
      const late = await HomeAssistant.connect(broker.url);
      await waitFor('retained messages', () => late.on(t.image).length > 0);
      expect(late.on(t.command)).toHaveLength(0);
      await late.close();
    });

    it('the pause switch holds the schedule, and its state comes back on the state topic', async () => {
      const t = a.door!.topics;
      const paused = () => JSON.parse(ha.last(t.state)!.payload.toString()).paused as boolean;
      await ha.publish(t.command, 'pause');
      await waitFor('paused', () => paused());
      expect(a.service.snapshot().paused).toBe(true);
      expect(a.service.snapshot().next_refresh).toBeNull();
      await ha.publish(t.command, 'resume');
      await waitFor('resumed', () => !paused());
      expect(a.service.snapshot().next_refresh).not.toBeNull();
    });

    it('announces everything again when Home Assistant says it is online', async () => {
      const t = a.door!.topics;
      const n = configsOf('frame_a').length;
      const images = ha.on(t.image).length;
      await ha.publish('homeassistant/status', 'online');
      await waitFor('the configs again', () => configsOf('frame_a').length >= n + 15);
      await waitFor('the glass again', () => ha.on(t.image).length > images);
      // "offline" from HA asks for nothing.
      const m = ha.messages.length;
      await ha.publish('homeassistant/status', 'offline');
      await new Promise((r) => setTimeout(r, 300));
      expect(ha.messages.slice(m).filter((x) => x.topic.endsWith('/config'))).toHaveLength(0);
    });

    it('a payload that is not a command gets one log line and nothing else', async () => {
      const t = a.door!.topics;
      const logs = a.logs.length;
      const seq = a.service.snapshot().shown!.seq;
      const timers = a.clock.nextTimer();
      await ha.publish(t.command, 'dance');
      await waitFor('the log line', () => a.logs.length > logs);
      await new Promise((r) => setTimeout(r, 200));
      const lines = a.logs.slice(logs);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('mqtt: ignored a message on artframe/frame_a/command: \\"dance\\": unknown command');
      expect(a.service.snapshot().shown!.seq).toBe(seq);
      expect(a.clock.nextTimer()).toEqual(timers);
      // A path where a photo id belongs is refused by the one rule every door uses.
      await ha.publish(t.command, '{"type":"show","photo":"../../etc/passwd"}');
      await waitFor('the log line', () => a.logs.length > logs + 1);
      expect(a.logs.at(-1)).toContain('show needs a photo id');
      expect(a.door!.stats().rejected).toBe(2);
    });

    it('the group topic moves every frame on the broker; each frame is its own device', async () => {
      b = await startTestFrame(sim, albumId, { url: broker.url, node_id: 'frame_b' });
      const doorB = b.startDoor({ commands: { burst: 100, perSecond: 100 } });
      await waitFor('frame b online', () => ha.last(doorB.topics.availability)?.payload.toString() === 'online');
      await waitFor('frame b configs', () => configsOf('frame_b').length >= 15);
      expect(doorB.topics.command).not.toBe(a.door!.topics.command);
      const ids = new Set(
        [...configsOf('frame_a'), ...configsOf('frame_b')].map((m) => JSON.parse(m.payload.toString()).unique_id),
      );
      expect(ids.size).toBe(new Set([...configsOf('frame_a'), ...configsOf('frame_b')].map((m) => m.topic)).size);

      const seqs = [a.service.snapshot().shown!.seq, b.service.snapshot().shown!.seq];
      await ha.publish('artframe/all/command', 'next');
      await a.asked('next', 2);
      await b.asked('next');
      for (const f of [a, b]) f.clock.advance(PANEL.minRefreshIntervalSeconds * 1000);
      await waitFor('both frames refreshed', () =>
        [a, b!].every((f, i) => (f.service.snapshot().shown?.seq ?? 0) > seqs[i]!),
      );
      await ha.publish('artframe/all/command', 'pause');
      await waitFor('both paused', () => a.service.snapshot().paused && b!.service.snapshot().paused);
      await ha.publish('artframe/all/command', 'resume');
      await waitFor('both resumed', () => !a.service.snapshot().paused && !b!.service.snapshot().paused);
      // show names one library's photo: not a group word.
      const logs = b.logs.length;
      await ha.publish(
        'artframe/all/command',
        `{"type":"show","photo":"${a.service.snapshot().shown!.photos[0]!.id}"}`,
      );
      await waitFor('the refusal', () => b!.logs.length > logs);
      expect(b.logs.at(-1)).toContain('the group topic takes next, previous, sync, pause, resume');
      await a.service.idle();
      await b.service.idle();
    });

    it('a flood of 10,000 commands is rate-limited: a handful reach the frame, memory stays bounded', async () => {
      // The door as run starts it: 5 commands at once, then 1 a second.
      await a.door!.stop();
      const door = a.startDoor();
      const t = door.topics;
      await waitFor('online again', () => door.stats().connects === 1);
      const before = door.stats();
      const logs = a.logs.length;
      const seq = a.service.snapshot().shown!.seq;
      const heap = process.memoryUsage().heapUsed;
      const started = Date.now();
      for (let i = 0; i < 10_000; i++) void ha.client.publish(t.command, i % 2 ? 'next' : 'sync-everything-now');
      await waitFor(
        'the flood to arrive',
        () => {
          const s = door.stats();
          return s.commands + s.dropped + s.rejected - (before.commands + before.dropped + before.rejected) >= 10_000;
        },
        60_000,
      );
      const seconds = (Date.now() - started) / 1000;
      const after = door.stats();
      const passed = after.commands + after.rejected - before.commands - before.rejected;
      // The bucket: 5 at once, then 1 a second.
      expect(passed).toBeLessThanOrEqual(5 + Math.ceil(seconds) + 1);
      expect(after.dropped - before.dropped).toBeGreaterThanOrEqual(10_000 - passed);
      // A line per command that passed, none per dropped one (their summary comes once a minute).
      expect(a.logs.length - logs).toBeLessThanOrEqual(passed);
      expect(after.heldBytes).toBeLessThan(before.heldBytes + 64 * 1024);
      expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
      // The frame is unaffected: the nexts that passed are one refresh, when the panel allows.
      a.clock.advance(PANEL.minRefreshIntervalSeconds * 1000);
      await waitFor('one refresh', () => (a.service.snapshot().shown?.seq ?? 0) > seq);
      await a.service.idle();
      expect(a.service.snapshot().shown!.seq).toBe(seq + 1);
      // And a command after the flood (once the bucket refills) still works.
      await new Promise((r) => setTimeout(r, 1_100));
      await ha.publish(t.command, 'pause');
      await waitFor('paused after the flood', () => a.service.snapshot().paused);
      await new Promise((r) => setTimeout(r, 1_100));
      await ha.publish(t.command, 'resume');
      await waitFor('resumed', () => !a.service.snapshot().paused);
    }, 90_000);

    it('comes back after a broker restart, with its retained messages published again', async () => {
      const t = a.door!.topics;
      const connects = a.door!.stats().connects;
      await broker.restart();
      await waitFor('the door to reconnect', () => a.door!.stats().connects > connects, 20_000);
      expect(a.logs.some((l) => l.includes('"msg":"mqtt: connected again"'))).toBe(true);
      // The restarted broker kept nothing (no persistence): what a new subscriber sees, the door sent again.
      const late = await HomeAssistant.connect(broker.url);
      await waitFor(
        'retained configs and the glass',
        () => late.on(t.image).length > 0 && late.on(t.availability).length > 0,
      );
      expect(late.last(t.availability)!.payload.toString()).toBe('online');
      await waitFor(
        'all configs',
        () => late.messages.filter((m) => m.topic.includes('/frame_a/') && m.topic.endsWith('/config')).length >= 15,
      );
      // And commands flow again. A command is QoS 0: one sent while the door's new session is
      // still settling (a loaded machine) is lost, as MQTT allows, so it is sent again until it
      // lands (at the bucket's pace); the door must act on one.
      for (let tries = 0; !a.service.snapshot().paused; tries++) {
        if (tries === 10) throw new Error('the door never acted on a pause after the restart');
        await late.publish(t.command, 'pause');
        await waitFor('paused', () => a.service.snapshot().paused, 1_500).catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 1_100)); // the bucket's 1 a second
      await late.publish(t.command, 'resume');
      await waitFor('resumed', () => !a.service.snapshot().paused);
      await late.close();
    }, 60_000);

    it('a wrong password is one clear line, the frame unaffected; the right one connects', async () => {
      const auth = await startBroker({ user: 'frame', password: PASSWORD });
      const f = await startTestFrame(sim, albumId, {
        url: auth.url,
        node_id: 'frame_c',
        username: 'frame',
        password: 'wrong-' + PASSWORD,
      });
      try {
        f.startDoor({ backoff: { firstMs: 20, maxMs: 60 } });
        await waitFor('the refusal', () => f.logs.some((l) => l.includes('refused')));
        await new Promise((r) => setTimeout(r, 600)); // many more attempts
        const lines = f.logs.filter((l) => l.includes('"msg":"mqtt:'));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(
          `mqtt: ${auth.url} refused to let us in: a wrong user name or password, or a user it does not allow (mqtt.username, mqtt.password); the frame goes on without it and keeps trying`,
        );
        expect(f.logs.join('\n')).not.toContain(PASSWORD);
        // The frame answers its other doors as before.
        const outcome = await f.service.command({ type: 'pause' }, 'test');
        expect(outcome.ok).toBe(true);
        await f.door!.stop();

        const good = await startTestFrame(sim, albumId, {
          url: auth.url,
          node_id: 'frame_c',
          username: 'frame',
          password: PASSWORD,
        });
        const watcher = await HomeAssistant.connect(auth.url, { username: 'frame', password: PASSWORD });
        good.startDoor();
        await waitFor(
          'online with the right password',
          () => watcher.last('artframe/frame_c/availability')?.payload.toString() === 'online',
        );
        await good.stop();
        await watcher.close();
      } finally {
        await f.stop();
        await auth.stop();
      }
    }, 60_000);

    it('draws the glass for Home Assistant only once the broker is there, and then only the latest', async () => {
      const away = await startBroker();
      await away.stop();
      const f = await startTestFrame(sim, albumId, { url: away.url, node_id: 'frame_d' });
      try {
        const door = f.startDoor();
        await showNext(f);
        await showNext(f);
        await new Promise((r) => setTimeout(r, 100)); // the door would draw the glass after the event
        expect(door.stats().images).toBe(0);
        expect(door.stats().heldBytes).toBeLessThan(20_000);
        await away.restart();
        const watcher = await HomeAssistant.connect(away.url);
        const glass = await readGlass(f);
        await waitFor(
          'the glass on the image topic',
          () => watcher.last(door.topics.image)?.payload.equals(glass) ?? false,
        );
        expect(door.stats().images).toBe(1);
        expect(door.stats().heldBytes).toBeGreaterThan(glass.length);
        await watcher.close();
      } finally {
        await f.stop();
        await away.stop();
      }
    }, 60_000);
  },
);
