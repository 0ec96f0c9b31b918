// Each driver's byte stream, as it leaves through a transport, against the reference driver it
// was transcribed from, written out here command by command from the reference's source.
import { describe, expect, it } from 'vitest';
import { PANELS } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { SpiPanel } from '../../drivers/spi-panel.js';
import { HATS } from '../../drivers/hats.js';
import { TraceTransport, type TraceRecord } from '../../drivers/transports/trace.js';
import { packIndices, randomIndices } from '../emulator/frames.js';

/**
 * One line per event: "rst L" a reset-line level, "wait N" a delay, "busy" one wait for BUSY to
 * clear, and "CC DD DD ..." a command byte with its data bytes ("FRAME" = the frame buffer given,
 * "FILL xx" = a whole frame of byte xx).
 */
type Transcript = string[];

async function transcriptOf(panelId: string, action: 'show' | 'clear', frame: Uint8Array): Promise<Transcript> {
  const profile = PANELS.find((p) => p.id === panelId)!;
  const driver = driverFor(profile);
  const pins = HATS[driver.hat].pins;
  const records: TraceRecord[] = [];
  const trace = new TraceTransport((line) => void records.push(JSON.parse(line)), pins, {
    idleLevels: new Map([[pins.busy, (1 - driver.busyLevel) as 0 | 1]]),
  });
  const panel = new SpiPanel(driver, trace, pins);
  await (action === 'show' ? panel.show(frame) : panel.clear());
  const lines: Transcript = [];
  for (const r of records) {
    if (r.op === 'pin' && r.name === 'rst') lines.push(`rst ${r.level}`);
    else if (r.op === 'delay') lines.push(`wait ${r.ms}`);
    else if (r.op === 'read') lines.push('busy');
    else if (r.op === 'command') lines.push(r.byte);
    else if (r.op === 'data') {
      const bytes = Buffer.from(r.hex, 'hex');
      let text: string;
      if (bytes.equals(Buffer.from(frame))) text = 'FRAME';
      else if (bytes.length > 64 && bytes.every((b) => b === bytes[0])) text = `FILL ${r.hex.slice(0, 2)}`;
      else text = r.hex.match(/../g)!.join(' ');
      lines[lines.length - 1] += ' ' + text;
    }
  }
  return lines;
}

function frameFor(panelId: string): Uint8Array {
  const profile = PANELS.find((p) => p.id === panelId)!;
  return packIndices(randomIndices(profile, 7), profile);
}

const RESET_WAVESHARE = ['rst 1', 'wait 20', 'rst 0', 'wait 2', 'rst 1', 'wait 20'];

describe('driver byte streams match the reference drivers', () => {
  // waveshareteam/e-Paper RaspberryPi_JetsonNano/c/lib/e-Paper/EPD_7in3e.c:
  // EPD_7IN3E_Init, EPD_7IN3E_Display (0x10 + TurnOnDisplay), EPD_7IN3E_Sleep.
  const init7in3e = [
    ...RESET_WAVESHARE,
    'busy',
    'wait 30',
    'aa 49 55 20 08 09 18',
    '01 3f',
    '00 5f 69',
    '03 00 54 00 44',
    '05 40 1f 1f 2c',
    '06 6f 1f 17 49',
    '08 6f 1f 1f 22',
    '30 03',
    '50 3f',
    '60 02 00',
    '61 03 20 01 e0',
    '84 01',
    'e3 2f',
    '04',
    'busy',
  ];
  const turnOn7in3e = ['04', 'busy', '06 6f 1f 17 49', '12 00', 'busy', '02 00', 'busy'];
  const sleep7in3e = ['02 00', 'busy', '07 a5', 'wait 2000'];

  it('waveshare-7in3e shows a frame like EPD_7in3e.c', async () => {
    const frame = frameFor('waveshare-7in3e');
    expect(await transcriptOf('waveshare-7in3e', 'show', frame)).toEqual([
      ...init7in3e,
      '10 FRAME',
      ...turnOn7in3e,
      ...sleep7in3e,
    ]);
  });

  it('waveshare-7in3e clears to white (0x11) like EPD_7IN3E_Clear', async () => {
    expect(await transcriptOf('waveshare-7in3e', 'clear', new Uint8Array(0))).toEqual([
      ...init7in3e,
      '10 FILL 11',
      ...turnOn7in3e,
      ...sleep7in3e,
    ]);
  });

  // waveshareteam/e-Paper RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd7in3f.py:
  // init, display (0x10 + TurnOnDisplay), sleep.
  it('waveshare-7in3f shows a frame like epd7in3f.py', async () => {
    const frame = frameFor('waveshare-7in3f');
    expect(await transcriptOf('waveshare-7in3f', 'show', frame)).toEqual([
      ...RESET_WAVESHARE,
      'busy',
      'wait 30',
      'aa 49 55 20 08 09 18',
      '01 3f 00 32 2a 0e 2a',
      '00 5f 69',
      '03 00 54 00 44',
      '05 40 1f 1f 2c',
      '06 6f 1f 1f 22',
      '08 6f 1f 1f 22',
      '13 00 04',
      '30 3c',
      '41 00',
      '50 3f',
      '60 02 00',
      '61 03 20 01 e0',
      '82 1e',
      '84 00',
      '86 00',
      'e3 2f',
      'e0 00',
      'e6 00',
      '10 FRAME',
      '04',
      'busy',
      '12 00',
      'busy',
      '02 00',
      'busy',
      '07 a5',
      'wait 2000',
    ]);
  });

  // waveshareteam/e-Paper RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd7in5_V2.py at
  // 0871147b: init (Voltage_Frame_7IN5_V2 = 06 3f 3f 11 24 07 17, SetLut with the five 42-byte
  // LUTs), display (0x13, 0x12), sleep.
  const lut = (head: string) => `${head} ${'00 '.repeat(24).trim()}`;
  const init7in5 = [
    ...RESET_WAVESHARE,
    '01 17 17 3f 3f 11',
    '82 24',
    '06 27 27 2f 17',
    '30 06',
    '04',
    'wait 100',
    'busy',
    '00 1f',
    '61 03 20 01 e0',
    '15 00',
    '50 10 07',
    '60 22',
    '65 00 00 00 00',
    lut('20 00 0f 0f 00 00 01 00 0f 01 0f 01 02 00 0f 0f 00 00 01'),
    lut('21 10 0f 0f 00 00 01 84 0f 01 0f 01 02 20 0f 0f 00 00 01'),
    lut('22 10 0f 0f 00 00 01 84 0f 01 0f 01 02 20 0f 0f 00 00 01'),
    lut('23 80 0f 0f 00 00 01 84 0f 01 0f 01 02 40 0f 0f 00 00 01'),
    lut('24 80 0f 0f 00 00 01 84 0f 01 0f 01 02 40 0f 0f 00 00 01'),
  ];
  const sleep7in5 = ['02', 'busy', '07 a5', 'wait 2000'];

  it('waveshare-7in5-v2 shows a frame like epd7in5_V2.py', async () => {
    const frame = frameFor('waveshare-7in5-v2');
    expect(await transcriptOf('waveshare-7in5-v2', 'show', frame)).toEqual([
      ...init7in5,
      '13 FRAME',
      '12',
      'wait 100',
      'busy',
      ...sleep7in5,
    ]);
  });

  it('waveshare-7in5-v2 clears both frame RAMs to 0x00 like its Clear()', async () => {
    expect(await transcriptOf('waveshare-7in5-v2', 'clear', new Uint8Array(0))).toEqual([
      ...init7in5,
      '10 FILL 00',
      '13 FILL 00',
      '12',
      'wait 100',
      'busy',
      ...sleep7in5,
    ]);
  });

  // waveshareteam/e-Paper RaspberryPi_JetsonNano/python/lib/waveshare_epd/epd5in65f.py:
  // init, display, sleep (the wait after 0x02 is for ready, see drivers/waveshare-5in65f.ts).
  it('waveshare-5in65f shows a frame like epd5in65f.py', async () => {
    const frame = frameFor('waveshare-5in65f');
    expect(await transcriptOf('waveshare-5in65f', 'show', frame)).toEqual([
      'rst 1',
      'wait 600',
      'rst 0',
      'wait 2',
      'rst 1',
      'wait 200',
      'busy',
      '00 ef 08',
      '01 37 00 23 23',
      '03 00',
      '06 c7 c7 1d',
      '30 3c',
      '40 00',
      '50 37',
      '60 22',
      '61 02 58 01 c0',
      'e3 aa',
      'wait 100',
      '50 37',
      '61 02 58 01 c0',
      '10 FRAME',
      '04',
      'busy',
      '12',
      'busy',
      '02',
      'busy',
      'wait 500',
      'wait 500',
      '07 a5',
      'rst 0',
    ]);
  });

  // pimoroni/inky inky/inky_e673.py at e0c9d450: setup (reset, init), _update; then the
  // controller's deep sleep.
  it('inky-impression-7in3-spectra6 shows a frame like inky_e673.py', async () => {
    const frame = frameFor('inky-impression-7in3-spectra6');
    expect(await transcriptOf('inky-impression-7in3-spectra6', 'show', frame)).toEqual([
      'rst 0',
      'wait 30',
      'rst 1',
      'wait 30',
      'busy',
      'aa 49 55 20 08 09 18',
      '01 3f',
      '00 5f 69',
      '05 40 1f 1f 2c',
      '08 6f 1f 1f 22',
      '06 6f 1f 17 17',
      '03 00 54 00 44',
      '60 02 00',
      '30 08',
      '50 3f',
      '61 03 20 01 e0',
      'e3 2f',
      '82 01',
      '10 FRAME',
      '04',
      'busy',
      '06 6f 1f 17 49',
      '12 00',
      'busy',
      '02 00',
      'busy',
      '07 a5',
    ]);
  });

  // pimoroni/inky inky/inky_ac073tc1a.py: setup (double reset, init), _update; then the
  // controller's deep sleep.
  it('inky-impression-7in3 shows a frame like inky_ac073tc1a.py', async () => {
    const frame = frameFor('inky-impression-7in3');
    expect(await transcriptOf('inky-impression-7in3', 'show', frame)).toEqual([
      'rst 0',
      'wait 100',
      'rst 1',
      'wait 100',
      'rst 0',
      'wait 100',
      'rst 1',
      'busy',
      'aa 49 55 20 08 09 18',
      '01 3f 00 32 2a 0e 2a',
      '00 5f 69',
      '03 00 54 00 44',
      '05 40 1f 1f 2c',
      '06 6f 1f 16 25',
      '08 6f 1f 1f 22',
      '13 00 04',
      '30 02',
      '41 00',
      '50 3f',
      '60 02 00',
      '61 03 20 01 e0',
      '82 1e',
      '84 00',
      '86 00',
      'e3 2f',
      'e0 00',
      'e6 00',
      '10 FRAME',
      '04',
      'busy',
      '12 00',
      'busy',
      '02 00',
      'busy',
      '07 a5',
    ]);
  });

  it('inky-impression-7in3 sends index 7 (clean) as white, as inky_ac073tc1a.py does', async () => {
    const frame = new Uint8Array((800 * 480) / 2).fill(0x77);
    frame[0] = 0x70;
    frame[1] = 0x25;
    const lines = await transcriptOf('inky-impression-7in3', 'show', frame);
    const data = lines.find((l) => l.startsWith('10 '))!;
    expect(data.startsWith('10 FILL')).toBe(false);
    const sent = data.split(' ').slice(1, 4);
    expect(sent).toEqual(['10', '25', '11']);
  });

  it('every catalogue panel has a driver of its size and pixel format', () => {
    for (const p of PANELS) expect(() => driverFor(p)).not.toThrow();
  });
});
