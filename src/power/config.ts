// The config keys of battery mode (`power: "battery"` and its `battery` block), added to the
// config's schema with one line: a frame on mains power never reads them.
import * as z from 'zod/mini';

export const WAKE_BACKENDS = ['auto', 'rtc', 'pisugar', 'witty-pi'] as const;
export type WakeBackendName = (typeof WAKE_BACKENDS)[number];

const hostPort = z.string().check(z.regex(/^127\.0\.0\.1:\d{1,5}$/));

export const batteryConfigSchema = z.object({
  /** Which board wakes the Pi: "auto" asks the PiSugar server, then the Witty Pi, then the kernel RTC. */
  wake: z._default(z.enum(WAKE_BACKENDS), 'auto'),
  /** The kernel RTC (the Pi 5's own, an RTC HAT): its sysfs folder. */
  rtc_dir: z._default(z.string().check(z.minLength(1)), '/sys/class/rtc/rtc0'),
  /** The PiSugar server's TCP API: loopback only (pisugar-server listens on 0.0.0.0:8423 by default). */
  pisugar_address: z._default(hostPort, '127.0.0.1:8423'),
  /** The Witty Pi 4's I2C bus (its address is 0x08). */
  witty_pi_bus: z._default(z.int().check(z.minimum(0), z.maximum(20)), 1),
  /** Witty Pi 4 measures its input voltage only: the battery's empty and full voltages make a level of it. */
  witty_pi_empty_volts: z._default(z.number().check(z.minimum(0), z.maximum(30)), 3.3),
  witty_pi_full_volts: z._default(z.number().check(z.minimum(0), z.maximum(30)), 4.1),
  /** Below this level no sync (Wi-Fi is the costly part of a wake). */
  no_sync_below_pct: z._default(z.number().check(z.minimum(0), z.maximum(100)), 30),
  /** Below this level the frame shows "charge me" on its photo before powering off. */
  charge_me_below_pct: z._default(z.number().check(z.minimum(0), z.maximum(100)), 10),
  /** The command that powers the Pi off after a wake (run with no shell). */
  poweroff_command: z._default(z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), [
    'systemctl',
    'poweroff',
  ]),
  /** The longest a wake may last before the frame powers off anyway (a sync is cut short). */
  max_awake_seconds: z._default(z.int().check(z.minimum(30), z.maximum(3600)), 300),
});
export type BatteryConfig = z.infer<typeof batteryConfigSchema>;

/** Spread into the config schema: `power` and its `battery` block. */
export const POWER_CONFIG_SHAPE = {
  /** "mains": the frame runs all the time. "battery": `run` is one wake cycle ending in power-off. */
  power: z._default(z.enum(['mains', 'battery']), 'mains'),
  battery: z._default(batteryConfigSchema, batteryConfigSchema.parse({})),
};
