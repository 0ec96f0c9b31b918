// One photo from the server to a verified temp file in photos/: the body is streamed to disk in
// batches and hashed on the way (never held whole in memory), its pixel size read from its first
// bytes, checked (SHA-1 for originals; length and decodability for renderings), and handed back
// still open for apply.ts to flush (flusher.ts) and rename into place at its checkpoint.
// A body is cut off past the length it announced (or a sane maximum), and never takes the disk
// below the reserve. A failed attempt leaves no file; retries with backoff live here too.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AssetUnavailableError,
  AuthRejectedError,
  FrameError,
  ServerUnreachableError,
  StorageError,
  TlsError,
  type AssetFailureReason,
} from '../core/errors.js';
import type { AssetDownload, AssetSource, Rendition, RemoteAsset } from '../immich/types.js';
import { FdFile } from '../core/fs-async.js';
import { HEADER_BYTES, type HeaderSize, readHeaderSize } from './image-header.js';
import { probeImage, sniffImageFormat } from './probe.js';
import { photoPath, removeFile, storageError, tempPhotoName } from './store.js';
import { DEFAULT_RESERVE_BYTES, FreeSpace } from './storage-health.js';
import { formatBytes } from './words.js';
import type { InstancePaths } from './instance.js';
import { type PhotoSize } from '../immich/types.js';

export interface LandedFile {
  tempName: string;
  /** Its absolute path, checked once (store.ts photoPath) for the flush and the rename. */
  tempPath: string;
  /** The temp file, still open: apply.ts's flusher fdatasyncs and closes it. */
  handle: FdFile;
  bytes: number;
  /** Base64 SHA-1 of what was written. */
  sha1: string;
  /** sharp's name for the format (jpeg, png, ...), null when sharp cannot read it. */
  format: string | null;
  rendition: Rendition;
  /** The edited image (edited=true), not checked against the original's checksum. */
  edited: boolean;
  /** Pixel size and orientation from the file's header; null when sharp must read the file. */
  size: HeaderSize | null;
}

export interface RetryPolicy {
  attempts: number;
  /** First wait; doubled each retry, with up to 50% jitter. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500 };

export interface DownloadLimits {
  /** A photo whose server announces no length is cut off past this. */
  maxPhotoBytes: number;
  /** Free space never taken: a download that would go below it stops the sync. */
  reserveBytes: number;
}

/** 512 MiB: above any camera's original the frame can decode (a 100 MP 16-bit TIFF is 600 MB,
 * but is fetched as the server's JPEG rendering). */
export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = {
  maxPhotoBytes: 512 * 1024 * 1024,
  reserveBytes: DEFAULT_RESERVE_BYTES,
};

function reserveError(label: string, full: string, free: number, reserve: number): StorageError {
  return new StorageError(
    `cannot write ${label} to ${full}: the disk would fall below the ${formatBytes(reserve)} kept free (${formatBytes(free)} free); free space or lower max_photos`,
    { code: 'STORAGE_RESERVE' },
  );
}

/** Errors that no retry of this photo can fix: the whole sync stops on them. */
export function isFatal(err: unknown): boolean {
  return (
    err instanceof AuthRejectedError ||
    err instanceof ServerUnreachableError ||
    err instanceof TlsError ||
    err instanceof StorageError ||
    (err instanceof Error && err.name === 'AbortError')
  );
}

/** Several chunks in one system call, without copying them together (a short write, rare on a
 * file, finishes the rest one chunk at a time). */
async function writeAllv(fh: FdFile, chunks: Buffer[]): Promise<void> {
  let written = await fh.writev(chunks);
  for (const chunk of chunks) {
    if (written >= chunk.length) written -= chunk.length;
    else {
      await fh.writeAll(chunk.subarray(written));
      written = 0;
    }
  }
}

const noop = () => {};

/** What a download gathers before one write: each write is a trip to libuv's thread pool (and on
 * a loaded machine a thread switch), so a phone's 2.6 MB photo goes down in three writes rather
 * than one per 64 KB socket read. A batch is written while the next one gathers (the socket is
 * read on meanwhile), so a download holds at most two: four at once hold at most 8 MiB. */
export const WRITE_BATCH_BYTES = 1024 * 1024;

/** What the sink learnt of the body on its way to disk. */
interface SinkTally {
  bytes: number;
  hash: ReturnType<typeof createHash>;
  /** The first chunks, up to HEADER_BYTES (views of the body's chunks, not copies). */
  head: Buffer[];
  headBytes: number;
  /** The whole chunks `head` views: handed back (release) only once the head has been read. */
  headChunks: Buffer[];
}

/** What aborting a download rejects with: the name isFatal (and the HTTP client) know it by, the
 * signal's reason as its cause, as node:stream's pipeline did. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

/**
 * The body into the file: counts the bytes (and cuts a body off past `cap`), hashes them, keeps
 * the head, checks the free space and writes in batches. The body's 'data' events straight into
 * the batches, not a pipeline into a Writable: a 1,000-photo sync spent ~40 ms setting up
 * pipelines and ~50 ms in the Writable's bookkeeping (per chunk: writeOrBuffer, onwrite, a tick),
 * none of which this stage needs. Resolves once every byte is written; rejects (after the write
 * under way has ended, so the file is not closed beneath it) on the body's failure, the signal, a
 * body past its cap, or a failed write.
 */
function landBody(
  body: Readable,
  fh: FdFile,
  tally: SinkTally,
  signal: AbortSignal | undefined,
  o: {
    /** The most bytes the body may have; past it, `tooLong()` ends the download. */
    cap: number;
    tooLong: () => Error;
    space: FreeSpace;
    reserveBytes: number;
    overReserve: (free: number) => Error;
    /** Takes a chunk back once written (the HTTP client reuses its memory). */
    release: ((chunk: Buffer) => void) | undefined;
  },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let held: Buffer[] = [];
    let heldBytes = 0;
    /** The gathering batch's chunks the head does not view: handed back once written. */
    let done: Buffer[] = [];
    /** Batches handed off and not yet written: at two, the body waits (a download holds at most
     * two batches, and the socket is read on while one is written). */
    let unwritten = 0;
    /** The batch on its way to disk (each waits for the one before: the file is in order). */
    let writing: Promise<void> = Promise.resolve();
    let settled = false;
    const writeBatch = async (batch: Buffer[], size: number): Promise<void> => {
      o.space.wrote(size);
      const estimate = o.space.estimate();
      if (estimate === undefined || (estimate !== null && estimate < o.reserveBytes)) {
        // Near the reserve by the sync's own count, or a while since anyone looked: measure again
        // (other programs write to the same disk).
        const free = await o.space.now();
        if (free !== null && free - size < o.reserveBytes) throw o.overReserve(free);
      }
      await writeAllv(fh, batch);
    };
    const release = o.release;
    /** Done listening: a later error of the body (a destroyed one's own) has nowhere to go. */
    const stop = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', fail);
      body.off('close', onClose);
      body.on('error', () => {});
      signal?.removeEventListener('abort', onAbort);
    };
    function fail(err: unknown): void {
      if (settled) return;
      settled = true;
      stop();
      body.destroy();
      const give = () => reject(err);
      writing.then(give, give);
    }
    const handOff = () => {
      const batch = held;
      const size = heldBytes;
      const back = done;
      held = [];
      heldBytes = 0;
      done = [];
      unwritten += 1;
      writing = writing.then(() => writeBatch(batch, size));
      // Written: nothing here holds a view of these chunks any more (the hash copied them).
      if (release && back.length > 0)
        writing.then(() => {
          for (const chunk of back) release(chunk);
        }, noop);
      writing.then(
        () => {
          unwritten -= 1;
          if (!settled && unwritten < 2 && body.isPaused()) body.resume();
        },
        (err: unknown) => fail(err),
      );
      if (unwritten >= 2) body.pause();
    };
    function onData(chunk: Buffer): void {
      if (settled) return;
      tally.bytes += chunk.length;
      if (tally.bytes > o.cap) {
        fail(o.tooLong());
        return;
      }
      try {
        tally.hash.update(chunk);
      } catch (err) {
        fail(err);
        return;
      }
      if (tally.headBytes < HEADER_BYTES) {
        const part = chunk.subarray(0, HEADER_BYTES - tally.headBytes);
        tally.head.push(part);
        tally.headBytes += part.length;
        tally.headChunks.push(chunk);
      } else done.push(chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes >= WRITE_BATCH_BYTES) handOff();
    }
    function onEnd(): void {
      if (settled) return;
      stop();
      if (heldBytes > 0) handOff();
      // A failed write is reported by its own hand-off (fail); only success is left to say.
      writing.then(
        () => {
          if (settled) return;
          settled = true;
          resolve();
        },
        () => {},
      );
    }
    /** Closed without an end or an error: a body cut short. */
    function onClose(): void {
      fail(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    }
    function onAbort(): void {
      fail(abortError(signal!));
    }
    if (signal?.aborted) {
      onAbort();
      return;
    }
    // Broken before a listener was here (the body's own error comes and goes in the awaits that
    // precede this: the free space, the temp file): it will not say so again.
    if (body.errored) {
      fail(body.errored);
      return;
    }
    if (body.destroyed) {
      onClose();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    body.on('error', fail);
    body.on('end', onEnd);
    body.on('close', onClose);
    body.on('data', onData);
  });
}

/** The head as one buffer: the first chunk alone when it holds what the header needs (most
 * photos), else the chunks copied together. */
function headOf(tally: SinkTally): { first: Buffer; size: HeaderSize | null } {
  const one = tally.head[0] ?? Buffer.alloc(0);
  const size = readHeaderSize(one);
  if (size !== null || tally.head.length <= 1) return { first: one, size };
  const all = Buffer.concat(tally.head);
  return { first: all, size: readHeaderSize(all) };
}

async function downloadOnce(
  source: AssetSource,
  asset: RemoteAsset,
  photoSize: PhotoSize,
  paths: InstancePaths,
  label: string,
  signal: AbortSignal | undefined,
  limits: DownloadLimits,
  space: FreeSpace,
): Promise<LandedFile> {
  const tempName = tempPhotoName();
  const full = photoPath(paths, tempName);
  // The temp file is created while the request is on its way: a trip to the thread pool (on a
  // busy SD card, a wait on the journal) off each photo's path from answer to bytes on disk. Its
  // outcome is looked at only after the answer's own checks, which still speak first; an answer
  // that is not taken deletes it again.
  const opening = FdFile.open(full, 'wx', 0o644).then(
    (fh) => ({ fh }),
    (err: unknown) => ({ err }),
  );
  const unopen = async () => {
    const o = await opening;
    if (!('fh' in o)) return;
    await o.fh.close().catch(() => {});
    await removeFile(full).catch(() => {});
  };
  let dl: AssetDownload;
  try {
    dl = await source.download(asset, photoSize, signal);
  } catch (err) {
    await unopen();
    throw err;
  }
  const cap = dl.contentLength ?? limits.maxPhotoBytes;
  const free = await space.now();
  if (free !== null && free <= limits.reserveBytes) {
    // The disk is at its reserve: no photo can land, the sync stops.
    dl.body.destroy();
    await unopen();
    throw reserveError(label, full, free, limits.reserveBytes);
  }
  if (free !== null && dl.contentLength !== null && free - dl.contentLength < limits.reserveBytes) {
    // This photo alone does not fit (or says it does not: a lying Content-Length): it is left
    // out, and the others, which may fit, still land.
    dl.body.destroy();
    await unopen();
    throw new AssetUnavailableError(
      `${label}: announced ${formatBytes(dl.contentLength)}, more than the ${formatBytes(free - limits.reserveBytes)} free above the ${formatBytes(limits.reserveBytes)} kept free; left out (free space or lower max_photos)`,
      'too-large',
    );
  }
  const opened = await opening;
  if ('err' in opened) {
    dl.body.destroy();
    throw storageError(opened.err, 'create', full);
  }
  const fh: FdFile = opened.fh;
  const tally: SinkTally = { bytes: 0, hash: createHash('sha1'), head: [], headBytes: 0, headChunks: [] };
  const landing = {
    cap,
    tooLong: () => {
      const what =
        dl.contentLength !== null
          ? `the ${dl.contentLength} bytes it announced`
          : `${formatBytes(limits.maxPhotoBytes)}, the most a photo may be`;
      return new AssetUnavailableError(`${label}: the server sent more than ${what}; cut off`, 'download');
    },
    space,
    reserveBytes: limits.reserveBytes,
    overReserve: (f: number) => reserveError(label, full, f, limits.reserveBytes),
    release: dl.release,
  };
  try {
    try {
      await landBody(dl.body, fh, tally, signal, landing);
    } catch (err) {
      if (isFatal(err) || err instanceof FrameError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EROFS' || code === 'EIO') throw storageError(err, 'write', full);
      throw new AssetUnavailableError(
        `${label}: the download broke off after ${tally.bytes} bytes (${(err as Error).message})`,
        'download',
        { cause: err },
      );
    }
    const bytes = tally.bytes;
    const sha1 = tally.hash.digest('base64');
    // External-library assets carry a hash of their path, not of their bytes, and Immich's
    // checksum is the SHA-1 of the unedited original, never of an edited image (v3.1.0 fixture
    // original-edited-edited-true: sha1MatchesAssetChecksum false): for those, as for renderings,
    // length and decodability are all there is to check.
    const verifiable = dl.rendition === 'original' && !dl.edited && asset.checksumIsContentHash !== false;
    if (verifiable && sha1 !== asset.checksum) {
      throw new AssetUnavailableError(
        `${label}: the bytes do not match the server's checksum (got SHA-1 ${sha1}, expected ${asset.checksum}); a proxy that alters files, or a damaged file on the server`,
        'checksum',
      );
    }
    if (dl.contentLength !== null && bytes !== dl.contentLength) {
      throw new AssetUnavailableError(`${label}: got ${bytes} bytes of the ${dl.contentLength} announced`, 'download');
    }
    // An original is proven by its checksum; its first bytes say what to call it. A rendering
    // has no checksum to meet, so it must read as an image: through its header where
    // image-header.ts can read it whole (what sharp's metadata reads too, without loading sharp and
    // its ~70 system calls a file), through sharp otherwise.
    const { first, size } = headOf(tally);
    let format = verifiable ? sniffImageFormat(first) : (size?.format ?? null);
    if (format === null) {
      const probe = await probeImage(full);
      if (!verifiable && !probe) {
        const what =
          dl.rendition !== 'original'
            ? `${dl.edited ? 'edited ' : ''}${dl.rendition} rendering`
            : dl.edited
              ? 'edited image'
              : 'original (from an external library)';
        throw new AssetUnavailableError(`${label}: the server's ${what} is not a readable image`, 'decode');
      }
      format = probe?.format ?? null;
    }
    // The head is read: its chunks go back too.
    const release = dl.release;
    if (release) for (const chunk of tally.headChunks) release(chunk);
    // Left open and not fsynced: apply.ts flushes a checkpoint's files together through these
    // handles, then closes and renames them (no second open a photo).
    return {
      tempName,
      tempPath: full,
      handle: fh,
      bytes,
      sha1,
      format,
      rendition: dl.rendition,
      edited: dl.edited,
      size,
    };
  } catch (err) {
    dl.body.destroy();
    await fh.close().catch(() => {});
    await removeFile(full).catch(() => {});
    throw err;
  }
}

/** Failures of one photo that another try within the same sync cannot change: a missing
 * permission, a missing asset or rendering. They wait for the next sync. */
export function isFinalForThisSync(err: unknown): boolean {
  return (
    err instanceof AssetUnavailableError &&
    (err.reason === 'permission' ||
      err.reason === 'not-found' ||
      err.reason === 'not-rendered' ||
      err.reason === 'too-large' ||
      err.reason === 'too-slow')
  );
}

/**
 * Download with retries: a broken body or bad bytes try again after a growing, jittered wait.
 * Fatal errors (key rejected, server gone, disk full, aborted) are thrown at once, and so are
 * this photo's failures that no retry can fix (isFinalForThisSync).
 */
export async function downloadVerified(
  source: AssetSource,
  asset: RemoteAsset,
  photoSize: PhotoSize,
  paths: InstancePaths,
  options: {
    label: string;
    retry?: RetryPolicy;
    signal?: AbortSignal;
    onRetry?: (err: unknown, attempt: number) => void;
    limits?: Partial<DownloadLimits>;
    /** The sync's free-space count, shared by its downloads (else this download's own). */
    space?: FreeSpace;
  },
): Promise<LandedFile> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const limits = { ...DEFAULT_DOWNLOAD_LIMITS, ...options.limits };
  const space = options.space ?? new FreeSpace(paths.photosDir);
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(source, asset, photoSize, paths, options.label, options.signal, limits, space);
    } catch (err) {
      if (isFatal(err) || isFinalForThisSync(err) || attempt >= retry.attempts) throw err;
      options.onRetry?.(err, attempt);
      const wait = retry.baseDelayMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.5);
      await sleep(wait, undefined, { signal: options.signal });
    }
  }
}

/** Why a photo failed, as the sync result counts it. */
export function failureKind(err: unknown): AssetFailureReason {
  if (err instanceof AssetUnavailableError) return err.reason;
  return 'download';
}

/** A one-line reason for a failed photo, whatever was thrown. */
export function failureReason(err: unknown): string {
  if (err instanceof FrameError) return err.message.split('\n')[0]!;
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
