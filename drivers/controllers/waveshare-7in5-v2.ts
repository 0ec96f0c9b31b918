// Waveshare 7.5" e-Paper V2, black and white, 800x480, one bit a pixel (1 = black on the wire).
// BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, waitReady, type PanelDriver, type Step } from '../driver.js';

// Transcribed from waveshareteam/e-Paper RaspberryPi_JetsonNano/python/lib/waveshare_epd/
// epd7in5_V2.py at commit 0871147bb70fb5d78287f4cd9ea388c5842b340b (init with the register
// waveform, display, Clear, sleep). A later revision polls BUSY by re-sending GET_STATUS (0x71)
// while waiting, which puts a timing-dependent number of bytes on the bus; this one only samples
// the pin.
const VOLTAGE_FRAME = [0x06, 0x3f, 0x3f, 0x11, 0x24, 0x07, 0x17] as const;
const [OSC, VSH, VSL, VSHR, VCOM, , VGH_VGL] = VOLTAGE_FRAME;

const LUT_VCOM = [
  0x00,
  0x0f,
  0x0f,
  0x00,
  0x00,
  0x01,
  0x00,
  0x0f,
  0x01,
  0x0f,
  0x01,
  0x02,
  0x00,
  0x0f,
  0x0f,
  0x00,
  0x00,
  0x01,
  ...new Array<number>(24).fill(0),
];
const LUT_WW = [
  0x10,
  0x0f,
  0x0f,
  0x00,
  0x00,
  0x01,
  0x84,
  0x0f,
  0x01,
  0x0f,
  0x01,
  0x02,
  0x20,
  0x0f,
  0x0f,
  0x00,
  0x00,
  0x01,
  ...new Array<number>(24).fill(0),
];
const LUT_BW = LUT_WW;
const LUT_WB = [
  0x80,
  0x0f,
  0x0f,
  0x00,
  0x00,
  0x01,
  0x84,
  0x0f,
  0x01,
  0x0f,
  0x01,
  0x02,
  0x40,
  0x0f,
  0x0f,
  0x00,
  0x00,
  0x01,
  ...new Array<number>(24).fill(0),
];
const LUT_BB = LUT_WB;

const FRAME_BYTES = (800 * 480) / 8;

function refresh(): Step[] {
  return [cmd(0x12), delay(100), waitReady('refresh')];
}

export const waveshare7in5v2: PanelDriver = {
  name: 'waveshare-7in5-v2',
  source: 'waveshareteam/e-Paper RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd7in5_V2.py',
  width: 800,
  height: 480,
  bitsPerPixel: 1,
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
    cmd(0x01, 0x17, VGH_VGL, VSH, VSL, VSHR), // power setting
    cmd(0x82, VCOM), // VCOM DC
    cmd(0x06, 0x27, 0x27, 0x2f, 0x17), // booster soft start
    cmd(0x30, OSC), // PLL
    cmd(0x04), // power on
    delay(100),
    waitReady('power on'),
    cmd(0x00, 0x1f), // panel setting: black/white, waveform from OTP
    cmd(0x61, 0x03, 0x20, 0x01, 0xe0), // resolution 800x480
    cmd(0x15, 0x00), // dual SPI off
    cmd(0x50, 0x10, 0x07), // VCOM and data interval
    cmd(0x60, 0x22), // TCON
    cmd(0x65, 0x00, 0x00, 0x00, 0x00), // gate/source start
    cmd(0x20, ...LUT_VCOM),
    cmd(0x21, ...LUT_WW),
    cmd(0x22, ...LUT_BW),
    cmd(0x23, ...LUT_WB),
    cmd(0x24, ...LUT_BB),
  ],
  show: (frame) => [cmdData(0x13, frame), ...refresh()],
  // Both RAMs (old 0x10, new 0x13) to all-white, so the next update starts from a known state.
  clear: () => [cmdData(0x10, new Uint8Array(FRAME_BYTES)), cmdData(0x13, new Uint8Array(FRAME_BYTES)), ...refresh()],
  sleep: () => [
    cmd(0x02), // power off
    waitReady('power off'),
    cmd(0x07, 0xa5), // deep sleep
    delay(2000),
  ],
};
