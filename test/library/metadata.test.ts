import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { instancePaths } from '../../src/library/instance.js';
import { emptyMetadata, parseMetadata } from '../../src/library/metadata.js';
import { ensureLibraryDirs, readMetadata, writeMetadata } from '../../src/library/store.js';

// The seed's example, verbatim: a file written by the Python plugin must still read.
const seedExample = {
  last_sync: '2025-10-12T10:30:00',
  album_id: 'uuid-of-album',
  sync_count: 5,
  synced_assets: {
    'asset-id-1': {
      filename: 'IMG_1234.jpg',
      local_path: 'IMG_1234.jpg',
      file_created_at: '2025-01-15T12:00:00',
      checksum: 'md5-hash',
      synced_at: '2025-10-12T10:30:00',
    },
  },
};

describe('sync_metadata.json', () => {
  it("the seed's metadata format reads, with our fields defaulted", () => {
    const r = parseMetadata(seedExample);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.metadata).toMatchObject({
      sync_count: 5,
      album_id: 'uuid-of-album',
      photo_size: 'original',
      sync_in_progress: null,
    });
    expect(r.metadata.synced_assets['asset-id-1']).toMatchObject({
      local_path: 'IMG_1234.jpg',
      rendition: 'original',
      photo_size: 'original',
    });
  });

  it('what we write reads back unchanged', () => {
    const r = parseMetadata(JSON.parse(JSON.stringify({ ...emptyMetadata(), ...seedExample })));
    expect(r.ok && parseMetadata(JSON.parse(JSON.stringify(r.metadata)))).toEqual(r);
  });

  it.each([
    ['a path outside photos/', { local_path: '../x.jpg' }, 'synced_assets.asset-id-1.local_path'],
    ['a hidden name', { local_path: '.x.jpg' }, 'synced_assets.asset-id-1.local_path'],
    ['a date that is not one', { file_created_at: 'yesterday' }, 'synced_assets.asset-id-1.file_created_at'],
  ])('a record with %s is rejected, naming the field', (_what, change, field) => {
    const bad = structuredClone(seedExample);
    Object.assign(bad.synced_assets['asset-id-1'], change);
    const r = parseMetadata(bad);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toContain(field);
  });

  it('two records for one file (in any case) are rejected', () => {
    const bad = structuredClone(seedExample) as typeof seedExample & { synced_assets: Record<string, unknown> };
    bad.synced_assets['asset-id-2'] = { ...seedExample.synced_assets['asset-id-1'], local_path: 'img_1234.JPG' };
    expect(parseMetadata(bad).ok).toBe(false);
  });

  it('reads back from disk what was written, in ASCII and in any script', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'metadata-read-'));
    try {
      const paths = instancePaths({ storage_dir: dir, instance_id: 'default' });
      await ensureLibraryDirs(paths);
      const ascii = parseMetadata({ ...emptyMetadata(), ...seedExample });
      if (!ascii.ok) throw new Error(ascii.problem);
      const wide = structuredClone(ascii.metadata);
      wide.synced_assets['asset-id-1']!.filename = 'Été à Zürich 中文 😀.jpg';
      for (const m of [ascii.metadata, wide]) {
        await writeMetadata(paths, m);
        expect(await readMetadata(paths)).toEqual({ kind: 'ok', metadata: m });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
