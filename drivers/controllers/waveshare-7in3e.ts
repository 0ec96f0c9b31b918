// Waveshare 7.3" e-Paper (E), E Ink Spectra 6, 800x480, two 4-bit colour indices a byte.
// BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, waitFor, whiteNibbles, type PanelDriver, type Step } from '../driver.js';
import { waveshareModuleExit, waveshareModuleInit } from './hat-lines.js';

// The wire trace of waveshareteam/e-Paper @86aa993
// RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd7in3e.py: reset (:62-68), init (:107-178),
// display (:209-213), TurnOnDisplay (:95-105), sleep (:221-225). ReadBusyH polls every 5 ms
// until BUSY is high (:89-93).
const ready = (after: string): Step => waitFor(1, after, 5);

function turnOnDisplay(): Step[] {
  return [
    cmd(0x04), // power on
    ready('power on'),
    cmd(0x12, 0x00), // display refresh
    ready('refresh'),
    cmd(0x02, 0x00), // power off
    ready('power off'),
  ];
}

export const waveshare7in3e: PanelDriver = {
  name: 'waveshare-7in3e',
  source: 'waveshareteam/e-Paper @86aa993 RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd7in3e.py',
  width: 800,
  height: 480,
  bitsPerPixel: 4,
  busyLevel: 0,
  hat: 'waveshare',
  spiHz: 4_000_000,
  framing: { kind: 'waveshare' },
  wake: () => [
    ...waveshareModuleInit(),
    reset(1),
    delay(20),
    reset(0),
    delay(2),
    reset(1),
    delay(20),
    ready('reset'),
    delay(30),
    cmd(0xaa, 0x49, 0x55, 0x20, 0x08, 0x09, 0x18), // CMDH: unlocks the vendor registers
    cmd(0x01, 0x3f), // power setting
    cmd(0x00, 0x5f, 0x69), // panel setting
    cmd(0x03, 0x00, 0x54, 0x00, 0x44), // power-off sequence
    cmd(0x05, 0x40, 0x1f, 0x1f, 0x2c), // booster soft start 1
    cmd(0x06, 0x6f, 0x1f, 0x17, 0x49), // booster soft start 2
    cmd(0x08, 0x6f, 0x1f, 0x1f, 0x22), // booster soft start 3
    cmd(0x30, 0x03), // PLL (frame rate)
    cmd(0x50, 0x3f), // VCOM and data interval
    cmd(0x60, 0x02, 0x00), // TCON
    cmd(0x61, 0x03, 0x20, 0x01, 0xe0), // resolution 800x480
    cmd(0x84, 0x01),
    cmd(0xe3, 0x2f), // power saving
    cmd(0x04), // power on
    ready('power on'),
  ],
  show: (frame) => [cmdData(0x10, frame), ...turnOnDisplay()],
  // Clear(0x11) sends what display() sends for an all-white frame (index 1 is white).
  clear: () => [cmdData(0x10, whiteNibbles(800, 480)), ...turnOnDisplay()],
  sleep: () => [
    cmd(0x07, 0xa5), // deep sleep (0xA5 is the check code); the refresh powered off already
    delay(2000),
    ...waveshareModuleExit(),
  ],
};
