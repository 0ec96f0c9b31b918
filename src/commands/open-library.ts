// The library as a command opens it from the config: the same filters, zone and settings the
// running frame uses, so `next`, `show` and the service pick through one door (Library).
import type { FrameConfig } from '../config/config.js';
import { selectionFilters } from '../config/filters.js';
import type { Logger } from '../core/log.js';
import { instancePaths } from '../library/instance.js';
import { Library } from '../library/library.js';

export function openLibrary(config: FrameConfig, o: { logger?: Logger; now?: () => Date; rng?: () => number } = {}) {
  return new Library({
    paths: instancePaths(config),
    settings: config,
    filters: selectionFilters(config),
    // One zone for "today" (on this day) and "the same day" (pairs) as for the captions.
    ...(config.timezone ? { timeZone: config.timezone } : {}),
    ...o,
  });
}
