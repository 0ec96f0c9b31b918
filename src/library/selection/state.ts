// The selection's memory on disk (`selection_state.json` in the instance folder, replaced
// atomically) and nextPhoto(), the one call the service and the CLI make to pick a photo.
// Offline by design: it reads the metadata, never the network.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { EmptyLibraryError } from '../../core/errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import { readMetadata, isPhotoTemp, listFolder, storageError } from '../store.js';
import { isSafeLocalName } from '../names.js';
import { type SelectablePhoto, type SelectionState, initialSelectionState, selectNext } from './select.js';
import { type Logger, silentLogger } from '../../core/log.js';
import { type InstancePaths } from '../instance.js';
import { type SelectionMode, SELECTION_MODES } from './select.js';

const stateSchema = z.object({
  format: z.literal(1),
  mode: z.enum(SELECTION_MODES).nullable(),
  last: z.object({ id: z.string(), captured_at: z.string() }).nullable(),
  shown: z.array(z.string()),
  deck: z.array(z.string()),
});

/** The saved state; a missing or damaged file starts afresh rather than stopping the frame. */
export async function readSelectionState(paths: InstancePaths, log: Logger = silentLogger): Promise<SelectionState> {
  let text: string;
  try {
    text = await readFile(paths.selectionStatePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn('cannot read the selection state; starting afresh', { error: err });
    return initialSelectionState();
  }
  try {
    const s = stateSchema.parse(JSON.parse(text));
    return {
      mode: s.mode,
      last: s.last && { id: s.last.id, capturedAt: s.last.captured_at },
      shown: s.shown,
      deck: s.deck,
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
  };
  try {
    await writeFileAtomic(paths.selectionStatePath, JSON.stringify(json) + '\n');
  } catch (err) {
    throw storageError(err, 'write', paths.selectionStatePath);
  }
}

const IMAGE_EXT = /\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif)$/i;

/**
 * The photos the frame may show. From the metadata (synced photos, plus files adopted after a
 * crash, which have no capture time yet); when the metadata is missing or unreadable, from the
 * image files in photos/ so the frame keeps showing something until the next sync repairs it.
 */
export async function loadSelectablePhotos(paths: InstancePaths): Promise<SelectablePhoto[]> {
  const read = await readMetadata(paths);
  if (read.kind === 'ok') {
    const m = read.metadata;
    return [
      ...Object.entries(m.synced_assets).map(([id, e]) => ({
        id,
        path: path.join(paths.photosDir, e.local_path),
        capturedAt: e.file_created_at,
      })),
      ...Object.keys(m.adopted).map((name) => ({
        id: `file:${name}`,
        path: path.join(paths.photosDir, name),
        capturedAt: '',
      })),
    ];
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
}

/**
 * Pick the photo to show now, remember the choice, and return its path. A photo whose file has
 * vanished is skipped. Throws EmptyLibraryError when there is nothing to show.
 */
export async function nextPhoto(
  paths: InstancePaths,
  mode: SelectionMode,
  options: NextPhotoOptions = {},
): Promise<SelectablePhoto> {
  const photos = await loadSelectablePhotos(paths);
  let state = await readSelectionState(paths, options.logger);
  for (let tries = 0; tries < photos.length; tries++) {
    const r = selectNext(photos, state, mode, options.rng);
    state = r.state;
    if (!r.photo) break;
    const exists = await stat(r.photo.path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (exists) {
      // Showing the photo matters more than remembering it (a full or read-only disk, say).
      await writeSelectionState(paths, state).catch((err: unknown) =>
        options.logger?.warn('cannot save the selection state; the next pick may repeat', { error: err }),
      );
      return r.photo;
    }
    options.logger?.warn('a photo in the metadata is missing on disk; skipping it until the next sync', {
      path: r.photo.path,
    });
  }
  throw new EmptyLibraryError(
    `no photos to show in ${paths.photosDir}: run \`artframe-immich sync\` (and check album_id and the server)`,
  );
}
