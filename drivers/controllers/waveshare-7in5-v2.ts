// Waveshare 7.5" e-Paper V2, black and white, 800x480, one bit a pixel (1 = black in the frame
// buffer). BUSY is low while the controller works.
import { cmd, cmdData, delay, reset, type PanelDriver, type Step } from '../driver.js';
import { waveshareModuleExit, waveshareModuleInit } from './hat-lines.js';

// The wire trace of waveshareteam/e-Paper @86aa993
// RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd7in5_V2.py (af4d8b4): reset (:59-65),
// init (:95-143: the panel's own OTP waveform, no LUTs), display (:293-311), sleep (:437-444).
// ReadBusy (:85-93) sends GET_STATUS (0x71) before every BUSY sample and waits 20 ms once BUSY
// is high: with a live BUSY line the number of 0x71 bytes depends on the panel's timing (the
// vendor polls without a pause; we pause 10 ms between polls).
function readBusy(after: string): Step[] {
  return [
    { op: 'waitBusy', level: 1, pollMs: 10, timeoutMs: 40_000, after, pollCommand: 0x71, onTimeout: 'fail' },
    delay(20),
  ];
}

const FRAME_BYTES = (800 * 480) / 8;

/** display(): the old-data RAM (0x10) gets the buffer inverted, the new-data RAM (0x13) the buffer. */
function refresh(frame: Uint8Array): Step[] {
  const inverted = Uint8Array.from(frame, (b) => ~b & 0xff);
  return [cmdData(0x10, inverted), cmdData(0x13, frame), cmd(0x12), delay(100), ...readBusy('refresh')];
}

export const waveshare7in5v2: PanelDriver = {
  name: 'waveshare-7in5-v2',
  source: 'waveshareteam/e-Paper @86aa993 RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd7in5_V2.py',
  width: 800,
  height: 480,
  bitsPerPixel: 1,
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
    cmd(0x06, 0x17, 0x17, 0x28, 0x17), // booster soft start
    cmd(0x01, 0x07, 0x07, 0x28, 0x17), // power setting
    cmd(0x04), // power on
    delay(100),
    ...readBusy('power on'),
    cmd(0x00, 0x1f), // panel setting: black/white, waveform from OTP
    cmd(0x61, 0x03, 0x20, 0x01, 0xe0), // resolution 800x480
    cmd(0x15, 0x00), // dual SPI off
    cmd(0x50, 0x10, 0x07), // VCOM and data interval
    cmd(0x60, 0x22), // TCON
  ],
  show: (frame) => refresh(frame),
  // Clear() sends what display() sends for an all-white (all-zero) buffer (:313-321).
  clear: () => refresh(new Uint8Array(FRAME_BYTES)),
  sleep: () => [
    cmd(0x50, 0xf7), // border floating
    cmd(0x02), // power off
    ...readBusy('power off'),
    cmd(0x07, 0xa5), // deep sleep
    delay(2000),
    ...waveshareModuleExit(),
  ],
};
