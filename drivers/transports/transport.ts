// The one interface between a panel driver and the wire: set a GPIO pin, read a GPIO pin, write
// bytes on the SPI bus, wait, close. rpio, trace and the test emulator implement it.

export type Level = 0 | 1;

export interface Transport {
  /** Drive an output pin (BCM number) low or high. */
  writePin(pin: number, level: Level): Promise<void>;
  /** Sample an input pin (BCM number). */
  readPin(pin: number): Promise<Level>;
  /** Clock bytes out on MOSI; the transport splits them into what its bus accepts. */
  spiWrite(bytes: Uint8Array): Promise<void>;
  /** Wait; the only clock a driver uses, so tests can run a 40 s refresh in no time. */
  delay(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** The BCM pins a HAT wires to the panel's controller. `pwr` only exists on newer Waveshare HATs. */
export interface PinMap {
  rst: number;
  dc: number;
  cs: number;
  busy: number;
  pwr?: number;
}

/** Pin roles by BCM number, for records that people read (trace) and for the emulator. */
export function pinNames(pins: PinMap): Map<number, keyof PinMap> {
  const names = new Map<number, keyof PinMap>();
  for (const role of ['rst', 'dc', 'cs', 'busy', 'pwr'] as const) {
    const pin = pins[role];
    if (pin !== undefined) names.set(pin, role);
  }
  return names;
}

/** The largest single SPI transfer Linux's spidev accepts by default (its `bufsiz`). */
export const SPI_CHUNK_BYTES = 4096;

export function* spiChunks(bytes: Uint8Array, size = SPI_CHUNK_BYTES): Generator<Uint8Array> {
  for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, off + size);
}
