import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseSubset, spreadRank } from '../../src/library/subset.js';
import { remoteAsset } from '../support/library.js';
import { SELECTION_MODES } from '../../src/library/selection/select.js';

function library(n: number) {
  return Array.from({ length: n }, (_, i) =>
    remoteAsset({ fileCreatedAt: new Date(Date.UTC(2000 + (i % 25), i % 12, 1 + (i % 28))).toISOString() }),
  );
}

const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

describe('max_photos', () => {
  it('0 keeps every photo', () => {
    const all = library(30);
    expect(ids(chooseSubset(all, 0, 'newest'))).toEqual(ids(all));
  });

  it('newest keeps the N newest by capture time', () => {
    const all = library(50);
    const kept = chooseSubset(all, 10, 'newest');
    const cutoff = Math.min(...kept.map((a) => Date.parse(a.fileCreatedAt)));
    const newer = all.filter((a) => Date.parse(a.fileCreatedAt) > cutoff);
    expect(kept).toHaveLength(10);
    for (const a of newer) expect(ids(kept)).toContain(a.id);
  });

  it('oldest keeps the N oldest by capture time', () => {
    const all = library(50);
    const kept = chooseSubset(all, 10, 'oldest');
    const cutoff = Math.max(...kept.map((a) => Date.parse(a.fileCreatedAt)));
    for (const a of all.filter((x) => Date.parse(x.fileCreatedAt) < cutoff)) expect(ids(kept)).toContain(a.id);
  });

  it('random and sequential keep the N with the smallest SHA-256 of their id', () => {
    const all = library(40);
    const expected = [...all].sort((a, b) => (spreadRank(a.id) < spreadRank(b.id) ? -1 : 1)).slice(0, 7);
    expect(ids(chooseSubset(all, 7, 'random'))).toEqual(ids(expected));
    expect(ids(chooseSubset(all, 7, 'sequential'))).toEqual(ids(expected));
  });

  it('the spread sample reaches across the years, not only the newest uploads', () => {
    const all = library(500);
    const years = new Set(chooseSubset(all, 50, 'random').map((a) => a.fileCreatedAt.slice(0, 4)));
    expect(years.size).toBeGreaterThan(15);
  });

  it('the subset does not depend on the order of the listing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SELECTION_MODES), fc.nat({ max: 20 }), fc.nat(), (mode, max, seed) => {
        const all = library(20);
        const rotated = [...all.slice(seed % 20), ...all.slice(0, seed % 20)].reverse();
        expect(ids(chooseSubset(rotated, max, mode))).toEqual(ids(chooseSubset(all, max, mode)));
      }),
    );
  });

  it('is stable: a kept photo leaves only when it leaves the server or one that ranks above it arrives', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SELECTION_MODES),
        fc.integer({ min: 1, max: 15 }),
        fc.array(fc.oneof(fc.constant('add' as const), fc.nat({ max: 40 })), { maxLength: 12 }),
        (mode, max, changes) => {
          let server = library(25);
          let kept = new Set(ids(chooseSubset(server, max, mode)));
          for (const change of changes) {
            const before = kept;
            if (change === 'add')
              server = [
                ...server,
                remoteAsset({ fileCreatedAt: new Date(Date.UTC(1990 + (server.length % 60), 5)).toISOString() }),
              ];
            else if (server.length > 0) server = server.filter((_, i) => i !== change % server.length);
            kept = new Set(ids(chooseSubset(server, max, mode)));
            const onServer = new Set(server.map((a) => a.id));
            const left = [...before].filter((id) => !kept.has(id) && onServer.has(id));
            // Only an arrival can push a kept photo out, and then only one.
            if (change === 'add') expect(left.length).toBeLessThanOrEqual(1);
            else expect(left).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
