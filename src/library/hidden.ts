// The hide list: photos the owner never wants on the glass ("never show this one"). Kept offline in
// the instance folder, apart from the sync's metadata, so a sync (which may remove and fetch a photo
// again) never forgets it; the library's one pick honours it for every door.
import { readFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import { writeFileAtomic } from './atomic-file.js';
import type { InstancePaths } from './instance.js';
import { storageError } from './store.js';
import { type Logger, silentLogger } from '../core/log.js';

/** A frame owner hides a few dozen photos; a list past this is not one a person made. */
export const MAX_HIDDEN = 10_000;

const hiddenSchema = z.object({
  format: z.literal(1),
  hidden: z.array(z.object({ id: z.string(), at: z.string() })).check(z.maxLength(MAX_HIDDEN)),
});

export interface HiddenPhoto {
  id: string;
  /** When it was hidden (ISO). */
  at: string;
}

/** The hidden photos, oldest first; none when the file is missing, and none (with a warning) when it is damaged. */
export async function readHidden(paths: InstancePaths, log: Logger = silentLogger): Promise<HiddenPhoto[]> {
  let text: string;
  try {
    text = await readFile(paths.hiddenPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn('cannot read the hide list; showing every photo until it can be read', {
        file: paths.hiddenPath,
        error: err,
      });
    return [];
  }
  const parsed = hiddenSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    log.warn('the hide list is damaged; showing every photo until a photo is hidden again', {
      file: paths.hiddenPath,
    });
    return [];
  }
  return parsed.data.hidden;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function writeHidden(paths: InstancePaths, hidden: HiddenPhoto[]): Promise<void> {
  try {
    await writeFileAtomic(paths.hiddenPath, JSON.stringify({ format: 1, hidden }) + '\n');
  } catch (err) {
    throw storageError(err, 'write', paths.hiddenPath);
  }
}

/** Add `id` to the hide list; false when it was there already (nothing is written then). */
export async function hidePhoto(paths: InstancePaths, id: string, now: Date, log?: Logger): Promise<boolean> {
  const hidden = await readHidden(paths, log);
  if (hidden.some((h) => h.id === id)) return false;
  await writeHidden(paths, [...hidden, { id, at: now.toISOString() }].slice(-MAX_HIDDEN));
  return true;
}

/** Take `id` off the hide list; false when it was not on it. */
export async function unhidePhoto(paths: InstancePaths, id: string, log?: Logger): Promise<boolean> {
  const hidden = await readHidden(paths, log);
  const rest = hidden.filter((h) => h.id !== id);
  if (rest.length === hidden.length) return false;
  await writeHidden(paths, rest);
  return true;
}
