// A simulated kernel behind /dev/gpiochip*: the v2 ioctls decoded from the bytes the backend sends,
// with its own reading of linux/gpio.h (not drivers/gpio/uapi.ts's), lines that are claimed,
// configured, driven from outside, and queue edge events that read() hands out or answers EAGAIN.
import type { GpioSys } from '../../../drivers/gpio/chardev.js';
import type { Level } from '../../../drivers/transports/transport.js';

export interface FakeChip {
  path: string;
  label: string;
  lines?: number;
}

interface LineState {
  direction: 'in' | 'out';
  bias: 'up' | 'down' | 'off' | 'as-is';
  /** The level an output drives or, for an input, the level on the wire from outside. */
  level: Level;
  owner?: number;
  consumer?: string;
  edges: boolean;
}

interface Handle {
  kind: 'chip' | 'line';
  chip: string;
  offset?: number;
  events: Buffer[];
  nonBlocking: boolean;
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${syscall}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

// From include/uapi/linux/gpio.h (see the ioctl numbers' definitions at :505-516).
const CHIPINFO = 0x8044b401;
const GET_LINE = 0xc250b407;
const SET_CONFIG = 0xc110b40d;
const GET_VALUES = 0xc010b40e;
const SET_VALUES = 0xc010b40f;
const FIONBIO = 0x5421;
const F_INPUT = 1n << 2n;
const F_OUTPUT = 1n << 3n;
const F_RISING = 1n << 4n;
const F_FALLING = 1n << 5n;
const F_PULL_UP = 1n << 8n;
const F_PULL_DOWN = 1n << 9n;
const F_BIAS_DISABLED = 1n << 10n;

/** What the simulated pins did, in order: an output's level set, an input's level read. */
export type WireEvent = { op: 'pin' | 'read'; pin: number; level: Level };

export class FakeGpioKernel implements GpioSys {
  readonly lines = new Map<string, Map<number, LineState>>();
  private readonly handles = new Map<number, Handle>();
  private nextFd = 20;
  /** Every ioctl request number, in order. */
  readonly calls: number[] = [];

  constructor(
    private readonly chips: FakeChip[],
    private readonly options: { denied?: string[]; wire?: (e: WireEvent) => void } = {},
  ) {
    for (const c of chips) this.lines.set(c.path, new Map());
  }

  /** Open file descriptors (chips and line requests). */
  get openFds(): number {
    return this.handles.size;
  }

  line(pin: number, chip = this.pinctrl()): LineState | undefined {
    return this.lines.get(chip)!.get(pin);
  }

  /** Another program holding a line, as `gpioset` would. */
  hold(pin: number, consumer: string): void {
    this.lines.get(this.pinctrl())!.set(pin, {
      direction: 'out',
      bias: 'as-is',
      level: 0,
      owner: -1,
      consumer,
      edges: false,
    });
  }

  /** Drive an input from outside (a button, the panel's BUSY); queues an edge event when asked for. */
  drive(pin: number, level: Level): void {
    const chip = this.pinctrl();
    const map = this.lines.get(chip)!;
    const line = map.get(pin) ?? { direction: 'in', bias: 'as-is', level: 0, edges: false };
    map.set(pin, line);
    if (line.direction === 'out' || line.level === level) return;
    line.level = level;
    if (!line.edges || line.owner === undefined) return;
    const event = Buffer.alloc(48);
    event.writeBigUInt64LE(123n, 0);
    event.writeUInt32LE(level ? 1 : 2, 8);
    event.writeUInt32LE(pin, 12);
    this.handles.get(line.owner)!.events.push(event);
  }

  private pinctrl(): string {
    return this.chips.find((c) => c.label.startsWith('pinctrl'))!.path;
  }

  listChips(): string[] {
    return this.chips.map((c) => c.path);
  }

  open(path: string): number {
    if (this.options.denied?.includes(path)) throw errno('EACCES', `open '${path}'`);
    if (!this.lines.has(path)) throw errno('ENOENT', `open '${path}'`);
    const fd = this.nextFd++;
    this.handles.set(fd, { kind: 'chip', chip: path, events: [], nonBlocking: false });
    return fd;
  }

  ioctl(fd: number, request: number, arg: Buffer): number {
    this.calls.push(request);
    const h = this.handles.get(fd);
    if (!h) throw errno('EBADF', 'ioctl');
    if (request === FIONBIO) {
      h.nonBlocking = arg.readInt32LE(0) !== 0;
      return 0;
    }
    if (h.kind === 'chip') return this.chipIoctl(h, request, arg);
    const line = this.lines.get(h.chip)!.get(h.offset!)!;
    switch (request) {
      case GET_VALUES:
        if ((arg.readBigUInt64LE(8) & 1n) === 1n) {
          arg.writeBigUInt64LE(BigInt(line.level), 0);
          this.options.wire?.({ op: 'read', pin: h.offset!, level: line.level });
        }
        return 0;
      case SET_VALUES:
        if (line.direction !== 'out') throw errno('EPERM', 'ioctl');
        if ((arg.readBigUInt64LE(8) & 1n) === 1n) {
          line.level = Number(arg.readBigUInt64LE(0) & 1n) as Level;
          this.options.wire?.({ op: 'pin', pin: h.offset!, level: line.level });
        }
        return 0;
      case SET_CONFIG:
        this.applyConfig(line, arg, 0, h.offset!);
        return 0;
      default:
        throw errno('ENOTTY', 'ioctl');
    }
  }

  private chipIoctl(h: Handle, request: number, arg: Buffer): number {
    const chip = this.chips.find((c) => c.path === h.chip)!;
    if (request === CHIPINFO) {
      if (arg.length !== 68) throw errno('EFAULT', 'ioctl');
      arg.write(chip.path.replace('/dev/', ''), 0, 'latin1');
      arg.write(chip.label, 32, 'latin1');
      arg.writeUInt32LE(chip.lines ?? 54, 64);
      return 0;
    }
    if (request !== GET_LINE) throw errno('ENOTTY', 'ioctl');
    if (arg.length !== 592) throw errno('EFAULT', 'ioctl');
    const numLines = arg.readUInt32LE(560);
    if (numLines !== 1) throw errno('EINVAL', 'ioctl');
    const offset = arg.readUInt32LE(0);
    if (offset >= (chip.lines ?? 54)) throw errno('EINVAL', 'ioctl');
    const map = this.lines.get(chip.path)!;
    const existing = map.get(offset);
    if (existing?.owner !== undefined) throw errno('EBUSY', 'ioctl');
    const line: LineState = existing ?? { direction: 'in', bias: 'as-is', level: 0, edges: false };
    const consumer = arg.subarray(256, 288);
    line.consumer = consumer.subarray(0, consumer.indexOf(0)).toString('latin1');
    this.applyConfig(line, arg, 288, offset);
    const fd = this.nextFd++;
    line.owner = fd;
    map.set(offset, line);
    this.handles.set(fd, { kind: 'line', chip: chip.path, offset, events: [], nonBlocking: false });
    arg.writeInt32LE(fd, 588);
    return 0;
  }

  /** struct gpio_v2_line_config at `at`: flags, then attributes (24 bytes each from +32). */
  private applyConfig(line: LineState, buf: Buffer, at: number, offset: number): void {
    const flags = buf.readBigUInt64LE(at);
    const isIn = (flags & F_INPUT) !== 0n;
    const isOut = (flags & F_OUTPUT) !== 0n;
    if (isIn === isOut) throw errno('EINVAL', 'ioctl');
    const edges = (flags & (F_RISING | F_FALLING)) !== 0n;
    if (edges && isOut) throw errno('EINVAL', 'ioctl');
    const biases = [F_PULL_UP, F_PULL_DOWN, F_BIAS_DISABLED].filter((f) => (flags & f) !== 0n);
    if (biases.length > 1) throw errno('EINVAL', 'ioctl');
    line.bias = biases[0] === F_PULL_UP ? 'up' : biases[0] === F_PULL_DOWN ? 'down' : biases[0] ? 'off' : line.bias;
    line.edges = edges;
    line.direction = isOut ? 'out' : 'in';
    if (isIn && line.bias !== 'as-is' && line.bias !== 'off') line.level = line.bias === 'up' ? 1 : 0;
    const attrs = buf.readUInt32LE(at + 8);
    for (let i = 0; i < attrs; i++) {
      const a = at + 32 + i * 24;
      if (buf.readUInt32LE(a) === 2 && (buf.readBigUInt64LE(a + 16) & 1n) === 1n && isOut) {
        line.level = Number(buf.readBigUInt64LE(a + 8) & 1n) as Level;
        this.options.wire?.({ op: 'pin', pin: offset, level: line.level });
      }
    }
  }

  /** The next read of a line request fails with this errno code (a device gone away, say). */
  failReads: string | undefined;

  read(fd: number, buf: Buffer): number {
    const h = this.handles.get(fd);
    if (!h || h.kind !== 'line') throw errno('EINVAL', 'read');
    if (this.failReads) throw errno(this.failReads, 'read');
    if (h.events.length === 0) {
      if (h.nonBlocking) throw errno('EAGAIN', 'read');
      throw new Error('a blocking read on a line with no event would hang the process');
    }
    let n = 0;
    while (h.events.length > 0 && n + 48 <= buf.length) {
      h.events.shift()!.copy(buf, n);
      n += 48;
    }
    return n;
  }

  close(fd: number): void {
    const h = this.handles.get(fd);
    if (!h) throw errno('EBADF', 'close');
    this.handles.delete(fd);
    if (h.kind === 'line') {
      const line = this.lines.get(h.chip)!.get(h.offset!)!;
      delete line.owner;
      delete line.consumer;
      line.edges = false;
    }
  }
}
