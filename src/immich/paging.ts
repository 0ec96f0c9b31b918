// Walking a paged search to its end: follow `nextCursor` where the server offers one (v3.2+),
// else `nextPage`, until there is none (never stop because of `total`, which only counts the
// page), keep the first copy of each id, and refuse a server that pages forever: too many pages, pages of repeats, or more assets than the
// frame will hold. The fetching is passed in; the rules here are plain code.
import { createHash } from 'node:crypto';
import { BadResponseError } from '../core/errors.js';
import { MAX_CURSOR_CHARS, MAX_LISTING_BYTES } from './kept.js';

export interface Page<T> {
  items: T[];
  nextPage: string | number | null;
  /** v3.2+: the token to send as `cursor` for the next page (null or absent: use nextPage). */
  nextCursor?: string | null;
  /** The cursor's whole length where the reader kept only its first MAX_CURSOR_CHARS. */
  nextCursorChars?: number;
  /** How many new assets the fetcher recorded in the listing itself as they arrived (the
   * client's listing store, which also holds them to maxKeptBytes as it records them): none of
   * them is in `items`. */
  recorded?: number;
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
  /** More distinct assets than this is refused: a listing's memory is bounded whatever ids a
   * server invents. (v3.1.0's `total` counts only the page, search-metadata-album-page1.json in
   * the recorded fixtures, so there is no server total to hold a listing to.) */
  maxItems: number;
  /** Past this many assets the listing asks the server for its own count (`total`, below) once. */
  askTotalAfter: number;
  /** The most the kept items may weigh in all (their `bytes`, what storing them holds:
   * listing-store.ts): a listing of big items is refused here rather than grow with every page. */
  maxKeptBytes: number;
}

/** What a listing keeps its ids in: a Map, or the listing's own store (listing-store.ts, whose
 * index keeps them off the heap). */
export interface ListedIds<T> {
  has(id: string): boolean;
  set(id: string, item: T): unknown;
  readonly size: number;
}

/** How many assets the server says the listing holds, or null when it does not say. */
export type TotalLookup = () => Promise<number | null>;

/** Room above the server's own count for assets added while the listing pages. */
function slack(total: number): number {
  return Math.max(1000, Math.ceil(total / 10));
}

/** 200,000 listed assets took a sync child some 80 MB above a normal sync's peak (measured with
 * the sync-hostile bench's endless paging before the count bound); an album listing asks the
 * server's own count past 2,000 and is held to it. */
export const DEFAULT_PAGING: PagingLimits = {
  maxPages: 10_000,
  maxStalePages: 3,
  maxItems: 200_000,
  askTotalAfter: 2_000,
  maxKeptBytes: MAX_LISTING_BYTES,
};

/** A cursor's fingerprint: loop detection keeps 20 bytes a page, not the server's token. */
function fingerprint(cursor: string): string {
  return createHash('sha1').update(cursor).digest('base64');
}

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

export async function collectPages<
  T extends { id: string; bytes?: number },
  Into extends ListedIds<T> = Map<string, T>,
>(
  fetchPage: (at: PageRequest) => Promise<Page<T>>,
  describe: string,
  limits: PagingLimits = DEFAULT_PAGING,
  into: Into = new Map<string, T>() as unknown as Into,
  total?: TotalLookup,
): Promise<Into> {
  let page = 1;
  let cursor: string | undefined;
  const cursorsSeen = new Set<string>();
  let fetched = 0;
  let stale = 0;
  let bound = limits.maxItems;
  let why = 'more than this frame holds; choose an album rather than the whole library, or check the server';
  let asked = false;
  let kept = 0;
  while (true) {
    const { items, nextPage, nextCursor, nextCursorChars, recorded } = await fetchPage(
      cursor === undefined ? { page } : { page, cursor },
    );
    fetched += 1;
    let fresh = recorded ?? 0;
    for (const item of items) {
      if (!into.has(item.id)) {
        into.set(item.id, item);
        kept += item.bytes ?? 0;
        fresh += 1;
      }
    }
    if (kept > limits.maxKeptBytes) {
      throw new BadResponseError(
        `${describe}: the listing's names and descriptions passed ${Math.round(limits.maxKeptBytes / (1024 * 1024))} MiB (page ${page}, ${into.size} assets), more than any real library's; check the server`,
        { code: 'ANSWER_TOO_LARGE' },
      );
    }
    if (!asked && total && into.size > limits.askTotalAfter) {
      // A long listing: hold it to the server's own count (a server paging forever with fresh
      // ids then stops near the album's size, not at maxItems).
      asked = true;
      const n = await total();
      if (n !== null && n + slack(n) < bound) {
        bound = n + slack(n);
        why = `more than the ${n} assets the server counts in it`;
      }
    }
    if (into.size > bound) {
      throw new BadResponseError(`${describe}: the listing passed ${bound} assets (page ${page}), ${why}`, {
        code: 'ANSWER_TOO_LARGE',
      });
    }
    let next: number | null;
    if (typeof nextCursor === 'string' && nextCursor !== '') {
      // Follow the cursor (v3.2 search, immich PR #30179); a cursor seen before goes in circles.
      const chars = nextCursorChars ?? nextCursor.length;
      if (chars > MAX_CURSOR_CHARS)
        throw new BadResponseError(
          `${describe}: page ${page} names a cursor of ${chars} characters, longer than any real one`,
          { code: 'ANSWER_TOO_LARGE' },
        );
      const print = fingerprint(nextCursor);
      if (cursorsSeen.has(print))
        throw new BadResponseError(
          `${describe}: page ${page} names a cursor it named before; the paging goes in circles`,
        );
      cursorsSeen.add(print);
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
