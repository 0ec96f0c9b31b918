// How the frame is doing, in one record every door shows the same way (`status`, the page, MQTT's
// sensors): the library, the disk, the panel, the board and, where a battery board is fitted, the
// battery. Read from the disk and the running service alone: no network.
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { readBoard } from '../../drivers/board.js';
import type { InstancePaths } from '../library/instance.js';
import { readMetadata } from '../library/store.js';
import { readSyncAttempts } from '../library/attempts.js';
import { storageProblem } from '../library/storage-health.js';
import { readHidden } from '../library/hidden.js';
import type { FrameStatus } from './control.js';

/** What a battery board says (power/): null where none is fitted or it does not answer. */
export interface BatteryReading {
  /** 0-100 */
  level_pct: number;
  charging: boolean;
  /** The board it came from ("pisugar3", "wittypi4", ...). */
  board: string;
}

export interface FrameHealth {
  at: string;
  version: string;
  /** Seconds since the frame process started, and since the machine booted. */
  uptime_s: number;
  system_uptime_s: number;
  board: string | null;
  cpu_temp_c: number | null;
  disk: { free_bytes: number | null; total_bytes: number | null; library_bytes: number };
  /** Why syncs cannot write the library now (read-only, full), or null. */
  storage_problem: string | null;
  library: {
    photos: number;
    failed: number;
    hidden: number;
    last_sync: string | null;
    next_sync: string | null;
    sync_running: boolean;
    /** The last failed attempt when it came after the last success: what went wrong since. */
    last_failure: { at: string; error: string | null } | null;
  };
  panel: {
    id: string | null;
    transport: string | null;
    last_refresh: string | null;
    next_refresh: string | null;
    resets: number;
    error: string | null;
    /** False once a BUSY timeout was the last thing the panel did (it was reset since). */
    answering: boolean;
  };
  /** True after a sync that reached the server, false after one that could not; null before any. */
  server_reachable: boolean | null;
  battery: BatteryReading | null;
}

/** The SoC's temperature on a Pi (millidegrees in sysfs); null elsewhere. */
export async function cpuTemperature(file = '/sys/class/thermal/thermal_zone0/temp'): Promise<number | null> {
  try {
    const milli = Number((await readFile(file, 'utf8')).trim());
    return Number.isFinite(milli) ? Math.round(milli / 100) / 10 : null;
  } catch {
    return null;
  }
}

export interface HealthInput {
  paths: InstancePaths;
  status: FrameStatus;
  version: string;
  startedAt: number;
  now: Date;
  battery?: () => Promise<BatteryReading | null>;
  /** Where the SoC temperature is read (tests point it at a file). */
  thermalPath?: string;
  modelPath?: string;
}

/** The failures that mean the server was not reached (errors.ts codes). */
const UNREACHABLE = ['SERVER_UNREACHABLE', 'SERVER_DEADLINE', 'SERVER_TLS'];

export async function readHealth(o: HealthInput): Promise<FrameHealth> {
  const [read, attempts, problem, hidden, fs, temp, battery] = await Promise.all([
    readMetadata(o.paths),
    readSyncAttempts(o.paths),
    storageProblem(o.paths),
    readHidden(o.paths),
    statfs(o.paths.instanceDir).catch(() => null),
    cpuTemperature(o.thermalPath),
    o.battery ? o.battery().catch(() => null) : Promise.resolve(null),
  ]);
  const metadata = read.kind === 'ok' ? read.metadata : null;
  const entries = metadata ? Object.values(metadata.synced_assets) : [];
  const s = o.status;
  const fail = attempts.last_failure;
  const success = attempts.last_success;
  const failedSince = fail && (!success || Date.parse(fail.at) >= Date.parse(success.at)) ? fail : null;
  // Reachable: the last attempt got through (a success, or a failure that was not the server's
  // absence); unknown before any.
  const lastAttempt = failedSince ?? success;
  const unreachable = failedSince !== null && UNREACHABLE.includes(failedSince.code ?? '');
  return {
    at: o.now.toISOString(),
    version: o.version,
    uptime_s: Math.round((o.now.getTime() - o.startedAt) / 1000),
    system_uptime_s: Math.round(os.uptime()),
    board: readBoard(o.modelPath).model ?? null,
    cpu_temp_c: temp,
    disk: {
      free_bytes: fs ? Number(fs.bavail) * Number(fs.bsize) : null,
      total_bytes: fs ? Number(fs.blocks) * Number(fs.bsize) : null,
      library_bytes: entries.reduce((sum, e) => sum + (e.bytes ?? 0), 0),
    },
    storage_problem: problem ?? s.sync_disabled,
    library: {
      photos: entries.length,
      failed: metadata?.last_result?.failed ?? 0,
      hidden: hidden.length,
      last_sync: metadata?.last_sync ?? null,
      next_sync: s.next_sync,
      sync_running: s.sync_running,
      last_failure: failedSince ? { at: failedSince.at, error: failedSince.error ?? failedSince.code ?? null } : null,
    },
    panel: {
      id: s.panel,
      transport: s.transport,
      last_refresh: s.last_refresh?.at ?? null,
      next_refresh: s.next_refresh,
      resets: s.panel_resets,
      error: s.panel_error,
      answering: !(s.panel_error && (!s.last_refresh || s.panel_error.slice(0, 24) > s.last_refresh.at)),
    },
    server_reachable: lastAttempt ? !unreachable : null,
    battery,
  };
}
