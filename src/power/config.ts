// The config keys of battery mode (`power: "battery"` and its `battery` block), added to the
// config's schema with one line: a frame on mains power never reads them. The defaults are
// battery-defaults.ts's (plain values the config's quick reading uses too).
import * as z from 'zod/mini';
import { BATTERY_DEFAULTS as D, POWER_MODES, WAKE_BACKENDS } from './battery-defaults.js';

export { WAKE_BACKENDS, type WakeBackendName } from './battery-defaults.js';

const hostPort = z.string().check(z.regex(/^127\.0\.0\.1:\d{1,5}$/));

export const batteryConfigSchema = z.object({
  /** Which board wakes the Pi: "auto" asks the PiSugar server, then the Witty Pi, then the kernel RTC. */
  wake: z._default(z.enum(WAKE_BACKENDS), D.wake),
  /** The kernel RTC (the Pi 5's own, an RTC HAT): its sysfs folder. */
  rtc_dir: z._default(z.string().check(z.minLength(1)), D.rtc_dir),
  /** The PiSugar server's TCP API: loopback only (pisugar-server listens on 0.0.0.0:8423 by default). */
  pisugar_address: z._default(hostPort, D.pisugar_address),
  /** The Witty Pi 4's I2C bus (its address is 0x08). */
  witty_pi_bus: z._default(z.int().check(z.minimum(0), z.maximum(20)), D.witty_pi_bus),
  /** Witty Pi 4 measures its input voltage only: the battery's empty and full voltages make a level of it. */
  witty_pi_empty_volts: z._default(z.number().check(z.minimum(0), z.maximum(30)), D.witty_pi_empty_volts),
  witty_pi_full_volts: z._default(z.number().check(z.minimum(0), z.maximum(30)), D.witty_pi_full_volts),
  /** Below this level no sync (Wi-Fi is the costly part of a wake). */
  no_sync_below_pct: z._default(z.number().check(z.minimum(0), z.maximum(100)), D.no_sync_below_pct),
  /** Below this level the frame shows "charge me" on its photo before powering off. */
  charge_me_below_pct: z._default(z.number().check(z.minimum(0), z.maximum(100)), D.charge_me_below_pct),
  /** The command that powers the Pi off after a wake (run with no shell). */
  poweroff_command: z._default(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), D.poweroff_command),
  /** The longest a wake may last before the frame powers off anyway (a sync is cut short). */
  max_awake_seconds: z._default(z.int().check(z.minimum(30), z.maximum(3600)), D.max_awake_seconds),
});
export type BatteryConfig = z.infer<typeof batteryConfigSchema>;

/** Spread into the config schema: `power` and its `battery` block. */
export const POWER_CONFIG_SHAPE = {
  /** "mains": the frame runs all the time. "battery": `run` is one wake cycle ending in power-off. */
  power: z._default(z.enum(POWER_MODES), 'mains'),
  battery: z._default(batteryConfigSchema, batteryConfigSchema.parse({})),
};
