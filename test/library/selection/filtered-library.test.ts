// Filters on a real synced library (simulated Immich, real files): several albums synced as one,
// favourites and people narrowing the picks offline, the on-this-day fallback and the saved reason
// that `status` shows.
import { afterEach, describe, expect, it } from 'vitest';
import { isSyncDue } from '../../../src/library/due.js';
import { nextSelection, selectionStatus } from '../../../src/library/selection/state.js';
import { NO_FILTERS } from '../../../src/library/selection/options.js';
import { createPrng } from '../../../src/immich-sim/prng.js';
import { startFrame, type TestFrame } from '../../support/frame-sim.js';

const frames: TestFrame[] = [];
afterEach(async () => {
  await Promise.all(frames.splice(0).map((f) => f.close()));
});

describe('a filtered library', () => {
  it('album_ids: two albums are synced as one library; a changed set makes a sync due', async () => {
    const f = await startFrame({ count: 6, withVideo: false });
    frames.push(f);
    const [a, b, c] = f.seeded.photos;
    const second = f.sim.addAlbum({ albumName: 'Second', assetIds: [a!.id, b!.id] });
    const first = f.seeded.album;
    f.sim.removeFromAlbum(first.id, [a!.id, b!.id]);
    f.sim.addToAlbum(first.id, [c!.id]);
    await f.sync({ config: { album_id: '', album_ids: [first.id, second.id] } });
    const m = await f.metadata();
    expect(Object.keys(m.synced_assets).sort()).toEqual(f.seeded.photos.map((p) => p.id).sort());
    expect([...m.album_ids!].sort()).toEqual([first.id, second.id].sort());
    const config = { ...f.config, album_id: '', album_ids: [second.id, first.id] };
    expect(isSyncDue({ metadata: m, config, now: new Date() }).due).toBe(false);
    expect(isSyncDue({ metadata: m, config: { ...config, album_ids: [first.id] }, now: new Date() })).toEqual({
      due: true,
      reason: 'album changed',
    });
  });

  it('favourites of Alice only, each once before any repeat; changing the filter needs no network', async () => {
    const f = await startFrame({ count: 10, withVideo: false });
    frames.push(f);
    const alice = f.sim.addPerson({ name: 'Alice' });
    const photos = f.seeded.photos;
    for (const p of photos.slice(0, 6))
      f.sim.addFace({
        assetId: p.id,
        personId: alice.id,
        x1: 1,
        y1: 1,
        x2: 5,
        y2: 5,
        imageWidth: p.width!,
        imageHeight: p.height!,
      });
    for (const p of [photos[1]!, photos[3]!, photos[5]!, photos[8]!]) f.sim.updateAsset(p.id, { isFavorite: true });
    await f.sync();
    await f.sim.close(); // offline from here

    const filters = { ...NO_FILTERS, people: ['alice'], favoritesOnly: true };
    const rng = createPrng(3).next;
    const want = [photos[1]!.id, photos[3]!.id, photos[5]!.id].sort();
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const sel = await nextSelection(f.paths, 'random', { filters, rng });
      picks.push(sel.photo.id);
      expect(sel.candidates.map((p) => p.id).sort()).toEqual(want);
      // The first pick of the second round: the other two are still to come (a partner's pool).
      if (i === 3) expect([...sel.notShown].sort()).toEqual(want.filter((id) => id !== sel.photo.id));
    }
    expect(picks.slice(0, 3).sort()).toEqual(want);
    expect(picks.slice(3, 6).sort()).toEqual(want);

    const st = await selectionStatus(f.paths, { filters, now: new Date() });
    expect(st).toMatchObject({ filters: ['people (any of): alice', 'favourites only'], matching: 3, total: 10 });
    expect(st.last_reason).toMatch(
      /^random: 3 of 3 in this round .*; 3 of 10 photos match \(people \(any of\): alice; favourites only\)$/,
    );
  });

  it('on this day falls back to the normal pick, and the saved reason says so', async () => {
    const f = await startFrame({ count: 4, withVideo: false });
    frames.push(f);
    await f.sync();
    // The sample photos are from 2020 onwards; "today" is a day none of them was taken on.
    const now = () => new Date('2031-03-03T12:00:00Z');
    const filters = { ...NO_FILTERS, onThisDay: 'day' as const };
    const sel = await nextSelection(f.paths, 'sequential', { filters, now, timeZone: 'UTC' });
    expect(sel.filtered.onThisDayFellBack).toBe(true);
    expect(sel.reason).toContain('on this day: no photo from 3 March in past years, so the normal pick');
    const st = await selectionStatus(f.paths, { filters, now: now(), timeZone: 'UTC' });
    expect(st.on_this_day_fell_back).toBe(true);
    expect(st.last_reason).toBe(sel.reason);

    // A photo taken on that day in an earlier year: on this day picks it.
    const m = await f.metadata();
    const day = m.synced_assets[f.seeded.photos[2]!.id]!.file_created_at.slice(5, 10);
    const [mm, dd] = day.split('-').map(Number);
    const onIt = () => new Date(Date.UTC(2031, mm! - 1, dd!, 12));
    const hit = await nextSelection(f.paths, 'random', { filters, now: onIt, timeZone: 'UTC' });
    expect(hit.photo.id).toBe(f.seeded.photos[2]!.id);
    expect(hit.reason).toMatch(/on this day: 1 of 4 photos from/);
  });
});
