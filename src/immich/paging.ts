// Walking a paged search to its end: follow `nextPage` until it is null (never stop because of
// `total`, which only counts the page), keep the first copy of each id, and refuse a server that
// pages forever: too many pages, pages of repeats, or more assets than the frame will hold. The fetching is passed in; the rules here are plain code.
import { BadResponseError } from '../core/errors.js';

export interface Page<T> {
  items: T[];
  nextPage: string | number | null;
}

export interface PagingLimits {
  /** More pages than this is a runaway server. */
  maxPages: number;
  /** This many pages in a row without one new id is a runaway server too. */
  maxStalePages: number;
  /** More distinct assets than this is refused: a listing's memory is bounded whatever ids a
   * server invents. (v3.1.0's `total` counts only the page, search-metadata-album-page1.json in
   * the recorded fixtures, so there is no server total to hold a listing to.) */
  maxItems: number;
}

/** 200,000 listed assets hold about 100 MB while paging (the slim records, client.ts). */
export const DEFAULT_PAGING: PagingLimits = { maxPages: 10_000, maxStalePages: 3, maxItems: 200_000 };

/** The page number to ask for after `current`, or null at the end. `describe` names the search
 * in errors. */
export function nextPageNumber(current: number, nextPage: string | number | null, describe: string): number | null {
  if (nextPage === null) return null;
  const n = typeof nextPage === 'number' ? nextPage : Number(nextPage);
  if (!Number.isInteger(n) || n <= current) {
    throw new BadResponseError(
      `${describe}: page ${current} names ${JSON.stringify(nextPage)} as the next page, which does not move forward`,
    );
  }
  return n;
}

export async function collectPages<T extends { id: string }>(
  fetchPage: (page: number) => Promise<Page<T>>,
  describe: string,
  limits: PagingLimits = DEFAULT_PAGING,
  into: Map<string, T> = new Map(),
): Promise<Map<string, T>> {
  let page = 1;
  let fetched = 0;
  let stale = 0;
  while (true) {
    const { items, nextPage } = await fetchPage(page);
    fetched += 1;
    let fresh = 0;
    for (const item of items) {
      if (!into.has(item.id)) {
        into.set(item.id, item);
        fresh += 1;
      }
    }
    if (into.size > limits.maxItems) {
      throw new BadResponseError(
        `${describe}: the listing passed ${limits.maxItems} assets (page ${page}), more than this frame holds; choose an album rather than the whole library, or check the server`,
        { code: 'ANSWER_TOO_LARGE' },
      );
    }
    const next = nextPageNumber(page, nextPage, describe);
    if (next === null) return into;
    stale = fresh === 0 ? stale + 1 : 0;
    if (stale >= limits.maxStalePages) {
      throw new BadResponseError(
        `${describe}: ${stale} pages in a row brought no new asset but the server keeps paging (page ${page})`,
      );
    }
    if (fetched >= limits.maxPages) {
      throw new BadResponseError(`${describe}: still paging after ${fetched} pages; giving up`);
    }
    page = next;
  }
}
