// Waveshare 5.65" e-Paper (F), 7-colour ACeP on a UC8159, 600x448, two 4-bit indices a byte.
// BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, waitFor, whiteNibbles, type PanelDriver, type Step } from '../driver.js';
import { waveshareModuleExit, waveshareModuleInit } from './hat-lines.js';

// The wire trace of waveshareteam/e-Paper @86aa993
// RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd5in65f.py: reset (:63-69), init
// (:102-143), display (:173-188), sleep (:210-216). ReadBusyHigh polls every 100 ms until BUSY
// is high (:90-94); after power off ReadBusyLow waits for BUSY to *fall* (:96-100), with no
// limit: here it gives up after 2 s and goes on, since a power-off that ended before the first
// sample would otherwise hang the frame (no byte changes).
const ready = (after: string): Step => waitFor(1, after, 100);
const RESOLUTION = [0x02, 0x58, 0x01, 0xc0]; // 600x448

function refresh(frame: Uint8Array): Step[] {
  return [
    cmd(0x61, ...RESOLUTION),
    cmdData(0x10, frame),
    cmd(0x04), // power on
    ready('power on'),
    cmd(0x12), // display refresh
    ready('refresh'),
    cmd(0x02), // power off
    { op: 'waitBusy', level: 0, pollMs: 100, timeoutMs: 2000, after: 'power off', onTimeout: 'continue' },
    delay(500),
  ];
}

export const waveshare5in65f: PanelDriver = {
  name: 'waveshare-5in65f',
  source: 'waveshareteam/e-Paper @86aa993 RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd5in65f.py',
  width: 600,
  height: 448,
  bitsPerPixel: 4,
  busyLevel: 0,
  hat: 'waveshare',
  spiHz: 4_000_000,
  framing: { kind: 'waveshare' },
  wake: () => [
    ...waveshareModuleInit(),
    reset(1),
    delay(600),
    reset(0),
    delay(2),
    reset(1),
    delay(200),
    ready('reset'),
    cmd(0x00, 0xef, 0x08), // panel setting
    cmd(0x01, 0x37, 0x00, 0x23, 0x23), // power setting
    cmd(0x03, 0x00), // power-off sequence
    cmd(0x06, 0xc7, 0xc7, 0x1d), // booster soft start
    cmd(0x30, 0x3c), // PLL
    cmd(0x41, 0x00), // temperature sensor enable
    cmd(0x50, 0x37), // VCOM and data interval
    cmd(0x60, 0x22), // TCON
    cmd(0x61, ...RESOLUTION),
    cmd(0xe3, 0xaa), // power saving
    delay(100),
    cmd(0x50, 0x37),
  ],
  show: (frame) => refresh(frame),
  // Clear() sends what display() sends for an all-white frame (:190-208).
  clear: () => refresh(whiteNibbles(600, 448)),
  sleep: () => [
    delay(500),
    cmd(0x07, 0xa5), // deep sleep
    reset(0), // the reference leaves reset asserted while asleep
    delay(2000),
    ...waveshareModuleExit(),
  ],
};
