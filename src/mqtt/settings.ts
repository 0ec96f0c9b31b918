// The `mqtt` config block: where the broker is, who we are to it, and where Home Assistant listens.
// Absent = the MQTT door is off. The password is a secret like the API key: learned by the run's
// Redactor before anything can print it, and never shown in a config message.
import * as z from 'zod/mini';
import type { Redactor } from '../core/log.js';

/** A topic level we build topics from: no wildcards, no empty levels, no leading or trailing "/". */
const TOPIC_LEVELS = /^[^#+/\s]+(\/[^#+/\s]+)*$/;
/** MQTT topics are UTF-8 without U+0000 (MQTT 3.1.1, 4.7.3). */
const isTopicPath = (v: string) => TOPIC_LEVELS.test(v) && !v.includes(String.fromCharCode(0));
/** HA's rule for <node_id> and <object_id> in a discovery topic (mqtt.markdown, "Discovery topic"). */
export const HA_ID = /^[a-zA-Z0-9_-]+$/;

function brokerUrl(v: string): boolean {
  try {
    const u = new URL(v);
    // Credentials in the URL would be printed with it: username and password have their own keys.
    if (u.username !== '' || u.password !== '') return false;
    return (u.protocol === 'mqtt:' || u.protocol === 'mqtts:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export const mqttSettingsSchema = z.strictObject({
  url: z.string().check(z.trim(), z.refine(brokerUrl)),
  username: z._default(z.string(), ''),
  password: z._default(z.string(), ''),
  discovery_prefix: z._default(z.string().check(z.refine(isTopicPath)), 'homeassistant'),
  /** Where this frame's own topics live; "" = artframe/<node_id>. */
  base_topic: z._default(z.string().check(z.refine((v) => v === '' || isTopicPath(v))), ''),
  /** The frame's id on the broker and in Home Assistant; "" = derived from the machine and instance_id. */
  node_id: z._default(z.string().check(z.refine((v) => v === '' || (HA_ID.test(v) && v.length <= 64))), ''),
  /** The device's name in Home Assistant; "" = "Photo frame <host>". */
  name: z._default(z.string().check(z.maxLength(100)), ''),
  /** The topic every frame on the broker obeys (next, previous, sync, pause, resume): one automation moves them all. */
  group_topic: z._default(z.string().check(z.refine(isTopicPath)), 'artframe/all/command'),
});

export type MqttSettings = z.infer<typeof mqttSettingsSchema>;

/** What each key allows, in words: the second half of a config message about the block. */
const ALLOWED: Record<string, string> = {
  url: 'a broker URL "mqtt://HOST:1883" or "mqtts://HOST:8883", without user:password@ (use username and password)',
  username: 'the broker user name, or "" for none',
  password: 'the broker password, or "" for none',
  discovery_prefix: 'Home Assistant\'s discovery prefix (default "homeassistant"): topic levels without + or #',
  base_topic:
    'a topic such as "artframe/living-room" (no + or #, no leading or trailing "/"), or "" for artframe/<node_id>',
  node_id: 'letters, digits, "_" or "-" (at most 64), unique per frame on the broker, or "" to derive one',
  name: 'the frame\'s name in Home Assistant (at most 100 characters), or "" for "Photo frame <host>"',
  group_topic: 'a topic every frame obeys (default "artframe/all/command"): no + or #',
};

/** What the block allows, for the config's own list of allowed values. */
export const MQTT_ALLOWED =
  'an object {"url": "mqtt://HOST:1883", "username": "...", "password": "...", ...}, or leave it out for no MQTT';

/** The part of a zod issue a message needs. */
export interface BlockIssue {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
  keys?: readonly string[];
}

/** One line about a problem in the block: which key, its value (the password never), what is allowed. */
export function mqttProblem(source: string, issue: BlockIssue, raw: unknown): string {
  if (issue.code === 'unrecognized_keys' && issue.keys)
    return `${source}: unknown key ${issue.keys.map((k) => `"mqtt.${k}"`).join(', ')}; known keys: ${Object.keys(ALLOWED).join(', ')}`;
  const key = issue.path[1] === undefined ? undefined : String(issue.path[1]);
  if (key === undefined || typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return `${source}: mqtt is not allowed as given; expected ${MQTT_ALLOWED}`;
  const value = (raw as Record<string, unknown>)[key];
  const shown = key === 'password' ? '(hidden)' : value === undefined ? 'missing' : JSON.stringify(value);
  return `${source}: mqtt.${key} = ${shown} is not allowed; expected ${ALLOWED[key] ?? issue.message}`;
}

/** Teach the run's Redactor the broker password, before the block is validated (so no message can print it). */
export function learnMqttSecrets(raw: unknown, redactor: Redactor | undefined): void {
  if (typeof raw !== 'object' || raw === null) return;
  const block = (raw as { mqtt?: unknown }).mqtt;
  if (typeof block !== 'object' || block === null) return;
  const password = (block as { password?: unknown }).password;
  if (typeof password === 'string') redactor?.add(password);
}
