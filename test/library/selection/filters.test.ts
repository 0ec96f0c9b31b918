// Each filter on metadata records, on_this_day and its fallback, and "every photo once before any
// repeat" within the filtered set.
import { describe, expect, it } from 'vitest';
import { filterPhotos, onThisDayMatch, recencyWeightOf } from '../../../src/library/selection/filters.js';
import { NO_FILTERS, type SelectionFilters } from '../../../src/library/selection/options.js';
import { initialSelectionState, selectNext, type SelectablePhoto } from '../../../src/library/selection/select.js';
import { createPrng } from '../../../src/immich-sim/prng.js';
import { ALICE, BOB, CAROL, photo } from '../../support/photos.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const ids = (ps: readonly SelectablePhoto[]) => ps.map((p) => p.id).sort();
const run = (photos: SelectablePhoto[], f: Partial<SelectionFilters>, tz = 'UTC', now = NOW) =>
  filterPhotos(photos, { ...NO_FILTERS, ...f }, now, tz);

const LIB = [
  photo('a', '2019-12-02T10:30:00.000Z', { people: [ALICE], favorite: true, rating: 5 }),
  photo('b', '2020-06-15T08:00:00.000Z', { people: [ALICE, BOB], rating: 3 }),
  photo('c', '2021-12-05T18:00:00.000Z', { people: [BOB, CAROL], favorite: true }),
  photo('d', '2022-12-20T09:00:00.000Z', { rating: 4 }),
  photo('e', '2026-12-02T07:00:00.000Z', { people: [CAROL], rating: -1 }),
  { id: 'file:x.jpg', path: '/photos/x.jpg', capturedAt: '' },
];

describe('filters', () => {
  it('no filters: everything', () => {
    expect(run(LIB, {}).photos).toHaveLength(LIB.length);
  });
  it('people by name (any case) or id; any of them or all of them', () => {
    expect(ids(run(LIB, { people: ['alice example'] }).photos)).toEqual(['a', 'b']);
    expect(ids(run(LIB, { people: ['Alice Example', 'p-bob'] }).photos)).toEqual(['a', 'b', 'c']);
    expect(ids(run(LIB, { people: ['Alice Example', 'Bob'], peopleMatch: 'all' }).photos)).toEqual(['b']);
    // A hidden person still filters, as on the server.
    expect(ids(run(LIB, { people: ['Carol Example'] }).photos)).toEqual(['c', 'e']);
  });
  it('exclude_people leaves out photos showing any of them', () => {
    expect(ids(run(LIB, { excludePeople: ['Bob', 'p-carol'] }).photos)).toEqual(['a', 'd', 'file:x.jpg']);
  });
  it('favorites_only and min_rating (rejected -1 and unrated never pass)', () => {
    expect(ids(run(LIB, { favoritesOnly: true }).photos)).toEqual(['a', 'c']);
    expect(ids(run(LIB, { minRating: 4 }).photos)).toEqual(['a', 'd']);
    expect(ids(run(LIB, { minRating: 1 }).photos)).toEqual(['a', 'b', 'd']);
  });
  it('taken_after / taken_before: local dates inclusive/exclusive, or instants', () => {
    expect(ids(run(LIB, { takenAfter: '2020-06-15', takenBefore: '2022-12-20' }).photos)).toEqual(['b', 'c']);
    expect(ids(run(LIB, { takenAfter: '2021-12-05T18:00:01Z' }).photos)).toEqual(['d', 'e']);
  });
  it('a local date is the wall-clock date where the photo was taken, not UTC', () => {
    // 23:45Z on 2 December is 18:45 on 2 December in UTC-5, but 3 December in Tokyo.
    const late = photo('ny', '2022-12-02T23:45:00.000Z', { local_date_time: '2022-12-02T18:45:00.000Z' });
    expect(ids(run([late], { takenBefore: '2022-12-03' }).photos)).toEqual(['ny']);
    // Without a local time, the user's zone decides.
    const bare = { id: 'z', path: '/z.jpg', capturedAt: '2022-12-02T23:45:00.000Z' };
    expect(run([bare, late], { takenAfter: '2022-12-03' }, 'Asia/Tokyo').photos.map((p) => p.id)).toEqual(['z']);
  });
  it('filters that match nothing step aside and say so', () => {
    const out = run(LIB, { people: ['Nobody'] });
    expect(out.photos).toHaveLength(LIB.length);
    expect(out).toMatchObject({ matched: 0, filtersFellBack: true });
    expect(out.summary).toContain('no photo matches the filters');
  });
});

describe('on this day', () => {
  it('day: same month and day in past years, in the user zone', () => {
    const out = run(LIB, { onThisDay: 'day' });
    expect(ids(out.photos)).toEqual(['a']);
    expect(out.summary).toContain('on this day: 1 of 6 photos from 2 December in past years');
    // At 23:30 UTC on 1 December it is already 2 December in Tokyo.
    const evening = new Date('2026-12-01T23:30:00Z');
    expect(ids(run(LIB, { onThisDay: 'day' }, 'Asia/Tokyo', evening).photos)).toEqual(['a']);
    expect(run(LIB, { onThisDay: 'day' }, 'UTC', evening).onThisDayFellBack).toBe(true);
  });
  it('week: within 3 days either side, across a year end; month: the same month', () => {
    expect(ids(run(LIB, { onThisDay: 'week' }).photos)).toEqual(['a', 'c']);
    expect(ids(run(LIB, { onThisDay: 'month' }).photos)).toEqual(['a', 'c', 'd']);
    expect(onThisDayMatch({ year: 2020, month: 12, day: 30 }, { year: 2027, month: 1, day: 2 }, 'week')).toBe(true);
    expect(onThisDayMatch({ year: 2021, month: 1, day: 2 }, { year: 2026, month: 12, day: 30 }, 'week')).toBe(true);
    expect(onThisDayMatch({ year: 2021, month: 1, day: 6 }, { year: 2026, month: 12, day: 30 }, 'week')).toBe(false);
  });
  it('this year does not count; nothing found falls back to the normal (filtered) pick and says so', () => {
    const out = run(LIB, { onThisDay: 'day', favoritesOnly: true }, 'UTC', new Date('2026-07-01T12:00:00Z'));
    expect(ids(out.photos)).toEqual(['a', 'c']);
    expect(out.onThisDayFellBack).toBe(true);
    expect(out.summary).toMatch(/^on this day: no photo from 1 July in past years, so the normal pick: 2 of 6/);
  });
  it('combines with the other filters', () => {
    expect(ids(run(LIB, { onThisDay: 'month', minRating: 4 }).photos)).toEqual(['a', 'd']);
  });
});

describe('every photo once before any repeat, within the filtered set', () => {
  it('random over the favourites: each favourite once per round, never a photo outside the filter', () => {
    const lib = Array.from({ length: 40 }, (_, i) =>
      photo(`p${i}`, `20${10 + (i % 15)}-03-0${1 + (i % 9)}T10:00:00.000Z`, { favorite: i % 3 === 0 }),
    );
    const favs = run(lib, { favoritesOnly: true }).photos;
    const rng = createPrng(5).next;
    let state = initialSelectionState();
    const seen: string[] = [];
    for (let i = 0; i < favs.length * 3; i++) {
      const r = selectNext(favs, state, 'random', rng);
      state = r.state;
      seen.push(r.photo!.id);
    }
    for (let round = 0; round < 3; round++) {
      expect(seen.slice(round * favs.length, (round + 1) * favs.length).sort()).toEqual(ids(favs));
    }
  });

  it('the recency weight brings newer photos earlier in a round, still each once', () => {
    const lib = Array.from({ length: 200 }, (_, i) =>
      photo(`p${String(i).padStart(3, '0')}`, i < 100 ? '2026-06-01T00:00:00.000Z' : '2006-06-01T00:00:00.000Z'),
    );
    const newInFirstQuarter = (weight: number) => {
      const rng = createPrng(11).next;
      let state = initialSelectionState();
      const order: string[] = [];
      for (let i = 0; i < lib.length; i++) {
        const r = selectNext(lib, state, 'random', rng, (p) => recencyWeightOf(p, weight, NOW));
        state = r.state;
        order.push(r.photo!.id);
      }
      expect(new Set(order).size).toBe(lib.length);
      return order.slice(0, 50).filter((id) => Number(id.slice(1)) < 100).length;
    };
    expect(newInFirstQuarter(0)).toBeLessThan(35);
    expect(newInFirstQuarter(2)).toBeGreaterThan(45);
  });
});
