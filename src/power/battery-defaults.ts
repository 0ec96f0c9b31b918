// Battery mode's config values, free of zod: the wake boards' names and the `battery` block's
// defaults. The config's quick reading (config/config-check.ts) fills them in on every `status`
// and `next`; power/config.ts's schema defaults each key to the same value.

export const WAKE_BACKENDS = ['auto', 'rtc', 'pisugar', 'witty-pi'] as const;
export type WakeBackendName = (typeof WAKE_BACKENDS)[number];

export const POWER_MODES = ['mains', 'battery'] as const;

export const BATTERY_DEFAULTS = {
  wake: 'auto' as WakeBackendName,
  rtc_dir: '/sys/class/rtc/rtc0',
  pisugar_address: '127.0.0.1:8423',
  witty_pi_bus: 1,
  witty_pi_empty_volts: 3.3,
  witty_pi_full_volts: 4.1,
  no_sync_below_pct: 30,
  charge_me_below_pct: 10,
  poweroff_command: ['systemctl', 'poweroff'],
  max_awake_seconds: 300,
};
