// One photo from the server to a verified temp file in photos/: the body is streamed to disk
// and hashed on the way (never held whole in memory), checked (SHA-1 for originals; length and
// decodability for renderings), fsynced, and only then handed back to be renamed into place.
// A failed attempt leaves no file; retries with backoff live here too.
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AuthRejectedError,
  BadResponseError,
  FrameError,
  ServerUnreachableError,
  StorageError,
  TlsError,
} from '../core/errors.js';
import type { AssetSource, Rendition, RemoteAsset } from '../immich/types.js';
import { probeImage, sniffImageFormat } from './probe.js';
import { photoPath, removeFile, storageError, tempPhotoName } from './store.js';
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
}

export interface RetryPolicy {
  attempts: number;
  /** First wait; doubled each retry, with up to 50% jitter. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500 };

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

/** A writable over a file handle we keep: we fsync and close it ourselves once the body is in. */
function fileSink(fh: FileHandle): Writable {
  return new Writable({
    highWaterMark: 256 * 1024,
    write(chunk: Buffer, _enc, done) {
      writeAll(fh, chunk).then(() => done(), done);
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
): Promise<LandedFile> {
  const dl = await source.download(asset, photoSize, signal);
  const tempName = tempPhotoName();
  const full = photoPath(paths, tempName);
  const hash = createHash('sha1');
  let bytes = 0;
  let head = Buffer.alloc(0);
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      if (head.length < 32) head = Buffer.concat([head, chunk.subarray(0, 32 - head.length)]);
      bytes += chunk.length;
      done(null, chunk);
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
      if (isFatal(err)) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EROFS' || code === 'EIO') throw storageError(err, 'write', full);
      throw new BadResponseError(`${label}: the download broke off after ${bytes} bytes (${(err as Error).message})`, {
        cause: err,
      });
    }
    try {
      await fh.sync();
    } catch (err) {
      throw storageError(err, 'flush', full);
    }
    await fh.close();
    fh = undefined;

    const sha1 = hash.digest('base64');
    // External-library assets carry a hash of their path, not of their bytes: for them, as for
    // renderings, length and decodability are all there is to check.
    const verifiable = dl.rendition === 'original' && asset.checksumIsContentHash !== false;
    if (verifiable && sha1 !== asset.checksum) {
      throw new BadResponseError(
        `${label}: the bytes do not match the server's checksum (got SHA-1 ${sha1}, expected ${asset.checksum})`,
      );
    }
    if (dl.contentLength !== null && bytes !== dl.contentLength) {
      throw new BadResponseError(`${label}: got ${bytes} bytes of the ${dl.contentLength} announced`);
    }
    // An original is proven by its checksum; its first bytes say what to call it. A rendering
    // has no checksum to meet, so sharp must be able to read it.
    let format = verifiable ? sniffImageFormat(head) : null;
    if (format === null) {
      const probe = await probeImage(full);
      if (!verifiable && !probe) {
        const what = dl.rendition === 'original' ? 'original (from an external library)' : `${dl.rendition} rendering`;
        throw new BadResponseError(`${label}: the server's ${what} is not a readable image`);
      }
      format = probe?.format ?? null;
    }
    return { tempName, bytes, sha1, format, rendition: dl.rendition };
  } catch (err) {
    dl.body.destroy();
    await fh?.close().catch(() => {});
    await removeFile(full).catch(() => {});
    throw err;
  }
}

/**
 * Download with retries: a broken body or bad bytes try again after a growing, jittered wait.
 * Fatal errors (key rejected, server gone, disk full, aborted) are thrown at once.
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
  },
): Promise<LandedFile> {
  const retry = options.retry ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await downloadOnce(source, asset, photoSize, paths, options.label, options.signal);
    } catch (err) {
      if (isFatal(err) || attempt >= retry.attempts) throw err;
      options.onRetry?.(err, attempt);
      const wait = retry.baseDelayMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.5);
      await sleep(wait, undefined, { signal: options.signal });
    }
  }
}

/** A one-line reason for a failed photo, whatever was thrown. */
export function failureReason(err: unknown): string {
  if (err instanceof FrameError) return err.message.split('\n')[0]!;
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
