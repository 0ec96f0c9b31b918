// `test`: the seed's example test. Asks for the server URL, the API key (not echoed) and an album
// id on a terminal, or takes them as flags, syncs into ./test_output/ and shows what arrived.
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { parseConfig } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import { formatBytes } from '../library/words.js';
import { readMetadata } from '../library/store.js';
import type { Command, CommandContext } from './command.js';
import { formatOutcome, runSync } from './sync.js';
import { instancePaths } from '../library/instance.js';

async function askVisible(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Read a line without echoing it (raw mode): for the API key. */
function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the question shows, so nothing typed after it can be echoed.
  stdin.setRawMode(true);
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value.trim());
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new ConfigError('test cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function gather(ctx: CommandContext, values: { url?: string; key?: string; album?: string }) {
  const interactive = ctx.isTTY && Boolean(process.stdin.isTTY);
  let url = values.url ?? ctx.env.IMMICH_URL;
  let key = values.key ?? ctx.env.IMMICH_API_KEY;
  let album = values.album;
  if (interactive) {
    url ??= await askVisible('Immich server URL (e.g. https://immich.example.com): ');
    key ??= await askHidden('API key (not shown): ');
    album ??= await askVisible('Album id or album URL (empty = whole library): ');
  }
  if (!url || !key) {
    throw new ConfigError(
      'test needs the server URL and an API key: pass --url and --key (or run it in a terminal to be asked)',
    );
  }
  return { url, key, album: album ?? '' };
}

/** `--key -abc` would read as an option: join each value to its flag first (API keys may start with '-'). */
function joinFlagValues(args: string[], flags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (flags.includes(a) && i + 1 < args.length) out.push(`${a}=${args[++i]!}`);
    else out.push(a);
  }
  return out;
}

export const testCommand: Command = {
  name: 'test',
  summary: 'try a server and album: sync into ./test_output/ and show what arrived',
  usage: 'test [--url URL] [--key KEY] [--album ID] [--photo-size original|fullsize|preview] [--max-photos N]',
  options: [
    '--url URL          the Immich server (asked on a terminal when missing; or $IMMICH_URL)',
    '--key KEY          an API key (asked without echo when missing; or $IMMICH_API_KEY, which other users cannot see in ps)',
    '--album ID         album UUID or album page URL; empty for the whole library',
    '--photo-size SIZE  original (default), fullsize or preview',
    '--max-photos N     keep at most N photos (0 = all)',
  ],
  examples: [
    'artframe-immich test',
    'artframe-immich test --url https://immich.example.com --key "$KEY" --album a1b2c3d4-e5f6-7890-abcd-ef1234567890',
  ],
  async run(ctx) {
    const { values } = parseArgs({
      args: joinFlagValues(ctx.args, ['--url', '--key', '--album', '--photo-size', '--max-photos']),
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        album: { type: 'string' },
        'photo-size': { type: 'string' },
        'max-photos': { type: 'string' },
      },
    });
    const given = await gather(ctx, values);
    const raw: Record<string, unknown> = {
      immich_url: given.url,
      immich_api_key: given.key,
      album_id: given.album,
      storage_dir: path.resolve('test_output'),
      instance_id: 'test',
    };
    if (values['photo-size'] !== undefined) raw.photo_size = values['photo-size'];
    if (values['max-photos'] !== undefined) raw.max_photos = Number(values['max-photos']);
    const config = parseConfig(raw, 'test', ctx.redactor);
    const outcome = await runSync(ctx, config, { force: true, dryRun: false });
    if (outcome.kind !== 'synced') return 1;
    const paths = instancePaths(config);
    const read = await readMetadata(paths);
    const entries = read.kind === 'ok' ? Object.values(read.metadata.synced_assets) : [];
    entries.sort((a, b) => a.local_path.localeCompare(b.local_path));
    const total = entries.reduce((n, e) => n + (e.bytes ?? 0), 0);
    const lines = [
      formatOutcome(outcome),
      `server: ${new URL(config.immich_url).host}, Immich v${outcome.serverVersion}`,
      `album: ${config.album_id || 'the whole library'}`,
      `got ${entries.length} photos, ${formatBytes(total)}, in ${paths.photosDir}`,
      ...entries
        .slice(0, 5)
        .map((e) => `  ${e.local_path}  ${formatBytes(e.bytes ?? 0)}  ${e.rendition}  taken ${e.file_created_at}`),
      ...(entries.length > 5 ? [`  ... and ${entries.length - 5} more`] : []),
    ];
    ctx.stdout(lines.join('\n') + '\n');
    if (outcome.result.failed > 0) {
      ctx.stderr(
        `error: ${outcome.result.failed} photos failed to download (first: ${outcome.result.failures[0]!.error})\n`,
      );
      return 3;
    }
    return 0;
  },
};
