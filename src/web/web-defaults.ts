// The page's config block as plain values, free of zod: its default (on, port 8080, every network)
// and its allowed values in words. The config's quick reading (config/config-check.ts) fills the
// default in on every `status` and `next`; web/config.ts validates a block with them.

export interface WebConfig {
  enabled: boolean;
  /** 0: any free port (tests). */
  port: number;
  /** The address to listen on: "0.0.0.0" every IPv4 network, "127.0.0.1" this machine only, "::" IPv6 too. */
  bind: string;
}

export const WEB_DEFAULTS: Readonly<WebConfig> = { enabled: true, port: 8080, bind: '0.0.0.0' };

export const WEB_CONFIG_ALLOWED =
  '{"enabled": true | false, "port": 1-65535 (default 8080), "bind": an IP address such as "0.0.0.0" (every network, the default) or "127.0.0.1" (this machine only)}';
