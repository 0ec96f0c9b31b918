// Simulated wake boards for the power suites: a PiSugar server on loopback speaking the protocol of
// pisugar-server (a line a command, "<name>: <value>" back, button events on the same stream), a
// Witty Pi 4 register map behind the I2C seam, and a kernel RTC sysfs folder.
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { I2cDevice } from '../../drivers/i2c.js';
import { toBcd } from '../../src/power/board.js';

export interface PiSugarSim {
  address: string;
  level: number;
  plugged: boolean;
  /** The board RTC minus the system clock. */
  rtcOffsetMs: number;
  /** Every rtc_alarm_set argument, in order. */
  alarms: string[];
  requests: string[];
  /** Send a button event ("single") before each answer. */
  chatter: boolean;
  close(): Promise<void>;
}

export async function startPiSugarSim(
  o: { level?: number; plugged?: boolean; rtcOffsetMs?: number; now?: () => number } = {},
): Promise<PiSugarSim> {
  const now = o.now ?? (() => Date.now());
  const sockets = new Set<net.Socket>();
  const sim: PiSugarSim = {
    address: '',
    level: o.level ?? 80,
    plugged: o.plugged ?? false,
    rtcOffsetMs: o.rtcOffsetMs ?? 0,
    alarms: [],
    requests: [],
    chatter: true,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const answer = (line: string): string => {
    const [cmd, ...args] = line.split(' ');
    if (cmd === 'get') {
      switch (args[0]) {
        case 'model':
          return 'model: PiSugar 3';
        case 'battery':
          return `battery: ${sim.level}`;
        case 'battery_power_plugged':
          return `battery_power_plugged: ${sim.plugged}`;
        case 'battery_charging':
          return `battery_charging: ${sim.plugged}`;
        case 'rtc_time':
          return `rtc_time: ${new Date(now() + sim.rtcOffsetMs).toISOString().replace('Z', '+00:00')}`;
      }
    }
    if (cmd === 'rtc_alarm_set' && args.length === 2 && !Number.isNaN(Date.parse(args[0]!))) {
      sim.alarms.push(args[0]!);
      return 'rtc_alarm_set: done';
    }
    if (cmd === 'rtc_alarm_disable') return 'rtc_alarm_disable: done';
    return `error: unrecognized subcommand '${cmd}'\nHint: use 'help' to see all available commands`;
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        sim.requests.push(line);
        if (sim.chatter) socket.write('single\n');
        socket.write(answer(line) + '\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sim.address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return sim;
}

/** A Witty Pi 4's register file: i2cget writes the index then reads; i2cset writes index and byte. */
export class WittyPiRegisters {
  readonly regs = new Uint8Array(256);
  private pointer = 0;
  opened = 0;
  constructor(o: { volts?: number; usb?: boolean; rtc?: Date } = {}) {
    this.regs[16] = 0x08;
    this.setVolts(o.volts ?? 3.9);
    this.regs[7] = o.usb ? 0 : 1;
    this.setRtc(o.rtc ?? new Date());
  }
  setVolts(v: number): void {
    this.regs[1] = Math.floor(v);
    this.regs[2] = Math.round((v - Math.floor(v)) * 100);
  }
  /** The RTC keeps local time (system_to_rtc). */
  setRtc(d: Date): void {
    this.regs[58] = toBcd(d.getSeconds());
    this.regs[59] = toBcd(d.getMinutes());
    this.regs[60] = toBcd(d.getHours());
    this.regs[61] = toBcd(d.getDate());
    this.regs[62] = toBcd(d.getDay() || 7);
    this.regs[63] = toBcd(d.getMonth() + 1);
    this.regs[64] = toBcd(d.getFullYear() % 100);
  }
  device(): I2cDevice {
    this.opened += 1;
    return {
      write: (bytes) => {
        this.pointer = bytes[0]!;
        if (bytes.length > 1) this.regs[this.pointer] = bytes[1]!;
      },
      read: (n) => this.regs.slice(this.pointer, this.pointer + n),
      close: () => {},
    };
  }
}

/** A kernel RTC's sysfs folder: since_epoch (the RTC's clock) and a wakealarm file. */
export async function rtcFolder(rtcNow: Date): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rtc0-'));
  await writeFile(path.join(dir, 'since_epoch'), `${Math.floor(rtcNow.getTime() / 1000)}\n`);
  await writeFile(path.join(dir, 'wakealarm'), '');
  return dir;
}
