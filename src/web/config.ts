// The page's config block (`web`): on by default on port 8080 of every network, so a phone on the
// LAN finds the frame; `{"enabled": false}` turns it off. Added to the config schema in one line.
import { createRequire } from 'node:module';
import * as z from 'zod/mini';

// node:net only for a config that names an address: loading it costs every command's start-up
// (`status` reads this schema with the rest of the config) about 9 ms of CPU.
const isIP = (v: string) => (createRequire(import.meta.url)('node:net') as typeof import('node:net')).isIP(v);

export const webConfigSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** 0: any free port (tests). */
  port: z._default(z.int().check(z.minimum(0), z.maximum(65535)), 8080),
  /** The address to listen on: "0.0.0.0" every IPv4 network, "127.0.0.1" this machine only, "::" IPv6 too. */
  bind: z._default(z.string().check(z.refine((v) => isIP(v) !== 0)), '0.0.0.0'),
});
export type WebConfig = z.infer<typeof webConfigSchema>;

export const WEB_DEFAULTS: WebConfig = { enabled: true, port: 8080, bind: '0.0.0.0' };

export const WEB_CONFIG_ALLOWED =
  '{"enabled": true | false, "port": 1-65535 (default 8080), "bind": an IP address such as "0.0.0.0" (every network, the default) or "127.0.0.1" (this machine only)}';
