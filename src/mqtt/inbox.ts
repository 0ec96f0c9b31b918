// What a message arriving from the broker means: a command for this frame (validated by the one rule
// every door uses, parseFrameCommand), Home Assistant coming online (announce everything again), or
// nothing. Pure: the door logs and acts on the verdict.
import { parseFrameCommand, type FrameCommand } from '../frame/control.js';
import type { FrameTopics } from './topics.js';

/** A command payload is a word or a small JSON object; anything longer is not one of ours. */
export const MAX_COMMAND_BYTES = 512;

/** What the group topic moves on every frame at once (show and hide name one library's photo). */
export const GROUP_COMMANDS = ['next', 'previous', 'sync', 'pause', 'resume'] as const;

export type Verdict =
  | { kind: 'command'; command: FrameCommand; via: 'own' | 'group' }
  | { kind: 'rejected'; topic: string; why: string }
  | { kind: 'rediscover' }
  | { kind: 'ignore' };

/** The start of a payload, quoted for a log line (never the whole of a flood). */
export function preview(payload: Buffer): string {
  const text = payload.subarray(0, 40).toString('utf8');
  return JSON.stringify(payload.length > 40 ? text + '…' : text);
}

function commandOf(payload: Buffer): FrameCommand | string {
  if (payload.length > MAX_COMMAND_BYTES) return `longer than ${MAX_COMMAND_BYTES} bytes`;
  const text = payload.toString('utf8').trim();
  let raw: unknown;
  if (text.startsWith('{')) {
    try {
      raw = JSON.parse(text);
    } catch {
      return 'not valid JSON';
    }
  } else raw = { type: text.toLowerCase() };
  return parseFrameCommand(raw);
}

export function readMessage(topics: FrameTopics, topic: string, payload: Buffer, retained: boolean): Verdict {
  if (topic === topics.haStatus)
    return payload.toString('utf8').trim() === 'online' ? { kind: 'rediscover' } : { kind: 'ignore' };
  const via = topic === topics.command ? 'own' : topic === topics.group ? 'group' : null;
  if (!via) return { kind: 'ignore' };
  // A retained command would run again at every reconnect: commands are never retained.
  if (retained) return { kind: 'rejected', topic, why: 'a retained command (publish commands without retain)' };
  const parsed = commandOf(payload);
  if (typeof parsed === 'string') return { kind: 'rejected', topic, why: `${preview(payload)}: ${parsed}` };
  if (via === 'group' && !(GROUP_COMMANDS as readonly string[]).includes(parsed.type))
    return { kind: 'rejected', topic, why: `${parsed.type}: the group topic takes ${GROUP_COMMANDS.join(', ')}` };
  return { kind: 'command', command: parsed, via };
}
