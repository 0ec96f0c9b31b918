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
import { BadResponseError, DeadlineError, FrameError, UnsupportedServerError } from '../core/errors.js';
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
import { AnswerTooLargeError, DEFAULT_RETRY_POLICY, type RetryDispatchOptions, type RetryPolicy } from './retry.js';
import { DEFAULT_LIMITS, type ClientLimits } from './limits.js';
import { albumSchema, searchResponseSchema, serverVersionSchema, type ImmichAsset } from './schemas.js';
import type { AssetDownload, AssetSource, RemoteAsset, Rendition, ServerVersion } from './types.js';
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
  /** Bounds on answers and deadlines (limits.ts): a broken server cannot hold or swell a sync. */
  limits?: Partial<ClientLimits>;
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

export function toRemoteAsset(a: ImmichAsset): RemoteAsset {
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
  return remote;
}

/** What a listing keeps of each asset while paging: the id (to drop repeats) and, for the ones
 * the frame shows, the contract's few fields (a big library's full JSON is not held). */
interface Listed {
  id: string;
  asset: RemoteAsset | null;
}

function slim(a: ImmichAsset): Listed {
  return { id: a.id, asset: keepInListing(a) ? toRemoteAsset(a) : null };
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
  private readonly limits: ClientLimits;
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
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
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
          const answer = await this.postJson(route, { ...pass, page, size: this.pageSize }, signal);
          if (answer.status === 400 && albumId && rejectsProperty(answer.body, 'albumIds'))
            throw new AlbumIdsRejected();
          if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
          const parsed = searchResponseSchema.safeParse(answer.body);
          if (!parsed.success) throw shapeFailure(parsed.error, ctx);
          return { items: parsed.data.assets.items.map(slim), nextPage: parsed.data.assets.nextPage };
        },
        describe,
        this.paging,
        found,
        albumId ? () => this.albumAssetCount(albumId, signal) : undefined,
      );
    }
    return found;
  }

  /** The album's assetCount (GET /api/albums/{id}, without its assets), or null if unavailable. */
  private async albumAssetCount(albumId: string, signal?: AbortSignal): Promise<number | null> {
    const route = `/api/albums/${encodeURIComponent(albumId)}`;
    const answer = await this.getJson(route, { withoutAssets: 'true' }, signal);
    if (answer.status !== 200) return null;
    const parsed = albumSchema.safeParse(answer.body);
    return parsed.success && typeof parsed.data.assetCount === 'number' ? parsed.data.assetCount : null;
  }

  private async albumRoute(albumId: string, signal?: AbortSignal): Promise<Map<string, Listed>> {
    const route = `/api/albums/${encodeURIComponent(albumId)}`;
    const ctx = this.context('GET', route, albumId);
    // The one answer that holds a whole album (servers before v3.0): a larger cap than a page's.
    const answer = await this.getJson(route, { withoutAssets: 'false' }, signal, this.limits.maxAlbumJsonBytes);
    if (answer.status !== 200) throw httpFailure(answer.status, answer.body, ctx);
    const parsed = albumSchema.safeParse(answer.body);
    if (!parsed.success) throw shapeFailure(parsed.error, ctx);
    if (!parsed.data.assets) {
      throw new BadResponseError(
        `the Immich server at ${this.serverUrl} answered GET ${route} without the album's assets field; this server lists albums only through search`,
      );
    }
    return new Map(parsed.data.assets.map((a) => [a.id, slim(a)]));
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
    return { status: res.statusCode, body: await readBody(res, this.context('GET', route), this.limits.maxJsonBytes) };
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
    maxBodyBytes: number = this.limits.maxJsonBytes,
  ): Promise<Dispatcher.ResponseData> {
    const started = Date.now();
    const path = this.prefix + route;
    // One deadline over the whole request: connect, retries, and for a photo its last byte.
    const deadlineMs = buffer ? this.limits.requestMs : this.limits.downloadMs;
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(
          new DeadlineError(
            `the Immich server at ${this.serverUrl} did not finish answering ${method} ${route} within ${Math.round(deadlineMs / 1000)} s; it is too slow or stuck`,
          ),
        ),
      deadlineMs,
    );
    timer.unref();
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
      maxBodyBytes,
      signal: signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal,
      ...(body !== undefined ? { body } : {}),
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await this.dispatcher.request(opts);
    } catch (err) {
      clearTimeout(timer);
      if (signal?.aborted) throw err;
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
    }
    this.logger.debug('immich request', { method, path, status: res.statusCode, ms: Date.now() - started });
    if (buffer) clearTimeout(timer);
    else res.body.once('close', () => clearTimeout(timer));
    return res;
  }

  private async getJson(
    route: string,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
    maxBytes = this.limits.maxJsonBytes,
  ): Promise<JsonAnswer> {
    const qs = new URLSearchParams(query).toString();
    const full = qs ? `${route}?${qs}` : route;
    const res = await this.send('GET', full, undefined, signal, true, maxBytes);
    return { status: res.statusCode, body: await readBody(res, this.context('GET', full), maxBytes) };
  }

  private async postJson(route: string, body: unknown, signal: AbortSignal | undefined): Promise<JsonAnswer> {
    const res = await this.send('POST', route, JSON.stringify(body), signal, true);
    return { status: res.statusCode, body: await readBody(res, this.context('POST', route), this.limits.maxJsonBytes) };
  }
}

class AlbumIdsRejected extends Error {}

function renditionRoute(assetId: string, rendition: Rendition): string {
  const id = encodeURIComponent(assetId);
  return rendition === 'original' ? `/api/assets/${id}/original` : `/api/assets/${id}/thumbnail?size=${rendition}`;
}

/** The JSON of an answer (or its text when it is not JSON: a proxy's error page). A 2xx answer
 * that is not JSON is a BadResponseError. */
async function readBody(res: Dispatcher.ResponseData, ctx: CallContext, maxBytes: number): Promise<unknown> {
  const text = await readCapped(res.body as Readable, maxBytes, ctx);
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
      throw new BadResponseError(
        `the Immich server at ${ctx.serverUrl} sent more than ${mib(maxBytes)} for ${ctx.method} ${ctx.route}, more than any real answer; giving up on it`,
        { code: 'ANSWER_TOO_LARGE' },
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
