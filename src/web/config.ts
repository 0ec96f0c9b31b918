// The page's config block (`web`): on by default on port 8080 of every network, so a phone on the
// LAN finds the frame; `{"enabled": false}` turns it off. Added to the config schema in one line;
// its defaults are web-defaults.ts's (plain values the config's quick reading uses too).
import { createRequire } from 'node:module';
import * as z from 'zod/mini';
import { type WebConfig, WEB_DEFAULTS } from './web-defaults.js';

export { type WebConfig, WEB_CONFIG_ALLOWED, WEB_DEFAULTS } from './web-defaults.js';

// node:net only for a config that names an address: loading it costs every command's start-up
// (`status` reads this schema with the rest of the config) about 9 ms of CPU.
const isIP = (v: string) => (createRequire(import.meta.url)('node:net') as typeof import('node:net')).isIP(v);

export const webConfigSchema = z.strictObject({
  enabled: z._default(z.boolean(), WEB_DEFAULTS.enabled),
  port: z._default(z.int().check(z.minimum(0), z.maximum(65535)), WEB_DEFAULTS.port),
  bind: z._default(z.string().check(z.refine((v) => isIP(v) !== 0)), WEB_DEFAULTS.bind),
}) satisfies z.ZodMiniType<WebConfig>;
