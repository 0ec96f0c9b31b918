// Waveshare 4.01" e-Paper (F), 7-colour ACeP on a UC8159, 640x400, two 4-bit indices a byte.
// BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, waitFor, whiteNibbles, type PanelDriver, type Step } from '../driver.js';
import { waveshareModuleExit, waveshareModuleInit } from './hat-lines.js';

// The wire trace of waveshareteam/e-Paper @86aa993
// RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd4in01f.py: reset (:59-65), init
// (:98-134), display (:192-206), sleep (:232-237). ReadBusyHigh polls every 10 ms until BUSY
// is high (:86-90); after power off ReadBusyLow waits for BUSY to fall (:92-96), with no
// limit: here it gives up after 2 s and goes on (no byte changes).
const ready = (after: string): Step => waitFor(1, after, 10);
const RESOLUTION = [0x02, 0x80, 0x01, 0x90]; // 640x400

function refresh(frame: Uint8Array): Step[] {
  return [
    cmd(0x61, ...RESOLUTION),
    cmdData(0x10, frame),
    cmd(0x04), // power on
    ready('power on'),
    cmd(0x12), // display refresh
    ready('refresh'),
    cmd(0x02), // power off
    { op: 'waitBusy', level: 0, pollMs: 10, timeoutMs: 2000, after: 'power off', onTimeout: 'continue' },
  ];
}

export const waveshare4in01f: PanelDriver = {
  name: 'waveshare-4in01f',
  source: 'waveshareteam/e-Paper @86aa993 RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd4in01f.py',
  width: 640,
  height: 400,
  bitsPerPixel: 4,
  busyLevel: 0,
  hat: 'waveshare',
  spiHz: 4_000_000,
  framing: { kind: 'waveshare' },
  wake: () => [
    ...waveshareModuleInit(),
    reset(1),
    delay(200),
    reset(0),
    delay(1),
    reset(1),
    delay(200),
    ready('reset'),
    cmd(0x00, 0x2f, 0x00), // panel setting
    cmd(0x01, 0x37, 0x00, 0x05, 0x05), // power setting
    cmd(0x03, 0x00), // power-off sequence
    cmd(0x06, 0xc7, 0xc7, 0x1d), // booster soft start
    cmd(0x41, 0x00), // temperature sensor enable
    cmd(0x50, 0x37), // VCOM and data interval
    cmd(0x60, 0x22), // TCON
    cmd(0x61, ...RESOLUTION),
    cmd(0xe3, 0xaa), // power saving
  ],
  show: (frame) => refresh(frame),
  // Clear() sends what display() sends for an all-white frame (:208-230).
  clear: () => refresh(whiteNibbles(640, 400)),
  sleep: () => [
    cmd(0x07, 0xa5), // deep sleep
    delay(2000),
    ...waveshareModuleExit(),
  ],
};
