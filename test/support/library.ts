// Test material for the library suites: remote assets as a server lists them, a fresh library in
// a temp folder, and real little images made by sharp.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { RemoteAsset } from '../../src/immich/types.js';
import { type LibraryMetadata, emptyMetadata } from '../../src/library/metadata.js';
import { assignUniqueNames } from '../../src/library/names.js';
import { type InstancePaths, instancePaths } from '../../src/library/instance.js';

let counter = 0;

/** A UUID-shaped id that is different every call and sorts in creation order. */
export function testId(n = ++counter): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function remoteAsset(overrides: Partial<RemoteAsset> = {}): RemoteAsset {
  const id = overrides.id ?? testId();
  return {
    id,
    originalFileName: `IMG_${id.slice(-4)}.jpg`,
    originalMimeType: 'image/jpeg',
    fileCreatedAt: '2024-01-01T00:00:00.000Z',
    localDateTime: null,
    updatedAt: '2024-01-02T00:00:00.000Z',
    checksum: createHash('sha1').update(id).digest('base64'),
    archived: false,
    ...overrides,
  };
}

export async function tempLibrary(prefix = 'library-'): Promise<{ root: string; paths: InstancePaths }> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { root, paths: instancePaths({ storage_dir: root, instance_id: 'test' }) };
}

/** A real JPEG whose pixels (and so bytes) depend on `seed`. */
export async function jpegBytes(seed: number, width = 32, height = 24): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 } },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
}

export function sha1Base64(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('base64');
}

/** The metadata a finished sync of `assets` would leave (names as the planner gives them). */
export function metadataOf(
  assets: readonly RemoteAsset[],
  photoSize: 'original' | 'fullsize' | 'preview' = 'original',
): LibraryMetadata {
  const m = emptyMetadata();
  const names = assignUniqueNames(assets, []);
  for (const a of assets) {
    m.synced_assets[a.id] = {
      filename: a.originalFileName,
      local_path: names.get(a.id)!,
      file_created_at: a.fileCreatedAt,
      checksum: a.checksum,
      synced_at: '2024-02-01T00:00:00.000Z',
      rendition: photoSize === 'original' ? 'original' : photoSize,
      photo_size: photoSize,
    };
  }
  m.last_sync = '2024-02-01T00:00:00.000Z';
  m.photo_size = photoSize;
  return m;
}
