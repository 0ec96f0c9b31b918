import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../src/immich-sim/prng.js';
import {
  type SelectablePhoto,
  type SelectionState,
  initialSelectionState,
  selectNext,
} from '../../../src/library/selection/select.js';
import { type SelectionMode } from '../../../src/library/selection/select.js';

function photo(id: string, year: number): SelectablePhoto {
  return { id, path: `/photos/${id}.jpg`, capturedAt: `${year}-06-01T00:00:00.000Z` };
}

const library = [photo('c', 2021), photo('a', 2019), photo('e', 2023), photo('b', 2020), photo('d', 2022)];

function show(
  photos: SelectablePhoto[],
  mode: SelectionMode,
  count: number,
  state: SelectionState = initialSelectionState(),
  rng: () => number = createPrng(1).next,
): { ids: string[]; state: SelectionState } {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = selectNext(photos, state, mode, rng);
    ids.push(r.photo!.id);
    state = r.state;
  }
  return { ids, state };
}

describe('selection', () => {
  it('an empty library selects nothing', () => {
    expect(selectNext([], initialSelectionState(), 'random').photo).toBeNull();
  });

  it('newest walks from the newest photo to the oldest, then starts again', () => {
    expect(show(library, 'newest', 7).ids).toEqual(['e', 'd', 'c', 'b', 'a', 'e', 'd']);
  });

  it('oldest walks from the oldest photo to the newest, then starts again', () => {
    expect(show(library, 'oldest', 6).ids).toEqual(['a', 'b', 'c', 'd', 'e', 'a']);
  });

  it('newest orders by capture time, ties by id, never by list order', () => {
    const tied = [photo('y', 2020), photo('x', 2020), photo('z', 2019)];
    expect(show(tied, 'newest', 3).ids).toEqual(['y', 'x', 'z']);
  });

  it('newest shows a newly synced newest photo next', () => {
    const first = show(library, 'newest', 2);
    const grown = [...library, photo('new', 2024)];
    expect(show(grown, 'newest', 4, first.state).ids).toEqual(['new', 'c', 'b', 'a']);
  });

  it('sequential keeps its place by the last photo shown when photos arrive and leave', () => {
    const first = show(library, 'sequential', 3); // a b c
    expect(first.ids).toEqual(['a', 'b', 'c']);
    // c (the last shown) and d leave, an older and a newer photo arrive: continue after c's time.
    const changed = [photo('a', 2019), photo('b', 2020), photo('old', 2000), photo('e', 2023), photo('f', 2024)];
    expect(show(changed, 'sequential', 4, first.state).ids).toEqual(['e', 'f', 'old', 'a']);
  });

  it('random shows every photo once before any repeats', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer(), (n, seed) => {
        const photos = Array.from({ length: n }, (_, i) => photo(`p${i}`, 2000 + i));
        const { ids } = show(photos, 'random', n * 3, initialSelectionState(), createPrng(seed).next);
        for (let pass = 0; pass < 3; pass++) {
          expect(new Set(ids.slice(pass * n, pass * n + n)).size).toBe(n);
        }
      }),
    );
  });

  it('random never shows the same photo twice in a row, even across decks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer(), (n, seed) => {
        const photos = Array.from({ length: n }, (_, i) => photo(`p${i}`, 2000 + i));
        const { ids } = show(photos, 'random', n * 6, initialSelectionState(), createPrng(seed).next);
        for (let i = 1; i < ids.length; i++) expect(ids[i]).not.toBe(ids[i - 1]);
      }),
    );
  });

  it('random deals a new photo into the rest of the current deck, and drops a removed one', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = createPrng(seed).next;
        const first = show(library, 'random', 2, initialSelectionState(), rng);
        const remaining = library.filter((p) => !first.ids.includes(p.id));
        const removed = remaining[0]!;
        const changed = [...library.filter((p) => p.id !== removed.id), photo('new', 2030)];
        // The rest of the pass: the 2 unseen originals that stayed, plus the new one.
        const rest = show(changed, 'random', 3, first.state, rng).ids;
        expect(rest.sort()).toEqual([...remaining.slice(1).map((p) => p.id), 'new'].sort());
      }),
    );
  });

  it('the random order is a fair shuffle: every photo leads a deck about equally often', () => {
    const counts = new Map<string, number>();
    const rng = createPrng(42).next;
    for (let i = 0; i < 5000; i++) {
      const first = selectNext(library, initialSelectionState(), 'random', rng).photo!.id;
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(c).toBeGreaterThan(850);
    expect(counts.size).toBe(5);
  });

  it('changing the mode starts a new pass without repeating the photo on screen', () => {
    const first = show(library, 'oldest', 1); // a
    const next = selectNext(library, first.state, 'newest');
    expect(next.photo!.id).toBe('e');
    const single = [photo('only', 2020), photo('other', 2021)];
    const s = show(single, 'newest', 1); // other
    expect(selectNext(single, s.state, 'random', createPrng(3).next).photo!.id).toBe('only');
  });
});
