// Fault injection for the simulated server: rules that make the next N requests to a route (or
// for one asset) fail in a chosen way, from a clean 503 to a body cut off mid-stream, a body
// that trickles or never ends, and listings that page forever or come back empty; and the
// hostile answers of issue 21: items too big to keep, cursors of megabytes, slow endless pages,
// thousands of faces or stacks, one unreadable item, a server echoing the key, a lying length.

export type RouteName =
  | 'version'
  | 'ping'
  | 'search'
  | 'album'
  | 'albums'
  | 'asset'
  | 'original'
  | 'thumbnail'
  | 'edits'
  | 'stacks'
  | 'faces'
  | 'other';

export type Fault =
  /** Answer this status instead (500, 502, 503, 429, or a 302 with a location header...).
   * retryAfter: seconds or an HTTP-date; body: JSON to send instead of the dialect's error. */
  | { kind: 'status'; status: number; retryAfter?: number | string; body?: unknown; headers?: Record<string, string> }
  /** Accept the connection and the request, then never answer. */
  | { kind: 'stall' }
  /** Send the headers and `afterBytes` of the body (default half), then go silent. */
  | { kind: 'stall-body'; afterBytes?: number }
  /** Announce the full content-length, send `afterBytes` (default half), destroy the socket. */
  | { kind: 'truncate'; afterBytes?: number }
  /** Send a body of the right length whose bytes differ (a checksum mismatch). */
  | { kind: 'wrong-bytes' }
  /** Destroy the socket without a word: a connection reset. */
  | { kind: 'reset' }
  /** Send the headers, then the body one byte every `everyMs` (default 1000): it never stalls
   * long enough for a silence timeout, and takes ages to end. */
  | { kind: 'trickle'; everyMs?: number }
  /** A 200 whose body never ends (or ends after `bytes`): for JSON routes an opening that looks
   * like a search answer followed by asset-like items, for photos image bytes; no content-length. */
  | { kind: 'endless-body'; bytes?: number }
  /** Search only: every page is full of fresh ids and names a next page, forever. */
  | { kind: 'endless-paging' }
  /** Search and album routes: a well-formed answer with no assets (and no next page). */
  | { kind: 'empty-listing' }
  /** Search only: pages of `perPage` (default: the size asked) fresh copies of one asset, each
   * with a description of `descriptionChars` and `people` people named with `nameChars`
   * characters; every page names a next page (a fresh cursor of `cursorChars` when set), after
   * `delayMs` (default none). */
  | {
      kind: 'big-items';
      perPage?: number;
      descriptionChars?: number;
      people?: number;
      nameChars?: number;
      cursorChars?: number;
      delayMs?: number;
    }
  /** Search only: the page's item at `index` (default 0) with these fields laid over it (exifInfo
   * merged field by field): a date that is no date, hostile caption text. */
  | { kind: 'patch-item'; index?: number; patch: Record<string, unknown> }
  /** Search only: the request's x-api-key written into every item's file name, description,
   * city, time zone and people's names. */
  | { kind: 'echo-key' }
  /** Faces: `count` face boxes for the asset (one person's, spread over the image). */
  | { kind: 'many-faces'; count: number }
  /** Stacks: `count` more two-photo stacks in Immich's real shape (members as full assets with
   * exifInfo), copies of one of the user's assets under fresh ids. */
  | { kind: 'many-stacks'; count: number }
  /** Photos: announce `announce` bytes in Content-Length, send the real bytes, then cut the
   * connection. */
  | { kind: 'lying-length'; announce: number }
  /** An error status (500 by default) whose body never ends. */
  | { kind: 'endless-error'; status?: number };

export interface FaultRule {
  fault: Fault;
  /** Only requests to this route; any route when left out. */
  route?: RouteName;
  /** Only requests about this asset (original, thumbnail, asset). */
  assetId?: string;
  /** How many matching requests fail; default 1, Infinity for all. */
  times?: number;
}

export interface FaultHandle {
  /** Matching requests that have failed so far. */
  readonly hits: number;
  /** Stop failing. */
  cancel(): void;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  hits: number;
}

export class FaultPlan {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = { rule, remaining: rule.times ?? 1, hits: 0 };
    this.rules.push(active);
    return {
      get hits() {
        return active.hits;
      },
      cancel: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if a rule matches (and count it). First added, first used. */
  take(route: RouteName, assetId: string | undefined): Fault | undefined {
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      if (r.rule.route !== undefined && r.rule.route !== route) continue;
      if (r.rule.assetId !== undefined && r.rule.assetId !== assetId) continue;
      r.remaining -= 1;
      r.hits += 1;
      return r.rule.fault;
    }
    return undefined;
  }
}
