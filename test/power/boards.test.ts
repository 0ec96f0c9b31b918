// The wake boards against their simulations: the kernel RTC's sysfs folder, a PiSugar server on
// loopback speaking pisugar-server's protocol, a Witty Pi 4's register map; an RTC that runs behind
// the system clock; auto-detection; one-line errors naming the board.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WakeBoardError } from '../../src/core/errors.js';
import { fromBcd } from '../../src/power/board.js';
import { chooseWakeBoard } from '../../src/power/choose.js';
import { batteryConfigSchema } from '../../src/power/config.js';
import { PiSugar } from '../../src/power/pisugar.js';
import { KernelRtc } from '../../src/power/rtc.js';
import { WittyPi } from '../../src/power/witty-pi.js';
import { rtcFolder, startPiSugarSim, WittyPiRegisters, type PiSugarSim } from './sim-boards.js';

const noI2c = () => {
  throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
};
let sims: PiSugarSim[] = [];
afterEach(async () => {
  for (const s of sims) await s.close();
  sims = [];
});

describe('kernel RTC', () => {
  it('writes the alarm in the RTC clock: an RTC 90 s behind the system clock gets the time 90 s earlier', async () => {
    const now = new Date('2026-06-01T10:00:00Z');
    const dir = await rtcFolder(new Date(now.getTime() - 90_000));
    const rtc = new KernelRtc(dir);
    await rtc.setWakeAlarm(new Date('2026-06-01T11:00:00Z'), now);
    const written = Number(await readFile(path.join(dir, 'wakealarm'), 'utf8'));
    expect(written).toBe(Date.parse('2026-06-01T11:00:00Z') / 1000 - 90);
    expect(await rtc.battery()).toBeNull();
  });

  it('a folder without wakealarm is a one-line error naming it', async () => {
    const c = batteryConfigSchema.parse({ wake: 'rtc', rtc_dir: '/nonexistent/rtc9' });
    await expect(chooseWakeBoard(c, noI2c)).rejects.toThrow(/\/nonexistent\/rtc9\/wakealarm is missing/);
  });
});

describe('PiSugar server', () => {
  it('reads level and charging, skipping button events on the stream', async () => {
    const sim = await startPiSugarSim({ level: 42.6, plugged: true });
    sims.push(sim);
    const reading = await new PiSugar(sim.address).battery();
    expect(reading).toEqual({ level_pct: 43, charging: true, board: 'pisugar3' });
    expect(sim.requests).toContain('get battery');
  });

  it('sets the one alarm in the board RTC clock, repeated every day (mask 127)', async () => {
    const sim = await startPiSugarSim({ rtcOffsetMs: -120_000 });
    sims.push(sim);
    const board = new PiSugar(sim.address);
    const now = new Date();
    const at = new Date(now.getTime() + 3_600_000);
    await board.setWakeAlarm(at, now);
    expect(sim.alarms).toHaveLength(1);
    const set = Date.parse(sim.alarms[0]!);
    // Two minutes earlier in the board's clock (give the loopback round trip a second).
    expect(Math.abs(set - (at.getTime() - 120_000))).toBeLessThan(1500);
    expect(sim.requests.at(-1)).toMatch(/^rtc_alarm_set \S+\+00:00 127$/);
  });

  it('a server that is not running is a one-line WakeBoardError', async () => {
    const sim = await startPiSugarSim();
    const address = sim.address;
    await sim.close();
    const err = await new PiSugar(address).battery().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WakeBoardError);
    expect((err as Error).message).toBe(`the PiSugar server at ${address} is not running (pisugar-server)`);
  });
});

describe('Witty Pi 4', () => {
  it('reads the input voltage as a level between the empty and full volts, and the USB input as charging', async () => {
    const regs = new WittyPiRegisters({ volts: 3.7, usb: false });
    const board = new WittyPi({ bus: 1, open: () => regs.device(), emptyVolts: 3.3, fullVolts: 4.1 });
    expect(await board.battery()).toEqual({ level_pct: 50, charging: false, board: 'wittypi4' });
    regs.regs[7] = 0;
    expect((await board.battery())!.charging).toBe(true);
  });

  it('writes the startup alarm registers 27-30 in BCD, local time, corrected for an RTC behind the clock', async () => {
    const now = new Date(2026, 5, 1, 10, 0, 0);
    const regs = new WittyPiRegisters({ rtc: new Date(now.getTime() - 60_000) });
    const board = new WittyPi({ bus: 1, open: () => regs.device(), emptyVolts: 3.3, fullVolts: 4.1 });
    await board.setWakeAlarm(new Date(2026, 5, 2, 7, 30, 15), now);
    expect([
      fromBcd(regs.regs[30]!),
      fromBcd(regs.regs[29]!),
      fromBcd(regs.regs[28]!),
      fromBcd(regs.regs[27]!),
    ]).toEqual([2, 7, 29, 15]);
  });
});

describe('auto-detection', () => {
  it('takes the PiSugar server when it answers, else a Witty Pi, else the kernel RTC, else says what it looked for', async () => {
    const sim = await startPiSugarSim();
    sims.push(sim);
    const dir = await rtcFolder(new Date());
    const regs = new WittyPiRegisters();
    const auto = (over: Record<string, unknown>) => batteryConfigSchema.parse({ wake: 'auto', rtc_dir: dir, ...over });
    expect((await chooseWakeBoard(auto({ pisugar_address: sim.address }), () => regs.device())).name).toBe('pisugar');
    const closed = await startPiSugarSim();
    await closed.close();
    expect((await chooseWakeBoard(auto({ pisugar_address: closed.address }), () => regs.device())).name).toBe(
      'witty-pi',
    );
    expect((await chooseWakeBoard(auto({ pisugar_address: closed.address }), noI2c)).name).toBe('rtc');
    await expect(
      chooseWakeBoard(auto({ pisugar_address: closed.address, rtc_dir: '/nonexistent' }), noI2c),
    ).rejects.toThrow(/no wake board answers: no PiSugar server at 127\.0\.0\.1:\d+, no Witty Pi 4 on I2C bus 1/);
  });
});
