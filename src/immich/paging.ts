// Walking a paged search to its end: follow `nextCursor` where the server offers one (v3.2+),
// else `nextPage`, until there is none (never stop because of `total`, which only counts the
// page), keep the first copy of each id, and refuse a server that pages forever. The fetching is
// passed in; the rules here are plain code.
import { BadResponseError } from '../core/errors.js';

export interface Page<T> {
  items: T[];
  nextPage: string | number | null;
  /** v3.2+: the token to send as `cursor` for the next page (null or absent: use nextPage). */
  nextCursor?: string | null;
}

/** Where the next page starts: a page number, or the server's cursor (then `page` only counts). */
export interface PageRequest {
  page: number;
  cursor?: string;
}

export interface PagingLimits {
  /** More pages than this is a runaway server. */
  maxPages: number;
  /** This many pages in a row without one new id is a runaway server too. */
  maxStalePages: number;
}

export const DEFAULT_PAGING: PagingLimits = { maxPages: 10_000, maxStalePages: 3 };

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
  fetchPage: (at: PageRequest) => Promise<Page<T>>,
  describe: string,
  limits: PagingLimits = DEFAULT_PAGING,
  into: Map<string, T> = new Map(),
): Promise<Map<string, T>> {
  let page = 1;
  let cursor: string | undefined;
  const cursorsSeen = new Set<string>();
  let fetched = 0;
  let stale = 0;
  while (true) {
    const { items, nextPage, nextCursor } = await fetchPage(cursor === undefined ? { page } : { page, cursor });
    fetched += 1;
    let fresh = 0;
    for (const item of items) {
      if (!into.has(item.id)) {
        into.set(item.id, item);
        fresh += 1;
      }
    }
    let next: number | null;
    if (typeof nextCursor === 'string' && nextCursor !== '') {
      // Follow the cursor (v3.2 search, immich PR #30179); a cursor seen before goes in circles.
      if (cursorsSeen.has(nextCursor))
        throw new BadResponseError(
          `${describe}: page ${page} names a cursor it named before; the paging goes in circles`,
        );
      cursorsSeen.add(nextCursor);
      cursor = nextCursor;
      next = page + 1;
    } else {
      cursor = undefined;
      next = nextPageNumber(page, nextPage, describe);
    }
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
