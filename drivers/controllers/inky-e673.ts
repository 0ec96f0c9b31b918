// Pimoroni Inky Impression 7.3" (Spectra 6 edition), E Ink Spectra 6, 800x480, two 4-bit
// indices a byte. BUSY is low while the controller works.
import { cmd, cmdData, delay, inkyBusyWait, reset, whiteNibbles, type PanelDriver, type Step } from '../driver.js';
import { inkyClaimLines } from './hat-lines.js';

// The wire trace of pimoroni/inky @07035b3 (v2.4.0) inky/inky_e673.py: setup (:172-225),
// _update (:243-265), _send_command (:367-378: CS and DC low, 300 ms, command, DC high, data).
// Since 2ef957e (2026-04-13) the update ends by re-sending the panel setting 0x00 [4f 6e] for
// the "AC waveform" glass (:264-265). Pimoroni sends no deep sleep: neither do we.
function update(frame: Uint8Array): Step[] {
  return [
    cmdData(0x10, frame),
    cmd(0x04), // power on
    inkyBusyWait('power on', 300),
    cmd(0x06, 0x6f, 0x1f, 0x17, 0x49), // second booster setting
    cmd(0x12, 0x00), // display refresh
    inkyBusyWait('refresh', 32_000),
    cmd(0x02, 0x00), // power off
    inkyBusyWait('power off', 300),
    cmd(0x00, 0x4f, 0x6e), // panel setting for the AC waveform
    inkyBusyWait('panel setting', 300),
  ];
}

export const inkyE673: PanelDriver = {
  name: 'inky-e673',
  source: 'pimoroni/inky @07035b3 (v2.4.0) inky/inky_e673.py',
  width: 800,
  height: 480,
  bitsPerPixel: 4,
  busyLevel: 0,
  hat: 'inky',
  spiHz: 1_000_000,
  framing: { kind: 'pimoroni-spectra', pauseBeforeCommandMs: 300 },
  wake: () => [
    ...inkyClaimLines(),
    reset(0),
    delay(30),
    reset(1),
    delay(30),
    inkyBusyWait('reset', 300),
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
  show: (frame) => update(frame),
  clear: () => update(whiteNibbles(800, 480)),
  sleep: () => [],
};
