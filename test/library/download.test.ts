// A download hands its body's chunks back (AssetDownload.release) only once nothing of it holds
// them: written to the file and hashed, and for the first ones, the head read. A source that
// scribbles over each chunk as it comes back would show any chunk handed back early, in the file,
// the checksum or the head.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AssetSource, RemoteAsset } from '../../src/immich/types.js';
import { downloadVerified } from '../../src/library/download.js';
import { instancePaths } from '../../src/library/instance.js';
import { photoPath } from '../../src/library/store.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A PNG's signature and header (1234 x 567), then random bytes: its size is read from the head. */
function photoBytes(length: number): Buffer {
  const bytes = randomBytes(length);
  const ihdr = Buffer.from('0000000d49484452000004d20000023708060000001f15c489', 'hex');
  Buffer.from('89504e470d0a1a0a', 'hex').copy(bytes, 0);
  ihdr.copy(bytes, 8);
  return bytes;
}

/** A source whose body comes in `read`-byte chunks, a tick apart, and whose release scribbles over
 * each chunk handed back (and counts it). */
function scribblingSource(bytes: Buffer, read: number) {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += read) chunks.push(Buffer.from(bytes.subarray(at, at + read)));
  const back = new Set<Buffer>();
  let twice = 0;
  const source = {
    download: () => {
      let next = 0;
      const body = new Readable({
        read() {
          setImmediate(() => this.push(next < chunks.length ? chunks[next++]! : null));
        },
      });
      return Promise.resolve({
        rendition: 'original' as const,
        edited: false,
        contentType: 'image/png',
        contentLength: bytes.length,
        body,
        release: (chunk: Buffer) => {
          if (back.has(chunk)) twice += 1;
          back.add(chunk);
          chunk.fill(0xee);
        },
      });
    },
  } as unknown as AssetSource;
  return { source, chunks, back, twice: () => twice };
}

describe('a download hands its chunks back', () => {
  it('only once they are written and hashed (and the head read): each once, the file and checksum intact', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'download-release-'));
    dirs.push(dir);
    const paths = instancePaths({ storage_dir: dir, instance_id: 'i' });
    await mkdir(paths.photosDir, { recursive: true });
    // 3.5 MB in 64 KiB chunks: several write batches, and a head of several chunks.
    const bytes = photoBytes(3_500_000);
    const { source, chunks, back, twice } = scribblingSource(bytes, 65536);
    const asset = {
      id: 'a1',
      originalFileName: 'big.png',
      originalMimeType: 'image/png',
      checksum: createHash('sha1').update(bytes).digest('base64'),
    } as RemoteAsset;
    const landed = await downloadVerified(source, asset, 'original', paths, {
      label: 'asset a1',
      retry: { attempts: 1, baseDelayMs: 0 },
      limits: { reserveBytes: 0 },
    });
    await landed.handle.close();
    expect((await readFile(photoPath(paths, landed.tempName))).equals(bytes)).toBe(true);
    expect(landed.size).toMatchObject({ format: 'png', width: 1234, height: 567 });
    expect(back.size).toBe(chunks.length);
    expect(twice()).toBe(0);
  });
});
