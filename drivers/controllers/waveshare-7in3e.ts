// Waveshare 7.3" e-Paper (E), E Ink Spectra 6, 800x480, two 4-bit colour indices a byte.
// BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, waitReady, type PanelDriver, type Step } from '../driver.js';

// Transcribed from waveshareteam/e-Paper RaspberryPi_JetsonNano/c/lib/e-Paper/EPD_7in3e.c
// (EPD_7IN3E_Reset, _Init, _TurnOnDisplay, _Clear, _Sleep). The C driver is followed rather than
// python/lib/waveshare_epd/epd7in3e.py because it repeats the booster setting (0x06) after
// power-on, as Pimoroni's driver for the same glass does; the frame bytes are the same in both.
const BOOSTER_2 = [0x6f, 0x1f, 0x17, 0x49];

function refresh(): Step[] {
  return [
    cmd(0x04), // power on
    waitReady('power on'),
    cmd(0x06, ...BOOSTER_2), // second booster setting, once the charge pumps run
    cmd(0x12, 0x00), // display refresh
    waitReady('refresh'),
    cmd(0x02, 0x00), // power off
    waitReady('power off'),
  ];
}

export const waveshare7in3e: PanelDriver = {
  name: 'waveshare-7in3e',
  source: 'waveshareteam/e-Paper RaspberryPi_JetsonNano/c/lib/e-Paper/EPD_7in3e.c',
  width: 800,
  height: 480,
  bitsPerPixel: 4,
  busyLevel: 0,
  busyPollMs: 10,
  hat: 'waveshare',
  spiHz: 4_000_000,
  wake: () => [
    reset(1),
    delay(20),
    reset(0),
    delay(2),
    reset(1),
    delay(20),
    waitReady('reset'),
    delay(30),
    cmd(0xaa, 0x49, 0x55, 0x20, 0x08, 0x09, 0x18), // CMDH: unlocks the vendor registers
    cmd(0x01, 0x3f), // power setting
    cmd(0x00, 0x5f, 0x69), // panel setting
    cmd(0x03, 0x00, 0x54, 0x00, 0x44), // power-off sequence
    cmd(0x05, 0x40, 0x1f, 0x1f, 0x2c), // booster soft start 1
    cmd(0x06, ...BOOSTER_2), // booster soft start 2
    cmd(0x08, 0x6f, 0x1f, 0x1f, 0x22), // booster soft start 3
    cmd(0x30, 0x03), // PLL (frame rate)
    cmd(0x50, 0x3f), // VCOM and data interval
    cmd(0x60, 0x02, 0x00), // TCON
    cmd(0x61, 0x03, 0x20, 0x01, 0xe0), // resolution 800x480
    cmd(0x84, 0x01),
    cmd(0xe3, 0x2f), // power saving
    cmd(0x04), // power on
    waitReady('power on'),
  ],
  show: (frame) => [cmdData(0x10, frame), ...refresh()],
  // Index 1 is white: 0x11 paints two white pixels a byte.
  clear: () => [cmdData(0x10, new Uint8Array((800 * 480) / 2).fill(0x11)), ...refresh()],
  sleep: () => [
    cmd(0x02, 0x00), // power off
    waitReady('power off'),
    cmd(0x07, 0xa5), // deep sleep (0xA5 is the check code)
    // epd7in3e.py waits 2 s before cutting the HAT's power: the controller is still settling.
    delay(2000),
  ],
};
