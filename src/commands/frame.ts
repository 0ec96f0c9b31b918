// `frame`: steer the running frame from a shell, through the same door as the buttons, the page and
// MQTT (the frame's one way in), over its local socket. Works offline; needs the frame running.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { ConfigError, FrameError } from '../core/errors.js';
import { FRAME_COMMANDS } from '../frame/control.js';
import { instancePaths } from '../library/instance.js';
import { askFrame } from '../local-door/client.js';
import type { Command } from './command.js';

const WITH_PHOTO = new Set(['show', 'hide', 'unhide']);

export const frameCommand: Command = {
  name: 'frame',
  summary: 'steer the running frame: next, previous, pause, resume, sync, show/hide a photo, status',
  usage: `frame ${FRAME_COMMANDS.filter((c) => !WITH_PHOTO.has(c)).join('|')}|status|health [--json]\n       frame show|hide|unhide PHOTO_ID [--json]`,
  options: [
    "--json   print the frame's answer as JSON",
    "The frame must be running (artframe-immich run); a refresh waits for the panel's minimum interval, and the answer says when.",
  ],
  examples: [
    'artframe-immich frame next',
    'artframe-immich frame pause',
    'artframe-immich frame hide 3f1c…',
    'artframe-immich frame status --json',
  ],
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
    const [word, photo, ...rest] = positionals;
    const known = [...FRAME_COMMANDS, 'status', 'health'];
    if (!word || !known.includes(word))
      throw new ConfigError(`frame: expected one of ${known.join(', ')} (see artframe-immich frame --help)`);
    if (WITH_PHOTO.has(word) !== (photo !== undefined) || rest.length > 0)
      throw new ConfigError(
        WITH_PHOTO.has(word)
          ? `frame ${word} takes one PHOTO_ID (an Immich asset id)`
          : `frame ${word} takes no argument`,
      );
    const config = await loadConfig({ flag: ctx.configFlag, env: ctx.env, redactor: ctx.redactor });
    const answer = await askFrame(
      instancePaths(config).controlSocketPath,
      photo ? { type: word, photo } : { type: word },
    );
    if (values.json) ctx.stdout(JSON.stringify(answer) + '\n');
    switch (answer.kind) {
      case 'error':
        throw new FrameError(`frame ${word}: ${answer.message}`);
      case 'outcome':
        if (!values.json) ctx.stdout(answer.outcome.message + '\n');
        if (!answer.outcome.ok) return 1;
        return 0;
      case 'status': {
        if (values.json) return 0;
        const s = answer.status;
        const shown = s.shown?.photos.map((p) => p.id).join(' + ') ?? s.panel_shows?.photo ?? 'nothing yet';
        ctx.stdout(
          [
            `showing      ${shown}${s.shown?.why ? ` (${s.shown.why})` : ''}`,
            `paused       ${s.paused ? 'yes' : 'no'}`,
            `next refresh ${s.next_refresh ?? (s.paused ? 'none while paused' : 'not scheduled')}`,
            `next sync    ${s.sync_running ? 'running now' : (s.next_sync ?? 'not scheduled')}`,
          ].join('\n') + '\n',
        );
        return 0;
      }
      case 'health':
        if (!values.json) ctx.stdout(JSON.stringify(answer.health, null, 2) + '\n');
        return 0;
    }
  },
};
