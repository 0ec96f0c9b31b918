// A Witty Pi 4 as a wake board, through its microcontroller's I2C registers (address 0x08 on bus
// 1). Facts from uugear/Witty-Pi-4@e833c8d:
// - Software/wittypi/utilities.sh lines 10-12 (address 0x08, bus 1), 15-21 (registers 1-2: input
//   volts, whole and hundredths; 7: power mode), 40-43 (27-30: startup alarm second, minute, hour,
//   day of month, BCD), 75-81 (58-64: RTC second ... year, BCD), 275-285 (set_startup_time writes
//   27-30 in BCD), 336-353 (system_to_rtc writes the RTC in local time), 532-536 (Vin = reg1 + reg2/100).
// - Firmware/WittyPi4/WittyPi4.ino line 54 (power mode: 1 = powered through the DC input, 0 = the
//   5 V USB input) and line 272 (register 16 holds the board's address, 0x08).
// A register is read as i2cget does (write its index, read one byte) and written as i2cset does
// (its index, then the byte).
import type { I2cDevice, OpenI2c } from '../../drivers/i2c.js';
import { WakeBoardError, describeError } from '../core/errors.js';
import { type BatteryReading, type WakeBoard, fromBcd, inBoardClock, toBcd } from './board.js';

export const WITTY_PI_ADDRESS = 0x08;
const REG = {
  vinWhole: 1,
  vinHundredths: 2,
  powerMode: 7,
  address: 16,
  alarmSecond: 27,
  alarmMinute: 28,
  alarmHour: 29,
  alarmDay: 30,
  rtcSecond: 58,
  rtcMinute: 59,
  rtcHour: 60,
  rtcDay: 61,
  rtcMonth: 63,
  rtcYear: 64,
} as const;

export interface WittyPiOptions {
  bus: number;
  open: OpenI2c;
  /** The battery's voltage when empty and when full: the board measures volts, not a level. */
  emptyVolts: number;
  fullVolts: number;
}

export class WittyPi implements WakeBoard {
  readonly name = 'witty-pi';
  /** The startup alarm matches the day of the month: under four weeks ahead is exact. */
  readonly horizonMs = 27 * 24 * 3_600_000;

  constructor(private readonly o: WittyPiOptions) {}

  private use<T>(work: (read: (reg: number) => number, write: (reg: number, value: number) => void) => T): T {
    let device: I2cDevice;
    try {
      device = this.o.open(this.o.bus, WITTY_PI_ADDRESS);
    } catch (err) {
      throw new WakeBoardError(`no Witty Pi 4 on I2C bus ${this.o.bus}: ${describeError(err)}`);
    }
    try {
      return work(
        (reg) => {
          device.write(Uint8Array.of(reg));
          const [value] = device.read(1);
          if (value === undefined) throw new WakeBoardError(`the Witty Pi 4 returned nothing for register ${reg}`);
          return value;
        },
        (reg, value) => device.write(Uint8Array.of(reg, value)),
      );
    } catch (err) {
      if (err instanceof WakeBoardError) throw err;
      throw new WakeBoardError(`the Witty Pi 4 on I2C bus ${this.o.bus} did not answer: ${describeError(err)}`);
    } finally {
      device.close();
    }
  }

  /** Register 16 holds the board's own address: a Witty Pi 4 is there (auto-detection). */
  present(): boolean {
    try {
      return this.use((read) => read(REG.address) === WITTY_PI_ADDRESS);
    } catch {
      return false;
    }
  }

  battery(): Promise<BatteryReading | null> {
    return Promise.resolve(
      this.use((read) => {
        const volts = read(REG.vinWhole) + read(REG.vinHundredths) / 100;
        const { emptyVolts, fullVolts } = this.o;
        const pct = ((volts - emptyVolts) / (fullVolts - emptyVolts)) * 100;
        return {
          level_pct: Math.max(0, Math.min(100, Math.round(pct))),
          // On the 5 V USB input the battery is not what runs the Pi.
          charging: read(REG.powerMode) === 0,
          board: 'wittypi4',
        };
      }),
    );
  }

  /** The board's RTC, which keeps local time. */
  private rtcNow(read: (reg: number) => number): Date {
    return new Date(
      2000 + fromBcd(read(REG.rtcYear)),
      fromBcd(read(REG.rtcMonth) & 0x1f) - 1,
      fromBcd(read(REG.rtcDay) & 0x3f),
      fromBcd(read(REG.rtcHour) & 0x3f),
      fromBcd(read(REG.rtcMinute) & 0x7f),
      fromBcd(read(REG.rtcSecond) & 0x7f),
    );
  }

  setWakeAlarm(at: Date, now: Date): Promise<string> {
    return Promise.resolve(
      this.use((read, write) => {
        const target = inBoardClock(at, now, this.rtcNow(read));
        write(REG.alarmSecond, toBcd(target.getSeconds()));
        write(REG.alarmMinute, toBcd(target.getMinutes()));
        write(REG.alarmHour, toBcd(target.getHours()));
        write(REG.alarmDay, toBcd(target.getDate()));
        return target.toISOString();
      }),
    );
  }

  clearWakeAlarm(): Promise<void> {
    try {
      this.use((_, write) => {
        for (const reg of [REG.alarmSecond, REG.alarmMinute, REG.alarmHour, REG.alarmDay]) write(reg, 0);
      });
    } catch {
      // Nothing to clear on a board that is gone.
    }
    return Promise.resolve();
  }
}
