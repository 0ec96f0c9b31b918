// One wake of a frame on a battery (`power: "battery"`): show the next photo first (nothing waits
// for the network), sync if one is due and the battery allows, set the board's one wake alarm for
// the next refresh (quiet hours and cron are the schedule's: frame/schedule.ts via next_refresh),
// put the panel to sleep, flush the files and power off. It steers the frame only through
// FrameControl, as every door does; the buttons still work while it is awake.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Door, FrameCommand, FrameControl } from '../frame/control.js';
import type { InstancePaths } from '../library/instance.js';
import { flushFiles } from '../library/atomic-file.js';
import type { PressKind } from '../frame/buttons.js';
import type { Logger } from '../core/log.js';
import { describeError } from '../core/errors.js';
import type { BatteryReading, WakeBoard } from './board.js';
import type { BatteryConfig } from './config.js';
import { alarmFor, batteryVerdict, isRelayWake } from './wake-plan.js';

export const CHARGE_ME = 'Battery low: please charge the frame';

export interface WakeCycleOptions {
  frame: FrameControl & { idle(): Promise<void> };
  board: WakeBoard;
  config: Pick<BatteryConfig, 'no_sync_below_pct' | 'charge_me_below_pct' | 'max_awake_seconds'>;
  now: () => Date;
  log: Logger;
  /** Stops the doors and the frame: the panel is asleep and released afterwards. */
  stopFrame: () => Promise<void>;
  /** fsync what was written without it (service and selection state). */
  flush: () => Promise<void>;
  /** The injected power-off (systemctl poweroff on a Pi; tests never power anything off). */
  powerOff: () => Promise<void>;
  /** Milliseconds since the process started (performance.now()), logged at the panel's sleep. */
  sinceStart?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WakeOutcome {
  battery: BatteryReading | null;
  refreshed: boolean;
  synced: boolean;
  /** The alarm as set (system time), null when none was (charge me, or the board failed). */
  alarm: string | null;
  relay: boolean;
  poweredOff: boolean;
  /** Setting the alarm failed: the caller keeps the frame running on mains rules instead. */
  stayOn: boolean;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class WakeCycle {
  private notice: string | null = null;
  /** The latest time a button's refresh is due: the cycle stays awake for it. */
  private pendingUntil = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private deadline = 0;

  constructor(private readonly o: WakeCycleOptions) {
    this.sleep = o.sleep ?? realSleep;
  }

  /** What the service sets on the photo (its `notice` option). */
  noticeText(): string | null {
    return this.notice;
  }

  /** A button while awake: the same commands as on mains, and the cycle waits for their refresh. */
  async press(kind: PressKind): Promise<void> {
    await this.command({ type: kind === 'long' ? 'sync' : 'next' }, 'button');
  }

  private async command(cmd: FrameCommand, door: Door): Promise<boolean> {
    const outcome = await this.o.frame.command(cmd, door);
    if (!outcome.ok) {
      this.o.log.warn(`wake cycle: ${cmd.type} refused`, { code: outcome.code, message: outcome.message });
      return false;
    }
    if (outcome.at) this.pendingUntil = Math.max(this.pendingUntil, Date.parse(outcome.at));
    return true;
  }

  /** Wait for what the commands started (a refresh when the panel allows, a sync), within the deadline. */
  private async settle(): Promise<boolean> {
    const wait = this.pendingUntil - this.o.now().getTime();
    const left = () => this.deadline - this.o.now().getTime();
    if (wait > 0) {
      if (wait > left()) return false;
      await this.sleep(wait + 20);
    }
    // The frame's timer for it fires on the next turn of the event loop; idle() counts it from then.
    await new Promise((r) => setTimeout(r, 5));
    // The deadline runs on the real timer: it bounds how long the battery pays for this wake.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), Math.max(0, left()))));
    const idle = this.o.frame.idle().then(() => true);
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async run(signal?: AbortSignal): Promise<WakeOutcome> {
    const { log, board } = this.o;
    const started = this.o.now();
    this.deadline = started.getTime() + this.o.config.max_awake_seconds * 1000;
    const battery = await board.battery().catch((err: unknown) => {
      log.warn('cannot read the battery; carrying on as if it were full', { error: describeError(err) });
      return null;
    });
    const verdict = batteryVerdict(battery, this.o.config);
    const before = this.o.frame.snapshot();
    const due = before.next_refresh ? new Date(before.next_refresh) : null;
    const relay = due !== null && !verdict.chargeMe && isRelayWake(due, started, board.horizonMs);
    log.info('wake', {
      board: board.name,
      battery: verdict.why,
      next_refresh: before.next_refresh,
      relay,
    });

    // 1. The photo first: offline, from the library on the card.
    let refreshed = false;
    // An early wake that is no relay is a person's (a button on the board): it shows a photo too.
    if (!relay) {
      if (verdict.chargeMe) this.notice = CHARGE_ME;
      if (await this.command({ type: 'next' }, 'power')) refreshed = await this.settle();
    }
    // 2. A sync, when due and the battery allows it (Wi-Fi is the costly part of a wake).
    let synced = false;
    const after = this.o.frame.snapshot();
    const syncDue = after.next_sync !== null && Date.parse(after.next_sync) <= this.o.now().getTime() + 1000;
    if (!relay && syncDue && verdict.sync && !signal?.aborted) {
      if (await this.command({ type: 'sync' }, 'power')) synced = await this.settle();
      if (!synced) log.warn('the sync did not finish within max_awake_seconds; it goes on at the next wake');
    } else if (syncDue) log.info('a sync is due but waits', { why: relay ? 'relay wake' : verdict.why });
    // A button pressed meanwhile: its refresh shows before the power goes.
    if (this.pendingUntil > this.o.now().getTime()) await this.settle();

    // 3. The next wake: the board's one alarm, set before every power-off.
    const next = this.o.frame.snapshot().next_refresh;
    let alarm: string | null = null;
    let stayOn = false;
    let relayNext = false;
    if (verdict.chargeMe) {
      log.warn('battery low: showing "charge me" and powering off without a wake alarm', { battery: verdict.why });
      await board.clearWakeAlarm();
    } else if (next) {
      const plan = alarmFor(new Date(next), this.o.now(), board.horizonMs);
      try {
        const boardTime = await board.setWakeAlarm(plan.at, this.o.now());
        alarm = plan.at.toISOString();
        relayNext = plan.relay;
        log.info('wake alarm set', { at: alarm, board_clock: boardTime, relay: plan.relay, refresh: next });
      } catch (err) {
        stayOn = true;
        log.error('cannot set the wake alarm; the frame stays on and runs as on mains power', {
          error: describeError(err),
        });
      }
    } else {
      stayOn = true;
      log.error('no next refresh is known; the frame stays on');
    }
    if (stayOn || signal?.aborted) {
      return { battery, refreshed, synced, alarm, relay: relayNext, poweredOff: false, stayOn };
    }

    // 4. Panel asleep, files flushed, power off.
    await this.o.stopFrame();
    log.info('panel asleep', { ms_since_start: Math.round(this.o.sinceStart?.() ?? 0) });
    await this.o.flush();
    log.info('powering off', { next_wake: alarm });
    await this.o.powerOff();
    return { battery, refreshed, synced, alarm, relay: relayNext, poweredOff: true, stayOn: false };
  }
}

/** The wake cycle as `run` uses it: the wall clock, the instance's state files flushed, and the
 * config's power-off command run without a shell. */
export function wakeCycle(o: {
  frame: WakeCycleOptions['frame'];
  board: WakeBoard;
  config: BatteryConfig;
  paths: InstancePaths;
  logger: Logger;
  stopFrame: () => Promise<void>;
}): WakeCycle {
  const [command, ...args] = o.config.poweroff_command;
  return new WakeCycle({
    frame: o.frame,
    board: o.board,
    config: o.config,
    now: () => new Date(),
    log: o.logger,
    stopFrame: o.stopFrame,
    flush: () =>
      flushFiles([o.paths.serviceStatePath, o.paths.selectionStatePath, o.paths.syncAttemptsPath, o.paths.hiddenPath]),
    powerOff: async () => {
      await promisify(execFile)(command!, args, { timeout: 60_000 });
    },
    sinceStart: () => performance.now(),
  });
}
