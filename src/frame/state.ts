// What the running frame remembers and reports: which photo the panel shows (so a restart does not
// refresh a panel that already shows ours), and a status snapshot that `status` reads. One small
// JSON file in the instance folder, replaced atomically; a damaged one is treated as absent.
import { readFile } from '../core/fs-async.js';
import type * as Z from 'zod/mini';
import { writeFileAtomic } from '../library/atomic-file.js';
import type { InstancePaths } from '../library/instance.js';
import { bool, int, list, object, quickly, str, strOrNull, unsure } from '../core/quick-read.js';

async function buildServiceStateSchema() {
  const z = await import('../core/zod-lazy.js');
  const refreshSchema = z.object({
    at: z.string(),
    photo: z.string(),
    reason: z.string(),
    /** The library ids of the photos on the glass (a pair has two); older files lack it. */
    ids: z.optional(z.array(z.string())),
  });

  const syncReportSchema = z.object({
    at: z.string(),
    ok: z.boolean(),
    /** One line: what happened ("3 added, 1 removed") or why it failed. */
    summary: z.string(),
  });

  return z.object({
    format: z.literal(1),
    /** The photo on the glass, when it is ours; null after a clear or before the first refresh. */
    panel_shows: z.nullable(refreshSchema),
    last_refresh: z.nullable(refreshSchema),
    last_refresh_error: z.nullable(z.string()),
    last_sync: z.nullable(syncReportSchema),
    sync_failures: z.int().check(z.minimum(0)),
    /** The last time the panel stopped answering (BUSY timeout) and was reset: "<ISO time> <message>". */
    panel_error: z.nullable(z.string()),
    panel_resets: z.int().check(z.minimum(0)),
    // What the service is doing, for `status` (meaningful while `running` is true).
    running: z.boolean(),
    pid: z.nullable(z.int()),
    started_at: z.nullable(z.string()),
    next_refresh: z.nullable(z.string()),
    next_sync: z.nullable(z.string()),
    sync_running: z.boolean(),
    /** Why syncing is off (read-only or full storage): the frame shows its cached photos meanwhile. */
    sync_disabled: z._default(z.nullable(z.string()), null),
    panel: z.nullable(z.string()),
    transport: z.nullable(z.string()),
    /** Held by a door's pause: the schedule's ticks leave the photo on the glass until resumed. */
    paused: z._default(z.boolean(), false),
  });
}

export type ServiceState = Z.infer<Awaited<ReturnType<typeof buildServiceStateSchema>>>;

let schema: ReturnType<typeof buildServiceStateSchema> | undefined;
/** The file's schema, built (and zod loaded) on first need: the file the service writes is read by
 * quickServiceState, so `status` never needs it. */
export function serviceStateSchema(): ReturnType<typeof buildServiceStateSchema> {
  return (schema ??= buildServiceStateSchema());
}

const STATE_KEYS = new Set(Object.keys(initialServiceState()));
const REFRESH_KEYS = new Set(['at', 'photo', 'reason', 'ids']);
const SYNC_KEYS = new Set(['at', 'ok', 'summary']);

function refresh(v: unknown): ServiceState['panel_shows'] {
  if (v === null) return null;
  const o = object(v, REFRESH_KEYS);
  const r: NonNullable<ServiceState['panel_shows']> = { at: str(o.at), photo: str(o.photo), reason: str(o.reason) };
  if ('ids' in o) r.ids = list(o.ids, str);
  return r;
}

function nonNegative(v: unknown): number {
  return int(v, 0);
}

/** The state as serviceStateSchema reads it, when sure it would (as the service writes it); null
 * otherwise, and the schema reads it. */
export function quickServiceState(raw: unknown): ServiceState | null {
  return quickly(() => {
    const o = object(raw, STATE_KEYS);
    let lastSync: ServiceState['last_sync'] = null;
    if (o.last_sync !== null) {
      const l = object(o.last_sync, SYNC_KEYS);
      lastSync = { at: str(l.at), ok: bool(l.ok), summary: str(l.summary) };
    }
    return {
      format: o.format === 1 ? 1 : unsure(),
      panel_shows: refresh(o.panel_shows),
      last_refresh: refresh(o.last_refresh),
      last_refresh_error: strOrNull(o.last_refresh_error),
      last_sync: lastSync,
      sync_failures: nonNegative(o.sync_failures),
      panel_error: strOrNull(o.panel_error),
      panel_resets: nonNegative(o.panel_resets),
      running: bool(o.running),
      pid: o.pid === null ? null : int(o.pid),
      started_at: strOrNull(o.started_at),
      next_refresh: strOrNull(o.next_refresh),
      next_sync: strOrNull(o.next_sync),
      sync_running: bool(o.sync_running),
      sync_disabled: o.sync_disabled === undefined ? null : strOrNull(o.sync_disabled),
      panel: strOrNull(o.panel),
      transport: strOrNull(o.transport),
      paused: o.paused === undefined ? false : bool(o.paused),
    };
  });
}

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
    paused: false,
  };
}

/** The saved state, or a fresh one when there is none or it cannot be read. */
export async function readServiceState(paths: InstancePaths): Promise<ServiceState> {
  try {
    const raw: unknown = JSON.parse(await readFile(paths.serviceStatePath, 'utf8'));
    const quick = quickServiceState(raw);
    if (quick) return quick;
    const parsed = (await serviceStateSchema()).safeParse(raw);
    if (parsed.success) return parsed.data;
  } catch {
    // Missing or not JSON: start afresh. Losing it costs one extra refresh at start, nothing more.
  }
  return initialServiceState();
}

/** Replace the state file, unless it already holds exactly this (a read wears nothing; another
 * process, `clear` say, may have written it); not fsynced (atomic-file.ts). */
export async function writeServiceState(paths: InstancePaths, state: ServiceState): Promise<void> {
  const text = JSON.stringify(state, null, 2) + '\n';
  if ((await readFile(paths.serviceStatePath, 'utf8').catch(() => null)) === text) return;
  await writeFileAtomic(paths.serviceStatePath, text, { durable: false });
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
