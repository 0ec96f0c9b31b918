// The portrait-pair picker and PhotoFacts, on metadata records.
import { describe, expect, it } from 'vitest';
import { photoFacts } from '../../../src/library/selection/facts.js';
import { pickPartner, wantsPartner } from '../../../src/library/selection/pairs.js';
import { ALICE, CAROL, photo } from '../../support/photos.js';

const portrait = (id: string, at: string) => photo(id, at, { width: 3000, height: 4000 });
const landscape = (id: string, at: string) => photo(id, at, { width: 4000, height: 3000 });

describe('pickPartner', () => {
  const chosen = portrait('p1', '2023-05-01T10:00:00.000Z');
  const others = [
    landscape('l1', '2023-05-01T10:05:00.000Z'),
    portrait('p2', '2021-01-01T10:00:00.000Z'),
    portrait('p3', '2023-05-01T18:00:00.000Z'),
    portrait('p4', '2023-05-02T01:00:00.000Z'),
  ];

  it('on a landscape panel a portrait pairs with a portrait of the same day first', () => {
    expect(pickPartner(chosen, [chosen, ...others], 'landscape')?.id).toBe('p3');
  });
  it('then the same event across midnight, then the nearest in time', () => {
    const late = portrait('q', '2023-05-01T22:00:00.000Z');
    expect(pickPartner(late, [late, others[3]!, others[1]!], 'landscape')?.id).toBe('p4');
    expect(pickPartner(chosen, [chosen, others[1]!], 'landscape')?.id).toBe('p2');
  });
  it('prefers a partner not yet shown in this round among equals', () => {
    const p5 = portrait('p5', '2023-05-01T12:00:00.000Z');
    expect(pickPartner(chosen, [chosen, p5, ...others], 'landscape')?.id).toBe('p5');
    expect(pickPartner(chosen, [chosen, p5, ...others], 'landscape', { notShown: new Set(['p3']) })?.id).toBe('p3');
  });
  it('never the same photo twice (same id or same file), never another shape', () => {
    const twin = { ...portrait('p1-copy', '2023-05-01T10:00:00.000Z'), path: chosen.path };
    expect(pickPartner(chosen, [chosen, twin, others[0]!], 'landscape')).toBeNull();
  });
  it('a landscape photo on a landscape panel needs none; the reverse on a portrait panel', () => {
    const l = landscape('l0', '2023-05-01T09:00:00.000Z');
    expect(wantsPartner(l, 'landscape')).toBe(false);
    expect(pickPartner(l, others, 'landscape')).toBeNull();
    expect(pickPartner(l, others, 'portrait')?.id).toBe('l1');
    expect(pickPartner(chosen, others, 'portrait')).toBeNull();
  });
  it('a photo of unknown size is never paired', () => {
    const unknown = { id: 'u', path: '/u.jpg', capturedAt: '2023-05-01T10:00:00.000Z' };
    expect(pickPartner(unknown, others, 'landscape')).toBeNull();
  });
});

describe('photoFacts', () => {
  it('plain data for the render stage: size, faces with names (hidden ones unnamed), time, place', () => {
    const p = photo('x', '2019-12-02T09:30:00.000Z', {
      local_date_time: '2019-12-02T10:30:00.000Z',
      time_zone: 'Europe/Paris',
      city: 'Paris',
      country: 'France',
      description: 'Tour Eiffel',
      people: [ALICE, CAROL],
      faces: [
        { person_id: ALICE.id, x1: 10, y1: 20, x2: 30, y2: 40 },
        { person_id: CAROL.id, x1: 50, y1: 20, x2: 70, y2: 40 },
      ],
      width: 3000,
      height: 4000,
      orientation: 6,
    });
    const facts = photoFacts(p);
    expect(facts).toEqual({
      id: 'x',
      path: '/photos/x.jpg',
      width: 3000,
      height: 4000,
      orientation: 6,
      shape: 'portrait',
      faces: [
        { x1: 10, y1: 20, x2: 30, y2: 40, name: 'Alice Example' },
        { x1: 50, y1: 20, x2: 70, y2: 40, name: null },
      ],
      capturedAt: '2019-12-02T09:30:00.000Z',
      localDateTime: '2019-12-02T10:30:00',
      timeZone: 'Europe/Paris',
      place: { city: 'Paris', state: null, country: 'France' },
      placeText: 'Paris, France',
      people: ['Alice Example'],
      description: 'Tour Eiffel',
      favorite: false,
      rating: null,
    });
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
  });
  it('an adopted file without a record: nulls, no faces', () => {
    expect(photoFacts({ id: 'file:a.jpg', path: '/a.jpg', capturedAt: '' })).toMatchObject({
      id: null,
      width: null,
      shape: null,
      faces: [],
      capturedAt: null,
      people: [],
    });
  });
});
