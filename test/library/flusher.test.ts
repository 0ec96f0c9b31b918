// The background flusher (src/library/flusher.ts) on real files: every verified download is
// fdatasynced and closed, no more than FLUSHES_AT_ONCE at a time, a download is held back while
// WAITING_AT_MOST files wait, and a flush that fails names the file and still closes it.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/core/errors.js';
import type { LandedFile } from '../../src/library/download.js';
import { FLUSHES_AT_ONCE, Flusher, WAITING_AT_MOST } from '../../src/library/flusher.js';
import { FdFile } from '../../src/core/fs-async.js';
import { tempLibrary } from '../support/library.js';

async function landedFile(dir: string, i: number): Promise<{ landed: LandedFile; file: string; bytes: Buffer }> {
  const file = path.join(dir, `.artframe-${i.toString(16).padStart(16, '0')}.part`);
  const bytes = Buffer.alloc(64 * 1024 + i, i % 251);
  const handle = await FdFile.open(file, 'wx', 0o644);
  expect(await handle.write(bytes, 0, bytes.length)).toBe(bytes.length);
  const landed: LandedFile = {
    tempName: path.basename(file),
    tempPath: file,
    handle,
    bytes: bytes.length,
    sha1: '',
    format: 'jpeg',
    rendition: 'original',
    edited: false,
    size: null,
  };
  return { landed, file, bytes };
}

describe('flusher', () => {
  it('flushes and closes every file, a few at once, and holds downloads back while too many wait', async () => {
    const { paths } = await tempLibrary('flusher-');
    await mkdir(paths.photosDir, { recursive: true });
    const files = await Promise.all(
      Array.from({ length: WAITING_AT_MOST + 8 }, (_, i) => landedFile(paths.photosDir, i)),
    );
    let inFlight = 0;
    let most = 0;
    for (const { landed } of files) {
      // The real fdatasync, counted on its way.
      const datasync = landed.handle.datasync.bind(landed.handle);
      landed.handle.datasync = async () => {
        most = Math.max(most, ++inFlight);
        try {
          await datasync();
        } finally {
          inFlight -= 1;
        }
      };
    }
    const flusher = new Flusher();
    await flusher.room();
    const outcomes = files.map(({ landed, file }) => flusher.flush(landed, file));
    let roomGiven = false;
    const room = flusher.room().then(() => (roomGiven = true));
    await Promise.resolve();
    expect(roomGiven).toBe(false);
    expect(await Promise.all(outcomes)).toEqual(files.map(() => null));
    await room;
    expect(roomGiven).toBe(true);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(FLUSHES_AT_ONCE);
    for (const { landed, file, bytes } of files) {
      expect(landed.handle.closed).toBe(true);
      expect((await readFile(file)).equals(bytes)).toBe(true);
    }
  });

  it('a flush that fails is a StorageError naming the file, and the handle is closed', async () => {
    const { paths } = await tempLibrary('flusher-');
    await mkdir(paths.photosDir, { recursive: true });
    const good = await landedFile(paths.photosDir, 1);
    const bad = await landedFile(paths.photosDir, 2);
    // A handle the system no longer knows: fdatasync fails with EBADF.
    await bad.landed.handle.close();
    const flusher = new Flusher();
    const [okOutcome, badOutcome] = await Promise.all([
      flusher.flush(good.landed, good.file),
      flusher.flush(bad.landed, bad.file),
    ]);
    expect(okOutcome).toBeNull();
    expect(badOutcome?.err).toBeInstanceOf(StorageError);
    expect((badOutcome!.err as Error).message).toContain(bad.file);
    expect(bad.landed.handle.closed).toBe(true);
    expect(good.landed.handle.closed).toBe(true);
    // The flusher goes on: room for the next download.
    await flusher.room();
  });
});
