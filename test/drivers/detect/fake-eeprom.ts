// Byte fixtures of the Inky EEPROM record, built from the documented layout (struct "<HHBBB22p",
// inky/eeprom.py:77-92), and a simulated 24Cxx EEPROM on the I2C bus: a two-byte write sets its
// address, a read returns from there; absent, it acknowledges nothing (ENXIO, as i2c-dev reports).
import type { I2cDevice, OpenI2c } from '../../../drivers/i2c.js';

export interface RecordFields {
  width: number;
  height: number;
  colour: number;
  pcb: number;
  variant: number;
  /** str(datetime.now()) when programmed: Python's "22p" keeps at most 21 characters. */
  time: string;
}

export function eepromRecord(f: RecordFields): Buffer {
  const b = Buffer.alloc(29);
  b.writeUInt16LE(f.width, 0);
  b.writeUInt16LE(f.height, 2);
  b[4] = f.colour;
  b[5] = f.pcb;
  b[6] = f.variant;
  const text = f.time.slice(0, 21);
  b[7] = text.length;
  b.write(text, 8, 'latin1');
  return b;
}

function errno(code: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: write`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

export interface FakeBus {
  open: OpenI2c;
  /** Every transaction, as "bus/address write|read bytes". */
  log: string[];
}

/** `memory` undefined: nothing answers at 0x50. `readLimit`: a read that stops short. */
export function fakeI2c(
  memory: Uint8Array | undefined,
  options: { readLimit?: number; openError?: string } = {},
): FakeBus {
  const log: string[] = [];
  const open: OpenI2c = (bus, address) => {
    if (options.openError) throw errno(options.openError);
    let pointer = 0;
    const device: I2cDevice = {
      write(bytes) {
        log.push(`${bus}/0x${address.toString(16)} write ${Buffer.from(bytes).toString('hex')}`);
        if (!memory || address !== 0x50) throw errno('ENXIO');
        if (bytes.length >= 2) pointer = (bytes[0]! << 8) | bytes[1]!;
      },
      read(length) {
        log.push(`${bus}/0x${address.toString(16)} read ${length}`);
        if (!memory || address !== 0x50) throw errno('ENXIO');
        const n = Math.min(length, options.readLimit ?? length);
        const out = Buffer.alloc(n, 0xff);
        Buffer.from(memory).copy(out, 0, pointer, pointer + n);
        pointer += n;
        return out;
      },
      close() {},
    };
    return device;
  };
  return { open, log };
}

/** A 4 KiB EEPROM (24C32) holding `record` at 0x0000 and 0xff after it. */
export function eepromMemory(record: Uint8Array): Uint8Array {
  const mem = Buffer.alloc(4096, 0xff);
  Buffer.from(record).copy(mem, 0);
  return mem;
}
