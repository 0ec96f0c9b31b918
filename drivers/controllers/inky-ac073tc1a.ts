// Pimoroni Inky Impression 7.3" (7-colour edition), ACeP AC073TC1A, 800x480, two 4-bit indices
// a byte. BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, waitReady, type PanelDriver, type Step } from '../driver.js';

// Transcribed from pimoroni/inky inky/inky_ac073tc1a.py (setup, _update). The reference never
// sends deep sleep; the command (0x07, check code 0xA5) is the controller's, as in Waveshare's
// epd7in3f.py for the same glass.
const CLEAN = 7;
const WHITE = 1;

/**
 * Index 7 ("clean") leaves ink half-moved on this glass; the reference rewrites it to white
 * before sending, so a frame from anywhere shows the same.
 */
export function withoutClean(frame: Uint8Array): Uint8Array {
  const out = Uint8Array.from(frame);
  for (let i = 0; i < out.length; i++) {
    let b = out[i]!;
    if ((b & 0x0f) === CLEAN) b = (b & 0xf0) | WHITE;
    if (b >> 4 === CLEAN) b = (WHITE << 4) | (b & 0x0f);
    out[i] = b;
  }
  return out;
}

function refresh(): Step[] {
  return [
    cmd(0x04), // power on
    waitReady('power on'),
    cmd(0x12, 0x00), // display refresh
    // "41 seconds in testing" says the reference, which allows 45 s.
    waitReady('refresh', 60_000),
    cmd(0x02, 0x00), // power off
    waitReady('power off'),
  ];
}

export const inkyAc073tc1a: PanelDriver = {
  name: 'inky-ac073tc1a',
  source: 'pimoroni/inky inky/inky_ac073tc1a.py',
  width: 800,
  height: 480,
  bitsPerPixel: 4,
  busyLevel: 0,
  busyPollMs: 10,
  hat: 'inky',
  spiHz: 5_000_000,
  wake: () => [
    reset(0),
    delay(100),
    reset(1),
    delay(100),
    reset(0),
    delay(100),
    reset(1),
    waitReady('reset'),
    cmd(0xaa, 0x49, 0x55, 0x20, 0x08, 0x09, 0x18), // CMDH
    cmd(0x01, 0x3f, 0x00, 0x32, 0x2a, 0x0e, 0x2a), // power setting
    cmd(0x00, 0x5f, 0x69), // panel setting
    cmd(0x03, 0x00, 0x54, 0x00, 0x44), // power-off sequence
    cmd(0x05, 0x40, 0x1f, 0x1f, 0x2c), // booster soft start 1
    cmd(0x06, 0x6f, 0x1f, 0x16, 0x25), // booster soft start 2
    cmd(0x08, 0x6f, 0x1f, 0x1f, 0x22), // booster soft start 3
    cmd(0x13, 0x00, 0x04), // IPC
    cmd(0x30, 0x02), // PLL
    cmd(0x41, 0x00), // temperature sensor enable
    cmd(0x50, 0x3f), // VCOM and data interval
    cmd(0x60, 0x02, 0x00), // TCON
    cmd(0x61, 0x03, 0x20, 0x01, 0xe0), // resolution 800x480
    cmd(0x82, 0x1e), // VCOM DC
    cmd(0x84, 0x00),
    cmd(0x86, 0x00), // AGID
    cmd(0xe3, 0x2f), // power saving
    cmd(0xe0, 0x00), // CCSET
    cmd(0xe6, 0x00), // TSSET
  ],
  show: (frame) => [cmdData(0x10, withoutClean(frame)), ...refresh()],
  clear: () => [cmdData(0x10, new Uint8Array((800 * 480) / 2).fill(0x11)), ...refresh()],
  sleep: () => [cmd(0x07, 0xa5)],
};
