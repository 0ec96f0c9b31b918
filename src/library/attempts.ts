// The outcome of every sync attempt, whoever ran it (the `sync` command or the service): the last
// success and the last failure with its time and reason, in sync_attempts.json beside the
// metadata, so `status` shows a failed run even when the metadata still holds the last good one.
import { fs } from '../core/node-fs.js';
import type * as Z from 'zod/mini';
import { writeFileAtomic } from './atomic-file.js';
import type { InstancePaths } from './instance.js';
import type { LibraryMetadata } from './metadata.js';
import { bool, int, isoTime, object, oneOf, quickly, str } from '../core/quick-read.js';

async function buildAttemptsSchema() {
  const z = await import('../core/zod-lazy.js');
  const isoTime = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'));
  const attemptSchema = z.object({
    at: isoTime,
    /** Who ran it: the command line or the frame service. */
    by: z.enum(BY),
    ok: z.boolean(),
    /** A failed attempt: the FrameError code (AUTH_REJECTED, SERVER_UNREACHABLE...) and its line. */
    code: z.optional(z.string()),
    error: z.optional(z.string()),
    /** A finished sync in which some photos failed. */
    failed: z.optional(z.int()),
    /** A sync that found nothing to change: the metadata was not rewritten, so its last_sync is
     * older than this attempt (withUnchangedSyncs reads the two together). */
    unchanged: z.optional(z.boolean()),
  });
  return z.object({
    last_attempt: z._default(z.nullable(attemptSchema), null),
    last_success: z._default(z.nullable(attemptSchema), null),
    last_failure: z._default(z.nullable(attemptSchema), null),
  });
}
export type SyncAttempts = Z.infer<Awaited<ReturnType<typeof buildAttemptsSchema>>>;
export type SyncAttempt = NonNullable<SyncAttempts['last_attempt']>;

const BY = ['cli', 'service'] as const;

let schema: ReturnType<typeof buildAttemptsSchema> | undefined;
/** The file's schema, built (and zod loaded) on first need: the file a sync writes is read by
 * quickAttempts, so `status` and `next` never need it. */
export function attemptsSchema(): ReturnType<typeof buildAttemptsSchema> {
  return (schema ??= buildAttemptsSchema());
}

const ATTEMPTS_KEYS = new Set(['last_attempt', 'last_success', 'last_failure']);
const ATTEMPT_KEYS = new Set(['at', 'by', 'ok', 'code', 'error', 'failed', 'unchanged']);

function attempt(v: unknown): SyncAttempt | null {
  if (v === undefined || v === null) return null;
  const o = object(v, ATTEMPT_KEYS);
  const a: SyncAttempt = {
    at: isoTime(o.at),
    by: oneOf(o.by, BY),
    ok: bool(o.ok),
  };
  if ('code' in o) a.code = str(o.code);
  if ('error' in o) a.error = str(o.error);
  if ('failed' in o) a.failed = int(o.failed);
  if ('unchanged' in o) a.unchanged = bool(o.unchanged);
  return a;
}

/** The record as attemptsSchema reads it, when sure it would (as a sync writes it); null otherwise,
 * and the schema reads it. */
export function quickAttempts(raw: unknown): SyncAttempts | null {
  return quickly(() => {
    const o = object(raw, ATTEMPTS_KEYS);
    return {
      last_attempt: attempt(o.last_attempt),
      last_success: attempt(o.last_success),
      last_failure: attempt(o.last_failure),
    };
  });
}

/** What is recorded, or all null when nothing is (or the file is unreadable: it is only a log). */
export async function readSyncAttempts(paths: InstancePaths): Promise<SyncAttempts> {
  try {
    // A few hundred bytes, read at once: a promise read is four trips through libuv's thread pool
    // (open, stat, read, close), and a sync reads this file twice.
    const raw: unknown = JSON.parse(fs.readFileSync(paths.syncAttemptsPath, 'utf8'));
    const quick = quickAttempts(raw);
    if (quick) return quick;
    const parsed = (await attemptsSchema()).safeParse(raw);
    if (parsed.success) return parsed.data;
  } catch {
    // missing or unreadable: start afresh
  }
  return { last_attempt: null, last_success: null, last_failure: null };
}

/** Record one attempt (atomically). Never throws: losing this record must not fail a sync. */
export async function recordSyncAttempt(paths: InstancePaths, attempt: SyncAttempt): Promise<void> {
  try {
    const all = await readSyncAttempts(paths);
    all.last_attempt = attempt;
    if (attempt.ok) all.last_success = attempt;
    else all.last_failure = attempt;
    // Replaced whole but not fsynced (two journal commits each sync, on an SD card the larger part
    // of a no-change sync's writes): losing the last record to a power cut only makes the next
    // sync due sooner, or `status` miss one attempt.
    await writeFileAtomic(paths.syncAttemptsPath, JSON.stringify(all, null, 2) + '\n', { durable: false });
  } catch {
    // A full or read-only disk already fails the sync itself, which says so.
  }
}

/**
 * The metadata with its last_sync moved to the latest sync that changed nothing (and so left the
 * file alone): what "is a sync due" and `status` go by. Changes `metadata` in place.
 */
export async function withUnchangedSyncs(paths: InstancePaths, metadata: LibraryMetadata): Promise<LibraryMetadata> {
  metadata.last_sync = lastSyncAt(metadata.last_sync, await readSyncAttempts(paths));
  return metadata;
}

/** The metadata's last sync, or a later sync that changed nothing (and so did not rewrite it). */
export function lastSyncAt(recorded: string | null, attempts: SyncAttempts): string | null {
  const last = attempts.last_success;
  if (recorded === null || !last?.unchanged || Date.parse(last.at) <= Date.parse(recorded)) return recorded;
  return last.at;
}
