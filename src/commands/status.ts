// `status`: what the offline library holds and when it syncs next, from the disk alone.
import { parseArgs } from 'node:util';
import { libraryPaths, loadConfig } from '../config.js';
import { formatBytes } from '../library/progress.js';
import { type LibraryStatus, libraryStatus } from '../library/status.js';
import type { Command } from './command.js';

function ago(iso: string, now: Date): string {
  const s = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  const abs = Math.abs(s);
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} days`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

export function formatStatus(st: LibraryStatus, now: Date): string {
  const lines = [`library ${st.photos_dir}`];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(12)} ${v}`);
  if (st.metadata_problem) row('metadata', `unreadable (${st.metadata_problem}); the next sync moves it aside and rebuilds it`);
  row('album', st.album_id === null ? '(never synced)' : st.album_id === '' ? 'the whole library' : st.album_id);
  row('server', st.server_host ? `${st.server_host}${st.server_version ? ` (Immich v${st.server_version})` : ''}` : '(never synced)');
  const extra = [
    st.adopted_files ? `${st.adopted_files} unmatched files waiting for the next sync` : '',
    st.missing_files ? `${st.missing_files} files missing, fetched again at the next sync` : '',
  ].filter(Boolean);
  row('photos', `${st.photos} (${formatBytes(st.bytes_on_disk)} on disk${st.photo_size ? `, photo_size ${st.photo_size}` : ''})${extra.length ? '; ' + extra.join('; ') : ''}`);
  row('last sync', st.last_sync ? `${st.last_sync} (${ago(st.last_sync, now)}), sync #${st.sync_count}` : 'never');
  const r = st.last_result;
  if (r) {
    row(
      'last result',
      `${r.added} added, ${r.updated} updated, ${r.removed} removed, ${r.kept} kept, ${r.failed} failed, ${formatBytes(r.bytes)} in ${r.seconds} s`,
    );
    for (const f of r.failures.slice(0, 3)) row('', `failed: ${f.error}`);
  }
  row('next sync', st.next_due ? `${st.next_due} (${ago(st.next_due, now)})` : `due now (${st.due_reason})`);
  if (st.sync_running) row('running', `a sync is running (pid ${st.sync_running.pid} since ${st.sync_running.started_at})`);
  return lines.join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'show the offline library: photos, disk use, last sync and its result, next sync (no network)',
  usage: 'status [--json]',
  options: ['--json   print the status as JSON'],
  examples: ['artframe-immich status', 'artframe-immich status --json'],
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: { json: { type: 'boolean' } } });
    const config = await loadConfig({ flag: ctx.configFlag, env: ctx.env });
    const now = new Date();
    const st = await libraryStatus(libraryPaths(config), config, now);
    ctx.stdout((values.json ? JSON.stringify(st, null, 2) : formatStatus(st, now)) + '\n');
    return 0;
  },
};
