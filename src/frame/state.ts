// What the running frame remembers and reports: which photo the panel shows (so a restart does not
// refresh a panel that already shows ours), and a status snapshot that `status` reads. One small
// JSON file in the instance folder, replaced atomically; a damaged one is treated as absent.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../library/atomic-file.js';
import type { InstancePaths } from '../library/instance.js';

const refreshSchema = z.object({
  at: z.string(),
  photo: z.string(),
  reason: z.string(),
});

const syncReportSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  /** One line: what happened ("3 added, 1 removed") or why it failed. */
  summary: z.string(),
});

export const serviceStateSchema = z.object({
  format: z.literal(1),
  /** The photo on the glass, when it is ours; null after a clear or before the first refresh. */
  panel_shows: refreshSchema.nullable(),
  last_refresh: refreshSchema.nullable(),
  last_refresh_error: z.string().nullable(),
  last_sync: syncReportSchema.nullable(),
  sync_failures: z.number().int().min(0),
  /** The last time the panel stopped answering (BUSY timeout) and was reset: "<ISO time> <message>". */
  panel_error: z.string().nullable(),
  panel_resets: z.number().int().min(0),
  // What the service is doing, for `status` (meaningful while `running` is true).
  running: z.boolean(),
  pid: z.number().int().nullable(),
  started_at: z.string().nullable(),
  next_refresh: z.string().nullable(),
  next_sync: z.string().nullable(),
  sync_running: z.boolean(),
  /** Why syncing is off (read-only or full storage): the frame shows its cached photos meanwhile. */
  sync_disabled: z.string().nullable().default(null),
  panel: z.string().nullable(),
  transport: z.string().nullable(),
});

export type ServiceState = z.infer<typeof serviceStateSchema>;

export function initialServiceState(): ServiceState {
  return {
    format: 1,
    panel_shows: null,
    last_refresh: null,
    last_refresh_error: null,
    last_sync: null,
    sync_failures: 0,
    panel_error: null,
    panel_resets: 0,
    running: false,
    pid: null,
    started_at: null,
    next_refresh: null,
    next_sync: null,
    sync_running: false,
    sync_disabled: null,
    panel: null,
    transport: null,
  };
}

/** The saved state, or a fresh one when there is none or it cannot be read. */
export async function readServiceState(paths: InstancePaths): Promise<ServiceState> {
  try {
    const parsed = serviceStateSchema.safeParse(JSON.parse(await readFile(paths.serviceStatePath, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Missing or not JSON: start afresh. Losing it costs one extra refresh at start, nothing more.
  }
  return initialServiceState();
}

export async function writeServiceState(paths: InstancePaths, state: ServiceState): Promise<void> {
  await writeFileAtomic(paths.serviceStatePath, JSON.stringify(state, null, 2) + '\n');
}

/** Is the process that wrote a `running` state still alive? (A crash leaves running: true.) */
export function isAlive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
