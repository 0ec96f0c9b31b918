// Which driver speaks to which panel, and how a panel is opened over a transport named on the
// command line or in the config: rpio, trace:FILE, serial:PATH, or the dry run (trace to stdout).
import { ConfigError } from '../src/core/errors.js';
import type { Panel, PanelDriver } from './driver.js';
import { HATS, parsePins } from './hats.js';
import { inkyAc073tc1a } from './controllers/inky-ac073tc1a.js';
import { inkyE640 } from './controllers/inky-e640.js';
import { inkyE673 } from './controllers/inky-e673.js';
import { inkyEl133uf1 } from './controllers/inky-el133uf1.js';
import { inkyUc8159_600x448, inkyUc8159_640x400 } from './controllers/inky-uc8159.js';
import type { PanelProfile } from './panels.js';
import { SpiPanel } from './spi-panel.js';
import type { Transport } from './transports/transport.js';
import { openTraceFile, TraceTransport } from './transports/trace.js';
import { waveshare13in3e } from './controllers/waveshare-13in3e.js';
import { waveshare4in01f } from './controllers/waveshare-4in01f.js';
import { waveshare5in65f } from './controllers/waveshare-5in65f.js';
import { waveshare7in3e } from './controllers/waveshare-7in3e.js';
import { waveshare7in3f } from './controllers/waveshare-7in3f.js';
import { waveshare7in5v2 } from './controllers/waveshare-7in5-v2.js';
import type { SerialBinding } from './serial/panel.js';

export const DRIVERS: Readonly<Record<string, PanelDriver>> = Object.fromEntries(
  [
    waveshare7in3e,
    waveshare7in3f,
    waveshare7in5v2,
    waveshare5in65f,
    waveshare13in3e,
    waveshare4in01f,
    inkyE673,
    inkyAc073tc1a,
    inkyEl133uf1,
    inkyE640,
    inkyUc8159_600x448,
    inkyUc8159_640x400,
  ].map((d) => [d.name, d]),
);

const BITS: Record<PanelProfile['pixelFormat'], 1 | 4> = { nibble4: 4, mono1: 1 };

/** The driver a catalogue entry names, checked against the entry's size and pixel format. */
export function driverFor(profile: PanelProfile): PanelDriver {
  const driver = DRIVERS[profile.driver];
  if (!driver) {
    throw new ConfigError(
      `panel ${profile.id} names driver "${profile.driver}", which does not exist; known: ${Object.keys(DRIVERS).join(', ')}`,
    );
  }
  if (
    driver.width !== profile.width ||
    driver.height !== profile.height ||
    driver.bitsPerPixel !== BITS[profile.pixelFormat]
  ) {
    throw new ConfigError(
      `panel ${profile.id} is ${profile.width}x${profile.height} ${profile.pixelFormat} but its driver ${driver.name} speaks ${driver.width}x${driver.height} at ${driver.bitsPerPixel} bit`,
    );
  }
  return driver;
}

export interface OpenPanelOptions {
  /** "rst=17,dc=25,..." overriding the HAT's defaults. */
  pins?: string;
  spiHz?: number;
  /** Where the dry run writes its trace lines. */
  stdout?: (line: string) => void;
  /** Serial binding (tests); defaults to the native one. */
  serialBinding?: SerialBinding;
  /** For virtual:FILE.png: how the frame hangs, so the picture is turned back upright. */
  rotate?: number;
}

/**
 * Open the panel over the named transport. `spec` is "rpio", "trace:FILE", "serial:PATH",
 * "virtual:FILE.png" (a PNG of what the glass would show) or "dry-run" (the trace transport
 * writing to stdout, BUSY always ready).
 */
export async function openPanel(profile: PanelProfile, spec: string, options: OpenPanelOptions = {}): Promise<Panel> {
  const driver = driverFor(profile);
  const pins = parsePins(options.pins, HATS[driver.hat].pins);
  // Without a panel behind it, a trace answers every BUSY sample with the level the driver
  // waits for, as the vendors' recordings did; CS-framed panels are traced by CS framing.
  const traceOptions = { commandBy: driver.framing.kind === 'cs-only' ? ('cs' as const) : ('dc' as const) };
  let transport: Transport;
  if (spec === 'dry-run') {
    const out = options.stdout ?? ((line: string) => void process.stdout.write(line + '\n'));
    transport = new TraceTransport(out, pins, traceOptions);
  } else if (spec.startsWith('trace:')) {
    transport = await openTraceFile(spec.slice('trace:'.length), pins, traceOptions);
  } else if (spec === 'rpio') {
    const { RpioTransport } = await import('./transports/rpio.js');
    transport = RpioTransport.open({ pins, spiHz: options.spiHz ?? driver.spiHz, busyPull: profile.busyPull });
  } else if (spec.startsWith('virtual:')) {
    const { VirtualPanel } = await import('./virtual-panel.js');
    return new VirtualPanel(profile, spec.slice('virtual:'.length), options.rotate ?? 0);
  } else if (spec.startsWith('serial:')) {
    const { SerialPanel } = await import('./serial/panel.js');
    return SerialPanel.open(spec.slice('serial:'.length), {
      panelId: profile.id,
      width: driver.width,
      height: driver.height,
      bitsPerPixel: driver.bitsPerPixel,
      binding: options.serialBinding,
    });
  } else {
    throw new ConfigError(`transport "${spec}" is not one of rpio, trace:FILE, serial:PATH, virtual:FILE.png`);
  }
  return new SpiPanel(driver, transport, pins);
}
