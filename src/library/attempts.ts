// The outcome of every sync attempt, whoever ran it (the `sync` command or the service): the last
// success and the last failure with its time and reason, in sync_attempts.json beside the
// metadata, so `status` shows a failed run even when the metadata still holds the last good one.
import { fs } from '../core/node-fs.js';
import * as z from 'zod/mini';
import { writeFileAtomic } from './atomic-file.js';
import type { InstancePaths } from './instance.js';
import type { LibraryMetadata } from './metadata.js';

const isoTime = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'));

const attemptSchema = z.object({
  at: isoTime,
  /** Who ran it: the command line or the frame service. */
  by: z.enum(['cli', 'service']),
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
export type SyncAttempt = z.infer<typeof attemptSchema>;

const attemptsSchema = z.object({
  last_attempt: z._default(z.nullable(attemptSchema), null),
  last_success: z._default(z.nullable(attemptSchema), null),
  last_failure: z._default(z.nullable(attemptSchema), null),
});
export type SyncAttempts = z.infer<typeof attemptsSchema>;

/** What is recorded, or all null when nothing is (or the file is unreadable: it is only a log). */
export async function readSyncAttempts(paths: InstancePaths): Promise<SyncAttempts> {
  try {
    // A few hundred bytes, read at once: a promise read is four trips through libuv's thread pool
    // (open, stat, read, close), and a sync reads this file twice.
    const parsed = attemptsSchema.safeParse(JSON.parse(fs.readFileSync(paths.syncAttemptsPath, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // missing or unreadable: start afresh
  }
  return attemptsSchema.parse({});
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
