// A PiSugar 2 or 3 as a wake board, through its own server's TCP API (pisugar-server, default
// 0.0.0.0:8423; we only ever talk to loopback). Facts from PiSugar/pisugar-power-manager-rs@30b284f:
// - README.md lines 143-148, 155-188, 218-219: one command a line ("get battery", "get
//   battery_power_plugged", "get battery_charging", "get model", "get rtc_time",
//   "rtc_alarm_set <ISO 8601> <weekday mask>"), answered "<name>: <value>" (a set command: "done").
// - pisugar-server/src/cmds.rs lines 231-251: Response::entire_string is "<cmd>: <result>", a
//   command without a result is "done", an error is its message.
// - pisugar-server/src/stream.rs lines 78-86: a request is each line of what arrives; button
//   events ("single", "double", "long": pisugar-core/src/lib.rs lines 139-144) share the stream.
// - cmds.rs lines 430-434: rtc_alarm_set turns the time into the board RTC's local fields, and the
//   board keeps one alarm, repeated on the weekdays of the mask (127 = every day, README line 172):
//   so the alarm is set before every power-off and reaches at most a day ahead.
import { WakeBoardError } from '../core/errors.js';
import { type BatteryReading, type WakeBoard, inBoardClock } from './board.js';

const ANSWER_MS = 3_000;
const EVERY_DAY = 127;

/** "127.0.0.1:8423" to host and port. */
function address(where: string): { host: string; port: number } {
  const i = where.lastIndexOf(':');
  return { host: where.slice(0, i), port: Number(where.slice(i + 1)) };
}

/** One connection, commands in turn, each answered by the line that starts with its name. */
export async function pisugarAsk(where: string, commands: string[]): Promise<string[]> {
  const { host, port } = address(where);
  return new Promise((resolve, reject) => {
    // node:net at the first request, not at import: `status` carries this module in the file it
    // starts from and pays for net only in battery mode.
    const net = process.getBuiltinModule('node:net');
    const socket = net.connect({ host, port });
    const answers: string[] = [];
    let buffered = '';
    const fail = (why: string) => {
      socket.destroy();
      reject(new WakeBoardError(`the PiSugar server at ${where} ${why}`));
    };
    const timer = setTimeout(() => fail(`did not answer "${commands[answers.length]}"`), ANSWER_MS);
    const next = () => {
      if (answers.length === commands.length) {
        clearTimeout(timer);
        socket.end();
        resolve(answers);
      } else socket.write(commands[answers.length] + '\n');
    };
    socket.setEncoding('utf8');
    socket.on('connect', next);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(err.code === 'ECONNREFUSED' ? 'is not running (pisugar-server)' : `failed (${err.code ?? err.message})`);
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        const command = commands[answers.length];
        if (command === undefined) continue;
        // "get battery" is answered "battery: 87"; "rtc_alarm_set ..." by "rtc_alarm_set: done".
        const name = command.startsWith('get ') ? command.split(' ')[1]! : command.split(' ')[0]!;
        if (line.startsWith(`${name}:`)) {
          answers.push(line.slice(name.length + 1).trim());
          next();
        } else if (line !== '' && !['single', 'double', 'long'].includes(line)) {
          // An unknown command's answer is clap's message: not ours to parse.
          answers.push(`error: ${line}`);
          next();
        }
      }
    });
  });
}

/** An ISO 8601 time with a numeric offset ("+00:00"), as rtc_alarm_set's chrono parser takes it. */
function isoWithOffset(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export class PiSugar implements WakeBoard {
  readonly name = 'pisugar';
  /** One alarm, repeated daily at a time of day: it reaches a day ahead. */
  readonly horizonMs = 24 * 3_600_000;

  constructor(private readonly where: string) {}

  /** The server answers `get model` ("PiSugar 3"): a board is there. */
  async model(): Promise<string> {
    const [model] = await pisugarAsk(this.where, ['get model']);
    return model!;
  }

  async battery(): Promise<BatteryReading | null> {
    const [model, level, plugged, charging] = await pisugarAsk(this.where, [
      'get model',
      'get battery',
      // Newer models tell "plugged in" apart from "charging" (README line 160): plugged counts.
      'get battery_power_plugged',
      'get battery_charging',
    ]);
    const pct = Number(level);
    if (!Number.isFinite(pct)) return null;
    const flag = (v: string | undefined) => (v === 'true' ? true : v === 'false' ? false : null);
    return {
      level_pct: Math.max(0, Math.min(100, Math.round(pct))),
      charging: flag(plugged) ?? flag(charging) ?? false,
      board: (model ?? 'pisugar').toLowerCase().replace(/\s+/g, ''),
    };
  }

  async setWakeAlarm(at: Date, now: Date): Promise<string> {
    const [rtc] = await pisugarAsk(this.where, ['get rtc_time']);
    const rtcNow = new Date(rtc ?? '');
    // A board RTC that lost its time (a flat coin cell) is set from the system clock first.
    const target = Number.isNaN(rtcNow.getTime()) ? at : inBoardClock(at, now, rtcNow);
    const [done] = await pisugarAsk(this.where, [`rtc_alarm_set ${isoWithOffset(target)} ${EVERY_DAY}`]);
    if (done !== 'done') throw new WakeBoardError(`the PiSugar server refused the wake alarm: ${done}`);
    return isoWithOffset(target);
  }

  async clearWakeAlarm(): Promise<void> {
    await pisugarAsk(this.where, ['rtc_alarm_disable']).catch(() => {});
  }
}
