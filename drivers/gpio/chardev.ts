// The GPIO backend for the Pi 5: the kernel's GPIO character device (/dev/gpiochipN, group gpio)
// through its v2 ioctls, which reach the RP1's pins as they reach any other chip's.
//
// Why this binding: the npm `ioctl` package (a one-function node-gyp addon: ioctl(fd, request,
// buffer)) plus our own struct layouts (gpio/uapi.ts). It needs nothing from apt beyond the build
// tools rpio and spi-device already need, and no libgpiod at all, so one build works on bookworm
// (libgpiod 1.6) and trixie (libgpiod 2.x) alike. The alternatives looked at (npm view, their
// sources, issue trackers): node-libgpiod 0.5.3 wraps the libgpiod 1.x API only
// (gpiod_line_request_* in its src/line.cc), so it fails to build against libgpiod 2 (Debian 13
// trixie's; sombriks/node-libgpiod#44, #36), has an open install failure on Node 24 (#43), needs
// libgpiod-dev, and has no call to read edge events; @iiot2k/gpiox ships closed-source prebuilt
// .node files for arm only; onoff uses the deprecated sysfs interface; gpioget/gpioset/gpiomon
// cost a process per BUSY poll; `opengpio` is not on the npm registry (npm view: 404).
//
// How the chip is found is gpiodevice's way (gpiodevice/__init__.py:52-82, platform/pi.py:1-21,
// used by Pimoroni's inky): the first /dev/gpiochip* whose label starts with "pinctrl" (Pi 5:
// "pinctrl-rp1", Pi 4: "pinctrl-bcm2711"); BCM n is line n of that chip. The label, not the number:
// the RP1 was gpiochip4 until kernel 6.6.45 and gpiochip0 after (raspberrypi/linux#6144), and
// code that hard-coded either number broke on the change (gpiozero/gpiozero#1166).
//
// Each pin is its own line request (a file descriptor). A BUSY read is one GET_VALUES ioctl. A
// watched pin asks the kernel for edge events on both edges; they queue in the kernel with their
// level and are read without blocking when a 5 ms poll of the level sees it move (and every
// 200 ms), so every edge arrives, in order, with the level it left.
import { closeSync, constants, openSync, readdirSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { TransportError } from '../../src/core/errors.js';
import type { Gpio, Pull } from './contract.js';
import type { Level } from '../transports/transport.js';
import {
  CHIPINFO_SIZE,
  decodeChipInfo,
  decodeEdges,
  encodeLineConfig,
  encodeLineRequest,
  encodeLineValues,
  FIONBIO,
  GPIO_GET_CHIPINFO_IOCTL,
  GPIO_V2_GET_LINE_IOCTL,
  GPIO_V2_LINE_GET_VALUES_IOCTL,
  GPIO_V2_LINE_SET_CONFIG_IOCTL,
  GPIO_V2_LINE_SET_VALUES_IOCTL,
  LINE_EVENT_SIZE,
  LineFlag,
  lineValue,
  requestFd,
  type LineSettings,
} from './uapi.js';

/** The system calls this backend makes: the seam where tests put a simulated GPIO chip. */
export interface GpioSys {
  /** /dev/gpiochip* paths in number order. */
  listChips(): string[];
  open(path: string): number;
  ioctl(fd: number, request: number, arg: Buffer): number;
  /** Read up to buf.length bytes; throws an EAGAIN error when nothing is waiting. */
  read(fd: number, buf: Buffer): number;
  close(fd: number): void;
}

const CONSUMER = 'artframe-immich';
/** How often a watched pin is looked at: the same order as rpio's 1 ms poll. */
export const EDGE_POLL_MS = 5;
/** Queued edges are read when the level moved, and at least every this many polls (200 ms). */
export const DRAIN_EVERY = 40;

type IoctlFn = (fd: number, request: number, arg: Buffer) => number;

function loadIoctl(): IoctlFn {
  try {
    return createRequire(import.meta.url)('ioctl') as IoctlFn;
  } catch (err) {
    throw new TransportError(
      `the ioctl module is not installed (${(err as Error).message.split('\n')[0]}): run "npm install ioctl" in the app's directory on the Pi (it builds with python3, make and g++), or use --transport serial:PATH or trace:FILE`,
    );
  }
}

/** The real system calls; the ioctl addon loads on first use. */
export function systemGpioSys(dev = '/dev'): GpioSys {
  let ioctl: IoctlFn | undefined;
  return {
    listChips() {
      let names: string[];
      try {
        names = readdirSync(dev);
      } catch {
        return [];
      }
      return names
        .filter((n) => /^gpiochip\d+$/.test(n))
        .sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))
        .map((n) => `${dev}/${n}`);
    },
    open: (path) => openSync(path, constants.O_RDWR),
    ioctl: (fd, request, arg) => (ioctl ??= loadIoctl())(fd, request, arg),
    read: (fd, buf) => readSync(fd, buf, 0, buf.length, null),
    close: (fd) => closeSync(fd),
  };
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** The one-line error for a GPIO chip that cannot be opened, by errno. */
export function gpiochipError(path: string, err: unknown, user = os.userInfo().username): TransportError {
  const code = errnoCode(err);
  if (code === 'EACCES' || code === 'EPERM') {
    return new TransportError(
      `no permission to open ${path}: add the user to the gpio group (sudo usermod -aG gpio ${user}) and log in again`,
    );
  }
  return new TransportError(
    `cannot open ${path} (${code ?? describe(err)}): check that it is a GPIO chip (ls -l ${path})`,
  );
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

export interface FoundChip {
  path: string;
  label: string;
  fd: number;
}

/** The most lines a Pi's pin controller has (RP1 and BCM2711 both: 54): BCM numbers are below it. */
const MAX_LINES = 54;

/** A pin is a whole BCM number the chip has; anything else (NaN, 2.5, -1) is refused in words
 * before it reaches an ioctl's struct (where it would be a RangeError or a wrong line). */
function checkPin(pin: number): void {
  if (!Number.isInteger(pin) || pin < 0 || pin >= MAX_LINES)
    throw new TransportError(
      `GPIO ${String(pin)} is not a pin number: a BCM GPIO is a whole number from 0 to ${MAX_LINES - 1}`,
    );
}

/** A level is 0 or 1, nothing else (true, 2 and "1" are refused, not read as high). */
function checkLevel(pin: number, level: unknown): void {
  if (level !== 0 && level !== 1) throw new TransportError(`GPIO ${String(pin)}: level ${String(level)} is not 0 or 1`);
}

/** Open the first chip whose label starts with "pinctrl", as gpiodevice's find_chip_by_platform does. */
export function findPinctrlChip(sys: GpioSys): FoundChip {
  const chips = sys.listChips();
  if (chips.length === 0) {
    throw new TransportError(
      'no GPIO character device (/dev/gpiochip*) here: a Raspberry Pi OS kernel provides them; use --transport serial:PATH, or --dry-run',
    );
  }
  const seen: string[] = [];
  for (const path of chips) {
    let fd: number;
    try {
      fd = sys.open(path);
    } catch (err) {
      throw gpiochipError(path, err);
    }
    let label: string;
    try {
      const info = Buffer.alloc(CHIPINFO_SIZE);
      sys.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, info);
      label = decodeChipInfo(info).label;
    } catch (err) {
      sys.close(fd);
      throw new TransportError(`cannot ask ${path} for its label (${describe(err)})`);
    }
    if (label.startsWith('pinctrl')) return { path, label, fd };
    sys.close(fd);
    seen.push(`${path} "${label}"`);
  }
  throw new TransportError(
    `no GPIO chip labelled pinctrl-* (the Pi's own pins) among ${seen.join(', ')}: is this a Raspberry Pi running Raspberry Pi OS?`,
  );
}

const BIAS: Record<Pull, bigint> = {
  up: LineFlag.BIAS_PULL_UP,
  down: LineFlag.BIAS_PULL_DOWN,
  off: LineFlag.BIAS_DISABLED,
};

interface Line {
  fd: number;
  settings: LineSettings;
  watch?: { timer: NodeJS.Timeout; token: object };
}

export class ChardevGpio implements Gpio {
  private readonly lines = new Map<number, Line>();

  constructor(
    private readonly sys: GpioSys,
    private readonly chip: FoundChip,
  ) {}

  /** The chip in use, e.g. "/dev/gpiochip0 (pinctrl-rp1)". */
  get description(): string {
    return `${this.chip.path} (${this.chip.label})`;
  }

  openOutput(pin: number, level: Level): void {
    checkPin(pin);
    checkLevel(pin, level);
    this.configure(pin, { flags: LineFlag.OUTPUT, output: level });
  }

  write(pin: number, level: Level): void {
    checkLevel(pin, level);
    const line = this.line(pin);
    this.call(pin, 'set', () => this.sys.ioctl(line.fd, GPIO_V2_LINE_SET_VALUES_IOCTL, encodeLineValues(level)));
  }

  read(pin: number): Level {
    const line = this.line(pin);
    const values = encodeLineValues(0);
    this.call(pin, 'read', () => this.sys.ioctl(line.fd, GPIO_V2_LINE_GET_VALUES_IOCTL, values));
    return lineValue(values);
  }

  openInput(pin: number, pull: Pull): void {
    checkPin(pin);
    if (!(pull in BIAS)) throw new TransportError(`GPIO ${pin}: pull ${String(pull)} is not up, down or off`);
    this.configure(pin, { flags: LineFlag.INPUT | BIAS[pull] });
  }

  watch(pin: number, onEdge: (level: Level) => void): () => void {
    const line = this.line(pin);
    if (line.watch) throw new TransportError(`GPIO ${pin} is already watched: stop that watch first`);
    if (!(line.settings.flags & LineFlag.INPUT))
      throw new TransportError(`GPIO ${pin} is not an input: openInput first`);
    const edges: LineSettings = { flags: line.settings.flags | LineFlag.EDGE_RISING | LineFlag.EDGE_FALLING };
    this.call(pin, 'watch', () => {
      this.sys.ioctl(line.fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, encodeLineConfig(edges));
      // Reads of the request's fd then answer EAGAIN instead of waiting for an edge.
      this.sys.ioctl(line.fd, FIONBIO, Buffer.from([1, 0, 0, 0]));
    });
    line.settings = edges;
    const buf = Buffer.alloc(LINE_EVENT_SIZE * 16);
    // Edges from before this watch (a line watched before) are not this watch's news.
    try {
      while (this.sys.read(line.fd, buf) === buf.length);
    } catch {
      // EAGAIN: nothing was queued.
    }
    const token = {};
    const stop = () => {
      const current = this.lines.get(pin);
      if (current?.watch?.token !== token) return;
      clearInterval(current.watch.timer);
      delete current.watch;
      // No more edge events for nobody to read: the line stays an input with its pull.
      const plain: LineSettings = { flags: current.settings.flags & ~(LineFlag.EDGE_RISING | LineFlag.EDGE_FALLING) };
      try {
        this.sys.ioctl(current.fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, encodeLineConfig(plain));
        current.settings = plain;
      } catch {
        // The line is unusable anyway (the error that stopped the watch, say); close() releases it.
      }
    };
    const fail = (err: unknown) => {
      // Thrown from a timer it would end the process: stop this pin's watch and say so on stderr
      // (the journal) instead; the frame runs on without this button.
      stop();
      process.emitWarning(
        new TransportError(
          `GPIO ${pin}: reading its edges failed (${errnoCode(err) ?? describe(err)}), so it is no longer watched`,
        ),
      );
    };
    const drain = (): boolean => {
      for (;;) {
        let n: number;
        try {
          n = this.sys.read(line.fd, buf);
        } catch (err) {
          if (errnoCode(err) === 'EAGAIN') return true;
          fail(err);
          return false;
        }
        for (const level of decodeEdges(buf, n)) onEdge(level);
        if (n < buf.length) return true;
      }
    };
    // A read that finds no edge costs an EAGAIN exception (about 20 us, npm run bench -- gpio),
    // a level read one ioctl (about 2 us): read the level each tick and the queued edges only
    // when it moved, or every DRAIN_EVERY ticks for a blip shorter than a tick.
    const values = encodeLineValues(0);
    let last: Level | undefined;
    let ticks = 0;
    const tick = () => {
      let level: Level;
      try {
        this.sys.ioctl(line.fd, GPIO_V2_LINE_GET_VALUES_IOCTL, values);
        level = lineValue(values);
      } catch (err) {
        fail(err);
        return;
      }
      if (level === last && ++ticks % DRAIN_EVERY !== 0) return;
      if (drain()) last = level;
    };
    line.watch = { timer: setInterval(tick, EDGE_POLL_MS), token };
    return stop;
  }

  close(pin: number): void {
    const line = this.lines.get(pin);
    if (!line) return;
    if (line.watch) clearInterval(line.watch.timer);
    this.lines.delete(pin);
    try {
      // Back to an input before letting go, as rpio's close does: the kernel keeps the direction.
      this.sys.ioctl(line.fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, encodeLineConfig({ flags: LineFlag.INPUT }));
    } finally {
      this.sys.close(line.fd);
    }
  }

  private line(pin: number): Line {
    checkPin(pin);
    const line = this.lines.get(pin);
    if (!line) throw new TransportError(`GPIO ${pin} is not set up: openOutput or openInput first`);
    return line;
  }

  private configure(pin: number, settings: LineSettings): void {
    const line = this.lines.get(pin);
    if (line) {
      if (line.watch) clearInterval(line.watch.timer);
      delete line.watch;
      this.call(pin, 'set up', () =>
        this.sys.ioctl(line.fd, GPIO_V2_LINE_SET_CONFIG_IOCTL, encodeLineConfig(settings)),
      );
      line.settings = settings;
      return;
    }
    const request = encodeLineRequest(pin, CONSUMER, settings);
    this.call(pin, 'claim', () => this.sys.ioctl(this.chip.fd, GPIO_V2_GET_LINE_IOCTL, request));
    const fd = requestFd(request);
    if (fd <= 0) throw new TransportError(`${this.chip.path} gave no file descriptor for GPIO ${pin}`);
    this.lines.set(pin, { fd, settings });
  }

  private call(pin: number, what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EBUSY') {
        // GPIO 8 and 7 are SPI0's chip selects unless dtoverlay=spi0-0cs (transports/rpio.ts).
        const hint = pin === 8 || pin === 7 ? `; SPI's chip select holds it unless dtoverlay=spi0-0cs is set` : '';
        throw new TransportError(
          `GPIO ${pin} is in use by another program or a kernel driver (gpioinfo shows who${hint})`,
        );
      }
      throw new TransportError(`cannot ${what} GPIO ${pin} on ${this.chip.path} (${code ?? describe(err)})`);
    }
  }
}

/** Find the Pi's pinctrl chip and return the backend over it. */
export function openChardevGpio(sys: GpioSys = systemGpioSys()): ChardevGpio {
  return new ChardevGpio(sys, findPinctrlChip(sys));
}
