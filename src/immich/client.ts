// The Immich client: an AssetSource over HTTP (api-fetch.ts over http1-agent.ts). It probes the
// server's version, lists an album's or the library's images the way that version allows, and
// streams a photo's bytes.
//
// Minimal API key permissions (x-immich-permission in the 2.5.6 and 3.1.0 specs):
//   asset.read      POST /api/search/metadata (listing)
//   album.read      GET /api/albums/{id} (album listing up to v2.x), and a search by albumIds
//                   checks it too ("Not found or no album.read access")
//   asset.download  GET /api/assets/{id}/original
//   asset.view      GET /api/assets/{id}/thumbnail (fullsize and preview renderings)
//   stack.read      GET /api/stacks (each photo's stack; whole-library mode shows one per stack)
//   GET /api/server/version (or /server-info/version before v1.107) needs no key.
import { createHmac } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as z from 'zod/mini';
import {
  AssetUnavailableError,
  BadResponseError,
  DeadlineError,
  FrameError,
  ServerUnreachableError,
  UnsupportedServerError,
} from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { capabilitiesOf, formatVersion, OLDEST_SUPPORTED, searchPasses, versionAtLeast } from './capabilities.js';
import { ApiFetcher, DEFAULT_TIMEOUTS, type Method, type Timeouts, type WholeAnswer } from './api-fetch.js';
import { Http1Agent } from './http1-agent.js';
import { AbortFanout, RequestAbort } from './request-abort.js';
import { withinDeadline } from '../core/deadline.js';
import {
  httpFailure,
  isAbort,
  networkFailure,
  notJsonFailure,
  rejectsProperty,
  serverMessage,
  shapeFailure,
  type CallContext,
} from './failures.js';
import { collectPages, DEFAULT_PAGING, type PagingLimits } from './paging.js';
import { KEPT_CHARS, KEPT_PEOPLE, Keeper, largestFaces, maskOf, type Mask } from './kept.js';
import { ListingStore } from './listing-store.js';
import { JsonReader, JsonSyntaxError, type Shape } from './json-reader.js';
import { readWhole, WHOLE_MAX_BYTES } from './json-whole.js';
import { AnswerCheck, SeenBytes, type ListingExchange, type ListingTap } from './listing-replay.js';
import { albumShape, searchPageShape, stacksShape } from './listing-shapes.js';
import { chooseRendition } from './rendition.js';
import {
  AnswerTooLargeError,
  DEFAULT_RETRY_POLICY,
  ERROR_BODY_BYTES,
  isRetryableError,
  isRetryableStatus,
  retryDelay,
  type RetryHooks,
  type RetryPolicy,
} from './retry.js';
import { DEFAULT_LIMITS, type ClientLimits } from './limits.js';
import { quickAsset } from './asset-quick.js';
import {
  albumListSchema,
  albumSchema,
  assetSchema,
  peopleListSchema,
  facesResponseSchema,
  searchResponseSchema,
  serverVersionSchema,
  stacksSchema,
  type ImmichAsset,
} from './schemas.js';
import type {
  AssetDownload,
  AssetSource,
  PhotoSize,
  RemoteAsset,
  RemoteAssetInfo,
  RemoteFace,
  RemoteStack,
  Rendition,
  ServerVersion,
} from './types.js';

export { chooseRendition } from './rendition.js';

export interface ImmichClientOptions {
  /** The server's URL as in immich_url (no trailing /api). */
  baseUrl: string;
  apiKey: string;
  logger?: Logger;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  /** Search page size: 1000, the most a server allows. */
  pageSize?: number;
  paging?: Partial<PagingLimits>;
  /** Bounds on answers and deadlines (limits.ts): a broken server cannot hold or swell a sync. */
  limits?: Partial<ClientLimits>;
  /** The jitter source (tests make it fixed). */
  random?: () => number;
  /** Give up on a request that has had no answer (not even headers) for this long, retries
   * included: the command line's patience with a hung server. Default: no such limit (the
   * retry policy and timeouts alone decide; the service keeps retrying at its own pace). */
  answerWithinMs?: number;
}

interface JsonAnswer {
  status: number;
  body: unknown;
}

/** Images only, trashed never, archived kept; hidden (live-photo parts) and locked left out. */
export function keepInListing(a: ImmichAsset): boolean {
  return a.type === 'IMAGE' && !a.isTrashed && a.visibility !== 'hidden' && a.visibility !== 'locked';
}

/** `peopleAsked`: the answer came from a search with `withPeople: true`, so its `people` array is
 * the truth; elsewhere (the album route of v1/v2) an empty array may only mean "not sent".
 * Server text is cut to what the frame keeps and the key masked in it (kept.ts). */
export function toRemoteAsset(a: ImmichAsset, peopleAsked = true, keep: Keeper = new Keeper()): RemoteAsset {
  const remote: RemoteAsset = {
    id: a.id,
    originalFileName: keep.text(a.originalFileName, KEPT_CHARS.fileName),
    originalMimeType: a.originalMimeType ?? null,
    fileCreatedAt: a.fileCreatedAt,
    localDateTime: a.localDateTime ?? null,
    updatedAt: a.updatedAt,
    checksum: a.checksum,
    archived: a.visibility === 'archive' || a.isArchived === true,
  };
  // External-library assets carry a path hash as their checksum.
  if (a.libraryId) remote.checksumIsContentHash = false;
  if (a.isEdited === true) remote.edited = true;
  remote.info = infoOf(a, peopleAsked, keep);
  return remote;
}

/** What the frame keeps of an asset's metadata (fields per FEATURES.md of the v3.1.0 fixtures). */
export function infoOf(a: ImmichAsset, peopleAsked = true, keep: Keeper = new Keeper()): RemoteAssetInfo {
  const exif = a.exifInfo ?? null;
  const name = (t: string | null | undefined) => (t == null ? null : keep.text(t, KEPT_CHARS.name, true));
  const orientation = exif?.orientation == null ? null : Number(exif.orientation);
  const rating = exif?.rating ?? null;
  return {
    localDateTime: a.localDateTime ?? null,
    timeZone: exif?.timeZone == null ? null : keep.text(exif.timeZone, KEPT_CHARS.timeZone, true),
    favorite: a.isFavorite === true,
    rating: rating !== null && Number.isInteger(rating) && rating >= -1 && rating <= 5 && rating !== 0 ? rating : null,
    description: keep.text(exif?.description ?? '', KEPT_CHARS.description),
    city: name(exif?.city),
    state: name(exif?.state),
    country: name(exif?.country),
    latitude: exif?.latitude ?? null,
    longitude: exif?.longitude ?? null,
    // Search items carry `people: []` unless asked withPeople (search-metadata-album-person-without-
    // withpeople.json); the listing always asks, so an array here is the truth.
    people:
      a.people && (peopleAsked || a.people.length > 0)
        ? a.people.slice(0, KEPT_PEOPLE).map((p) => keep.person(p.id, p.name, p.isHidden))
        : null,
    width: a.width ?? null,
    height: a.height ?? null,
    orientation: orientation !== null && Number.isInteger(orientation) ? orientation : null,
    // GET /api/assets/{id} says (null: in no stack); search items have no key (undefined).
    stack: a.stack ? { id: a.stack.id, primaryAssetId: a.stack.primaryAssetId } : a.stack === null ? null : undefined,
    hasExif: exif !== null,
  };
}

/** Asked of every listing search: exifInfo (rating, description, zone, place) and people, so the
 * metadata arrives with the listing instead of one request per asset. */
const LISTING_DETAIL = { withExif: true, withPeople: true } as const;

/** A listing in progress: its store and the Keeper cutting (not sharing) what it stores. */
interface Listing {
  store: ListingStore;
  keep: Keeper;
  /** Where the listing's requests and answers are recorded, when the caller asked (listing-replay.ts). */
  tap?: ListingTap | undefined;
}

/** Records an asset in the listing's store as it arrives: its id (to drop repeats) and, for the
 * ones the frame shows, the contract's few fields as a row (listing-store.ts; a big library's
 * full JSON is not held, nor its objects until the listing is complete, nor any object of its
 * own while the listing pages). */
function slim(a: ImmichAsset, peopleAsked: boolean, listing: Listing): void {
  const { store } = listing;
  store.record(a.id, keepInListing(a) ? store.add(toRemoteAsset(a, peopleAsked, listing.keep)) : -1);
}

/** An asset id fit to keep: a string of sane length (anything else is no asset we can name). */
function itemId(item: unknown): string | null {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= KEPT_CHARS.id ? id : null;
}

/** Items left out of one answer that are each named in a warning; the rest are counted. */
const NAMED_FAILURES = 20;

/** What one answer may hold: `items` assets (a page holds no more than it asked for); and what
 * the listing may hold in all once it is stored: `keptBytes`. */
interface AnswerBounds {
  items: number;
  keptBytes: number;
}

/** A page's items, each read on its own as the reader hands it over: one that cannot be read is
 * left out with a warning naming it (that asset's failure), the rest of the page is kept. An
 * answer past its bounds is refused as it arrives, whatever it would still send. */
class ItemReader {
  count = 0;
  /** The assets this answer added to the listing (recorded in its store as they arrived). */
  private fresh = 0;
  private firstError: z.core.$ZodError | null = null;
  private readonly failed: { id: string | null; issue: z.core.$ZodIssue | undefined }[] = [];
  private unnamed = 0;

  /** Each asset is recorded in `listing`'s store as it arrives (one the store holds, from this
   * answer or an earlier one, is not stored again): a page leaves no object behind it. */
  constructor(
    private readonly peopleAsked: boolean,
    private readonly listing: Listing,
    private readonly ctx: CallContext,
    private readonly bounds: AnswerBounds,
  ) {}

  take(item: unknown): void {
    this.count += 1;
    if (this.count > this.bounds.items) {
      throw new BadResponseError(
        `the Immich server at ${this.ctx.serverUrl} sent more than ${this.bounds.items} assets in one answer to ${this.ctx.method} ${this.ctx.route}, more than it was asked for; giving up on it`,
        { code: 'ANSWER_TOO_LARGE' },
      );
    }
    // A well-formed asset without zod's walk (asset-quick.ts); the schema reads the rest.
    const quick = quickAsset(item);
    const parsed = quick ? ({ success: true, data: quick } as const) : assetSchema.safeParse(item);
    if (parsed.success) {
      const { store } = this.listing;
      if (store.has(parsed.data.id)) return;
      slim(parsed.data, this.peopleAsked, this.listing);
      this.fresh += 1;
      // The whole listing's store, every answer so far: refused as soon as it passes the bound.
      if (store.bytes > this.bounds.keptBytes) {
        throw new BadResponseError(
          `the Immich server at ${this.ctx.serverUrl} (${this.ctx.method} ${this.ctx.route}): the listing's names and descriptions passed ${mib(this.bounds.keptBytes)} (${store.size} assets), more than any real library's; check the server`,
          { code: 'ANSWER_TOO_LARGE' },
        );
      }
      return;
    }
    this.firstError ??= parsed.error;
    if (this.failed.length < NAMED_FAILURES) this.failed.push({ id: itemId(item), issue: parsed.error.issues[0] });
    else this.unnamed += 1;
  }

  /** How many assets the answer added to the listing; warns of the ones left out. */
  finish(under: string[], logger: Logger): number {
    const ctx = this.ctx;
    if (this.fresh === 0 && this.firstError) {
      // Not one item of the page can be read: the server speaks another shape, and the page is
      // refused whole (taking it as empty could look like a library emptied).
      throw shapeFailure(this.firstError, ctx, [...under, 0]);
    }
    const where = { server: ctx.serverUrl, route: `${ctx.method} ${ctx.route}` };
    for (const { id, issue } of this.failed) {
      const field = issue?.path.length ? issue.path.join('.') : 'the entry';
      logger.warn(
        `${id ? `asset ${id}` : 'an asset without a usable id'} is left out of the listing: ${field} cannot be read (${issue?.message ?? 'bad shape'})`,
        { ...where, ...(id ? { asset: id } : {}) },
      );
    }
    if (this.unnamed > 0)
      logger.warn(`${this.unnamed} more assets of this answer are left out of the listing: they cannot be read`, where);
    // Each sync says so again: a listing with warnings is never skipped.
    if (this.failed.length > 0) this.listing.tap?.spoil();
    return this.fresh;
  }
}

export class ImmichClient implements AssetSource {
  private readonly serverUrl: string;
  private readonly origin: string;
  private readonly prefix: string;
  private closed = false;
  /** Every request's connections (http1-agent.ts), and the key, retries and redirects over them
   * (api-fetch.ts). undici carried the JSON requests before: loading it was most of a sync's
   * version probe, and a small photo through it cost more CPU than curl spends on the whole photo
   * (issue 15). */
  private readonly agent: Http1Agent;
  private readonly fetcher: ApiFetcher;
  /** The requests in flight under each caller's signal (one listener on it, not one a request). */
  private readonly fanout = new AbortFanout();
  private readonly logger: Logger;
  private readonly timeouts: Timeouts;
  private readonly pageSize: number;
  private readonly paging: PagingLimits;
  private readonly limits: ClientLimits;
  private readonly answerWithinMs: number | null;
  private readonly mask: Mask;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private lastVersion: ServerVersion | null = null;
  /** Where the listing in progress is, for the listing deadline's message. */
  private listingAt = { pages: 0, assets: 0 };
  private saidNoFullsize = false;
  /** See listingIdentity; made once, from the key, which is not kept. */
  private readonly identity: string;

  constructor(options: ImmichClientOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.serverUrl = this.origin + this.prefix;
    this.logger = options.logger ?? silentLogger;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.pageSize = options.pageSize ?? 1000;
    this.paging = { ...DEFAULT_PAGING, ...options.paging };
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.answerWithinMs = options.answerWithinMs ?? null;
    this.mask = maskOf(options.apiKey);
    // Keyed by the API key (masked in server text, kept.ts): a listing replayed under another key
    // could be read otherwise. The key cannot be read back from the digest.
    this.identity = createHmac('sha256', options.apiKey)
      .update(
        JSON.stringify({ server: this.serverUrl, pageSize: this.pageSize, paging: this.paging, limits: this.limits }),
      )
      .digest('base64');
    const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.retry = retry;
    this.random = options.random ?? Math.random;
    const hooks: RetryHooks = {
      ...(options.random ? { random: options.random } : {}),
      onRetry: (e) => {
        const fields = {
          server: this.serverUrl,
          method: e.method,
          path: e.path,
          attempt: e.attempt,
          reason: e.reason,
          delayMs: e.delayMs,
        };
        // A server that takes the request and says nothing: say so in words while we wait.
        if (e.reason === 'UND_ERR_HEADERS_TIMEOUT')
          this.logger.warn(
            `the Immich server at ${this.serverUrl} is not answering (no reply within ${Math.round(this.timeouts.headersMs / 1000)} s); trying again`,
            fields,
          );
        else this.logger.warn('immich request failed, retrying', fields);
      },
    };
    this.agent = new Http1Agent({ connections: 8, connectMs: this.timeouts.connectMs, keepAliveMs: 10_000 });
    this.fetcher = new ApiFetcher({
      agent: this.agent,
      origin: this.origin,
      apiKey: options.apiKey,
      retry,
      hooks,
      timeouts: this.timeouts,
    });
  }

  /** Closes idle connections now and busy ones as their answers end; a closed client sends
   * nothing more. */
  close(): Promise<void> {
    this.closed = true;
    this.agent.close();
    return Promise.resolve();
  }

  // ---- the server's version ----

  async serverVersion(signal?: AbortSignal, tap?: ListingTap): Promise<ServerVersion> {
    let route = '/api/server/version';
    let answer = await this.getJson(route, {}, signal, this.limits.maxJsonBytes, tap);
    if (answer.status === 404) {
      // v1.106 only had the pre-rename route (moved to /server in v1.107).
      route = '/api/server-info/version';
      answer = await this.getJson(route, {}, signal, this.limits.maxJsonBytes, tap);
    }
    const ctx = this.context('GET', route);
    if (answer.status === 404) {
      throw new BadResponseError(
        `${this.serverUrl} has no /api/server/version or /api/server-info/version: is immich_url an Immich server?`,
      );
    }
    if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
    const parsed = serverVersionSchema.safeParse(answer.body);
    if (!parsed.success) throw shapeFailure(parsed.error, ctx);
    const v = { major: parsed.data.major, minor: parsed.data.minor, patch: parsed.data.patch };
    this.lastVersion = v;
    return v;
  }

  /** The version this client already probed (a sync asks for it just before listing), else a probe. */
  private async supportedVersion(signal?: AbortSignal): Promise<ServerVersion> {
    const v = this.lastVersion ?? (await this.serverVersion(signal));
    if (!versionAtLeast(v, OLDEST_SUPPORTED)) {
      throw new UnsupportedServerError(
        `the Immich server at ${this.serverUrl} runs ${formatVersion(v)}; this frame needs ${formatVersion(OLDEST_SUPPORTED)} or later: update Immich`,
      );
    }
    return v;
  }

  // ---- listing ----

  async listAssets(albumId: string, signal?: AbortSignal, tap?: ListingTap): Promise<RemoteAsset[]> {
    // One deadline over the whole listing, every page: a server that answers each
    // page slowly but always names one more cannot hold a sync for hours.
    this.listingAt = { pages: 0, assets: 0 };
    // Where this listing's assets are stored until it is complete (its own: a listing refused
    // half way leaves nothing behind).
    const listing: Listing = { store: new ListingStore(), keep: new Keeper(this.mask, false), tap };
    const deadlineMs = this.limits.listingMs;
    return withinDeadline(
      deadlineMs,
      signal,
      () => {
        const at = this.listingAt;
        return new DeadlineError(
          `the Immich server at ${this.serverUrl} did not finish listing ${albumId ? `album ${albumId}` : 'the library'} within ${minutes(deadlineMs)} (${at.pages} pages, ${at.assets} assets so far); it answers too slowly or pages without end. The frame keeps the photos it has`,
        );
      },
      (within) => this.listWithin(albumId, listing, within),
    );
  }

  private async listWithin(albumId: string, listing: Listing, signal: AbortSignal): Promise<RemoteAsset[]> {
    const version = await this.supportedVersion(signal);
    const caps = capabilitiesOf(version);
    if (albumId === '') {
      await this.searchAll(searchPasses(caps, null), null, listing, signal);
    } else if (!caps.searchByAlbum) {
      await this.albumRoute(albumId, listing, signal);
    } else {
      try {
        await this.searchAll(searchPasses(caps, albumId), albumId, listing, signal);
      } catch (err) {
        if (!(err instanceof AlbumIdsRejected)) throw err;
        listing.tap?.spoil();
        // Whatever the search stored goes: the album route lists the album afresh.
        listing.store = new ListingStore();
        // A server (or a strict proxy) that rejects the property: the album route still works
        // wherever albums carry their assets.
        this.logger.warn('the server rejected albumIds in a search; listing the album through GET /api/albums/{id}', {
          server: this.serverUrl,
          album: albumId,
        });
        await this.albumRoute(albumId, listing, signal);
      }
    }
    // The listing is complete: its assets are built from their rows (names and people shared).
    const places = listing.store.places();
    const list = listing.store.assets(places, new Keeper(this.mask));
    this.logger.debug('immich listing', {
      server: this.serverUrl,
      version: formatVersion(version),
      album: albumId || '(library)',
      images: list.length,
    });
    return list;
  }

  private async searchAll(
    passes: Record<string, unknown>[],
    albumId: string | null,
    listing: Listing,
    signal?: AbortSignal,
  ): Promise<void> {
    // The listing's ids are kept in its store (off the heap: listing-index.ts).
    const found = listing.store;
    const route = '/api/search/metadata';
    const ctx = this.context('POST', route, albumId ?? undefined);
    for (const pass of passes) {
      const describe = `the Immich server at ${this.serverUrl} (POST ${route} ${albumId ? `album ${albumId}` : 'library'})`;
      await collectPages<{ id: string }, ListingStore>(
        async (at) => {
          // A cursor (v3.2+) replaces the page number; older servers never offer one.
          const where = at.cursor !== undefined ? { cursor: at.cursor } : { page: at.page };
          const bounds = { items: this.pageSize, keptBytes: this.paging.maxKeptBytes };
          const pageStart = listing.store.mark();
          let items = new ItemReader(true, listing, ctx, bounds);
          let cursorChars: number | undefined;
          const answer = await this.shaped(
            'POST',
            route,
            { ...pass, ...LISTING_DETAIL, ...where, size: this.pageSize },
            () => {
              // A page asked again after a cut-off body: what the failed read stored goes.
              listing.store.rollback(pageStart);
              items = new ItemReader(true, listing, ctx, bounds);
              cursorChars = undefined;
              return searchPageShape(
                (item) => items.take(item),
                (chars) => (cursorChars = chars),
              );
            },
            signal,
            this.limits.maxJsonBytes,
            listing.tap,
          );
          if (answer.status === 400 && albumId && rejectsProperty(answer.body, 'albumIds'))
            throw new AlbumIdsRejected();
          if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
          const parsed = searchResponseSchema.safeParse(answer.body);
          if (!parsed.success) throw shapeFailure(parsed.error, ctx);
          this.listingAt.pages += 1;
          this.listingAt.assets += items.count;
          return {
            items: [],
            recorded: items.finish(['assets', 'items'], this.logger),
            nextPage: parsed.data.assets.nextPage,
            nextCursor: parsed.data.assets.nextCursor ?? null,
            ...(cursorChars !== undefined ? { nextCursorChars: cursorChars } : {}),
          };
        },
        describe,
        this.paging,
        found,
        albumId ? () => this.albumAssetCount(albumId, signal, listing.tap) : undefined,
      );
    }
  }

  /** The album's assetCount (GET /api/albums/{id}, without its assets), or null if unavailable. */
  private async albumAssetCount(albumId: string, signal?: AbortSignal, tap?: ListingTap): Promise<number | null> {
    const route = `/api/albums/${encodeURIComponent(albumId)}`;
    const answer = await this.getJson(route, { withoutAssets: 'true' }, signal, this.limits.maxJsonBytes, tap);
    if (answer.status !== 200) return null;
    const parsed = albumSchema.safeParse(answer.body);
    return parsed.success && typeof parsed.data.assetCount === 'number' ? parsed.data.assetCount : null;
  }

  private async albumRoute(albumId: string, listing: Listing, signal?: AbortSignal): Promise<void> {
    const route = `/api/albums/${encodeURIComponent(albumId)}`;
    const ctx = this.context('GET', route, albumId);
    // The one answer that holds a whole album (servers before v3.0): a larger cap than a page's,
    // read as it arrives (its assets one by one, never the whole tree).
    // The whole album in one answer: held to the listing's bounds.
    const bounds = { items: this.paging.maxItems, keptBytes: this.paging.maxKeptBytes };
    const start = listing.store.mark();
    let items = new ItemReader(false, listing, ctx, bounds);
    const answer = await this.shaped(
      'GET',
      `${route}?withoutAssets=false`,
      undefined,
      () => {
        // Asked again after a cut-off body: what the failed read stored goes.
        listing.store.rollback(start);
        items = new ItemReader(false, listing, ctx, bounds);
        return albumShape((item) => items.take(item));
      },
      signal,
      this.limits.maxAlbumJsonBytes,
      listing.tap,
    );
    if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
    const parsed = albumSchema.safeParse(answer.body);
    if (!parsed.success) throw shapeFailure(parsed.error, ctx);
    if (!parsed.data.assets) {
      throw new BadResponseError(
        `the Immich server at ${this.serverUrl} answered GET ${route} without the album's assets field; this server lists albums only through search`,
      );
    }
    items.finish(['assets'], this.logger);
  }

  // ---- pickers (the page's album and people lists) ----

  /** The albums the key can read, as the page's album picker lists them. */
  async listAlbums(signal?: AbortSignal): Promise<{ id: string; name: string; photos: number | null }[]> {
    const route = '/api/albums';
    const answer = await this.getJson(route, {}, signal);
    const ctx = this.context('GET', route);
    if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
    const parsed = albumListSchema.safeParse(answer.body);
    if (!parsed.success) throw shapeFailure(parsed.error, ctx);
    return parsed.data.map((a) => ({ id: a.id, name: a.albumName, photos: a.assetCount ?? null }));
  }

  /** The named people the server knows (hidden ones left out), as the page's people picker lists them. */
  async listPeople(signal?: AbortSignal): Promise<{ id: string; name: string }[]> {
    const route = '/api/people';
    const answer = await this.getJson(route, {}, signal);
    const ctx = this.context('GET', route);
    if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
    const parsed = peopleListSchema.safeParse(answer.body);
    if (!parsed.success) throw shapeFailure(parsed.error, ctx);
    return parsed.data.people.filter((p) => p.name !== '' && !p.isHidden).map((p) => ({ id: p.id, name: p.name }));
  }

  // ---- faces ----

  /** GET /api/faces?id=<asset id>: the `id` is the ASSET's despite the spec's "Face ID" (a person
   * id gives 400: error-faces-get-person-id-instead-of-asset-id.json). */
  async listFaces(assetId: string, signal?: AbortSignal): Promise<RemoteFace[]> {
    const route = '/api/faces';
    const answer = await this.getJson(route, { id: assetId }, signal);
    const ctx = this.context('GET', `${route}?id=${assetId}`);
    if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
    const parsed = facesResponseSchema.safeParse(answer.body);
    if (!parsed.success) throw shapeFailure(parsed.error, ctx);
    // The largest faces only (kept.ts): ten thousand boxes on one photo change no framing.
    return largestFaces(
      parsed.data.map((f) => ({
        x1: f.boundingBoxX1,
        y1: f.boundingBoxY1,
        x2: f.boundingBoxX2,
        y2: f.boundingBoxY2,
        f,
      })),
    ).map(({ f }) => ({
      personId: f.person?.id ?? null,
      x1: f.boundingBoxX1,
      y1: f.boundingBoxY1,
      x2: f.boundingBoxX2,
      y2: f.boundingBoxY2,
      imageWidth: f.imageWidth,
      imageHeight: f.imageHeight,
    }));
  }

  /** Member id (the primary's too) -> its stack, from GET /api/stacks (stack.read): search items
   * carry no stack (v3.1.0 fixtures search-metadata-album-stack-items*), this answer does
   * (stacks-list: `[{id, primaryAssetId, assets[]}]`). null when this key or server cannot tell
   * (then stacks are shown whole and photos keep no stack, and the log says why).
   * The answer lists every stacked asset in full (v3.1.0 fixture stacks-list, ~1.5 KB each), so
   * its cap follows the listing's size (`listed`); an answer past it or of a wrong shape costs the
   * stack rule for this sync, never the sync. */
  async listStacks(signal?: AbortSignal, listed = 0, tap?: ListingTap): Promise<Map<string, RemoteStack> | null> {
    const route = '/api/stacks';
    const cap = this.limits.maxJsonBytes + listed * STACK_BYTES_PER_ASSET;
    const without = 'every photo of a stack is shown this time, not only its primary';
    let answer: JsonAnswer;
    try {
      answer = await this.shaped('GET', route, undefined, () => stacksShape, signal, cap, tap);
    } catch (err) {
      if (!(err instanceof BadResponseError)) throw err;
      tap?.spoil();
      this.logger.warn(`the stacks answer cannot be used: ${err.message}; ${without}`, { server: this.serverUrl });
      return null;
    }
    if (answer.status === 403 || answer.status === 404) {
      this.logger.warn(
        answer.status === 403
          ? 'the API key lacks stack.read: photos carry no stack, and in whole-library mode every photo of a stack is shown, not only its primary; give the key stack.read (or all)'
          : 'this server has no GET /api/stacks: photos carry no stack, and every photo of a stack is shown',
        { server: this.serverUrl, status: answer.status },
      );
      return null;
    }
    if (answer.status !== 200) throw httpFailure(answer.status, answer.body, this.context('GET', route));
    const parsed = stacksSchema.safeParse(answer.body);
    if (!parsed.success) {
      tap?.spoil();
      this.logger.warn(
        `the stacks answer cannot be used: ${shapeFailure(parsed.error, this.context('GET', route)).message}; ${without}`,
        { server: this.serverUrl },
      );
      return null;
    }
    const out = new Map<string, RemoteStack>();
    for (const stack of parsed.data) {
      const of: RemoteStack = { id: stack.id, primaryAssetId: stack.primaryAssetId };
      for (const member of stack.assets) out.set(member.id, of);
    }
    return out;
  }

  // ---- a listing replayed (listing-replay.ts) ----

  /** What, besides the answers, shapes what a listing makes of them: the server, the page size,
   * the bounds and the key, as one digest. A recorded listing is replayed only under the same. */
  listingIdentity(): string {
    return this.identity;
  }

  /**
   * Asks each recorded request again, in order, and tells whether every answer is the recorded
   * one byte for byte, without parsing any: false at the first that differs (its status, its
   * length as soon as its bytes pass the recorded one, its digest), and nothing after it is asked.
   * The listing's bounds hold: one deadline over every request (listingMs) besides each one's own,
   * no answer is read past its recorded length, and the requests are those of a listing that was
   * held to the page, cursor and size bounds when it recorded them. A server that fails is
   * reported as the listing reports it.
   */
  async replayListing(exchanges: readonly ListingExchange[], signal?: AbortSignal): Promise<boolean> {
    const deadlineMs = this.limits.listingMs;
    return withinDeadline(
      deadlineMs,
      signal,
      () =>
        new DeadlineError(
          `the Immich server at ${this.serverUrl} did not finish answering the listing within ${minutes(deadlineMs)}; it answers too slowly. The frame keeps the photos it has`,
        ),
      async (within) => {
        for (const exchange of exchanges) if (!(await this.sameAnswer(exchange, within))) return false;
        return true;
      },
    );
  }

  private async sameAnswer(exchange: ListingExchange, signal: AbortSignal): Promise<boolean> {
    const res = await this.send(exchange.method, exchange.route, exchange.body, signal, 'streamed', exchange.bytes);
    const body = res.body;
    if (res.statusCode !== exchange.status) {
      body.destroy();
      return false;
    }
    const check = new AnswerCheck(exchange);
    try {
      // Leaving the loop early destroys the body: the rest is never read.
      for await (const chunk of body) if (!check.write(chunk as Buffer)) return false;
    } catch (err) {
      if (signal.aborted || err instanceof FrameError || isAbort(err)) throw err;
      // A body cut short: the listing proper asks again, under its retry policy.
      return false;
    }
    return check.same();
  }

  // ---- bytes ----

  async download(asset: RemoteAsset, size: PhotoSize, signal?: AbortSignal): Promise<AssetDownload> {
    let rendition = chooseRendition(asset.originalMimeType, asset.originalFileName, size);
    if (rendition === 'fullsize' && this.lastVersion && !capabilitiesOf(this.lastVersion).fullsize)
      rendition = 'preview';
    // Edited assets: ask for the edited image (v2.5+ `edited=true`; the server's default is the
    // unedited one: v3.1.0 fixtures original-edited-*, thumbnail-edited-*).
    const edited = asset.edited === true;
    const first = await this.fetchRendition(asset.id, rendition, edited, signal);
    if ('rendition' in first) return first;
    if (rendition === 'fullsize' && first.status === 400) {
      // Before v1.131 `size` has no fullsize value (a 400 validation error): the preview is the
      // best rendering such a server has.
      // A fact about the server, not the photo: said once at info, then per photo at debug.
      (this.saidNoFullsize ? this.logger.debug : this.logger.info)(
        'the server has no fullsize rendering; using the preview',
        { server: this.serverUrl, asset: asset.id },
      );
      this.saidNoFullsize = true;
      const second = await this.fetchRendition(asset.id, 'preview', edited, signal);
      if ('rendition' in second) return second;
      throw this.downloadFailure(asset.id, 'preview', edited, second);
    }
    throw this.downloadFailure(asset.id, rendition, edited, first);
  }

  /** What a failed photo download means, for that photo alone: the sync goes on with the rest.
   * Only a rejected key (401) or an unreachable server stop it (httpFailure). */
  private downloadFailure(assetId: string, rendition: Rendition, edited: boolean, answer: JsonAnswer): Error {
    const route = renditionRoute(assetId, rendition, edited);
    const said = serverMessage(answer.body);
    const what = `GET ${route}: HTTP ${answer.status}${said ? ` ${said}` : ''}`;
    const at = `the Immich server at ${this.serverUrl}`;
    if (answer.status === 403) {
      // AuthService.authenticate answers "Missing required permission: <name>" for a key without
      // the route's permission (immich server/src/services/auth.service.ts:~238, AuthService.authenticate, commit 00c5bf5).
      const permission =
        /permission:?\s*([a-z][\w.]*)/i.exec(said)?.[1] ?? (rendition === 'original' ? 'asset.download' : 'asset.view');
      return new AssetUnavailableError(
        `asset ${assetId}: ${at} refused the API key (${what}); give the key ${permission} (or all) in Account Settings > API Keys`,
        'permission',
      );
    }
    if (answer.status === 404 && rendition !== 'original') {
      // 404 "Asset media not found": the asset is there, its rendering is not (yet): v3.1.0
      // fixture thumbnail-heic-preview-when-generation-failed. A missing asset is a 400 here.
      return new AssetUnavailableError(
        `asset ${assetId}: ${at} has no ${rendition} rendering of it (yet) (${what}); Immich makes renderings in the background, so the next sync tries again (if it stays missing, run Administration > Jobs > Generate Thumbnails on the server)`,
        'not-rendered',
      );
    }
    if (answer.status === 404 || (answer.status === 400 && /not found|no asset/i.test(said))) {
      return new AssetUnavailableError(
        `asset ${assetId} was not found on ${at} (${what}): deleted, or no longer shared with this key's user, since the listing; the next sync drops it if so`,
        'not-found',
      );
    }
    return httpFailure(answer.status, answer.body, this.context('GET', route));
  }

  private async fetchRendition(
    assetId: string,
    rendition: Rendition,
    edited: boolean,
    signal?: AbortSignal,
  ): Promise<AssetDownload | JsonAnswer> {
    const route = renditionRoute(assetId, rendition, edited);
    const res = await this.send('GET', route, undefined, signal, 'photo');
    if (res.statusCode === 200) {
      const length = announcedLength(res);
      const type = res.headers['content-type'];
      if (length !== null && length > this.limits.maxPhotoBytes) {
        // Refused before a byte is read: no real photo is this large, and its announced size
        // must not hold the disk reserve against the others.
        res.body.destroy();
        throw new AssetUnavailableError(
          `asset ${assetId}: the Immich server at ${this.serverUrl} announces ${mib(length)} for GET ${route}, more than the ${mib(this.limits.maxPhotoBytes)} a photo may be; left out`,
          'too-large',
        );
      }
      return {
        rendition,
        edited,
        contentType: typeof type === 'string' ? type : null,
        contentLength: length,
        body: res.body,
        ...(res.release ? { release: res.release } : {}),
      };
    }
    // An overloaded or broken server's answer (still so after the retries): its first 64 KiB say
    // what it is, as the retry layer hands a JSON request's over; an endless one is an HTTP 500,
    // not an answer too large. Any other error answer is read whole, within the JSON bound.
    if (isRetryableStatus(res.statusCode)) return { status: res.statusCode, body: await readErrorBody(res) };
    return { status: res.statusCode, body: await readBody(res, this.context('GET', route), this.limits.maxJsonBytes) };
  }

  // ---- HTTP ----

  private context(method: string, route: string, albumId?: string): CallContext {
    return albumId === undefined
      ? { serverUrl: this.serverUrl, method, route }
      : { serverUrl: this.serverUrl, method, route, albumId };
  }

  private send(
    method: Method,
    route: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    mode: 'buffered',
    maxBodyBytes?: number,
  ): Promise<WholeAnswer>;
  private send(
    method: Method,
    route: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    mode: 'streamed' | 'photo',
    maxBodyBytes?: number,
  ): Promise<Answer>;
  private async send(
    method: Method,
    route: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    mode: BodyMode,
    maxBodyBytes: number = this.limits.maxJsonBytes,
  ): Promise<Answer | WholeAnswer> {
    // A closed client makes no new connections (its agent's pools are closing).
    if (this.closed) throw new Error(`the Immich client for ${this.serverUrl} is closed`);
    const buffer = mode === 'buffered';
    const started = Date.now();
    const path = this.prefix + route;
    // One abort a request, by whichever comes first: the caller's signal, the deadline, or the
    // command line's patience (request-abort.ts: an AbortController and a listener on each signal
    // cost as much as the rest of a small photo's request).
    const controller = new RequestAbort();
    const caller = signal;
    if (caller?.aborted) controller.abort(caller.reason);
    else if (caller) this.fanout.join(caller, controller);
    /** Leave the caller's signal once the request is over, else one listener would stay on the
     * sync's signal per request (a MaxListenersExceededWarning from the tenth photo on). */
    const detach = () => {
      if (caller) this.fanout.leave(caller, controller);
    };
    // The command line's patience: abort a request still without an answer after answerWithinMs.
    let patience: { timer: NodeJS.Timeout; expired: boolean } | null = null;
    const limit = this.answerWithinMs;
    if (limit !== null) {
      const p = { expired: false, timer: setTimeout(() => ((p.expired = true), controller.abort()), limit) };
      p.timer.unref?.();
      patience = p;
    }
    // One deadline over the whole request: connect, retries, and for a photo its last byte.
    const deadlineMs = this.limits.requestMs;
    const timer = setTimeout(
      () =>
        controller.abort(
          new DeadlineError(
            `the Immich server at ${this.serverUrl} did not finish answering ${method} ${route} within ${Math.round(deadlineMs / 1000)} s; it is too slow or stuck`,
          ),
        ),
      deadlineMs,
    );
    timer.unref();
    let res: Answer | WholeAnswer;
    try {
      res =
        mode === 'photo'
          ? await this.fetcher.get(path, controller)
          : buffer
            ? await this.fetcher.whole(method, path, body, controller, maxBodyBytes)
            : await this.fetcher.stream(method, path, body, controller);
    } catch (err) {
      clearTimeout(timer);
      detach();
      if (patience?.expired) {
        throw new ServerUnreachableError(
          `the Immich server at ${this.serverUrl} is not answering: no reply to ${method} ${route} within ${Math.round(limit! / 1000)} s; check that the server is running and not overloaded (the frame keeps the photos it has)`,
          { cause: err },
        );
      }
      if (caller?.aborted) throw err;
      if (err instanceof FrameError) throw err;
      if (err instanceof AnswerTooLargeError) {
        throw new BadResponseError(
          `the Immich server at ${this.serverUrl} sent more than ${mib(err.limitBytes)} for ${method} ${route}, more than any real answer; giving up on it`,
          { code: 'ANSWER_TOO_LARGE', cause: err },
        );
      }
      if (isAbort(err)) throw err;
      throw networkFailure(err, this.context(method, route), {
        headers: this.timeouts.headersMs,
        body: this.timeouts.bodyMs,
      });
    } finally {
      if (patience) clearTimeout(patience.timer);
    }
    this.logger.debug('immich request', { method, path, status: res.statusCode, ms: Date.now() - started });
    if ('bytes' in res) {
      clearTimeout(timer);
      detach();
      return res;
    }
    if (mode === 'streamed') {
      // Read as it arrives: the request's deadline runs on to its last byte.
      res.body.once('close', () => {
        clearTimeout(timer);
        detach();
      });
      return res;
    }
    clearTimeout(timer);
    // A photo's own deadline, from the length it announces: one slow photo is that photo's
    // failure (the sync goes on with the others), never the whole sync's.
    const bodyMs = this.photoDeadlineMs(announcedLength(res));
    const bodyTimer = setTimeout(
      () =>
        controller.abort(
          new AssetUnavailableError(
            `the Immich server at ${this.serverUrl} did not finish sending ${method} ${route} within ${Math.round(bodyMs / 1000)} s (the photo's size at ${Math.round(this.limits.photoFloorRate / 1024)} KiB/s, at least ${Math.round(this.limits.photoFloorMs / 1000)} s); too slow, tried again next sync`,
            'too-slow',
          ),
        ),
      bodyMs,
    );
    bodyTimer.unref();
    // A photo's body may still be aborted by the caller while it streams: detach when it closes.
    res.body.once('close', () => {
      clearTimeout(bodyTimer);
      detach();
    });
    return res;
  }

  /** How long a photo's bytes may take: its announced size at the floor rate, never less than
   * the floor; a photo of unknown size gets the longest download time. */
  private photoDeadlineMs(length: number | null): number {
    if (length === null) return this.limits.downloadMs;
    return Math.max(this.limits.photoFloorMs, Math.ceil((length / this.limits.photoFloorRate) * 1000));
  }

  private async getJson(
    route: string,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
    maxBytes = this.limits.maxJsonBytes,
    tap?: ListingTap,
  ): Promise<JsonAnswer> {
    const qs = new URLSearchParams(query).toString();
    const full = qs ? `${route}?${qs}` : route;
    const res = await this.send('GET', full, undefined, signal, 'buffered', maxBytes);
    if (tap) {
      const seen = new SeenBytes();
      seen.take(res.bytes);
      tap.record({ method: 'GET', route: full, status: res.statusCode, ...seen.result() });
    }
    return { status: res.statusCode, body: jsonOf(res.bytes.toString('utf8'), res, this.context('GET', full)) };
  }

  /** A listing's answer: a 200 is read by `shape` (readShapedBody: whole up to WHOLE_MAX_BYTES,
   * as its bytes arrive past it, so no longer page is ever held whole); anything else is read as
   * an error body. A 200 whose body fails on the way is asked again under the
   * retry policy, with a fresh shape from `shapeFor` (what the failed read built is dropped). */
  private async shaped(
    method: 'GET' | 'POST',
    route: string,
    body: unknown,
    shapeFor: () => Shape,
    signal: AbortSignal | undefined,
    maxBytes = this.limits.maxJsonBytes,
    tap?: ListingTap,
  ): Promise<JsonAnswer> {
    const ctx = this.context(method, route);
    const sent = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const shape = shapeFor();
      const res = await this.send(method, route, sent, signal, 'streamed', maxBytes);
      if (res.statusCode !== 200) {
        // A refusal the caller works around (and says so) is said again at every sync.
        tap?.spoil();
        return { status: res.statusCode, body: await readErrorBody(res) };
      }
      try {
        const seen = tap ? new SeenBytes() : undefined;
        const answer = { status: 200, body: await readShapedBody(res, ctx, shape, maxBytes, seen) };
        if (tap && seen)
          tap.record({ method, route, ...(sent !== undefined ? { body: sent } : {}), status: 200, ...seen.result() });
        return answer;
      } catch (err) {
        if (err instanceof FrameError || signal?.aborted || isAbort(err)) throw err;
        if (!isRetryableError(err) || attempt >= this.retry.maxAttempts) {
          throw networkFailure(err, ctx, { headers: this.timeouts.headersMs, body: this.timeouts.bodyMs });
        }
        const delayMs = retryDelay(attempt, null, this.retry, this.random);
        this.logger.warn('immich request failed, retrying', {
          server: this.serverUrl,
          method,
          path: route,
          attempt,
          reason: (err as { code?: string }).code ?? (err as Error).name,
          delayMs,
        });
        await sleep(delayMs, undefined, signal ? { signal } : {});
      }
    }
  }
}

class AlbumIdsRejected extends Error {}

/** An answer as the client reads it as it arrives (http1-agent.ts). */
interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** A photo's (Http1Answer): its chunks handed back once written. */
  release?: (chunk: Buffer) => void;
}

/** How an answer's body is read: whole before it is handed over (small JSON, asked again whole if
 * it is cut short: api-fetch.ts), as it arrives (a listing's answers), or as a photo (with its own
 * deadline). */
type BodyMode = 'buffered' | 'streamed' | 'photo';

/** Room in the stacks answer for each listed asset: a stack member in full with its exif. */
const STACK_BYTES_PER_ASSET = 4 * 1024;

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

function renditionRoute(assetId: string, rendition: Rendition, edited: boolean): string {
  const id = encodeURIComponent(assetId);
  // Only lower-case true is accepted (v3.1.0 fixture error-thumbnail-edited-capitalised-true).
  if (rendition === 'original') return `/api/assets/${id}/original${edited ? '?edited=true' : ''}`;
  return `/api/assets/${id}/thumbnail?size=${rendition}${edited ? '&edited=true' : ''}`;
}

/** The JSON of an answer (or its text when it is not JSON: a proxy's error page). A 2xx answer
 * that is not JSON is a BadResponseError. */
async function readBody(res: Answer, ctx: CallContext, maxBytes: number): Promise<unknown> {
  return jsonOf(await readCapped(res.body, maxBytes, ctx), res, ctx);
}

/** The JSON of an answer's text (or the text when it is not JSON), as readBody. */
function jsonOf(text: string, res: { statusCode: number; headers: Answer['headers'] }, ctx: CallContext): unknown {
  const type = res.headers['content-type'];
  const contentType = typeof type === 'string' ? type : null;
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (ok) throw notJsonFailure(ctx, contentType);
    return text;
  }
}

/** A 200 answer read by `shape`, refused past `maxBytes`; one that is not JSON is a
 * BadResponseError, as readBody's. An answer of up to WHOLE_MAX_BYTES is read whole once it has
 * arrived (json-whole.ts, the same result at a fraction of the cost); a longer one as its chunks
 * arrive (json-reader.ts), the chunks held so far first. */
async function readShapedBody(
  res: Answer,
  ctx: CallContext,
  shape: Shape,
  maxBytes: number,
  seen?: SeenBytes,
): Promise<unknown> {
  const body = res.body;
  let held: Buffer[] | null = [];
  let reader: JsonReader | null = null;
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (bytes > maxBytes) throw tooLarge(ctx, maxBytes);
      seen?.take(chunk as Buffer);
      if (held) {
        held.push(chunk as Buffer);
        if (bytes <= WHOLE_MAX_BYTES) continue;
        reader = new JsonReader(shape);
        for (const part of held) reader.write(part);
        held = null;
      } else reader!.write(chunk as Buffer);
    }
    if (held) return readWhole(held.length === 1 ? held[0]! : Buffer.concat(held, bytes), shape);
    return reader!.end();
  } catch (err) {
    body.destroy();
    if (!(err instanceof JsonSyntaxError)) throw err;
    const type = res.headers['content-type'];
    throw notJsonFailure(ctx, typeof type === 'string' ? type : null);
  }
}

/** An error answer's body: its first 64 KiB say what it is (as the retry layer reads a
 * buffered one), JSON or text. */
async function readErrorBody(res: Answer): Promise<unknown> {
  const body = res.body;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    if (bytes >= ERROR_BODY_BYTES) break;
  }
  body.destroy();
  const text = Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function tooLarge(ctx: CallContext, maxBytes: number): BadResponseError {
  return new BadResponseError(
    `the Immich server at ${ctx.serverUrl} sent more than ${mib(maxBytes)} for ${ctx.method} ${ctx.route}, more than any real answer; giving up on it`,
    { code: 'ANSWER_TOO_LARGE' },
  );
}

/** The Content-Length a server announced, or null when it sent none (or nonsense). */
function announcedLength(res: Answer): number | null {
  const raw = res.headers['content-length'];
  if (raw === undefined) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}

/** The body as text, refused past `maxBytes` (an error page of a photo route is read this way). */
async function readCapped(body: Readable, maxBytes: number, ctx: CallContext): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += (chunk as Buffer).length;
    if (bytes > maxBytes) {
      body.destroy();
      throw tooLarge(ctx, maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
