// The Immich client: an AssetSource over HTTP (undici). It probes the server's version, lists an
// album's or the library's images the way that version allows, and streams a photo's bytes.
//
// Minimal API key permissions (x-immich-permission in the 2.5.6 and 3.1.0 specs):
//   asset.read      POST /api/search/metadata (listing)
//   album.read      GET /api/albums/{id} (album listing up to v2.x), and a search by albumIds
//                   checks it too ("Not found or no album.read access")
//   asset.download  GET /api/assets/{id}/original
//   asset.view      GET /api/assets/{id}/thumbnail (fullsize and preview renderings)
//   GET /api/server/version (or /server-info/version before v1.107) needs no key.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { BadResponseError, UnsupportedServerError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { capabilitiesOf, formatVersion, OLDEST_SUPPORTED, searchPasses, versionAtLeast } from './capabilities.js';
import { composeImmichDispatcher, createAgent, DEFAULT_TIMEOUTS, type Timeouts } from './dispatcher.js';
import {
  httpFailure,
  isAbort,
  networkFailure,
  notJsonFailure,
  rejectsProperty,
  shapeFailure,
  type CallContext,
} from './failures.js';
import { collectPages, DEFAULT_PAGING, type PagingLimits } from './paging.js';
import { chooseRendition } from './rendition.js';
import { DEFAULT_RETRY_POLICY, type RetryDispatchOptions, type RetryPolicy } from './retry.js';
import {
  albumSchema,
  facesResponseSchema,
  searchResponseSchema,
  serverVersionSchema,
  type ImmichAsset,
} from './schemas.js';
import type {
  AssetDownload,
  AssetSource,
  RemoteAsset,
  RemoteAssetInfo,
  RemoteFace,
  Rendition,
  ServerVersion,
} from './types.js';
import { type PhotoSize } from './rendition.js';

export { chooseRendition } from './rendition.js';

export interface ImmichClientOptions {
  /** The server's URL as in immich_url (no trailing /api). */
  baseUrl: string;
  apiKey: string;
  /** How bytes move (an Agent or Pool; tests point one at the simulator). The client composes its
   * key, retry and redirect interceptors over it and never closes it. Default: its own Agent. */
  dispatcher?: Dispatcher;
  logger?: Logger;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  /** Search page size: 1000, the most a server allows. */
  pageSize?: number;
  paging?: Partial<PagingLimits>;
  /** The jitter source (tests make it fixed). */
  random?: () => number;
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
 * the truth; elsewhere (the album route of v1/v2) an empty array may only mean "not sent". */
export function toRemoteAsset(a: ImmichAsset, peopleAsked = true): RemoteAsset {
  const remote: RemoteAsset = {
    id: a.id,
    originalFileName: a.originalFileName,
    originalMimeType: a.originalMimeType ?? null,
    fileCreatedAt: a.fileCreatedAt,
    localDateTime: a.localDateTime ?? null,
    updatedAt: a.updatedAt,
    checksum: a.checksum,
    archived: a.visibility === 'archive' || a.isArchived === true,
  };
  // External-library assets carry a path hash as their checksum.
  if (a.libraryId) remote.checksumIsContentHash = false;
  remote.info = infoOf(a, peopleAsked);
  return remote;
}

/** What the frame keeps of an asset's metadata (fields per FEATURES.md of the v3.1.0 fixtures). */
export function infoOf(a: ImmichAsset, peopleAsked = true): RemoteAssetInfo {
  const exif = a.exifInfo ?? null;
  const orientation = exif?.orientation == null ? null : Number(exif.orientation);
  const rating = exif?.rating ?? null;
  return {
    localDateTime: a.localDateTime ?? null,
    timeZone: exif?.timeZone ?? null,
    favorite: a.isFavorite === true,
    rating: rating !== null && Number.isInteger(rating) && rating >= -1 && rating <= 5 && rating !== 0 ? rating : null,
    description: exif?.description ?? '',
    city: exif?.city ?? null,
    state: exif?.state ?? null,
    country: exif?.country ?? null,
    latitude: exif?.latitude ?? null,
    longitude: exif?.longitude ?? null,
    // Search items carry `people: []` unless asked withPeople (search-metadata-album-person-without-
    // withpeople.json); the listing always asks, so an array here is the truth.
    people:
      a.people && (peopleAsked || a.people.length > 0)
        ? a.people.map((p) => ({ id: p.id, name: p.name, hidden: p.isHidden }))
        : null,
    width: a.width ?? null,
    height: a.height ?? null,
    orientation: orientation !== null && Number.isInteger(orientation) ? orientation : null,
    stack: a.stack ? { id: a.stack.id, primaryAssetId: a.stack.primaryAssetId } : null,
    hasExif: exif !== null,
  };
}

/** Asked of every listing search: exifInfo (rating, description, zone, place) and people, so the
 * metadata arrives with the listing instead of one request per asset. */
const LISTING_DETAIL = { withExif: true, withPeople: true } as const;

/** What a listing keeps of each asset while paging: the id (to drop repeats) and, for the ones
 * the frame shows, the contract's few fields (a big library's full JSON is not held). */
interface Listed {
  id: string;
  asset: RemoteAsset | null;
}

function slim(a: ImmichAsset, peopleAsked = true): Listed {
  return { id: a.id, asset: keepInListing(a) ? toRemoteAsset(a, peopleAsked) : null };
}

export class ImmichClient implements AssetSource {
  private readonly serverUrl: string;
  private readonly origin: string;
  private readonly prefix: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownDispatcher: Dispatcher | null;
  private readonly logger: Logger;
  private readonly timeouts: Timeouts;
  private readonly pageSize: number;
  private readonly paging: PagingLimits;
  private lastVersion: ServerVersion | null = null;

  constructor(options: ImmichClientOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.serverUrl = this.origin + this.prefix;
    this.logger = options.logger ?? silentLogger;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.pageSize = options.pageSize ?? 1000;
    this.paging = { ...DEFAULT_PAGING, ...options.paging };
    this.ownDispatcher = options.dispatcher ? null : createAgent(this.timeouts);
    const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.dispatcher = composeImmichDispatcher({
      base: options.dispatcher ?? this.ownDispatcher!,
      origin: this.origin,
      apiKey: options.apiKey,
      retry,
      hooks: {
        ...(options.random ? { random: options.random } : {}),
        onRetry: (e) =>
          this.logger.warn('immich request failed, retrying', {
            server: this.serverUrl,
            method: e.method,
            path: e.path,
            attempt: e.attempt,
            reason: e.reason,
            delayMs: e.delayMs,
          }),
      },
    });
  }

  async close(): Promise<void> {
    await this.ownDispatcher?.close();
  }

  // ---- the server's version ----

  async serverVersion(signal?: AbortSignal): Promise<ServerVersion> {
    let route = '/api/server/version';
    let answer = await this.getJson(route, {}, signal);
    if (answer.status === 404) {
      // v1.106 only had the pre-rename route (moved to /server in v1.107).
      route = '/api/server-info/version';
      answer = await this.getJson(route, {}, signal);
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

  async listAssets(albumId: string, signal?: AbortSignal): Promise<RemoteAsset[]> {
    const version = await this.supportedVersion(signal);
    const caps = capabilitiesOf(version);
    let found: Map<string, Listed>;
    if (albumId === '') {
      found = await this.searchAll(searchPasses(caps, null), null, signal);
    } else if (!caps.searchByAlbum) {
      found = await this.albumRoute(albumId, signal);
    } else {
      try {
        found = await this.searchAll(searchPasses(caps, albumId), albumId, signal);
      } catch (err) {
        if (!(err instanceof AlbumIdsRejected)) throw err;
        // A server (or a strict proxy) that rejects the property: the album route still works
        // wherever albums carry their assets.
        this.logger.warn('the server rejected albumIds in a search; listing the album through GET /api/albums/{id}', {
          server: this.serverUrl,
          album: albumId,
        });
        found = await this.albumRoute(albumId, signal);
      }
    }
    const list = [...found.values()].flatMap((l) => (l.asset ? [l.asset] : []));
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
    signal?: AbortSignal,
  ): Promise<Map<string, Listed>> {
    const found = new Map<string, Listed>();
    const route = '/api/search/metadata';
    const ctx = this.context('POST', route, albumId ?? undefined);
    for (const pass of passes) {
      const describe = `the Immich server at ${this.serverUrl} (POST ${route} ${albumId ? `album ${albumId}` : 'library'})`;
      await collectPages(
        async (page) => {
          const answer = await this.postJson(route, { ...pass, ...LISTING_DETAIL, page, size: this.pageSize }, signal);
          if (answer.status === 400 && albumId && rejectsProperty(answer.body, 'albumIds'))
            throw new AlbumIdsRejected();
          if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
          const parsed = searchResponseSchema.safeParse(answer.body);
          if (!parsed.success) throw shapeFailure(parsed.error, ctx);
          return { items: parsed.data.assets.items.map((a) => slim(a)), nextPage: parsed.data.assets.nextPage };
        },
        describe,
        this.paging,
        found,
      );
    }
    return found;
  }

  private async albumRoute(albumId: string, signal?: AbortSignal): Promise<Map<string, Listed>> {
    const route = `/api/albums/${encodeURIComponent(albumId)}`;
    const ctx = this.context('GET', route, albumId);
    const answer = await this.getJson(route, { withoutAssets: 'false' }, signal);
    if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
    const parsed = albumSchema.safeParse(answer.body);
    if (!parsed.success) throw shapeFailure(parsed.error, ctx);
    if (!parsed.data.assets) {
      throw new BadResponseError(
        `the Immich server at ${this.serverUrl} answered GET ${route} without the album's assets field; this server lists albums only through search`,
      );
    }
    return new Map(parsed.data.assets.map((a) => [a.id, slim(a, false)]));
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
    return parsed.data.map((f) => ({
      personId: f.person?.id ?? null,
      x1: f.boundingBoxX1,
      y1: f.boundingBoxY1,
      x2: f.boundingBoxX2,
      y2: f.boundingBoxY2,
      imageWidth: f.imageWidth,
      imageHeight: f.imageHeight,
    }));
  }

  // ---- bytes ----

  async download(asset: RemoteAsset, size: PhotoSize, signal?: AbortSignal): Promise<AssetDownload> {
    let rendition = chooseRendition(asset.originalMimeType, asset.originalFileName, size);
    if (rendition === 'fullsize' && this.lastVersion && !capabilitiesOf(this.lastVersion).fullsize)
      rendition = 'preview';
    const first = await this.fetchRendition(asset.id, rendition, signal);
    if ('rendition' in first) return first;
    if (rendition === 'fullsize' && first.status === 400) {
      // Before v1.131 `size` has no fullsize value (a 400 validation error): the preview is the
      // best rendering such a server has.
      this.logger.info('the server has no fullsize rendering; using the preview', {
        server: this.serverUrl,
        asset: asset.id,
      });
      const second = await this.fetchRendition(asset.id, 'preview', signal);
      if ('rendition' in second) return second;
      throw this.downloadFailure(asset.id, 'preview', second);
    }
    throw this.downloadFailure(asset.id, rendition, first);
  }

  private downloadFailure(assetId: string, rendition: Rendition, answer: JsonAnswer): Error {
    const route = renditionRoute(assetId, rendition);
    if (answer.status === 404 || (answer.status === 400 && /not found|no asset/i.test(JSON.stringify(answer.body)))) {
      return new BadResponseError(
        `asset ${assetId} is gone from the Immich server at ${this.serverUrl} or no longer readable (GET ${route}: HTTP ${answer.status}); it drops out at the next listing`,
      );
    }
    return httpFailure(answer.status, answer.body, this.context('GET', route));
  }

  private async fetchRendition(
    assetId: string,
    rendition: Rendition,
    signal?: AbortSignal,
  ): Promise<AssetDownload | JsonAnswer> {
    const route = renditionRoute(assetId, rendition);
    const res = await this.send('GET', route, undefined, signal, false);
    if (res.statusCode === 200) {
      const length = Number(res.headers['content-length']);
      const type = res.headers['content-type'];
      return {
        rendition,
        contentType: typeof type === 'string' ? type : null,
        contentLength: Number.isFinite(length) && res.headers['content-length'] !== undefined ? length : null,
        body: res.body as Readable,
      };
    }
    return { status: res.statusCode, body: await readBody(res, this.context('GET', route)) };
  }

  // ---- HTTP ----

  private context(method: string, route: string, albumId?: string): CallContext {
    return albumId === undefined
      ? { serverUrl: this.serverUrl, method, route }
      : { serverUrl: this.serverUrl, method, route, albumId };
  }

  private async send(
    method: 'GET' | 'POST',
    route: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    buffer: boolean,
  ): Promise<Dispatcher.ResponseData> {
    const started = Date.now();
    const path = this.prefix + route;
    const opts: Dispatcher.RequestOptions & RetryDispatchOptions = {
      origin: this.origin,
      path,
      method,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      headersTimeout: this.timeouts.headersMs,
      bodyTimeout: this.timeouts.bodyMs,
      bufferBody: buffer,
      ...(body !== undefined ? { body } : {}),
      ...(signal ? { signal } : {}),
    };
    try {
      const res = await this.dispatcher.request(opts);
      this.logger.debug('immich request', { method, path, status: res.statusCode, ms: Date.now() - started });
      return res;
    } catch (err) {
      if (isAbort(err) || signal?.aborted) throw err;
      throw networkFailure(err, this.context(method, route), {
        headers: this.timeouts.headersMs,
        body: this.timeouts.bodyMs,
      });
    }
  }

  private async getJson(
    route: string,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<JsonAnswer> {
    const qs = new URLSearchParams(query).toString();
    const full = qs ? `${route}?${qs}` : route;
    const res = await this.send('GET', full, undefined, signal, true);
    return { status: res.statusCode, body: await readBody(res, this.context('GET', full)) };
  }

  private async postJson(route: string, body: unknown, signal: AbortSignal | undefined): Promise<JsonAnswer> {
    const res = await this.send('POST', route, JSON.stringify(body), signal, true);
    return { status: res.statusCode, body: await readBody(res, this.context('POST', route)) };
  }
}

class AlbumIdsRejected extends Error {}

function renditionRoute(assetId: string, rendition: Rendition): string {
  const id = encodeURIComponent(assetId);
  return rendition === 'original' ? `/api/assets/${id}/original` : `/api/assets/${id}/thumbnail?size=${rendition}`;
}

/** The JSON of an answer (or its text when it is not JSON: a proxy's error page). A 2xx answer
 * that is not JSON is a BadResponseError. */
async function readBody(res: Dispatcher.ResponseData, ctx: CallContext): Promise<unknown> {
  const text = await res.body.text();
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
