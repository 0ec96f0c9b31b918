import { describe, expect, it } from 'vitest';
import { captionParagraphs, offsetMinutes, placeText, yearsSince } from '../../src/render/caption.js';
import type { FramePhoto } from '../../src/render/frame-input.js';

const photo: FramePhoto = { source: 'x.jpg' };
const en = { locale: 'en-GB', timeZone: 'UTC', now: new Date('2026-12-02T12:00:00Z') };
const text = (p: Partial<FramePhoto>, fields: Parameters<typeof captionParagraphs>[1], ctx = en) =>
  captionParagraphs({ ...photo, ...p }, fields, ctx).map((x) => x.text);

describe('caption text', () => {
  it("the date is the day where the photo was taken, in the user's locale", () => {
    // 22:30 UTC on 1 April is already 2 April in Paris, still 1 April in New York.
    const at = '2019-04-01T22:30:00Z';
    expect(text({ takenAt: at, timeZone: 'Europe/Paris' }, ['date'])).toEqual(['2 April 2019']);
    expect(text({ takenAt: at, timeZone: 'America/New_York' }, ['date'])).toEqual(['1 April 2019']);
    expect(text({ takenAt: at, timeZone: 'Europe/Paris' }, ['date'], { ...en, locale: 'de-DE' })).toEqual([
      '2. April 2019',
    ]);
    expect(text({ takenAt: at, timeZone: 'Europe/Paris' }, ['date'], { ...en, locale: 'en-US' })).toEqual([
      'April 2, 2019',
    ]);
  });

  it("offsets as Immich's exifInfo.timeZone has them, and the frame's zone when the photo has none", () => {
    const at = '2019-04-01T22:30:00Z';
    expect(text({ takenAt: at, timeZone: 'UTC+2' }, ['date'])).toEqual(['2 April 2019']);
    expect(text({ takenAt: at, timeZone: '-05:00' }, ['date'])).toEqual(['1 April 2019']);
    expect(text({ takenAt: at }, ['date'], { ...en, timeZone: 'Asia/Tokyo' })).toEqual(['2 April 2019']);
    // An unknown zone falls back to the frame's, never throws.
    expect(text({ takenAt: at, timeZone: 'Mars/Olympus' }, ['date'], { ...en, timeZone: 'Asia/Tokyo' })).toEqual([
      '2 April 2019',
    ]);
    expect(offsetMinutes('+0530')).toBe(330);
    expect(offsetMinutes('UTC')).toBe(0);
    expect(offsetMinutes('Europe/Paris')).toBeUndefined();
    expect(offsetMinutes('+25:00')).toBeUndefined();
  });

  it('"N years ago" counts whole years to the day, in the locale; nothing under a year', () => {
    const p = { takenAt: '2019-12-02T10:00:00Z', timeZone: 'UTC' };
    expect(text(p, ['years_ago'])).toEqual(['7 years ago']);
    expect(text(p, ['years_ago'], { ...en, now: new Date('2026-12-01T23:00:00Z') })).toEqual(['6 years ago']);
    expect(text(p, ['years_ago'], { ...en, locale: 'fr-FR' })).toEqual(['il y a 7 ans']);
    expect(text({ takenAt: '2026-06-01T10:00:00Z' }, ['years_ago'])).toEqual([]);
    expect(yearsSince([2020, 2, 29], [2021, 2, 28])).toBe(0);
    expect(yearsSince([2020, 2, 29], [2021, 3, 1])).toBe(1);
  });

  it('place: city (or state) and country; people as a list in the locale', () => {
    expect(placeText({ city: 'Lyon', state: 'Auvergne-Rhône-Alpes', country: 'France' })).toBe('Lyon, France');
    expect(placeText({ state: 'Bavaria', country: 'Germany' })).toBe('Bavaria, Germany');
    expect(placeText({ city: 'Singapore', country: 'Singapore' })).toBe('Singapore');
    expect(text({ people: ['Alice', ' ', 'Bob', 'Carol'] }, ['people'])).toEqual(['Alice, Bob and Carol']);
    expect(text({ people: ['Alice', 'Bob'] }, ['people'], { ...en, locale: 'de' })).toEqual(['Alice und Bob']);
  });

  it('fields in a fixed order, those the photo lacks left out, a bad date ignored', () => {
    const full = {
      takenAt: '2019-04-01T10:00:00Z',
      city: 'Paris',
      country: 'France',
      description: '  Picnic ',
      people: ['Alice'],
    };
    expect(text(full, ['place', 'date', 'people', 'description', 'years_ago'])).toEqual([
      'Picnic',
      'Alice',
      '1 April 2019 \u00b7 7 years ago \u00b7 Paris, France',
    ]);
    expect(text({ takenAt: 'yesterday', city: 'Paris' }, ['date', 'place'])).toEqual(['Paris']);
    expect(text({}, ['date', 'place', 'description', 'people', 'years_ago'])).toEqual([]);
  });
});
