// The one interface between a panel driver and the wire: set a GPIO pin, read a GPIO pin, write
// bytes on the SPI bus, wait, close. rpio, trace and the test emulator implement it.

export type Level = 0 | 1;

export interface Transport {
  /** Drive an output pin (BCM number) low or high. */
  writePin(pin: number, level: Level): Promise<void>;
  /**
   * Sample an input pin (BCM number). `awaited` is the level the caller waits for: a transport
   * with no wire behind it (the dry run, a trace without a panel) answers it, as the vendors'
   * recordings answer every BUSY sample with the level that ends the wait.
   */
  readPin(pin: number, awaited?: Level): Promise<Level>;
  /** Clock bytes out on MOSI; the transport splits them into what its bus accepts. */
  spiWrite(bytes: Uint8Array): Promise<void>;
  /** Wait; the only clock a driver uses, so tests can run a 40 s refresh in no time. */
  delay(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The BCM pins a HAT wires to the panel's controller. `pwr` only exists on newer Waveshare HATs;
 * `cs1` only on the 13.3" panels, whose glass has two controllers: `cs` selects the one that
 * gets the left half of each row and the master-only commands, `cs1` the other.
 */
export interface PinMap {
  rst: number;
  dc: number;
  cs: number;
  cs1?: number;
  busy: number;
  pwr?: number;
}

export type PinRole = keyof PinMap;
export const PIN_ROLES: readonly PinRole[] = ['rst', 'dc', 'cs', 'cs1', 'busy', 'pwr'];

/**
 * Pin names by BCM number, for records that people read (trace) and for the emulator. With two
 * chip selects they are named by role as the vendor traces do: `cs0` and `cs1`.
 */
export function pinNames(pins: PinMap): Map<number, string> {
  const names = new Map<number, string>();
  for (const role of PIN_ROLES) {
    const pin = pins[role];
    if (pin === undefined) continue;
    names.set(pin, role === 'cs' && pins.cs1 !== undefined ? 'cs0' : role);
  }
  return names;
}

/** The largest single SPI transfer Linux's spidev accepts by default (its `bufsiz`). */
export const SPI_CHUNK_BYTES = 4096;

export function* spiChunks(bytes: Uint8Array, size = SPI_CHUNK_BYTES): Generator<Uint8Array> {
  for (let off = 0; off < bytes.length; off += size) yield bytes.subarray(off, off + size);
}
