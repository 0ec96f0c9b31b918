// Pimoroni Inky Impression 13.3" (Spectra 6, EL133UF1): takes a 1600x1200 landscape frame,
// sends it turned a quarter clockwise (1200 wide x 1600 tall) to two controllers on two chip
// selects, cs0 the left 600 columns of the turned frame, cs1 the right. BUSY is low while busy.
import {
  cmdData,
  cmdTo,
  delay,
  inkyEl133uf1BusyWait,
  reset,
  whiteNibbles,
  type ChipSelect,
  type PanelDriver,
  type Step,
} from '../driver.js';
import { splitHalves, turnClockwise } from './frame-turn.js';
import { inkyClaimLines } from './hat-lines.js';

// The wire trace of pimoroni/inky @07035b3 (v2.4.0) inky/inky_el133uf1.py (dfef252, the "AC
// waveform" init used for both EEPROM variants 21 and 27): setup (:196-264), _update
// (:282-298), show (:308-330: rot90(buf, -1), then columns 0..599 to cs0, 600..1199 to cs1),
// _send_command (:382-403). Pimoroni sends no deep sleep: neither do we. Its _busy_wait
// (:266-280) sleeps the timeout on a line high at the first sample and ends at once on a busy
// (low) one (its loop, :276, waits while BUSY is high): we follow it (inkyEl133uf1BusyWait).
const BOTH: readonly ChipSelect[] = ['cs0', 'cs1'];
const CS0: readonly ChipSelect[] = ['cs0'];

function update(frame: Uint8Array): Step[] {
  const [left, right] = splitHalves(turnClockwise(frame, 1600, 1200), 1200, 1600);
  return [
    cmdData(0x10, left, CS0),
    cmdData(0x10, right, ['cs1']),
    cmdTo(BOTH, 0x04), // power on
    inkyEl133uf1BusyWait('power on', 200),
    cmdTo(BOTH, 0x12, 0x00), // display refresh
    inkyEl133uf1BusyWait('refresh', 32_000),
    cmdTo(BOTH, 0x02, 0x00), // power off
    inkyEl133uf1BusyWait('power off', 200),
  ];
}

export const inkyEl133uf1: PanelDriver = {
  name: 'inky-el133uf1',
  source: 'pimoroni/inky @07035b3 (v2.4.0) inky/inky_el133uf1.py',
  width: 1600,
  height: 1200,
  bitsPerPixel: 4,
  busyLevel: 0,
  hat: 'inky-13in3',
  spiHz: 10_000_000,
  framing: { kind: 'pimoroni-spectra', pauseBeforeCommandMs: 300 },
  wake: () => [
    ...inkyClaimLines(true),
    reset(0),
    delay(30),
    reset(1),
    delay(30),
    inkyEl133uf1BusyWait('reset', 300),
    cmdTo(CS0, 0x74, 0x00, 0x0c, 0x0c, 0xd9, 0xdd, 0xdd, 0x15, 0x15, 0x55),
    cmdTo(BOTH, 0xf0, 0x49, 0x55, 0x13, 0x5d, 0x05, 0x10),
    cmdTo(BOTH, 0x00, 0xdf, 0x6b), // panel setting
    cmdTo(CS0, 0xa5, 0x44, 0x54, 0x00),
    cmdTo(BOTH, 0x30, 0x08), // PLL
    cmdTo(BOTH, 0x50, 0x37), // VCOM and data interval
    cmdTo(BOTH, 0x60, 0x03, 0x03), // TCON
    cmdTo(CS0, 0x03, 0x00, 0xc0, 0x03, 0xa8), // power-off sequence, one value per controller
    cmdTo(['cs1'], 0x03, 0x00, 0xc0, 0x03, 0x9a),
    cmdTo(BOTH, 0x86, 0x10),
    cmdTo(BOTH, 0xe3, 0x22), // power saving
    cmdTo(BOTH, 0xe0, 0x01), // CCSET
    cmdTo(BOTH, 0x61, 0x04, 0xb0, 0x03, 0x20), // resolution, as each controller counts it
    cmdTo(CS0, 0xa4, 0x03, 0x00, 0x01, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00),
    cmdTo(CS0, 0x01, 0x0f, 0x00, 0x28, 0x2c, 0x28, 0x38), // power setting
    cmdTo(CS0, 0xb6, 0x07),
    cmdTo(CS0, 0x06, 0xe0, 0x20), // booster soft start
    cmdTo(CS0, 0xb7, 0x01),
    cmdTo(CS0, 0x05, 0xe0, 0x20),
    cmdTo(CS0, 0xb0, 0x01),
    cmdTo(CS0, 0xb1, 0x02),
  ],
  show: (frame) => update(frame),
  clear: () => update(whiteNibbles(1600, 1200)),
  sleep: () => [],
};
