// Pimoroni Inky Impression 5.7" (600x448) and 4" (640x400), 7-colour ACeP on a UC8159, two
// 4-bit indices a byte. BUSY is low while the controller works.
import { cmd, cmdData, delay, inkyBusyWait, reset, whiteNibbles, type PanelDriver, type Step } from '../driver.js';
import { inkyClaimLines } from './hat-lines.js';

// The wire trace of pimoroni/inky @07035b3 (v2.4.0) inky/inky_uc8159.py: setup (:205-323),
// _update (:344-360), _spi_write / _send_command (:420-461: the command and its data each in
// their own CS frame). The panel setting's first byte is computed from the resolution
// ((setting << 6) | 0b101111, :266-272) and the VCOM interval from the white border
// ((1 << 5) | 0x17, :304-305). Pimoroni sends no deep sleep: neither do we.
function uc8159(name: string, width: number, height: number, psr: number): PanelDriver {
  const update = (frame: Uint8Array): Step[] => [
    cmdData(0x10, frame),
    cmd(0x04), // power on
    inkyBusyWait('power on', 200),
    cmd(0x12), // display refresh
    inkyBusyWait('refresh', 32_000),
    cmd(0x02), // power off
    inkyBusyWait('power off', 200),
  ];
  return {
    name,
    source: 'pimoroni/inky @07035b3 (v2.4.0) inky/inky_uc8159.py',
    width,
    height,
    bitsPerPixel: 4,
    busyLevel: 0,
    hat: 'inky',
    spiHz: 3_000_000,
    framing: { kind: 'pimoroni' },
    wake: () => [
      ...inkyClaimLines(),
      reset(0),
      delay(100),
      reset(1),
      delay(100),
      inkyBusyWait('reset', 1000),
      cmd(0x61, width >> 8, width & 0xff, height >> 8, height & 0xff), // resolution
      cmd(0x00, psr, 0x08), // panel setting
      cmd(0x01, 0x37, 0x00, 0x23, 0x23), // power setting
      cmd(0x30, 0x3c), // PLL
      cmd(0x41, 0x00), // temperature sensor enable
      cmd(0x50, 0x37), // VCOM and data interval (white border)
      cmd(0x60, 0x22), // TCON
      cmd(0x65, 0x00), // gate/source start
      cmd(0xe3, 0xaa), // power saving
      cmd(0x03, 0x00), // power-off sequence
    ],
    show: (frame) => update(frame),
    clear: () => update(whiteNibbles(width, height)),
    sleep: () => [],
  };
}

/** Inky Impression 5.7": resolution setting 0b11 (600x448). */
export const inkyUc8159_600x448 = uc8159('inky-uc8159-600x448', 600, 448, 0xef);
/** Inky Impression 4": resolution setting 0b10 (640x400). */
export const inkyUc8159_640x400 = uc8159('inky-uc8159-640x400', 640, 400, 0xaf);
