// Pimoroni Inky Impression 7.3" (7-colour edition), ACeP AC073TC1A, 800x480, two 4-bit indices
// a byte. BUSY is low while the controller works.
import { cmd, cmdData, delay, inkyBusyWait, reset, whiteNibbles, type PanelDriver, type Step } from '../driver.js';
import { inkyClaimLines } from './hat-lines.js';

// The wire trace of pimoroni/inky @07035b3 (v2.4.0) inky/inky_ac073tc1a.py: setup (:192-277),
// _update (:297-328), _send_command / _spi_write (:388-420: the command and its data each in
// their own CS frame). Pimoroni sends no deep sleep: neither do we.
const CLEAN = 7;
const WHITE = 1;

/**
 * Index 7 ("clean") leaves ink half-moved on this glass; the reference rewrites it to white in
 * either nibble before sending (:311-317), so a frame from anywhere shows the same.
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

function update(frame: Uint8Array): Step[] {
  return [
    cmdData(0x10, withoutClean(frame)),
    cmd(0x04), // power on
    inkyBusyWait('power on', 400),
    cmd(0x12, 0x00), // display refresh ("41 seconds in testing", the reference allows 45)
    inkyBusyWait('refresh', 45_000),
    cmd(0x02, 0x00), // power off
    inkyBusyWait('power off', 400),
  ];
}

export const inkyAc073tc1a: PanelDriver = {
  name: 'inky-ac073tc1a',
  source: 'pimoroni/inky @07035b3 (v2.4.0) inky/inky_ac073tc1a.py',
  width: 800,
  height: 480,
  bitsPerPixel: 4,
  busyLevel: 0,
  hat: 'inky',
  spiHz: 5_000_000,
  framing: { kind: 'pimoroni' },
  wake: () => [
    ...inkyClaimLines(),
    reset(0),
    delay(100),
    reset(1),
    delay(100),
    reset(0),
    delay(100),
    reset(1),
    inkyBusyWait('reset', 1000),
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
  show: (frame) => update(frame),
  clear: () => update(whiteNibbles(800, 480)),
  sleep: () => [],
};
