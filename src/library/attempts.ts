// The outcome of every sync attempt, whoever ran it (the `sync` command or the service): the last
// success and the last failure with its time and reason, in sync_attempts.json beside the
// metadata, so `status` shows a failed run even when the metadata still holds the last good one.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';
import type { InstancePaths } from './instance.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');

const attemptSchema = z.object({
  at: isoTime,
  /** Who ran it: the command line or the frame service. */
  by: z.enum(['cli', 'service']),
  ok: z.boolean(),
  /** A failed attempt: the FrameError code (AUTH_REJECTED, SERVER_UNREACHABLE...) and its line. */
  code: z.string().optional(),
  error: z.string().optional(),
  /** A finished sync in which some photos failed. */
  failed: z.number().int().optional(),
});
export type SyncAttempt = z.infer<typeof attemptSchema>;

const attemptsSchema = z.object({
  last_attempt: attemptSchema.nullable().default(null),
  last_success: attemptSchema.nullable().default(null),
  last_failure: attemptSchema.nullable().default(null),
});
export type SyncAttempts = z.infer<typeof attemptsSchema>;

/** What is recorded, or all null when nothing is (or the file is unreadable: it is only a log). */
export async function readSyncAttempts(paths: InstancePaths): Promise<SyncAttempts> {
  try {
    const parsed = attemptsSchema.safeParse(JSON.parse(await readFile(paths.syncAttemptsPath, 'utf8')));
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
    await writeFileAtomic(paths.syncAttemptsPath, JSON.stringify(all, null, 2) + '\n');
  } catch {
    // A full or read-only disk already fails the sync itself, which says so.
  }
}
