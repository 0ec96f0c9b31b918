// A broker that takes the connection and never answers (a hung or overloaded broker): the frame
// refreshes, takes commands and stops as if MQTT were off, and the door holds one value per topic
// and never draws the glass for it.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSampleLibrary } from '../../src/immich-sim/sample-photos.js';
import { startImmichSim, type ImmichSim } from '../../src/immich-sim/server.js';
import { showNext, startTestFrame, waitFor, type TestFrame } from './support.js';

describe('a silent broker', () => {
  let sim: ImmichSim;
  let server: net.Server;
  const sockets: net.Socket[] = [];
  let frame: TestFrame;

  beforeAll(async () => {
    sim = await startImmichSim({ seed: 6 });
    const { album } = await seedSampleLibrary(sim, { count: 3, seed: 6, withVideo: false });
    server = net.createServer((s) => void sockets.push(s)); // reads nothing, answers nothing
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    frame = await startTestFrame(sim, album.id, { url: `mqtt://127.0.0.1:${port}`, node_id: 'silent' });
  }, 60_000);

  afterAll(async () => {
    await frame?.service.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    await sim?.close();
  });

  it('never delays a refresh or a command, holds bounded memory, and stops at once', async () => {
    const door = frame.startDoor();
    await waitFor('the connection attempt', () => sockets.length > 0);
    const held: number[] = [];
    for (let i = 0; i < 3; i++) {
      await showNext(frame);
      await new Promise((r) => setTimeout(r, 100)); // the door would draw the glass after the event
      held.push(door.stats().heldBytes);
    }
    // One state and the configs: the same size after every refresh, not growing with them; and no
    // picture of the glass, drawn or held, for a broker that never let us in.
    expect(Math.max(...held) - Math.min(...held)).toBeLessThan(held[0]! / 2);
    expect(Math.max(...held)).toBeLessThan(20_000);
    expect(door.stats().images).toBe(0);
    expect(door.stats().connects).toBe(0);
    const started = Date.now();
    await door.stop();
    expect(Date.now() - started).toBeLessThan(2_500);
  }, 60_000);
});
