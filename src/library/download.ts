// One photo from the server to a verified temp file in photos/: the body is streamed to disk
// and hashed on the way (never held whole in memory), its pixel size read from its first bytes,
// checked (SHA-1 for originals; length and decodability for renderings), closed, and handed back
// for apply.ts to fsync and rename into place with the others of its checkpoint.
// A body is cut off past the length it announced (or a sane maximum), and never takes the disk
// below the reserve. A failed attempt leaves no file; retries with backoff live here too.
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
import type { AssetSource, Rendition, RemoteAsset } from '../immich/types.js';
import { HEADER_BYTES, type HeaderSize, readHeaderSize } from './image-header.js';
import { probeImage, sniffImageFormat } from './probe.js';
import { photoPath, removeFile, storageError, tempPhotoName } from './store.js';
import { DEFAULT_RESERVE_BYTES, FreeSpace } from './storage-health.js';
import { formatBytes } from './words.js';
import type { InstancePaths } from './instance.js';
import { type PhotoSize } from '../immich/types.js';

export interface LandedFile {
  tempName: string;
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

async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  for (let off = 0; off < chunk.length; ) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
}

/** Several chunks in one system call, without copying them together (a short write, rare on a
 * file, finishes the rest one chunk at a time). */
async function writeAllv(fh: FileHandle, chunks: Buffer[]): Promise<void> {
  let written = (await fh.writev(chunks)).bytesWritten;
  for (const chunk of chunks) {
    if (written >= chunk.length) written -= chunk.length;
    else {
      await writeAll(fh, chunk.subarray(written));
      written = 0;
    }
  }
}

/** A writable over a file handle we keep: we close it ourselves once the body is in. Chunks that
 * queue while a write is under way go down in one write (a small photo is one or two writes,
 * not one per socket read). */
function fileSink(fh: FileHandle): Writable {
  return new Writable({
    highWaterMark: 256 * 1024,
    write(chunk: Buffer, _enc, done) {
      writeAll(fh, chunk).then(() => done(), done);
    },
    writev(chunks: { chunk: Buffer }[], done) {
      writeAllv(
        fh,
        chunks.map((c) => c.chunk),
      ).then(() => done(), done);
    },
  });
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
  const dl = await source.download(asset, photoSize, signal);
  const tempName = tempPhotoName();
  const full = photoPath(paths, tempName);
  const hash = createHash('sha1');
  let bytes = 0;
  /** The first HEADER_BYTES, for the format and pixel size. */
  const head: Buffer[] = [];
  let headBytes = 0;
  const cap = dl.contentLength ?? limits.maxPhotoBytes;
  const free = await space.now();
  if (free !== null && free <= limits.reserveBytes) {
    // The disk is at its reserve: no photo can land, the sync stops.
    dl.body.destroy();
    throw reserveError(label, full, free, limits.reserveBytes);
  }
  if (free !== null && dl.contentLength !== null && free - dl.contentLength < limits.reserveBytes) {
    // This photo alone does not fit (or says it does not: a lying Content-Length): it is left
    // out, and the others, which may fit, still land.
    dl.body.destroy();
    throw new AssetUnavailableError(
      `${label}: announced ${formatBytes(dl.contentLength)}, more than the ${formatBytes(free - limits.reserveBytes)} free above the ${formatBytes(limits.reserveBytes)} kept free; left out (free space or lower max_photos)`,
      'too-large',
    );
  }
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > cap) {
        const what =
          dl.contentLength !== null
            ? `the ${dl.contentLength} bytes it announced`
            : `${formatBytes(limits.maxPhotoBytes)}, the most a photo may be`;
        done(new AssetUnavailableError(`${label}: the server sent more than ${what}; cut off`, 'download'));
        return;
      }
      hash.update(chunk);
      if (headBytes < HEADER_BYTES) {
        head.push(chunk.subarray(0, HEADER_BYTES - headBytes));
        headBytes += head[head.length - 1]!.length;
      }
      space.wrote(chunk.length);
      const estimate = space.estimate();
      if (estimate === null || (estimate !== undefined && estimate >= limits.reserveBytes)) {
        done(null, chunk);
        return;
      }
      // Near the reserve by the sync's own count, or a while since anyone looked: measure again
      // (other programs write to the same disk).
      void space.now().then((f) => {
        if (f !== null && f - chunk.length < limits.reserveBytes)
          done(reserveError(label, full, f, limits.reserveBytes));
        else done(null, chunk);
      });
    },
  });
  let fh: FileHandle | undefined;
  try {
    fh = await open(full, 'wx', 0o644);
  } catch (err) {
    dl.body.destroy();
    throw storageError(err, 'create', full);
  }
  try {
    try {
      await pipeline(dl.body, tap, fileSink(fh), { signal });
    } catch (err) {
      if (isFatal(err) || err instanceof FrameError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EROFS' || code === 'EIO') throw storageError(err, 'write', full);
      throw new AssetUnavailableError(
        `${label}: the download broke off after ${bytes} bytes (${(err as Error).message})`,
        'download',
        { cause: err },
      );
    }
    // Not fsynced here: apply.ts flushes a checkpoint's files together before renaming them in.
    await fh.close();
    fh = undefined;

    const sha1 = hash.digest('base64');
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
    // has no checksum to meet, so sharp must be able to read it.
    const first = Buffer.concat(head);
    const size = readHeaderSize(first);
    let format = verifiable ? sniffImageFormat(first) : null;
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
    return { tempName, bytes, sha1, format, rendition: dl.rendition, edited: dl.edited, size };
  } catch (err) {
    dl.body.destroy();
    await fh?.close().catch(() => {});
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
