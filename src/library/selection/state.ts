// The selection's memory on disk (`selection_state.json` in the instance folder, replaced
// atomically) and nextPhoto(), the one call the service and the CLI make to pick a photo.
// Offline by design: it reads the metadata, never the network.
import { readFile, stat } from '../../core/fs-async.js';
import path from 'node:path';
import type * as Z from 'zod/mini';
import { EmptyLibraryError, StorageError } from '../../core/errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import { type MetadataRead, readMetadata, isPhotoTemp, listFolder, photoPaths, storageError } from '../store.js';
import { isSafeLocalName } from '../names.js';
import { type SelectablePhoto, type SelectionState, initialSelectionState, selectNext } from './select.js';
import { type Logger, silentLogger } from '../../core/log.js';
import { list, object, oneOf, quickly, str, strOrNull, unsure } from '../../core/quick-read.js';
import { type InstancePaths } from '../instance.js';
import { type SelectionMode, SELECTION_MODES } from './select.js';
import { type FilterOutcome, filterPhotos, recencyWeightOf } from './filters.js';
import { describeFilters, NO_FILTERS, type SelectionFilters, systemTimeZone } from './options.js';

async function buildStateSchema() {
  const z = await import('../../core/zod-lazy.js');
  return z.object({
    format: z.literal(1),
    mode: z.nullable(z.enum(SELECTION_MODES)),
    last: z.nullable(z.object({ id: z.string(), captured_at: z.string() })),
    shown: z.array(z.string()),
    deck: z.array(z.string()),
    /** Why the photo on `last` was picked (added with issue 11: older files lack it). */
    reason: z.optional(z.nullable(z.string())),
  });
}
type StateFile = Z.infer<Awaited<ReturnType<typeof buildStateSchema>>>;

let stateSchema: ReturnType<typeof buildStateSchema> | undefined;
/** The file's schema, built (and zod loaded) on first need: the frame's own file is read by
 * quickStateFile, so `status` and `next` never need it. */
export function selectionStateSchema(): ReturnType<typeof buildStateSchema> {
  return (stateSchema ??= buildStateSchema());
}

const STATE_KEYS = new Set(['format', 'mode', 'last', 'shown', 'deck', 'reason']);
const LAST_KEYS = new Set(['id', 'captured_at']);

/** The file as selectionStateSchema reads it, when sure it would (as the frame writes it); null
 * otherwise, and the schema reads it. */
export function quickStateFile(raw: unknown): StateFile | null {
  return quickly(() => {
    const o = object(raw, STATE_KEYS);
    const s: StateFile = {
      format: o.format === 1 ? 1 : unsure(),
      mode: o.mode === null ? null : oneOf(o.mode, SELECTION_MODES),
      last: o.last === null ? null : lastOf(o.last),
      shown: list(o.shown, str),
      deck: list(o.deck, str),
    };
    if ('reason' in o) s.reason = strOrNull(o.reason);
    return s;
  });
}

function lastOf(v: unknown): { id: string; captured_at: string } {
  const l = object(v, LAST_KEYS);
  return { id: str(l.id), captured_at: str(l.captured_at) };
}

/** States the disk refused (read-only or full card), by file: the newest word on the selection
 * for as long as this process runs, so a frame that cannot write still moves on. */
const unsaved = new Map<string, SelectionState>();

/** The saved state; a missing or damaged file starts afresh rather than stopping the frame. */
export async function readSelectionState(paths: InstancePaths, log: Logger = silentLogger): Promise<SelectionState> {
  const kept = unsaved.get(paths.selectionStatePath);
  if (kept) return structuredClone(kept);
  let text: string;
  try {
    text = await readFile(paths.selectionStatePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn('cannot read the selection state; starting afresh', { error: err });
    return initialSelectionState();
  }
  try {
    const raw: unknown = JSON.parse(text);
    const s = quickStateFile(raw) ?? (await selectionStateSchema()).parse(raw);
    return {
      mode: s.mode,
      last: s.last && { id: s.last.id, capturedAt: s.last.captured_at },
      shown: s.shown,
      deck: s.deck,
      reason: s.reason ?? null,
    };
  } catch {
    log.warn('the selection state file is damaged; starting a new pass', { file: paths.selectionStatePath });
    return initialSelectionState();
  }
}

export async function writeSelectionState(paths: InstancePaths, state: SelectionState): Promise<void> {
  const json = {
    format: 1,
    mode: state.mode,
    last: state.last && { id: state.last.id, captured_at: state.last.capturedAt },
    shown: state.shown,
    deck: state.deck,
    reason: state.reason ?? null,
  };
  try {
    // Not fsynced: losing the last pick after a power cut repeats one photo (atomic-file.ts).
    await writeFileAtomic(paths.selectionStatePath, JSON.stringify(json) + '\n', { durable: false });
  } catch (err) {
    // Kept in memory: the next pick in this process goes on from it.
    unsaved.set(paths.selectionStatePath, structuredClone(state));
    throw storageError(err, 'write', paths.selectionStatePath);
  }
  unsaved.delete(paths.selectionStatePath);
}

/** The photos of each metadata file as last parsed, by the file's identity (inode, mtime, size). */
const loaded = new Map<string, { key: string; photos: readonly SelectablePhoto[] }>();

/** Forget the parsed metadata of one instance, or of all (benches measure the first pick after a
 * sync with it). */
export function forgetLoadedPhotos(paths?: InstancePaths): void {
  if (paths) loaded.delete(paths.metadataPath);
  else loaded.clear();
}

const IMAGE_EXT = /\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif)$/i;

/**
 * The photos the frame may show. From the metadata (synced photos, plus files adopted after a
 * crash, which have no capture time yet); when the metadata is missing or unreadable, from the
 * image files in photos/ so the frame keeps showing something until the next sync repairs it.
 */
export async function loadSelectablePhotos(paths: InstancePaths): Promise<readonly SelectablePhoto[]> {
  // The running service picks from the same metadata tick after tick: parsed once per version of
  // the file (it is only ever replaced, by rename, so a new version has a new inode and mtime).
  // The stat comes before the read, so a file replaced in between is read again next time.
  const key = await stat(paths.metadataPath).then(
    (s) => `${s.ino}:${s.mtimeMs}:${s.size}`,
    () => null,
  );
  const cached = loaded.get(paths.metadataPath);
  if (key !== null && cached?.key === key) return cached.photos;
  // Metadata that cannot be read for want of permission: the files on disk are still shown
  // (status and the log say what is wrong and how to fix it).
  const read = await readMetadata(paths).catch((err: unknown) => {
    if (err instanceof StorageError && err.code === 'STORAGE_PERMISSION') return null;
    throw err;
  });
  const photos = await selectablePhotosOf(paths, read);
  if (key !== null && read?.kind === 'ok') loaded.set(paths.metadataPath, { key, photos });
  return photos;
}

/** The photos of a metadata read already made (`status` reads the file once for all it says);
 * null is a file that could not be read for want of permission. */
export async function selectablePhotosOf(
  paths: InstancePaths,
  read: MetadataRead | null,
): Promise<readonly SelectablePhoto[]> {
  if (read?.kind === 'ok') {
    const m = read.metadata;
    // One loop, one object a photo: this runs over every photo at each `next` and `status`.
    const pathOf = photoPaths(paths);
    const photos: SelectablePhoto[] = [];
    for (const id of Object.keys(m.synced_assets)) {
      const e = m.synced_assets[id]!;
      const photo: SelectablePhoto = { id, path: pathOf(e.local_path), capturedAt: e.file_created_at };
      if (e.sha1) photo.sha1 = e.sha1;
      if (e.info) photo.info = e.info;
      photos.push(photo);
    }
    for (const name of Object.keys(m.adopted)) photos.push({ id: `file:${name}`, path: pathOf(name), capturedAt: '' });
    return photos;
  }
  const files = await listFolder(paths.photosDir);
  return files
    .filter(
      (f) =>
        f.kind === 'file' && f.size > 0 && !isPhotoTemp(f.name) && isSafeLocalName(f.name) && IMAGE_EXT.test(f.name),
    )
    .map((f) => ({ id: `file:${f.name}`, path: path.join(paths.photosDir, f.name), capturedAt: '' }));
}

export interface NextPhotoOptions {
  rng?: () => number;
  logger?: Logger;
  /** What narrows the photos shown; none by default. */
  filters?: SelectionFilters;
  /** The user's zone, for "today" and for photos without a local capture time. Default: the system's. */
  timeZone?: string;
  now?: () => Date;
  /** Photos never to pick (the hide list): left out before the filters, so they count nowhere. */
  exclude?: ReadonlySet<string>;
}

/** The library's photos less the excluded ones. */
function withoutExcluded(
  all: readonly SelectablePhoto[],
  exclude: ReadonlySet<string> | undefined,
): readonly SelectablePhoto[] {
  return exclude && exclude.size > 0 ? all.filter((p) => !exclude.has(p.id)) : all;
}

export interface Selection {
  photo: SelectablePhoto;
  /** The photos the filters let through (what a portrait partner is chosen from). */
  candidates: SelectablePhoto[];
  /** Why this photo, in words: also saved with the selection state for `status`. */
  reason: string;
  filtered: FilterOutcome;
  /** Candidates not yet shown in this round: pickPartner's `notShown`, so a partner comes from
   * the rest of the round when it can. */
  notShown: Set<string>;
}

function modeReason(mode: SelectionMode, state: SelectionState, count: number): string {
  switch (mode) {
    case 'random':
      return `random: ${state.shown.length} of ${count} in this round (each once before any repeat)`;
    case 'sequential':
      return `sequential: the next by capture time (${count} in order)`;
    default:
      return `${mode}: ${state.shown.length} of ${count} in this pass`;
  }
}

/**
 * Pick the photo to show now from the photos the filters let through, remember the choice and
 * why. A photo whose file has vanished is skipped. Throws EmptyLibraryError when there is nothing
 * to show.
 */
export async function nextSelection(
  paths: InstancePaths,
  mode: SelectionMode,
  options: NextPhotoOptions = {},
): Promise<Selection> {
  const now = (options.now ?? (() => new Date()))();
  const filters = options.filters ?? NO_FILTERS;
  const all = withoutExcluded(await loadSelectablePhotos(paths), options.exclude);
  const filtered = filterPhotos(all, filters, now, options.timeZone ?? systemTimeZone);
  const photos = filtered.photos;
  const weightOf =
    filters.recencyWeight > 0 ? (p: SelectablePhoto) => recencyWeightOf(p, filters.recencyWeight, now) : undefined;
  let state = await readSelectionState(paths, options.logger);
  for (let tries = 0; tries < photos.length; tries++) {
    const r = selectNext(photos, state, mode, options.rng, weightOf);
    state = r.state;
    if (!r.photo) break;
    const exists = await stat(r.photo.path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (exists) {
      const reason = `${modeReason(mode, state, photos.length)}; ${filtered.summary}`;
      state.reason = reason;
      // Showing the photo matters more than remembering it (a full or read-only disk, say).
      await writeSelectionState(paths, state).catch((err: unknown) =>
        options.logger?.warn('cannot save the selection state; the next pick may repeat', { error: err }),
      );
      const shown = new Set(state.shown);
      const notShown = new Set(photos.filter((p) => !shown.has(p.id) && p.id !== r.photo!.id).map((p) => p.id));
      return { photo: r.photo, candidates: photos, reason, filtered, notShown };
    }
    options.logger?.warn('a photo in the metadata is missing on disk; skipping it until the next sync', {
      path: r.photo.path,
    });
  }
  throw new EmptyLibraryError(
    `no photos to show in ${paths.photosDir}: run \`artframe-immich sync\` (and check album_id and the server)`,
  );
}

/**
 * The selection for one named photo (a door's "show this one", "previous"): the photo whatever the
 * filters say (a person asked for it), with the filtered candidates for a partner. The round is not
 * advanced; `markShown` counts it. Null when the library has no such photo or its file is gone.
 */
export async function selectionOf(
  paths: InstancePaths,
  id: string,
  reason: string,
  options: NextPhotoOptions = {},
): Promise<Selection | null> {
  const now = (options.now ?? (() => new Date()))();
  const all = await loadSelectablePhotos(paths);
  const photo = all.find((p) => p.id === id);
  if (!photo) return null;
  const exists = await stat(photo.path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) return null;
  const filtered = filterPhotos(
    withoutExcluded(all, options.exclude),
    options.filters ?? NO_FILTERS,
    now,
    options.timeZone ?? systemTimeZone,
  );
  const state = await readSelectionState(paths, options.logger);
  const shown = new Set(state.shown);
  const notShown = new Set(filtered.photos.filter((p) => !shown.has(p.id) && p.id !== id).map((p) => p.id));
  return { photo, candidates: filtered.photos, reason, filtered, notShown };
}

/** One photo of the library by id (adopted files as `file:NAME`), or null. */
export async function photoById(paths: InstancePaths, id: string): Promise<SelectablePhoto | null> {
  return (await loadSelectablePhotos(paths)).find((p) => p.id === id) ?? null;
}

/**
 * A partner shown beside the pick counts as shown in this round, so it does not come back on its
 * own before the rest have had their turn. Best effort, like remembering the pick.
 */
export async function markShown(paths: InstancePaths, id: string, log?: Logger): Promise<void> {
  const state = await readSelectionState(paths, log);
  if (state.shown.includes(id)) return;
  state.shown = [...state.shown, id];
  state.deck = state.deck.filter((d) => d !== id);
  await writeSelectionState(paths, state).catch((err: unknown) =>
    log?.warn('cannot save the selection state; the partner may come back sooner', { error: err }),
  );
}

/** The photo to show now (nextSelection without the extras). */
export async function nextPhoto(
  paths: InstancePaths,
  mode: SelectionMode,
  options: NextPhotoOptions = {},
): Promise<SelectablePhoto> {
  return (await nextSelection(paths, mode, options)).photo;
}

export interface SelectionStatus {
  /** The active filters in words ([] when none). */
  filters: string[];
  /** Photos the filters let through now (on_this_day included when it finds any). */
  matching: number;
  total: number;
  on_this_day_fell_back: boolean;
  filters_fell_back: boolean;
  summary: string;
  /** Why the last photo was picked, as saved with the selection state. */
  last_reason: string | null;
  last_photo: string | null;
}

/** What `status` says of the selection, from the disk alone. */
export async function selectionStatus(
  paths: InstancePaths,
  options: {
    filters?: SelectionFilters;
    timeZone?: string;
    now: Date;
    exclude?: ReadonlySet<string>;
    /** The photos when the caller has them already (selectablePhotosOf); read from disk otherwise. */
    photos?: readonly SelectablePhoto[];
  },
): Promise<SelectionStatus> {
  const filters = options.filters ?? NO_FILTERS;
  const all = withoutExcluded(options.photos ?? (await loadSelectablePhotos(paths)), options.exclude);
  const outcome = filterPhotos(all, filters, options.now, options.timeZone ?? systemTimeZone);
  const state = await readSelectionState(paths);
  return {
    filters: describeFilters(filters),
    matching: outcome.matched,
    total: outcome.total,
    on_this_day_fell_back: outcome.onThisDayFellBack,
    filters_fell_back: outcome.filtersFellBack,
    summary: outcome.summary,
    last_reason: state.reason ?? null,
    last_photo: state.last?.id ?? null,
  };
}
