// Pimoroni Inky Impression 7.3" (Spectra 6 edition), E Ink Spectra 6, 800x480, two 4-bit
// indices a byte. BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, waitReady, type PanelDriver, type Step } from '../driver.js';

// Transcribed from pimoroni/inky inky/inky_e673.py at commit
// e0c9d45002e0a94094c949dfadb3226084486235 (setup, _update). Pimoroni sleeps 300 ms before
// every command byte; the controller needs no such pause (Waveshare's driver for the same
// Spectra 6 controller has none), so it is left out: it changes no byte on the bus. The
// reference never sends deep sleep; the command (0x07, check code 0xA5) is the controller's, as
// in Waveshare's EPD_7in3e.c.
function refresh(): Step[] {
  return [
    cmd(0x04), // power on
    waitReady('power on'),
    cmd(0x06, 0x6f, 0x1f, 0x17, 0x49), // second booster setting
    cmd(0x12, 0x00), // display refresh
    waitReady('refresh'),
    cmd(0x02, 0x00), // power off
    waitReady('power off'),
  ];
}

export const inkyE673: PanelDriver = {
  name: 'inky-e673',
  source: 'pimoroni/inky inky/inky_e673.py',
  width: 800,
  height: 480,
  bitsPerPixel: 4,
  busyLevel: 0,
  busyPollMs: 10,
  hat: 'inky',
  spiHz: 1_000_000,
  wake: () => [
    reset(0),
    delay(30),
    reset(1),
    delay(30),
    waitReady('reset'),
    cmd(0xaa, 0x49, 0x55, 0x20, 0x08, 0x09, 0x18), // CMDH
    cmd(0x01, 0x3f), // power setting
    cmd(0x00, 0x5f, 0x69), // panel setting
    cmd(0x05, 0x40, 0x1f, 0x1f, 0x2c), // booster soft start 1
    cmd(0x08, 0x6f, 0x1f, 0x1f, 0x22), // booster soft start 3
    cmd(0x06, 0x6f, 0x1f, 0x17, 0x17), // booster soft start 2
    cmd(0x03, 0x00, 0x54, 0x00, 0x44), // power-off sequence
    cmd(0x60, 0x02, 0x00), // TCON
    cmd(0x30, 0x08), // PLL
    cmd(0x50, 0x3f), // VCOM and data interval
    cmd(0x61, 0x03, 0x20, 0x01, 0xe0), // resolution 800x480
    cmd(0xe3, 0x2f), // power saving
    cmd(0x82, 0x01), // VCOM DC
  ],
  show: (frame) => [cmdData(0x10, frame), ...refresh()],
  clear: () => [cmdData(0x10, new Uint8Array((800 * 480) / 2).fill(0x11)), ...refresh()],
  sleep: () => [cmd(0x07, 0xa5)],
};
