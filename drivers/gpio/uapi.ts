// The Linux GPIO character device's v2 uAPI (linux/gpio.h, kernel 5.10+) as byte layouts: the ioctl
// numbers and the structs our chardev backend builds and reads. Pure functions over Buffers.
//
// Facts from include/uapi/linux/gpio.h (linux-libc-dev 6.1): gpiochip_info :32, gpio_v2_line_flag
// :72, gpio_v2_line_config :167, gpio_v2_line_request :196, gpio_v2_line_event :293, the ioctls
// :505-516. Sizes, offsets and ioctl numbers below were printed by a C program compiled against
// that header (sizeof/offsetof); the structs are fixed-width with explicit padding so that they are
// the same on armhf and arm64.

export const GPIO_GET_CHIPINFO_IOCTL = 0x8044b401; // _IOR(0xB4, 0x01, struct gpiochip_info), 68 bytes
export const GPIO_V2_GET_LINE_IOCTL = 0xc250b407; // _IOWR(0xB4, 0x07, struct gpio_v2_line_request), 592 bytes
export const GPIO_V2_LINE_SET_CONFIG_IOCTL = 0xc110b40d; // _IOWR(0xB4, 0x0D, struct gpio_v2_line_config), 272
export const GPIO_V2_LINE_GET_VALUES_IOCTL = 0xc010b40e; // _IOWR(0xB4, 0x0E, struct gpio_v2_line_values), 16
export const GPIO_V2_LINE_SET_VALUES_IOCTL = 0xc010b40f; // _IOWR(0xB4, 0x0F, struct gpio_v2_line_values), 16
/** asm-generic/ioctls.h: set or clear O_NONBLOCK on any file descriptor (same number on arm and arm64). */
export const FIONBIO = 0x5421;

export const CHIPINFO_SIZE = 68;
export const LINE_REQUEST_SIZE = 592;
export const LINE_CONFIG_SIZE = 272;
export const LINE_VALUES_SIZE = 16;
export const LINE_EVENT_SIZE = 48;

/** enum gpio_v2_line_flag. */
export const LineFlag = {
  INPUT: 1n << 2n,
  OUTPUT: 1n << 3n,
  EDGE_RISING: 1n << 4n,
  EDGE_FALLING: 1n << 5n,
  BIAS_PULL_UP: 1n << 8n,
  BIAS_PULL_DOWN: 1n << 9n,
  BIAS_DISABLED: 1n << 10n,
} as const;

/** enum gpio_v2_line_attr_id. */
export const ATTR_ID_OUTPUT_VALUES = 2;
/** enum gpio_v2_line_event_id. */
export const EVENT_RISING_EDGE = 1;
export const EVENT_FALLING_EDGE = 2;

// Offsets inside struct gpio_v2_line_request.
const REQ_CONSUMER = 256;
const REQ_CONFIG = 288;
const REQ_NUM_LINES = 560;
const REQ_FD = 588;
// Inside struct gpio_v2_line_config: flags u64 @0, num_attrs u32 @8, attrs[10] @32, 24 bytes each
// (attr.id u32 @0, attr value u64 @8, mask u64 @16).
const CFG_NUM_ATTRS = 8;
const CFG_ATTRS = 32;

/** The chip's name and label from GPIO_GET_CHIPINFO_IOCTL's answer. */
export function decodeChipInfo(buf: Buffer): { name: string; label: string; lines: number } {
  const str = (from: number) => {
    const field = buf.subarray(from, from + 32);
    const end = field.indexOf(0);
    return field.subarray(0, end < 0 ? 32 : end).toString('latin1');
  };
  return { name: str(0), label: str(32), lines: buf.readUInt32LE(64) };
}

export interface LineSettings {
  flags: bigint;
  /** For an output: the level it starts at. */
  output?: 0 | 1;
}

function writeConfig(buf: Buffer, at: number, settings: LineSettings): void {
  buf.writeBigUInt64LE(settings.flags, at);
  if (settings.output !== undefined) {
    // One attribute: the output value of line 0 of the request (mask bit 0).
    buf.writeUInt32LE(1, at + CFG_NUM_ATTRS);
    buf.writeUInt32LE(ATTR_ID_OUTPUT_VALUES, at + CFG_ATTRS);
    buf.writeBigUInt64LE(BigInt(settings.output), at + CFG_ATTRS + 8);
    buf.writeBigUInt64LE(1n, at + CFG_ATTRS + 16);
  }
}

/** struct gpio_v2_line_request for one line (BCM n = offset n on the Pi's pinctrl chip). */
export function encodeLineRequest(offset: number, consumer: string, settings: LineSettings): Buffer {
  const buf = Buffer.alloc(LINE_REQUEST_SIZE);
  buf.writeUInt32LE(offset, 0);
  buf.write(consumer.slice(0, 31), REQ_CONSUMER, 'latin1');
  writeConfig(buf, REQ_CONFIG, settings);
  buf.writeUInt32LE(1, REQ_NUM_LINES);
  return buf;
}

/** The line request's file descriptor the kernel wrote back. */
export function requestFd(buf: Buffer): number {
  return buf.readInt32LE(REQ_FD);
}

/** struct gpio_v2_line_config for GPIO_V2_LINE_SET_CONFIG_IOCTL on a one-line request. */
export function encodeLineConfig(settings: LineSettings): Buffer {
  const buf = Buffer.alloc(LINE_CONFIG_SIZE);
  writeConfig(buf, 0, settings);
  return buf;
}

/** struct gpio_v2_line_values: bits and mask for line 0 of a request. */
export function encodeLineValues(level: 0 | 1): Buffer {
  const buf = Buffer.alloc(LINE_VALUES_SIZE);
  buf.writeBigUInt64LE(BigInt(level), 0);
  buf.writeBigUInt64LE(1n, 8);
  return buf;
}

export function lineValue(buf: Buffer): 0 | 1 {
  return (buf.readBigUInt64LE(0) & 1n) === 1n ? 1 : 0;
}

/** The level after each edge in a run of struct gpio_v2_line_event records. */
export function decodeEdges(buf: Buffer, bytes: number): Array<0 | 1> {
  const levels: Array<0 | 1> = [];
  for (let at = 0; at + LINE_EVENT_SIZE <= bytes; at += LINE_EVENT_SIZE) {
    const id = buf.readUInt32LE(at + 8);
    if (id === EVENT_RISING_EDGE) levels.push(1);
    else if (id === EVENT_FALLING_EDGE) levels.push(0);
  }
  return levels;
}
