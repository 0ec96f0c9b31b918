// The config's filter keys as the selection's SelectionFilters: one plain mapping, free of zod, so
// `status` and `next` use it without the config's schema (config.ts exports it too).
import type { SelectionFilters } from '../library/selection/options.js';
import type { FrameConfig } from './config.js';

/** The selection's filters from the config keys of the same names. */
export function selectionFilters(c: FrameConfig): SelectionFilters {
  return {
    people: c.people,
    excludePeople: c.exclude_people,
    peopleMatch: c.people_match,
    favoritesOnly: c.favorites_only,
    minRating: c.min_rating,
    takenAfter: c.taken_after,
    takenBefore: c.taken_before,
    onThisDay: c.on_this_day,
    recencyWeight: c.recency_weight,
  };
}
