// `status`: what the offline library holds, when it syncs next, and what the frame service is
// doing (its state file), from the disk alone.
import { parseArgs } from 'node:util';
import { pendingReboot } from '../../drivers/boot-config.js';
import { loadConfig } from '../config/config-file.js';
import { selectionFilters } from '../config/filters.js';
import { selectablePhotosOf, selectionStatus, type SelectionStatus } from '../library/selection/state.js';
import { formatBytes, formatFailureReasons } from '../library/words.js';
import { type LibraryStatus, libraryStatus, readStatusMetadata } from '../library/status.js';
import { isAlive, readServiceState, type ServiceState } from '../frame/state.js';
import type { Command } from './command.js';
import { terminalSafe, terminalSafeJson } from '../core/terminal-text.js';
import { instancePaths } from '../library/instance.js';

function ago(iso: string, now: Date): string {
  const s = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  const abs = Math.abs(s);
  const text =
    abs < 90
      ? `${abs} s`
      : abs < 5400
        ? `${Math.round(abs / 60)} min`
        : abs < 172800
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86400)} days`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

export function formatStatus(st: LibraryStatus, now: Date): string {
  const lines = [`library ${terminalSafe(st.photos_dir)}`];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(12)} ${terminalSafe(v)}`);
  if (st.metadata_unreadable)
    row('metadata', `${st.metadata_unreadable}; the frame shows the ${st.photos} photos on disk meanwhile`);
  if (st.metadata_problem)
    row('metadata', `unreadable (${st.metadata_problem}); the next sync moves it aside and rebuilds it`);
  row('album', st.album_id === null ? '(never synced)' : st.album_id === '' ? 'the whole library' : st.album_id);
  row(
    'server',
    st.server_host
      ? `${st.server_host}${st.server_version ? ` (Immich v${st.server_version})` : ''}`
      : '(never synced)',
  );
  const extra = [
    st.adopted_files ? `${st.adopted_files} unmatched files waiting for the next sync` : '',
    st.missing_files ? `${st.missing_files} files missing, fetched again at the next sync` : '',
  ].filter(Boolean);
  row(
    'photos',
    `${st.photos} (${formatBytes(st.bytes_on_disk)} on disk${st.photo_size ? `, photo_size ${st.photo_size}` : ''})${extra.length ? '; ' + extra.join('; ') : ''}`,
  );
  row(
    'last sync',
    st.last_sync
      ? `${st.last_sync} (${ago(st.last_sync, now)}), sync #${st.sync_count}${st.last_success ? ` by ${st.last_success.by === 'service' ? 'the service' : 'the command line'}` : ''}`
      : 'never',
  );
  const fail = st.last_failure;
  // The last failed attempt, when it came after the last success: what went wrong since.
  if (fail && (!st.last_success || Date.parse(fail.at) >= Date.parse(st.last_success.at))) {
    row(
      'last failure',
      `${fail.at} (${ago(fail.at, now)}, by ${fail.by === 'service' ? 'the service' : 'the command line'}): ${fail.error ?? fail.code ?? 'failed'}`,
    );
  }
  const r = st.last_result;
  if (r) {
    row(
      'last result',
      `${r.added} added, ${r.updated} updated, ${r.removed} removed, ${r.kept} kept, ${r.failed} failed, ${formatBytes(r.bytes)} in ${r.seconds} s`,
    );
    if (r.failed > 0 && r.failed_by_reason) row('', `failed: ${formatFailureReasons(r.failed_by_reason)}`);
    for (const f of r.failures.slice(0, 3)) row('', `failed: ${f.error}`);
  }
  row('next sync', st.next_due ? `${st.next_due} (${ago(st.next_due, now)})` : `due now (${st.due_reason})`);
  if (st.sync_running)
    row('running', `a sync is running (pid ${st.sync_running.pid} since ${st.sync_running.started_at})`);
  if (st.storage_problem) row('syncs', `disabled: ${st.storage_problem}; the frame shows the photos it has`);
  return lines.join('\n');
}

/** The selection's part: the active filters, how many photos match, why the last one was picked. */
export function formatSelection(sel: SelectionStatus): string {
  const lines = ['selection'];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(12)} ${terminalSafe(v)}`);
  row('filters', sel.filters.length > 0 ? sel.filters.join('; ') : 'none');
  row('matching', sel.summary);
  row('last pick', sel.last_reason ?? '(none yet)');
  return lines.join('\n');
}

/** The frame service's part: what is on the glass, the next refresh and sync, panel trouble. */
export function formatService(sv: ServiceState, now: Date): string {
  const lines = ['frame'];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(12)} ${terminalSafe(v)}`);
  if (!sv.started_at) {
    row('service', 'has not run yet (artframe-immich run, or the systemd service)');
    return lines.join('\n');
  }
  const alive = sv.running && isAlive(sv.pid);
  row(
    'service',
    alive
      ? `running (pid ${sv.pid} since ${sv.started_at}), panel ${sv.panel} via ${sv.transport}`
      : sv.running
        ? `not running: pid ${sv.pid} is gone (it stopped without saving; systemd restarts it)`
        : `stopped (last started ${sv.started_at})`,
  );
  const shown = sv.panel_shows;
  row('on panel', shown ? `${shown.photo} (${ago(shown.at, now)}, ${shown.reason})` : 'nothing of ours');
  if (sv.last_refresh_error) row('refresh', `last attempt failed: ${sv.last_refresh_error}`);
  if (alive && sv.next_refresh) row('next photo', `${sv.next_refresh} (${ago(sv.next_refresh, now)})`);
  if (sv.last_sync) {
    row('last sync', `${sv.last_sync.ok ? 'ok' : 'failed'}: ${sv.last_sync.summary} (${ago(sv.last_sync.at, now)})`);
  }
  if (alive)
    row(
      'next sync',
      sv.sync_running ? 'running now' : sv.next_sync ? `${sv.next_sync} (${ago(sv.next_sync, now)})` : 'not scheduled',
    );
  if (alive && sv.sync_disabled) row('syncs', `disabled: ${sv.sync_disabled}`);
  if (sv.panel_resets > 0)
    row('panel', `reset ${sv.panel_resets} time(s) after it stopped answering; last: ${sv.panel_error}`);
  return lines.join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'show the library (photos, disk use, last and next sync) and what the frame is doing (no network)',
  usage: 'status [--json]',
  options: ['--json   print the status as JSON'],
  examples: ['artframe-immich status', 'artframe-immich status --json'],
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: { json: { type: 'boolean' } } });
    const config = await loadConfig({ flag: ctx.configFlag, env: ctx.env, redactor: ctx.redactor });
    const now = new Date();
    const paths = instancePaths(config);
    // The metadata read once: the library's figures and the selection's count come from it.
    const read = await readStatusMetadata(paths);
    const st = await libraryStatus(paths, config, now, read);
    const sv = await readServiceState(paths);
    const selection = await selectionStatus(paths, {
      filters: selectionFilters(config),
      now,
      photos: await selectablePhotosOf(paths, read.kind === 'unreadable' ? null : read),
      ...(config.timezone ? { timeZone: config.timezone } : {}),
    });
    const frame = { ...sv, running: sv.running && isAlive(sv.pid) };
    const reboot = pendingReboot(ctx.hardware);
    // Battery mode: the wake board and the battery (loopback and I2C only, no network).
    const power =
      config.power === 'battery'
        ? await import('../power/status.js').then(async (m) => ({
            status: await m.powerStatus(
              config.battery,
              (await import('../../drivers/i2c.js')).openI2cDevice,
              (await import('../../drivers/board.js')).readBoard().model,
            ),
            format: m.formatPower,
          }))
        : null;
    // Metadata and state hold server text: escaped for the terminal, and the key masked (a file
    // written before the listing masked it may still hold it).
    const text = values.json
      ? terminalSafeJson({ ...st, selection, frame, pending_reboot: reboot, ...(power ? { power: power.status } : {}) })
      : `${formatStatus(st, now)}\n${formatSelection(selection)}\n${formatService(sv, now)}${
          power ? `\n${power.format(power.status)}` : ''
        }${reboot.length ? '\nsystem' : ''}${reboot.map((r) => `\n  ${'reboot'.padEnd(12)} ${r}`).join('')}`;
    ctx.stdout(ctx.redactor.redact(text) + '\n');
    return 0;
  },
};
