import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LibraryMetadata, emptyMetadata, metadataSchema } from '../../src/library/metadata.js';
import { nameKey } from '../../src/library/names.js';
import { formatPlan, isNoop, planOutcome, planSync, planToJson } from '../../src/library/plan.js';
import { chooseSubset } from '../../src/library/subset.js';
import { metadataOf, remoteAsset } from '../support/library.js';
import { PHOTO_SIZES } from '../../src/immich/types.js';
import { SELECTION_MODES } from '../../src/library/selection/select.js';

const base = { albumId: 'album', photoSize: 'original' as const, maxPhotos: 0, mode: 'random' as const };

const ids = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`);
const checksums = ['c0', 'c1', 'c2', 'c3'];
const fileNames = ['IMG_0001.JPG', 'img_0001.jpg', 'a.png', 'b.heic', '../x.jpg'];
const dates = ['2020-01-01T00:00:00.000Z', '2021-06-01T00:00:00.000Z', '2023-03-03T03:03:03.000Z'];

const remoteArb = fc
  .uniqueArray(
    fc.record({
      id: fc.constantFrom(...ids),
      checksum: fc.constantFrom(...checksums),
      originalFileName: fc.constantFrom(...fileNames),
      fileCreatedAt: fc.constantFrom(...dates),
    }),
    { selector: (a) => a.id, maxLength: ids.length },
  )
  .map((xs) => xs.map((x) => remoteAsset(x)));

/** Any local state: synced entries (some stale), adopted files (some matching checksums). */
const metadataArb = fc
  .record({
    entries: fc.uniqueArray(
      fc.record({
        id: fc.constantFrom(...ids),
        checksum: fc.constantFrom(...checksums),
        size: fc.constantFrom(...PHOTO_SIZES),
      }),
      { selector: (e) => e.id },
    ),
    adopted: fc.array(fc.constantFrom(...checksums, 'other'), { maxLength: 4 }),
  })
  .map(({ entries, adopted }) => {
    const m = emptyMetadata();
    entries.forEach((e, i) => {
      m.synced_assets[e.id] = {
        filename: 'x.jpg',
        local_path: `local-${i}.jpg`,
        file_created_at: dates[0]!,
        checksum: e.checksum,
        synced_at: dates[0]!,
        rendition: 'original',
        photo_size: e.size,
      };
    });
    adopted.forEach((sha1, i) => {
      m.adopted[`adopted-${i}.jpg`] = { sha1, bytes: 10, adopted_at: dates[0]! };
    });
    return metadataSchema.parse(m);
  });

const optionsArb = fc.record({
  photoSize: fc.constantFrom(...PHOTO_SIZES),
  maxPhotos: fc.nat({ max: 6 }),
  mode: fc.constantFrom(...SELECTION_MODES),
});

describe('sync plan', () => {
  it('applying a plan to its own input yields the remote set (after max_photos)', () => {
    fc.assert(
      fc.property(remoteArb, metadataArb, optionsArb, (remote, metadata, opts) => {
        const plan = planSync({ ...opts, albumId: 'a', remote, metadata });
        const wanted = chooseSubset(remote, opts.maxPhotos, opts.mode);
        expect(planOutcome(metadata, plan)).toEqual(new Map(wanted.map((a) => [a.id, a.checksum])));
      }),
      { numRuns: 500 },
    );
  });

  it('a plan of identical sides is all keep', () => {
    fc.assert(
      fc.property(remoteArb, fc.constantFrom(...PHOTO_SIZES), (remote, photoSize) => {
        const plan = planSync({ ...base, photoSize, remote, metadata: metadataOf(remote, photoSize) });
        expect(isNoop(plan)).toBe(true);
        expect(plan.keep.map((k) => k.asset.id).sort()).toEqual(remote.map((a) => a.id).sort());
        expect(plan.add.length + plan.update.length + plan.remove.length + plan.adopt.length).toBe(0);
      }),
    );
  });

  it('every file the plan leaves has a name no other file shares, case-insensitively', () => {
    fc.assert(
      fc.property(remoteArb, metadataArb, optionsArb, (remote, metadata, opts) => {
        const plan = planSync({ ...opts, albumId: 'a', remote, metadata });
        const present = [
          ...Object.values(metadata.synced_assets).map((e) => e.local_path),
          ...Object.keys(metadata.adopted),
        ];
        const added = plan.add.map((a) => a.name);
        const keys = [...present, ...added].map(nameKey);
        expect(new Set(keys).size).toBe(keys.length);
      }),
    );
  });

  it('every unknown file is either claimed once or discarded', () => {
    fc.assert(
      fc.property(remoteArb, metadataArb, optionsArb, (remote, metadata, opts) => {
        const plan = planSync({ ...opts, albumId: 'a', remote, metadata });
        const claimed = plan.adopt.map((a) => a.name);
        expect(new Set(claimed).size).toBe(claimed.length);
        expect([...claimed, ...plan.discard].sort()).toEqual(Object.keys(metadata.adopted).sort());
      }),
    );
  });

  it('the plan does not depend on the order of the listing', () => {
    fc.assert(
      fc.property(remoteArb, metadataArb, optionsArb, fc.infiniteStream(fc.nat()), (remote, metadata, opts, seeds) => {
        const shuffled = [...remote].sort(() => (seeds.next().value % 3) - 1);
        const a = planSync({ ...opts, albumId: 'a', remote, metadata });
        const b = planSync({ ...opts, albumId: 'a', remote: shuffled, metadata });
        expect(planToJson(b)).toEqual(planToJson(a));
      }),
    );
  });

  it('whole-library mode yields the timeline (no archived, primaries only) unless include_*; album mode all', () => {
    const timelineArb = fc.record({
      archived: fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }),
      stacked: fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }),
      includeArchived: fc.boolean(),
      includeStacked: fc.boolean(),
      albumId: fc.constantFrom('', 'a'),
    });
    fc.assert(
      fc.property(remoteArb, metadataArb, optionsArb, timelineArb, (listed, metadata, opts, t) => {
        const remote = listed.map((a, i) => ({
          ...a,
          archived: t.archived[i]!,
          ...(t.stacked[i] ? { stackPrimaryId: ids[0]! } : {}),
        }));
        const plan = planSync({ ...opts, ...t, remote, metadata });
        const shown = remote.filter(
          (a) =>
            t.albumId !== '' ||
            ((t.includeArchived || !a.archived) && (t.includeStacked || a.stackPrimaryId === undefined)),
        );
        const wanted = chooseSubset(shown, opts.maxPhotos, opts.mode);
        expect(planOutcome(metadata, plan)).toEqual(new Map(wanted.map((a) => [a.id, a.checksum])));
        expect(plan.hidden.archived + plan.hidden.stacked).toBe(remote.length - shown.length);
      }),
      { numRuns: 300 },
    );
  });

  it('an edited photo is kept while its edits stand, and fetched again when they change or go', () => {
    const edited = remoteAsset({ edited: true, updatedAt: '2024-05-01T00:00:00.000Z' });
    const plain = remoteAsset();
    const metadata = metadataOf([edited, plain]);
    metadata.synced_assets[edited.id]!.edited = true;
    metadata.synced_assets[edited.id]!.updated_at = edited.updatedAt;
    const reasons = (remote: (typeof edited)[]) =>
      planSync({ ...base, remote, metadata }).update.map((u) => [u.asset.id, u.reason]);
    expect(reasons([edited, plain])).toEqual([]);
    expect(reasons([{ ...edited, updatedAt: '2024-06-01T00:00:00.000Z' }, plain])).toEqual([[edited.id, 'edits']]);
    expect(reasons([{ ...edited, edited: false }, plain])).toEqual([[edited.id, 'edits']]);
    expect(reasons([edited, { ...plain, edited: true }])).toEqual([[plain.id, 'edits']]);
    // An edited file is never recognised by the original's checksum.
    const fresh = emptyMetadata();
    fresh.adopted['x.jpg'] = { sha1: edited.checksum, bytes: 10, adopted_at: dates[0]! };
    const plan = planSync({ ...base, remote: [edited], metadata: fresh });
    expect(plan.adopt.filter((x) => x.match === 'checksum')).toEqual([]);
  });

  it('a no-change plan downloads nothing and deletes nothing', () => {
    const remote = [remoteAsset(), remoteAsset(), remoteAsset()];
    const plan = planSync({ ...base, remote, metadata: metadataOf(remote) });
    expect(plan.keep).toHaveLength(3);
    expect(isNoop(plan)).toBe(true);
  });

  it('a changed checksum is an update under the same file name', () => {
    const remote = [remoteAsset(), remoteAsset()];
    const metadata = metadataOf(remote);
    const changed = { ...remote[1]!, checksum: 'new-checksum' };
    const plan = planSync({ ...base, remote: [remote[0]!, changed], metadata });
    expect(plan.update).toHaveLength(1);
    expect(plan.update[0]).toMatchObject({ reason: 'checksum', name: metadata.synced_assets[changed.id]!.local_path });
    expect(plan.keep).toHaveLength(1);
  });

  it('a changed photo_size re-fetches every photo', () => {
    const remote = [remoteAsset(), remoteAsset()];
    const plan = planSync({ ...base, photoSize: 'preview', remote, metadata: metadataOf(remote, 'original') });
    expect(plan.update.map((u) => u.reason)).toEqual(['photo_size', 'photo_size']);
  });

  it('an asset gone from the server is removed, one still there is kept', () => {
    const remote = [remoteAsset(), remoteAsset()];
    const plan = planSync({ ...base, remote: [remote[0]!], metadata: metadataOf(remote) });
    expect(plan.remove).toEqual([expect.objectContaining({ id: remote[1]!.id, reason: 'gone' })]);
    expect(plan.keep).toHaveLength(1);
  });

  it('a new album replaces the old one: its photos added, the old ones removed, shared ones kept', () => {
    const shared = remoteAsset();
    const oldOnly = remoteAsset();
    const newOnly = remoteAsset();
    const plan = planSync({
      ...base,
      albumId: 'new',
      remote: [shared, newOnly],
      metadata: metadataOf([shared, oldOnly]),
    });
    expect(plan.add.map((a) => a.asset.id)).toEqual([newOnly.id]);
    expect(plan.remove.map((r) => r.id)).toEqual([oldOnly.id]);
    expect(plan.keep.map((k) => k.asset.id)).toEqual([shared.id]);
  });

  it('a file adopted after a crash is claimed by its SHA-1 instead of being downloaded', () => {
    const asset = remoteAsset({ originalFileName: 'beach.jpg' });
    const metadata: LibraryMetadata = emptyMetadata();
    metadata.adopted['whatever.jpg'] = { sha1: asset.checksum, bytes: 100, adopted_at: dates[0]! };
    const plan = planSync({ ...base, remote: [asset], metadata });
    expect(plan.add).toHaveLength(0);
    expect(plan.adopt).toEqual([
      expect.objectContaining({ name: 'whatever.jpg', match: 'checksum', rendition: 'original' }),
    ]);
  });

  it('a rendering adopted after a crash is claimed by its name, but never one of two same-named photos by the plain name', () => {
    const one = remoteAsset({ originalFileName: 'beach.heic' });
    const twinA = remoteAsset({ originalFileName: 'IMG_0001.JPG' });
    const twinB = remoteAsset({ originalFileName: 'IMG_0001.JPG' });
    const metadata = emptyMetadata();
    for (const n of ['beach.jpg', 'IMG_0001.jpg'])
      metadata.adopted[n] = { sha1: 'rendered', bytes: 9, adopted_at: dates[0]! };
    const plan = planSync({ ...base, photoSize: 'preview', remote: [one, twinA, twinB], metadata });
    expect(plan.adopt).toEqual([
      expect.objectContaining({ asset: one, name: 'beach.jpg', match: 'name', rendition: 'preview' }),
    ]);
    expect(plan.discard).toEqual(['IMG_0001.jpg']);
    expect(plan.add.map((a) => a.asset.id).sort()).toEqual([twinA.id, twinB.id].sort());
  });

  it("a file that is some asset's original is never claimed by name for another", () => {
    const a = remoteAsset({ originalFileName: 'a.jpg' });
    const b = remoteAsset({ originalFileName: 'b.jpg' });
    const metadata = metadataOf([b]);
    metadata.adopted['a.jpg'] = { sha1: b.checksum, bytes: 9, adopted_at: dates[0]! };
    const plan = planSync({ ...base, remote: [a, b], metadata });
    expect(plan.adopt).toHaveLength(0);
    expect(plan.discard).toEqual(['a.jpg']);
  });

  it('an external-library asset (its checksum hashes its path) is never claimed by SHA-1, only by name', () => {
    const external = remoteAsset({ originalFileName: 'scan.jpg', checksumIsContentHash: false });
    const metadata = emptyMetadata();
    metadata.adopted['other.jpg'] = { sha1: external.checksum, bytes: 9, adopted_at: dates[0]! };
    metadata.adopted['scan.jpg'] = { sha1: 'the bytes', bytes: 9, adopted_at: dates[0]! };
    const plan = planSync({ ...base, remote: [external], metadata });
    expect(plan.adopt).toEqual([expect.objectContaining({ name: 'scan.jpg', match: 'name', rendition: 'original' })]);
    expect(plan.discard).toEqual(['other.jpg']);
  });

  it('an external-library asset whose updatedAt moved is fetched again; a normal one is not', () => {
    const external = remoteAsset({ checksumIsContentHash: false });
    const normal = remoteAsset();
    const metadata = metadataOf([external, normal]);
    for (const a of [external, normal]) metadata.synced_assets[a.id]!.updated_at = a.updatedAt;
    const later = '2025-05-05T00:00:00.000Z';
    const plan = planSync({
      ...base,
      remote: [
        { ...external, updatedAt: later },
        { ...normal, updatedAt: later },
      ],
      metadata,
    });
    expect(plan.update).toEqual([
      expect.objectContaining({ reason: 'updated_at', asset: expect.objectContaining({ id: external.id }) }),
    ]);
    expect(plan.keep.map((k) => k.asset.id)).toEqual([normal.id]);
  });

  it('the printed plan names every change and the counts', () => {
    const kept = remoteAsset({ originalFileName: 'kept.jpg' });
    const gone = remoteAsset({ originalFileName: 'gone.jpg' });
    const added = remoteAsset({ originalFileName: 'added.jpg' });
    const text = formatPlan(planSync({ ...base, remote: [kept, added], metadata: metadataOf([kept, gone]) }));
    expect(text).toContain(`add      added.jpg  (${added.id})`);
    expect(text).toContain(
      `remove   gone.jpg  (${gone.id}, no longer in the album (taken out of it, trashed or deleted))`,
    );
    expect(text).toContain('1 to add, 0 to update, 0 to adopt, 1 to keep, 1 to remove, 0 unknown files to delete');
  });
});
