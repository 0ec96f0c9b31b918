// canonicalIsoMs (src/core/iso-date.ts) reads a date by its digits where Date.parse and a
// toISOString round trip were used: for every string it must give NaN, or exactly what
// Date.parse gives for a string toISOString writes back the same. isoOfMs writes what
// toISOString writes, for every millisecond a Date holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIsoMs, isoOfMs } from '../../src/core/iso-date.js';
import { isoTime, quickly } from '../../src/core/quick-read.js';

/** What the slow road says: the milliseconds when Date.parse reads `s` and writes it back. */
const roundTrip = (s: string): number => {
  const ms = Date.parse(s);
  return Number.isFinite(ms) && new Date(ms).toISOString() === s ? ms : NaN;
};

/** Every date toISOString writes in four digits of year, 0000 to 9999. */
const MIN = Date.UTC(2000, 0, 1) - 2000 * 365.2425 * 86_400_000;
const MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

describe('canonicalIsoMs', () => {
  it('reads every date toISOString writes, from the year 0100 on, as Date.parse does', () => {
    fc.assert(
      fc.property(fc.integer({ min: Math.ceil(MIN), max: MAX }), (ms) => {
        const s = new Date(ms).toISOString();
        expect(canonicalIsoMs(s)).toBe(s.startsWith('00') ? NaN : ms);
      }),
      { numRuns: 20_000 },
    );
  });

  it('on a damaged or foreign date gives NaN, or exactly the slow road’s answer', () => {
    const mutated = fc
      .tuple(fc.integer({ min: Math.ceil(MIN), max: MAX }), fc.nat(23), fc.constantFrom(...'0123456789-:.TZ+ 9x/'))
      .map(([ms, at, c]) => {
        const s = new Date(ms).toISOString();
        return s.slice(0, at) + c + s.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ minLength: 20, maxLength: 26 })), (s) => {
        const fast = canonicalIsoMs(s);
        if (!Number.isNaN(fast)) expect(fast).toBe(roundTrip(s));
      }),
      { numRuns: 30_000 },
    );
    // And the fast road is taken on most of them: the property is not met by NaN alone.
    let read = 0;
    fc.assert(
      fc.property(mutated, (s) => {
        if (!Number.isNaN(canonicalIsoMs(s))) read++;
      }),
      { numRuns: 2_000 },
    );
    expect(read).toBeGreaterThan(500);
  });

  it('named cases', () => {
    expect(canonicalIsoMs('2024-02-29T23:59:59.999Z')).toBe(Date.parse('2024-02-29T23:59:59.999Z'));
    expect(canonicalIsoMs('2000-02-29T00:00:00.000Z')).toBe(Date.UTC(2000, 1, 29));
    for (const s of [
      '2023-02-29T00:00:00.000Z', // no such day
      '1900-02-29T00:00:00.000Z', // not a leap year
      '2023-04-31T00:00:00.000Z',
      '2023-13-01T00:00:00.000Z',
      '2023-00-10T00:00:00.000Z',
      '2023-01-00T00:00:00.000Z',
      '2023-01-01T24:00:00.000Z', // Date.parse reads it as the next midnight; it is not written so
      '2023-01-01T23:60:00.000Z',
      '2023-01-01T23:59:60.000Z',
      '0099-01-01T00:00:00.000Z', // Date.UTC would read the year as 1999
      '+002023-01-01T00:00:00.000Z',
      '2023-01-01T00:00:00.000+00:00',
      '2023-01-01T00:00:00Z',
      '2023-01-01 00:00:00.000Z',
      '２０２３-01-01T00:00:00.000Z',
      '',
    ])
      expect(canonicalIsoMs(s), s).toBeNaN();
  });

  it('isoTime still takes what Date.parse reads, in any form', () => {
    for (const s of ['2023-01-01T00:00:00.000Z', '2023-01-01', '2023-01-01T24:00:00.000Z', '2023-06-15T10:30:00+02:00'])
      expect(
        quickly(() => isoTime(s)),
        s,
      ).toBe(s);
    for (const v of ['not a date', '2023-13-45', 12, null])
      expect(
        quickly(() => isoTime(v)),
        String(v),
      ).toBeNull();
  });
});

describe('isoOfMs', () => {
  it('writes what toISOString writes, for any millisecond a Date holds', () => {
    const exact = (ms: number): void => {
      expect(isoOfMs(ms)).toBe(new Date(ms).toISOString());
    };
    fc.assert(fc.property(fc.integer({ min: Math.ceil(MIN), max: MAX }), exact), { numRuns: 20_000 });
    fc.assert(fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), exact), { numRuns: 5_000 });
    for (const ms of [
      0,
      -1,
      Date.UTC(100, 0, 1),
      Date.UTC(100, 0, 1) - 1,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1,
      2 ** 47 - 1,
      -(2 ** 47) + 1,
    ])
      exact(ms);
    // Each written date is read back by canonicalIsoMs to the same millisecond.
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(100, 0, 1), max: MAX }), (ms) => {
        expect(canonicalIsoMs(isoOfMs(ms))).toBe(ms);
      }),
      { numRuns: 5_000 },
    );
  });
});
