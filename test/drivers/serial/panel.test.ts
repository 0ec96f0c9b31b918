// The serial transport against a simulated controller over @serialport/binding-mock: frames
// travel through a real SerialPortStream; the controller parses and CRC-checks them, and its
// reassembled buffer must equal what was sent, even when frames are lost or corrupted.
import { createRequire } from 'node:module';
import type {
  MockBindingInterface,
  MockPortBinding,
} from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
import { SerialPortStream } from '@serialport/stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialPanel } from '../../../drivers/serial/panel.js';
import { PanelBusyTimeoutError, TransportError } from '../../../src/core/errors.js';
import { SimulatedController, type ControllerFaults } from '../../emulator/serial-controller.js';

// binding-mock publishes its types for require() only, so it is loaded the CommonJS way.
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as {
  MockBinding: MockBindingInterface;
};

const PANEL = { panelId: 'waveshare-7in3e', width: 800, height: 480, bitsPerPixel: 4 };
let opened: SerialPanel[] = [];

afterEach(async () => {
  for (const p of opened) await p.close();
  opened = [];
  MockBinding.reset();
});

async function connect(
  faults: ControllerFaults = {},
  options: Partial<ConstructorParameters<typeof SerialPanel>[2]> = {},
  panelId = PANEL.panelId,
) {
  const path = '/dev/ttyPANEL';
  MockBinding.createPort(path, { echo: false, record: false });
  const stream = await new Promise<SerialPortStream>((resolve, reject) => {
    const s: SerialPortStream = new SerialPortStream({ binding: MockBinding, path, baudRate: 115200 }, (err) =>
      err ? reject(err) : resolve(s),
    );
  });
  const port = stream.port as unknown as MockPortBinding;
  const controller = new SimulatedController((bytes) => port.emitData(bytes), panelId, 1024, faults);
  const write = port.write.bind(port);
  port.write = async (buf: Buffer) => {
    await write(buf);
    controller.receive(Buffer.from(buf));
  };
  const panel = new SerialPanel(stream, path, {
    ...PANEL,
    ackTimeoutMs: 40,
    maxRetries: 4,
    statusPollMs: 60,
    refreshTimeoutMs: 2000,
    ...options,
  });
  opened.push(panel);
  return { panel, controller };
}

function testFrame(): Uint8Array {
  const f = new Uint8Array((800 * 480) / 2);
  for (let i = 0; i < f.length; i++) f[i] = (i * 7 + (i >> 9)) & 0x66;
  return f;
}

describe('serial transport', () => {
  it('the controller reassembles exactly the frame the host sent and shows it once', async () => {
    const { panel, controller } = await connect();
    const frame = testFrame();
    await panel.show(frame);
    expect(controller.shown).toHaveLength(1);
    expect(controller.shown[0]!.equals(Buffer.from(frame))).toBe(true);
    expect(controller.stats).toMatchObject({ badCrc: 0, duplicates: 0, refreshes: 1, sleeps: 1 });
  });

  it('corrupted frames are NAKed for their CRC and sent again until the buffer is whole', async () => {
    const { panel, controller } = await connect({ corruptIncoming: new Set([2, 5, 6, 40, 150]) });
    const frame = testFrame();
    await panel.show(frame);
    expect(controller.stats.badCrc).toBe(5);
    expect(controller.shown[0]!.equals(Buffer.from(frame))).toBe(true);
  });

  it('lost frames time out and are sent again', async () => {
    const { panel, controller } = await connect({ dropIncoming: new Set([1, 3, 100]) });
    const frame = testFrame();
    await panel.show(frame);
    expect(controller.stats.dropped).toBe(3);
    expect(controller.shown[0]!.equals(Buffer.from(frame))).toBe(true);
  });

  it('a lost or corrupted reply makes the host resend, and the controller does not act twice', async () => {
    // Reply 4 answers a chunk; the last replies answer REFRESH: a second refresh must not happen.
    const { panel, controller } = await connect({ dropReplies: new Set([4, 190]), corruptReplies: new Set([7, 191]) });
    const frame = testFrame();
    await panel.show(frame);
    expect(controller.stats.duplicates).toBeGreaterThanOrEqual(2);
    expect(controller.stats.refreshes).toBe(1);
    expect(controller.shown[0]!.equals(Buffer.from(frame))).toBe(true);
  });

  it('a lost DONE is recovered by asking for STATUS', async () => {
    const { panel, controller } = await connect({ dropDone: true });
    await panel.show(testFrame());
    expect(controller.stats.refreshes).toBe(1);
  });

  it('a silent controller ends in a TransportError after bounded retries', async () => {
    const { panel } = await connect({ silent: true });
    const err = await panel.show(testFrame()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toBe(
      'the panel controller on /dev/ttyPANEL did not answer after 5 tries: check the cable and that it runs firmware for artframe serial protocol v1',
    );
  });

  it("the controller's BUSY timeout becomes PanelBusyTimeoutError", async () => {
    const { panel } = await connect({ busyTimeout: true });
    await expect(panel.show(testFrame())).rejects.toBeInstanceOf(PanelBusyTimeoutError);
  });

  it('a controller that drives another panel is refused with the id to use', async () => {
    const { panel } = await connect({}, {}, 'inky-impression-7in3');
    await expect(panel.show(testFrame())).rejects.toThrow(
      'the panel controller on /dev/ttyPANEL drives "inky-impression-7in3", not "waveshare-7in3e": set --panel inky-impression-7in3',
    );
  });

  it('clear asks the controller to clear and waits for it', async () => {
    const { panel, controller } = await connect();
    await panel.clear();
    expect(controller.stats).toMatchObject({ clears: 1, refreshes: 0, sleeps: 1 });
  });

  it('a missing serial port is a TransportError naming it', async () => {
    await expect(SerialPanel.open('/dev/ttyNOPE', { ...PANEL, binding: MockBinding })).rejects.toThrow(
      /cannot open the serial port \/dev\/ttyNOPE/,
    );
  });
});
