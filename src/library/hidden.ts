// The hide list: photos the owner never wants on the glass ("never show this one"). Kept offline in
// the instance folder, apart from the sync's metadata, so a sync (which may remove and fetch a photo
// again) never forgets it; the library's one pick honours it for every door.
import { readFile } from '../core/fs-async.js';
import { writeFileAtomic } from './atomic-file.js';
import type { InstancePaths } from './instance.js';
import { storageError } from './store.js';
import { type Logger, silentLogger } from '../core/log.js';
import { list, object, quickly, str, unsure } from '../core/quick-read.js';

/** A frame owner hides a few dozen photos; a list past this is not one a person made. */
export const MAX_HIDDEN = 10_000;

async function buildHiddenSchema() {
  const z = await import('../core/zod-lazy.js');
  return z.object({
    format: z.literal(1),
    hidden: z.array(z.object({ id: z.string(), at: z.string() })).check(z.maxLength(MAX_HIDDEN)),
  });
}

let schema: ReturnType<typeof buildHiddenSchema> | undefined;
/** The file's schema, built (and zod loaded) on first need: the frame's own list is read by
 * quickHidden, so `next` never needs it. */
export function hiddenSchema(): ReturnType<typeof buildHiddenSchema> {
  return (schema ??= buildHiddenSchema());
}

const FILE_KEYS = new Set(['format', 'hidden']);
const ENTRY_KEYS = new Set(['id', 'at']);

/** The list as hiddenSchema reads it, when sure it would (as the frame writes it); null otherwise. */
export function quickHidden(raw: unknown): { format: 1; hidden: HiddenPhoto[] } | null {
  return quickly(() => {
    const o = object(raw, FILE_KEYS);
    if (o.format !== 1 || !Array.isArray(o.hidden) || o.hidden.length > MAX_HIDDEN) unsure();
    return {
      format: 1,
      hidden: list(o.hidden, (h) => {
        const e = object(h, ENTRY_KEYS);
        return { id: str(e.id), at: str(e.at) };
      }),
    };
  });
}

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
  const raw = safeJson(text);
  const quick = quickHidden(raw);
  if (quick) return quick.hidden;
  const parsed = (await hiddenSchema()).safeParse(raw);
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
