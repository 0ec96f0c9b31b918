// Waveshare 5.65" e-Paper (F), 7-colour ACeP on a UC8159, 600x448, two 4-bit indices a byte.
// BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, waitReady, type PanelDriver, type Step } from '../driver.js';

// Transcribed from waveshareteam/e-Paper
// RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd5in65f.py (reset, init, display, Clear,
// sleep). One departure, which puts no byte on the bus: after power off (0x02) the reference
// waits for BUSY to *fall*, which hangs forever when the power-off has already finished by the
// first sample; we wait for the controller to be ready again, then keep its 500 ms pause.
const RESOLUTION = cmd(0x61, 0x02, 0x58, 0x01, 0xc0); // 600x448

function refresh(): Step[] {
  return [
    cmd(0x04), // power on
    waitReady('power on'),
    cmd(0x12), // display refresh
    waitReady('refresh'),
    cmd(0x02), // power off
    waitReady('power off'),
    delay(500),
  ];
}

export const waveshare5in65f: PanelDriver = {
  name: 'waveshare-5in65f',
  source: 'waveshareteam/e-Paper RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd5in65f.py',
  width: 600,
  height: 448,
  bitsPerPixel: 4,
  busyLevel: 0,
  busyPollMs: 10,
  hat: 'waveshare',
  spiHz: 4_000_000,
  wake: () => [
    reset(1),
    delay(600),
    reset(0),
    delay(2),
    reset(1),
    delay(200),
    waitReady('reset'),
    cmd(0x00, 0xef, 0x08), // panel setting
    cmd(0x01, 0x37, 0x00, 0x23, 0x23), // power setting
    cmd(0x03, 0x00), // power-off sequence
    cmd(0x06, 0xc7, 0xc7, 0x1d), // booster soft start
    cmd(0x30, 0x3c), // PLL
    cmd(0x40, 0x00), // temperature sensor
    cmd(0x50, 0x37), // VCOM and data interval
    cmd(0x60, 0x22), // TCON
    RESOLUTION,
    cmd(0xe3, 0xaa), // power saving
    delay(100),
    cmd(0x50, 0x37),
  ],
  show: (frame) => [RESOLUTION, cmdData(0x10, frame), ...refresh()],
  clear: () => [RESOLUTION, cmdData(0x10, new Uint8Array((600 * 448) / 2).fill(0x11)), ...refresh()],
  sleep: () => [
    delay(500),
    cmd(0x07, 0xa5), // deep sleep
    reset(0), // the reference leaves reset asserted while asleep
  ],
};
