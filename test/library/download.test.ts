// A download hands its body's chunks back (AssetDownload.release) only once nothing of it holds
// them: written to the file and hashed, and for the first ones, the head read. A source that
// scribbles over each chunk as it comes back would show any chunk handed back early, in the file,
// the checksum or the head.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { AssetSource, RemoteAsset } from '../../src/immich/types.js';
import { downloadVerified } from '../../src/library/download.js';
import { instancePaths } from '../../src/library/instance.js';
import { photoPath } from '../../src/library/store.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** An instance's folders in a fresh temp folder (removed after the test), its photos folder made. */
async function photosFolder(prefix: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  const paths = instancePaths({ storage_dir: dir, instance_id: 'i' });
  await mkdir(paths.photosDir, { recursive: true });
  return paths;
}

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
    const paths = await photosFolder('download-release-');
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

/** A source that serves `bytes` whole as the asset's edited image (no checksum to meet). */
function editedSource(bytes: Buffer, contentType: string): AssetSource {
  return {
    download: () =>
      Promise.resolve({
        rendition: 'original' as const,
        edited: true,
        contentType,
        contentLength: bytes.length,
        body: Readable.from([bytes]),
      }),
  } as unknown as AssetSource;
}

describe('a rendering, with no checksum to meet', () => {
  it('must read as an image: through its header where it can be read, through sharp otherwise', async () => {
    const paths = await photosFolder('download-edited-');
    const image = sharp({ create: { width: 90, height: 60, channels: 3, background: '#336699' } });
    const fetch = async (bytes: Buffer, type: string) => {
      const asset = { id: 'e1', originalFileName: 'edit.jpg', originalMimeType: type, checksum: 'x' } as RemoteAsset;
      const landed = await downloadVerified(editedSource(bytes, type), asset, 'original', paths, {
        label: 'asset e1',
        retry: { attempts: 1, baseDelayMs: 0 },
        limits: { reserveBytes: 0 },
      });
      await landed.handle.close();
      return landed;
    };
    // Read from the header: the format, and the size the info needs.
    const webp = await fetch(await image.clone().webp().toBuffer(), 'image/webp');
    expect(webp).toMatchObject({ format: 'webp', size: { format: 'webp', width: 90, height: 60 } });
    const jpeg = await fetch(await image.clone().jpeg().toBuffer(), 'image/jpeg');
    expect(jpeg).toMatchObject({ format: 'jpeg', size: { width: 90, height: 60 } });
    // A format the header reader does not know: sharp says what it is.
    const gif = await fetch(await image.clone().gif().toBuffer(), 'image/gif');
    expect(gif).toMatchObject({ format: 'gif', size: null });
    // Not an image at all, or a JPEG cut before its frame header: refused.
    for (const bytes of [
      Buffer.from('<html>502 Bad Gateway</html>'),
      (await image.clone().jpeg().toBuffer()).subarray(0, 30),
    ])
      await expect(fetch(bytes, 'image/jpeg')).rejects.toThrow(
        /asset e1: the server's edited image is not a readable image/,
      );
  });
});
