// The kernel RTC as a wake board: the Raspberry Pi 5's own RTC, or an RTC HAT with an alarm, through
// sysfs (/sys/class/rtc/rtc0). Facts (Linux Documentation/ABI/stable/sysfs-class-rtc, and
// drivers/rtc/rtc-sysfs.c wakealarm_store): `wakealarm` takes seconds since the epoch of the RTC's
// own clock (or "+N" from now), refuses a new alarm while one is armed (EBUSY) until "0" clears
// it; `since_epoch` reads the RTC's clock in seconds. The Pi 5 cuts its power after halt only
// with POWER_OFF_ON_HALT=1 in the bootloader config (power/pi-power.ts says so in `status`).
import { access, readFile, writeFile } from '../core/fs-async.js';
import { fs } from '../core/node-fs.js';
import path from 'node:path';
import { WakeBoardError } from '../core/errors.js';
import { type WakeBoard, inBoardClock } from './board.js';

/** The sysfs folder holds a writable wakealarm: the kernel RTC can wake this machine. */
export async function rtcCanWake(dir: string): Promise<boolean> {
  try {
    await access(path.join(dir, 'wakealarm'), fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export class KernelRtc implements WakeBoard {
  readonly name = 'rtc';
  /** An RTC alarm matches up to the day of the month (DS3231 and kin): a week is safe everywhere. */
  readonly horizonMs = 7 * 24 * 3_600_000;

  constructor(private readonly dir: string) {}

  battery(): Promise<null> {
    return Promise.resolve(null);
  }

  private async rtcNow(): Promise<Date> {
    const file = path.join(this.dir, 'since_epoch');
    const seconds = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!Number.isFinite(seconds) || seconds <= 0) throw new WakeBoardError(`cannot read the RTC's clock from ${file}`);
    return new Date(seconds * 1000);
  }

  async setWakeAlarm(at: Date, now: Date): Promise<string> {
    const target = inBoardClock(at, now, await this.rtcNow());
    const file = path.join(this.dir, 'wakealarm');
    try {
      await writeFile(file, '0');
      await writeFile(file, String(Math.ceil(target.getTime() / 1000)));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new WakeBoardError(
        code === 'EACCES' || code === 'EPERM'
          ? `no permission to write ${file}: install.sh's udev rule gives it to the frame's group`
          : `cannot set the wake alarm in ${file} (${code ?? (err as Error).message})`,
      );
    }
    return target.toISOString();
  }

  async clearWakeAlarm(): Promise<void> {
    await writeFile(path.join(this.dir, 'wakealarm'), '0').catch(() => {});
  }
}
