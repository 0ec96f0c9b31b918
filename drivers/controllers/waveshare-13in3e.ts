// Waveshare 13.3" e-Paper (E), E Ink Spectra 6, 1200x1600 portrait, two controllers on two
// chip selects (cs0 the left 600 columns, cs1 the right 600). DC is held low: each command is
// told by its CS frame (CS low, command byte, data bytes, CS high). BUSY is low while busy.
import {
  cmdData,
  cmdTo,
  delay,
  pin,
  reset,
  waitFor,
  whiteNibbles,
  type ChipSelect,
  type PanelDriver,
  type Step,
} from '../driver.js';
import { splitHalves } from './frame-turn.js';

// The wire trace of waveshareteam/e-Paper @86aa993
// E-paper_Separate_Program/13.3inch_e-Paper_E/RaspberryPi/python/lib/epd13in3E.py: Reset
// (:61-71), Init (:115-225), display (:270-286), TurnOnDisplay (:92-113), sleep (:288-292),
// over its epdconfig.py's C library: DEV_ModuleInit leaves both chip selects, DC and RST low
// and switches the power on; DEV_ModuleExit drops them all (c/lib/Config/DEV_Config.c:196-203,
// :287-294). ReadBusyH polls every 5 ms until BUSY is high (:86-90).
const BOTH: readonly ChipSelect[] = ['cs0', 'cs1'];
const CS0: readonly ChipSelect[] = ['cs0'];
const ready = (after: string): Step => waitFor(1, after, 5);

function moduleInit(): Step[] {
  return [pin('cs0', 0), pin('cs1', 0), pin('dc', 0), pin('rst', 0), pin('pwr', 1)];
}
function moduleExit(): Step[] {
  return [pin('cs0', 0), pin('cs1', 0), pin('dc', 0), pin('rst', 0), pin('pwr', 0)];
}

function update(frame: Uint8Array): Step[] {
  const [left, right] = splitHalves(frame, 1200, 1600);
  return [
    cmdData(0x10, left, CS0),
    cmdData(0x10, right, ['cs1']),
    cmdTo(BOTH, 0x04), // power on
    ready('power on'),
    delay(50),
    cmdTo(BOTH, 0x12, 0x00), // display refresh
    ready('refresh'),
    // Power off, and no wait after it: the C driver's wait there is commented out too
    // (EPD_13in3e.c:192).
    cmdTo(BOTH, 0x02, 0x00),
  ];
}

export const waveshare13in3e: PanelDriver = {
  name: 'waveshare-13in3e',
  source:
    'waveshareteam/e-Paper @86aa993 E-paper_Separate_Program/13.3inch_e-Paper_E/RaspberryPi/python/lib/epd13in3E.py',
  width: 1200,
  height: 1600,
  bitsPerPixel: 4,
  busyLevel: 0,
  hat: 'waveshare-13in3e',
  spiHz: 4_000_000,
  framing: { kind: 'cs-only' },
  wake: () => [
    ...moduleInit(),
    reset(1),
    delay(30),
    reset(0),
    delay(30),
    reset(1),
    delay(30),
    reset(0),
    delay(30),
    reset(1),
    delay(30),
    ready('reset'),
    // Init lowers cs0 alone for 0x74, but module init left cs1 low: both controllers take it
    // (the C driver does the same, EPD_13in3e.c:205).
    cmdTo(CS0, 0x74, 0xc0, 0x1c, 0x1c, 0xcc, 0xcc, 0xcc, 0x15, 0x15, 0x55),
    cmdTo(BOTH, 0xf0, 0x49, 0x55, 0x13, 0x5d, 0x05, 0x10),
    cmdTo(BOTH, 0x00, 0xdf, 0x69), // panel setting
    cmdTo(BOTH, 0x50, 0xf7), // VCOM and data interval
    cmdTo(BOTH, 0x60, 0x03, 0x03), // TCON
    cmdTo(BOTH, 0x86, 0x10),
    cmdTo(BOTH, 0xe3, 0x22), // power saving
    cmdTo(BOTH, 0xe0, 0x01), // CCSET
    cmdTo(BOTH, 0x61, 0x04, 0xb0, 0x03, 0x20), // resolution, as each controller counts it
    cmdTo(CS0, 0x01, 0x0f, 0x00, 0x28, 0x2c, 0x28, 0x38), // power setting (master only)
    cmdTo(CS0, 0xb6, 0x07),
    cmdTo(CS0, 0x06, 0xe8, 0x28), // booster soft start
    cmdTo(CS0, 0xb7, 0x01),
    cmdTo(CS0, 0x05, 0xe8, 0x28),
    cmdTo(CS0, 0xb0, 0x01),
    cmdTo(CS0, 0xb1, 0x02),
  ],
  show: (frame) => update(frame),
  // Python's Clear() sends twice a controller's RAM (epd13in3E.py:256-266); the C driver's
  // EPD_13IN3E_Clear sends one frame (EPD_13in3e.c:280-294), as we do (drivers/departures.ts).
  clear: () => update(whiteNibbles(1200, 1600)),
  sleep: () => [
    cmdTo(BOTH, 0x07, 0xa5), // deep sleep
    delay(2000),
    ...moduleExit(),
  ],
};
