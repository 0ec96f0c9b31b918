// The library on disk: the instance folder, photos/ and sync_metadata.json. Every filesystem
// call of the sync engine goes through here, and no path it builds can leave photos/.
import { uniqueHex } from '../core/unique-hex.js';
import type { Stats } from 'node:fs';
import { fs } from '../core/node-fs.js';
import { readdir, readFile, rename, unlink } from '../core/fs-async.js';
import path from 'node:path';
import { isAscii } from 'node:buffer';
import { StorageError } from '../core/errors.js';
import { syncDir, writeFileAtomic } from './atomic-file.js';
import { permissionAdvice } from './permission.js';
import type { LibraryMetadata, parseMetadata } from './metadata.js';
import { METADATA_FORMAT, quickMetadata } from './metadata-check.js';
import { isSafeLocalName } from './names.js';
import type { InstancePaths } from './instance.js';
import { makeFolders } from '../core/folders.js';

type ParseMetadata = typeof parseMetadata;
const { statSync } = fs;

/** Downloads in flight are `.artframe-<hex>.part` in photos/: hidden, and ours to delete. */
const TEMP_PREFIX = '.artframe-';
const TEMP_SUFFIX = '.part';

/** This process's random part of its temp names, drawn once: a name a photo then costs a counter,
 * not a call into OpenSSL (~20 us each, 20 ms of a 1,000-photo sync). Unique among this sync's
 * own temps by the counter, and against a killed sync's leftovers by 64 random bits; a name
 * that exists all the same is refused by the exclusive create ('wx'), never overwritten. */
let tempStem: string | undefined;
let tempCount = 0;

export function tempPhotoName(): string {
  tempStem ??= uniqueHex(8);
  tempCount += 1;
  return `${TEMP_PREFIX}${tempStem}-${tempCount.toString(36)}${TEMP_SUFFIX}`;
}

export function isPhotoTemp(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

/** Turn a filesystem failure into a StorageError naming the file and what to do. */
export function storageError(err: unknown, action: string, file: string): StorageError {
  const code = (err as NodeJS.ErrnoException).code;
  const hint =
    code === 'ENOSPC'
      ? 'the disk is full: free space or lower max_photos'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied: check who owns the folder'
        : code === 'EROFS'
          ? 'the filesystem is read-only'
          : (code ?? (err as Error).message);
  return new StorageError(`cannot ${action} ${file}: ${hint}`, { cause: err });
}

/** The last folder photoPath resolved: a sync asks for the same one a few times a photo. Only an
 * absolute folder is kept (a relative one resolves against the working directory, which may move). */
let lastDir: { given: string; resolved: string } | undefined;

function resolvedDir(dir: string): string {
  if (lastDir?.given === dir) return lastDir.resolved;
  const resolved = path.resolve(dir);
  if (path.isAbsolute(dir)) lastDir = { given: dir, resolved };
  return resolved;
}

/**
 * The absolute path of a photo, checked to be a direct child of photos/: the last guard against a
 * hostile name, whatever the planner produced.
 */
export function photoPath(paths: InstancePaths, name: string): string {
  const dir = resolvedDir(paths.photosDir);
  const full = path.resolve(dir, name);
  if (!isSafeLocalName(name) && !isPhotoTemp(name)) {
    throw new StorageError(`refusing the file name ${JSON.stringify(name)}: not a plain name inside ${dir}`);
  }
  if (path.dirname(full) !== dir) {
    throw new StorageError(`refusing ${JSON.stringify(name)}: it resolves outside ${dir}`);
  }
  return full;
}

/**
 * path.join(photosDir, name) for the many names of a metadata read (`next` and `status` list every
 * photo): the folder joined once, not normalised again for each of 1,000 names (~15 ms of a start
 * on this machine). For a name that is one plain segment, joining `x` and swapping it for the
 * name gives exactly what path.join would; anything else goes to path.join.
 */
export function photoPaths(paths: InstancePaths): (name: string) => string {
  const prefix = path.join(paths.photosDir, 'x').slice(0, -1);
  return (name) =>
    name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\')
      ? path.join(paths.photosDir, name)
      : prefix + name;
}

export async function ensureLibraryDirs(paths: InstancePaths): Promise<void> {
  try {
    await makeFolders(paths.photosDir);
  } catch (err) {
    throw storageError(err, 'create', paths.photosDir);
  }
}

export type MetadataRead =
  | { kind: 'missing' }
  | { kind: 'ok'; metadata: LibraryMetadata }
  | { kind: 'corrupt'; problem: string };

export async function readMetadata(paths: InstancePaths): Promise<MetadataRead> {
  const bytes = await readMetadataBytes(paths);
  return Buffer.isBuffer(bytes) ? metadataFromBytes(bytes) : bytes;
}

/** The metadata file's bytes, or why there are none (the no-change check digests them before
 * they are parsed: no-change.ts). */
export async function readMetadataBytes(paths: InstancePaths): Promise<Buffer | Exclude<MetadataRead, { kind: 'ok' }>> {
  try {
    return await readFile(paths.metadataPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'corrupt', problem: 'it is a folder' };
    if (code === 'EACCES' || code === 'EPERM') {
      const advice = await permissionAdvice(paths.metadataPath);
      throw new StorageError(`cannot read ${paths.metadataPath}: permission denied${advice ? `; ${advice}` : ''}`, {
        code: 'STORAGE_PERMISSION',
        cause: err,
      });
    }
    throw storageError(err, 'read', paths.metadataPath);
  }
}

export async function metadataFromBytes(bytes: Buffer): Promise<MetadataRead> {
  const read = decodeMetadata(bytes);
  if (read.kind !== 'schema') return read;
  return bySchema(read.raw, (await import('./metadata.js')).parseMetadata);
}

/** metadataFromBytes without waiting, for a caller that has the schema's reader at hand. */
export function metadataFromBytesWith(bytes: Buffer, parse: ParseMetadata): MetadataRead {
  const read = decodeMetadata(bytes);
  return read.kind === 'schema' ? bySchema(read.raw, parse) : read;
}

/** The bytes parsed once, and read by the quick check where it can; what it cannot is left to
 * the schema (`raw`). */
function decodeMetadata(bytes: Buffer): MetadataRead | { kind: 'schema'; raw: unknown } {
  // Decoded once: readFile with an encoding decodes chunk by chunk through a StringDecoder, a
  // third of reading a 1,000-photo library's metadata. Text that is all ASCII (most libraries:
  // JSON.stringify escapes nothing else, but names may be any script) is the same in latin1,
  // whose decoding is a copy.
  const text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { kind: 'corrupt', problem: `not JSON (${(err as Error).message})` };
  }
  // The frame's own file without zod (metadata-check.ts); anything else, and every message about
  // a broken one, is the schema's.
  const quick = quickMetadata(raw, METADATA_FORMAT);
  return quick ? { kind: 'ok', metadata: quick } : { kind: 'schema', raw };
}

function bySchema(raw: unknown, parse: ParseMetadata): MetadataRead {
  const parsed = parse(raw);
  return parsed.ok ? { kind: 'ok', metadata: parsed.metadata } : { kind: 'corrupt', problem: parsed.problem };
}

export async function writeMetadata(paths: InstancePaths, metadata: LibraryMetadata): Promise<void> {
  try {
    await writeFileAtomic(paths.metadataPath, JSON.stringify(metadata, null, 2) + '\n');
  } catch (err) {
    throw storageError(err, 'write', paths.metadataPath);
  }
}

/** Keep a corrupt metadata file for the owner to look at: `sync_metadata.json.corrupt-<time>`. */
export async function moveAsideCorruptMetadata(paths: InstancePaths, now: Date): Promise<string> {
  const aside = `${paths.metadataPath}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(paths.metadataPath, aside);
    await syncDir(paths.instanceDir);
  } catch (err) {
    throw storageError(err, 'move aside', paths.metadataPath);
  }
  return aside;
}

export interface DirEntry {
  name: string;
  kind: 'file' | 'dir' | 'other';
  size: number;
  /** Last modified, ms since the epoch (the filesystem's own clock). */
  mtimeMs: number;
}

/** How long listFolder may hold the event loop before it lets other work run. */
const LIST_SLICE_MS = 8;

export async function listFolder(dir: string): Promise<DirEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw storageError(err, 'list', dir);
  }
  names.sort();
  // Each file's stat on this thread, in slices of a few ms: a library of thousands is listed in a
  // few ms. (One promise stat a file was a trip through libuv's thread pool each: 1,000 photos
  // took 20 ms of a no-change sync on a warm cache, and most of its system calls.)
  const found: DirEntry[] = [];
  let sliceStart = performance.now();
  for (const name of names) {
    if (performance.now() - sliceStart > LIST_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    const full = path.join(dir, name);
    let st: Stats | undefined;
    try {
      st = statSync(full, { throwIfNoEntry: false });
    } catch (err) {
      throw storageError(err, 'inspect', full);
    }
    // Gone between the listing and its stat: not there.
    if (!st) continue;
    found.push({
      name,
      kind: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other',
      size: st.size,
      mtimeMs: st.mtimeMs,
    });
  }
  return found;
}

/** Delete a file in photos/ (gone already is fine). */
export async function removePhoto(paths: InstancePaths, name: string): Promise<void> {
  try {
    await unlink(photoPath(paths, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw storageError(err, 'delete', path.join(paths.photosDir, name));
  }
}

export async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError(err, 'delete', file);
  }
}

/** Move a verified download into place; replaces an older file of the same name atomically.
 * `fromPath`: the download's temp file, as photoPath checked it when the download opened it. */
export async function renamePhoto(paths: InstancePaths, fromPath: string, toName: string): Promise<void> {
  try {
    await rename(fromPath, photoPath(paths, toName));
  } catch (err) {
    throw storageError(err, 'move into place', path.join(paths.photosDir, toName));
  }
}
