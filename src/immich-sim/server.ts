// A simulated Immich server on loopback for tests, benchmarks and the demo: real HTTP (node:http on
// 127.0.0.1, a free port), the routes a photo frame uses, with the status codes, headers and JSON
// shapes of a recorded v3.1.0 server and the dialects of older versions (history.ts).
//
// Using it:
//   const sim = await startImmichSim({ version: { major: 3, minor: 1, patch: 0 }, seed: 1 });
//     options: port, host, now, apiKey, rejectUnknownProperties (a strict proxy: 400 on
//     albumIds where the dialect lacks it), dialectOverrides (bend one fact of a version)
//   sim.url, sim.apiKey, sim.userId                 // base URL, the admin's key and id
//   sim.addAsset({ bytes: { generate: () => buf } | { path } | Buffer, ... })   // lazy bytes too
//   sim.asset(id), await sim.bytesOf(id), sim.library // read the state
//   const a = sim.addAsset({ bytes, originalFileName: 'x.jpg', fileCreatedAt: '2020-...' });
//   const album = sim.addAlbum({ albumName: 'Frame', assetIds: [a.id] });
//   await seedSampleLibrary(sim, { count: 20 })       // sample-photos.ts: generated photos
//   sim.addToAlbum / removeFromAlbum / trash / restore / archive / setVisibility / forceDelete /
//     replaceBytes(id, bytes) / setEdits(id, [{action: 'crop', parameters}...]) / addStack(ids)
//                                                     // mutations (updatedAt moves as on Immich)
//   sim.updateAsset(id, { isFavorite, rating, description, timeZone, city... })
//   sim.addPerson({ name }) / updatePerson(id, { name, isHidden }) / addFace({ assetId, personId,
//     x1, y1, x2, y2, imageWidth, imageHeight })       // people; GET /api/faces?id=<asset>
//   const { user, apiKey } = sim.addUser({ permissions: ['asset.read'] })   // another user / key
//   sim.setVersion({ major: 1, minor: 118, patch: 0 })                      // switch dialect
//   const f = sim.injectFault({ route: 'original', assetId: a.id, times: 2,
//                               fault: { kind: 'status', status: 503 } }); f.hits; f.cancel()
//     kinds: status (+retryAfter), stall, stall-body, truncate, wrong-bytes, reset, trickle,
//     endless-body, endless-paging, empty-listing (faults.ts)
//   sim.requests                                      // the request log: method, path, query,
//                                                     // body, apiKey present?, status, at (ms)
//   sim.clearRequests(); await sim.close()
import { randomBytes, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ServerVersion } from '../immich/types.js';
import { albumJson, assetJson, faceJson } from './asset-json.js';
import { FaultPlan, type Fault, type FaultHandle, type FaultRule, type RouteName } from './faults.js';
import { bigItemsPage, echoKey, freshCursor, freshId, manyFaces, manyStacks, patchItem } from './hostile.js';
import { dialectFor, type Dialect } from './history.js';
import {
  readSource,
  SimLibrary,
  type BytesSource,
  type NewAsset,
  type NewEdit,
  type SimStack,
  type SimAlbum,
  type SimAsset,
  type SimFace,
  type SimPerson,
  type SimUser,
  type Visibility,
} from './library.js';
import { createPrng } from './prng.js';
import { hasRenderings, probeDimensions, RenditionCache } from './renditions.js';
import { searchAssets } from './search.js';
import {
  albumQuerySchema,
  errorAnswer,
  facesQuerySchema,
  idParamSchema,
  originalQuerySchema,
  searchSchema,
  thumbnailQuerySchema,
  validationAnswer,
  type Answer,
} from './validation.js';

export const DEFAULT_SIM_VERSION: ServerVersion = { major: 3, minor: 1, patch: 0 };

export interface ImmichSimOptions {
  /** The server version, which decides the dialect. Default v3.1.0 (the recorded one). */
  version?: ServerVersion;
  /** Seed for ids and keys: the same seed gives the same ids. */
  seed?: number;
  port?: number;
  host?: string;
  now?: () => Date;
  /** Answer unknown search properties with a 400 (a strict proxy or fork) instead of dropping
   * them as every real version does. */
  rejectUnknownProperties?: boolean;
  /** Use this key for the admin instead of a generated one. */
  apiKey?: string;
  /** Bend single facts of the version's dialect (e.g. a v2.5 without albumIds in search). */
  dialectOverrides?: Partial<Omit<Dialect, 'version'>>;
}

export interface RecordedRequest {
  seq: number;
  /** Arrival time, Date.now() milliseconds. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, or undefined. */
  body: unknown;
  /** Whether an x-api-key header came with it (never the key itself). */
  apiKey: boolean;
  route: RouteName;
  /** The answer's status; null while unanswered and for stalls and resets. */
  status: number | null;
}

const CACHE_CONTROL = 'private, max-age=86400, no-transform, stale-while-revalidate=2592000, stale-if-error=2592000';
/** Formats a browser shows as they are: `fullsize` redirects to the original for these. */
const WEB_FRIENDLY = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/svg+xml']);

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  record: RecordedRequest;
  dialect: Dialect;
  correlationId: string;
  fault: Fault | undefined;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** HEAD: headers only. */
  headOnly?: boolean;
}

/** Express's default strong ETag for a body: "<length hex>-<sha1 base64, 27 chars>". */
function expressEtag(body: Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27);
  return `"${body.length.toString(16)}-${hash}"`;
}

/** Express's 302 as the recorded server sends it (thumbnail-*-fullsize fixtures). */
function redirectReply(location: string): Reply {
  const body = Buffer.from(`Found. Redirecting to ${location}`);
  return {
    status: 302,
    body,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(body.length),
      location,
      vary: 'Accept, Accept-Encoding',
    },
  };
}

function jsonReply(answer: Answer): Reply {
  const body = Buffer.from(JSON.stringify(answer.body));
  return {
    status: answer.status,
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
      etag: expressEtag(body),
      vary: 'Accept-Encoding',
      ...answer.headers,
    },
  };
}

function weakEtag(length: number, mtime: Date): string {
  return `W/"${length.toString(16)}-${mtime.getTime().toString(16)}"`;
}

function contentDisposition(fileName: string): string {
  return `inline; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

function baseName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

function fileHeaders(contentType: string, length: number, fileName: string, mtime: Date): Record<string, string> {
  return {
    'content-type': contentType,
    'content-length': String(length),
    'content-disposition': contentDisposition(fileName),
    etag: weakEtag(length, mtime),
    'cache-control': CACHE_CONTROL,
    'last-modified': mtime.toUTCString(),
    'accept-ranges': 'bytes',
  };
}

function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

export class ImmichSim {
  readonly library: SimLibrary;
  readonly userId: string;
  readonly apiKey: string;
  private dialectNow: Dialect;
  private readonly faults = new FaultPlan();
  private readonly log: RecordedRequest[] = [];
  private readonly renditions: RenditionCache;
  private readonly sockets = new Set<Socket>();
  private seq = 0;
  private freshIds = 0;
  private urlValue = '';

  constructor(
    private readonly server: http.Server,
    private readonly options: ImmichSimOptions,
  ) {
    const now = options.now ?? (() => new Date());
    const prng = createPrng(options.seed ?? 1);
    this.library = new SimLibrary(prng, now);
    this.renditions = new RenditionCache(now);
    this.dialectNow = { ...dialectFor(options.version ?? DEFAULT_SIM_VERSION), ...options.dialectOverrides };
    const admin = this.library.addUser({ name: 'Frame Admin', email: 'admin@example.test' });
    this.userId = admin.id;
    this.apiKey = this.library.addApiKey(admin.id, ['all'], options.apiKey).key;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end(JSON.stringify({ message: 'Internal server error', detail: String(err) }));
        } else {
          res.destroy();
        }
      });
    });
  }

  /** http://127.0.0.1:<port> (no trailing slash, no /api). */
  get url(): string {
    return this.urlValue;
  }

  /** @internal */
  setUrl(url: string): void {
    this.urlValue = url;
  }

  get version(): ServerVersion {
    return this.dialectNow.version;
  }

  get dialect(): Dialect {
    return this.dialectNow;
  }

  setVersion(version: ServerVersion): void {
    this.dialectNow = { ...dialectFor(version), ...this.options.dialectOverrides };
  }

  get requests(): readonly RecordedRequest[] {
    return this.log;
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  addUser(init: { name?: string; email?: string; permissions?: string[] } = {}): { user: SimUser; apiKey: string } {
    const user = this.library.addUser(init);
    return { user, apiKey: this.library.addApiKey(user.id, init.permissions ?? ['all']).key };
  }

  /** Another key for an existing user, e.g. with fewer permissions. */
  addApiKey(userId: string, permissions: string[] = ['all']): string {
    return this.library.addApiKey(userId, permissions).key;
  }

  addAsset(init: NewAsset): SimAsset {
    return this.library.addAsset(init, this.userId);
  }

  addAlbum(init: {
    albumName: string;
    assetIds?: string[];
    ownerId?: string;
    description?: string;
    id?: string;
    sharedWith?: string[];
  }): SimAlbum {
    return this.library.addAlbum({ ...init, ownerId: init.ownerId ?? this.userId });
  }

  addToAlbum(albumId: string, assetIds: string[]): void {
    this.library.addToAlbum(albumId, assetIds);
  }

  removeFromAlbum(albumId: string, assetIds: string[]): void {
    this.library.removeFromAlbum(albumId, assetIds);
  }

  trash(assetId: string): void {
    this.library.trash(assetId);
  }

  restore(assetId: string): void {
    this.library.restore(assetId);
  }

  archive(assetId: string, archived = true): void {
    this.library.archive(assetId, archived);
  }

  setVisibility(assetId: string, visibility: Visibility): void {
    this.library.setVisibility(assetId, visibility);
  }

  forceDelete(assetId: string): void {
    this.library.forceDelete(assetId);
  }

  replaceBytes(assetId: string, bytes: BytesSource): void {
    this.library.replaceBytes(assetId, bytes);
  }

  /** Edit an asset in Immich's editor (crop, rotate, mirror); [] removes the edits. */
  setEdits(assetId: string, edits: NewEdit[]): void {
    this.library.setEdits(assetId, edits);
  }

  /** Stack assets; the first is the primary. */
  addStack(assetIds: string[]): SimStack {
    return this.library.addStack(assetIds);
  }

  /** Favourite, rating, description, place...: PUT /api/assets/{id}; updatedAt moves. */
  updateAsset(assetId: string, change: Parameters<SimLibrary['updateAsset']>[1]): void {
    this.library.updateAsset(assetId, change);
  }

  addPerson(init: Parameters<SimLibrary['addPerson']>[0]): SimPerson {
    return this.library.addPerson(init);
  }

  /** Rename, hide, favourite a person: the assets' updatedAt stays. */
  updatePerson(personId: string, change: Parameters<SimLibrary['updatePerson']>[1]): void {
    this.library.updatePerson(personId, change);
  }

  /** A face box (corners in an imageWidth x imageHeight image); the asset's updatedAt stays. */
  addFace(init: Omit<SimFace, 'id'>): SimFace {
    return this.library.addFace(init);
  }

  asset(id: string): SimAsset {
    return this.library.requireAsset(id);
  }

  /** The original bytes of an asset, as /original serves them. */
  async bytesOf(id: string): Promise<Buffer> {
    return readSource(this.library.requireAsset(id).source);
  }

  injectFault(rule: FaultRule): FaultHandle {
    return this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  // ---- HTTP ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    let body: unknown;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        badJson = true;
      }
    }
    const { route, assetId } = routeOf(method, url.pathname);
    const record: RecordedRequest = {
      seq: ++this.seq,
      at: Date.now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      apiKey: typeof req.headers['x-api-key'] === 'string',
      route,
      status: null,
    };
    this.log.push(record);
    const ctx: Ctx = {
      req,
      res,
      record,
      dialect: this.dialectNow,
      correlationId: randomBytes(4).toString('hex'),
      fault: this.faults.take(route, assetId),
    };

    const fault = ctx.fault;
    if (fault?.kind === 'reset') {
      const socket = req.socket as Socket & { resetAndDestroy?: () => void };
      if (socket.resetAndDestroy) socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    if (fault?.kind === 'stall') return;
    if (fault?.kind === 'endless-error') {
      record.status = fault.status ?? 500;
      res.writeHead(fault.status ?? 500, { 'content-type': 'text/html' });
      void endlessBody(res, Buffer.from('<html><body>Internal Server Error '), false, Infinity);
      return;
    }
    if (fault?.kind === 'status') {
      const answer =
        fault.body !== undefined
          ? { status: fault.status, body: fault.body }
          : errorAnswer(ctx.dialect, fault.status, defaultMessage(fault.status), ctx.correlationId);
      const reply = jsonReply(answer);
      if (fault.retryAfter !== undefined) reply.headers['retry-after'] = String(fault.retryAfter);
      Object.assign(reply.headers, fault.headers);
      this.send(ctx, reply);
      return;
    }
    if (badJson) {
      this.send(ctx, jsonReply(errorAnswer(ctx.dialect, 400, 'Unexpected token in JSON body', ctx.correlationId)));
      return;
    }
    this.send(ctx, await this.answer(ctx, method, url, body));
  }

  private async answer(ctx: Ctx, method: string, url: URL, body: unknown): Promise<Reply> {
    const d = ctx.dialect;
    const path = url.pathname;
    const notFound = () => jsonReply(errorAnswer(d, 404, `Cannot ${method} ${path}`, ctx.correlationId));

    // Routes without authentication.
    const server = /^\/api\/(server|server-info)\/(version|ping)$/.exec(path);
    if (server && method === 'GET') {
      const allowed = server[1] === 'server' ? d.serverRoutes : d.serverInfoRoutes;
      if (!allowed) return notFound();
      if (server[2] === 'ping') return jsonReply({ status: 200, body: { res: 'pong' } });
      const v = d.version;
      const version: Record<string, unknown> = { major: v.major, minor: v.minor, patch: v.patch };
      if (d.prerelease) version['prerelease'] = null;
      return jsonReply({ status: 200, body: version });
    }

    const route = ctx.record.route;
    if (route === 'other') return notFound();

    const auth = this.authenticate(ctx);
    if ('status' in auth) return auth;
    const user = auth.userId;
    const permission = PERMISSION[route];
    if (permission && !auth.permissions.includes('all') && !auth.permissions.includes(permission)) {
      return jsonReply(errorAnswer(d, 403, `Missing required permission: ${permission}`, ctx.correlationId));
    }

    const query = Object.fromEntries(url.searchParams);
    switch (route) {
      case 'search':
        return this.search(ctx, user, body);
      case 'albums':
        return this.albums(ctx, user);
      case 'album':
        return this.album(ctx, user, path.split('/')[3]!, query);
      case 'asset':
        return this.assetInfo(ctx, user, path.split('/')[3]!);
      case 'original':
        return this.original(ctx, user, path.split('/')[3]!, query);
      case 'edits':
        return this.edits(ctx, user, path.split('/')[3]!);
      case 'stacks':
        return this.stacks(ctx, user, path.split('/')[3], query);
      case 'thumbnail':
        return this.thumbnail(ctx, user, path.split('/')[3]!, query);
      case 'faces':
        return this.faces(ctx, user, query);
      case 'people':
        return this.peopleList();
      default:
        return notFound();
    }
  }

  private authenticate(ctx: Ctx): { userId: string; permissions: string[] } | Reply {
    const header = ctx.req.headers['x-api-key'];
    if (typeof header !== 'string' || header === '') {
      return jsonReply(errorAnswer(ctx.dialect, 401, 'Authentication required', ctx.correlationId));
    }
    const key = this.library.apiKeys.get(header);
    if (!key) return jsonReply(errorAnswer(ctx.dialect, 401, 'Invalid API key', ctx.correlationId));
    return { userId: key.userId, permissions: key.permissions };
  }

  /** Checksums and dimensions of assets whose bytes are not in memory, before listing them. */
  private async prepare(assets: SimAsset[]): Promise<void> {
    await this.library.ensureChecksums(assets);
    for (const a of assets) {
      if (a.width !== null || !hasRenderings(a)) continue;
      const dims = await probeDimensions(await readSource(a.renderSource ?? a.source));
      if (dims) {
        a.width = dims.width;
        a.height = dims.height;
      }
    }
  }

  private validate<T>(
    ctx: Ctx,
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: unknown[] } } },
    value: unknown,
  ): T | Reply {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    return jsonReply(validationAnswer(ctx.dialect, parsed.error.issues as never, ctx.correlationId));
  }

  private async search(ctx: Ctx, userId: string, body: unknown): Promise<Reply> {
    const req = this.validate(
      ctx,
      searchSchema(ctx.dialect, this.options.rejectUnknownProperties ?? false),
      body ?? {},
    );
    if (isReply(req)) return req;
    const outcome = searchAssets(req, this.library, ctx.dialect, userId);
    if (!outcome.ok)
      return jsonReply(errorAnswer(ctx.dialect, 400, 'Not found or no album.read access', ctx.correlationId));
    await this.prepare(outcome.items);
    let items = outcome.items.map((a) =>
      assetJson(a, ctx.dialect, this.library, {
        withExif: req.withExif === true,
        withPeople: req.withPeople === true,
        hasPreview: hasRenderings(a),
      }),
    );
    if (ctx.fault?.kind === 'empty-listing') {
      items = [];
      outcome.nextPage = null;
    } else if (ctx.fault?.kind === 'endless-paging') {
      items = await this.freshPage(ctx, userId, req.size ?? 250);
      outcome.nextPage = String((req.page ?? 1) + 1);
    } else if (ctx.fault?.kind === 'big-items') {
      const fault = ctx.fault;
      const model = await this.modelJson(ctx, userId, true, req.withPeople === true);
      items = model ? bigItemsPage(model, fault, req.size ?? 250, () => ++this.freshIds) : [];
      outcome.nextPage = String((req.page ?? 1) + 1);
      if (fault.cursorChars) outcome.nextCursor = freshCursor(fault.cursorChars, ++this.freshIds);
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    } else if (ctx.fault?.kind === 'patch-item') {
      const at = ctx.fault.index ?? 0;
      const patch = ctx.fault.patch;
      items = items.map((item, i) => (i === at ? patchItem(item as Record<string, unknown>, patch) : item));
    } else if (ctx.fault?.kind === 'echo-key') {
      const key = String(ctx.req.headers['x-api-key']);
      items = items.map((item) => echoKey(item as Record<string, unknown>, key));
    }
    return jsonReply({
      status: 200,
      body: {
        albums: { total: 0, count: 0, items: [], facets: [] },
        assets: {
          total: items.length,
          count: items.length,
          items,
          facets: [],
          nextPage: outcome.nextPage,
          ...(outcome.nextCursor !== undefined ? { nextCursor: outcome.nextCursor } : {}),
        },
      },
    });
  }

  /** A page of `size` assets that were never seen before: copies of one of the user's assets
   * under fresh ids and names (the endless-paging fault). */
  private async freshPage(ctx: Ctx, userId: string, size: number): Promise<Record<string, unknown>[]> {
    const json = await this.modelJson(ctx, userId, false);
    if (!json) return [];
    return Array.from({ length: size }, () => {
      const n = ++this.freshIds;
      return { ...json, id: freshId(n), originalFileName: `ENDLESS_${n}.jpg` };
    });
  }

  /** The JSON of the user's first image, the model the copying faults copy (with its people when
   * the search asked for them). */
  private async modelJson(
    ctx: Ctx,
    userId: string,
    withExif: boolean,
    withPeople = false,
  ): Promise<Record<string, unknown> | null> {
    const model = [...this.library.assets.values()].find((a) => a.ownerId === userId && a.type === 'IMAGE');
    if (!model) return null;
    await this.prepare([model]);
    return assetJson(model, ctx.dialect, this.library, {
      withExif,
      withPeople,
      hasPreview: hasRenderings(model),
    }) as Record<string, unknown>;
  }

  /** GET /api/people (people-list.json): the visible people, hidden ones counted in `hidden`. */
  private peopleList(): Reply {
    const all = [...this.library.people.values()];
    const shown = all.filter((p) => !p.isHidden);
    return jsonReply({
      status: 200,
      body: {
        people: shown.map((p) => ({
          id: p.id,
          name: p.name,
          birthDate: p.birthDate,
          thumbnailPath: '',
          isHidden: p.isHidden,
          isFavorite: p.isFavorite,
          updatedAt: p.updatedAt,
        })),
        hasNextPage: false,
        total: all.length,
        hidden: all.length - shown.length,
      },
    });
  }

  private async albums(ctx: Ctx, userId: string): Promise<Reply> {
    // Newest first, as recorded.
    const list = [...this.library.albums.values()]
      .filter((a) => this.library.userCanReadAlbum(userId, a))
      .sort((x, y) => (x.createdAt === y.createdAt ? (x.id < y.id ? -1 : 1) : x.createdAt < y.createdAt ? 1 : -1));
    return jsonReply({
      status: 200,
      body: list.map((a) => albumJson(a, ctx.dialect, this.library, false, hasRenderings)),
    });
  }

  private async album(ctx: Ctx, userId: string, id: string, query: Record<string, string>): Promise<Reply> {
    const params = this.validate(ctx, idParamSchema, { id });
    if (isReply(params)) return params;
    const q = this.validate(ctx, albumQuerySchema(ctx.dialect), query);
    if (isReply(q)) return q;
    const album = this.library.albums.get(id);
    if (!album || !this.library.userCanReadAlbum(userId, album)) {
      return jsonReply(errorAnswer(ctx.dialect, 400, 'Not found or no album.read access', ctx.correlationId));
    }
    const withAssets = ctx.dialect.albumAssetsInBody && q.withoutAssets !== true;
    if (withAssets) {
      await this.prepare(album.assetIds.flatMap((aid) => this.library.assets.get(aid) ?? []));
    }
    const json = albumJson(album, ctx.dialect, this.library, withAssets, hasRenderings) as Record<string, unknown>;
    if (ctx.fault?.kind === 'empty-listing' && withAssets) Object.assign(json, { assets: [], assetCount: 0 });
    return jsonReply({ status: 200, body: json });
  }

  private accessibleAsset(userId: string, id: string): SimAsset | undefined {
    const a = this.library.assets.get(id);
    if (!a) return undefined;
    if (a.ownerId === userId) return a;
    // Assets in an album shared with the user are visible to them.
    for (const album of this.library.albums.values()) {
      if (album.assetIds.includes(id) && this.library.userCanReadAlbum(userId, album)) return a;
    }
    return undefined;
  }

  private async assetInfo(ctx: Ctx, userId: string, id: string): Promise<Reply> {
    const params = this.validate(ctx, idParamSchema, { id });
    if (isReply(params)) return params;
    const a = this.accessibleAsset(userId, id);
    if (!a) return jsonReply(errorAnswer(ctx.dialect, 400, 'Not found or no asset.read access', ctx.correlationId));
    await this.prepare([a]);
    return jsonReply({
      status: 200,
      body: assetJson(a, ctx.dialect, this.library, { detail: true, hasPreview: hasRenderings(a) }),
    });
  }

  /** GET /api/faces?id=<asset id>: a person id (or any unknown id) is 400 "Not found or no
   * asset.read access" (error-faces-get-person-id-instead-of-asset-id.json). */
  private faces(ctx: Ctx, userId: string, query: Record<string, string>): Reply {
    const q = this.validate(ctx, facesQuerySchema, query);
    if (isReply(q)) return q;
    const a = this.accessibleAsset(userId, q.id);
    if (!a) return jsonReply(errorAnswer(ctx.dialect, 400, 'Not found or no asset.read access', ctx.correlationId));
    const faces = this.library.facesOf(a.id).map((f) => faceJson(f, this.library, a.ownerId));
    if (ctx.fault?.kind === 'many-faces') {
      const first = faces[0] as Record<string, unknown> | undefined;
      const extra = manyFaces(
        ctx.fault.count,
        Number(first?.['imageWidth'] ?? a.width ?? 1000),
        Number(first?.['imageHeight'] ?? a.height ?? 750),
        (first?.['person'] as Record<string, unknown> | null | undefined) ?? null,
      );
      return jsonReply({ status: 200, body: [...faces, ...extra] });
    }
    return jsonReply({ status: 200, body: faces });
  }

  private async original(ctx: Ctx, userId: string, id: string, query: Record<string, string>): Promise<Reply> {
    const params = this.validate(ctx, idParamSchema, { id });
    if (isReply(params)) return params;
    const q = this.validate(ctx, originalQuerySchema(ctx.dialect), query);
    if (isReply(q)) return q;
    const a = this.accessibleAsset(userId, id);
    if (!a) return jsonReply(errorAnswer(ctx.dialect, 404, 'Not Found', ctx.correlationId));
    if (q.edited === true && a.edits.length > 0) {
      // The edited full-size JPEG, named <base>.jpeg (fixture original-edited-edited-true).
      await this.library.ensureChecksums([a]);
      const full = await this.renditions.get(a, 'full', true);
      if (!full) return jsonReply(errorAnswer(ctx.dialect, 404, 'Asset media not found', ctx.correlationId));
      return this.fileReply(
        ctx,
        full.bytes,
        full.contentType,
        baseName(a.originalFileName) + '.jpeg',
        full.generatedAt,
      );
    }
    const bytes = await readSource(a.source);
    const mtime = new Date(a.fileModifiedAt);
    return this.fileReply(ctx, bytes, a.originalMimeType, a.originalFileName, mtime);
  }

  private async thumbnail(ctx: Ctx, userId: string, id: string, query: Record<string, string>): Promise<Reply> {
    const params = this.validate(ctx, idParamSchema, { id });
    if (isReply(params)) return params;
    const q = this.validate(ctx, thumbnailQuerySchema(ctx.dialect), query);
    if (isReply(q)) return q;
    const a = this.accessibleAsset(userId, id);
    if (!a) return jsonReply(errorAnswer(ctx.dialect, 400, 'Not found or no asset.view access', ctx.correlationId));
    const size = q.size ?? 'thumbnail';
    const edited = q.edited === true;
    if (size === 'fullsize' && edited) {
      // Edited: the edited full-size JPEG; unedited: a redirect to the edited-flag preview while
      // full-size generation is off (fixtures thumbnail-edited-fullsize-edited-true,
      // thumbnail-unedited-fullsize-edited-true).
      if (a.edits.length === 0) {
        return redirectReply(`/api/assets/${a.id}/thumbnail?size=preview&edited=true`);
      }
      await this.library.ensureChecksums([a]);
      const full = await this.renditions.get(a, 'full', true);
      if (!full) return jsonReply(errorAnswer(ctx.dialect, 404, 'Asset media not found', ctx.correlationId));
      return this.fileReply(
        ctx,
        full.bytes,
        full.contentType,
        baseName(a.originalFileName) + '_fullsize.jpeg',
        full.generatedAt,
      );
    }
    if (size === 'fullsize' || size === 'original') {
      // Full-size generation is off by default: web formats go to the original, others to the
      // preview (PR #14446; the v3.1.0 recordings).
      const rest = new URLSearchParams(query);
      rest.delete('size');
      const location =
        WEB_FRIENDLY.has(a.originalMimeType) || size === 'original'
          ? `original?${rest.toString()}`
          : `/api/assets/${a.id}/thumbnail?size=preview`;
      return redirectReply(location);
    }
    await this.library.ensureChecksums([a]);
    const rendering = await this.renditions.get(a, size === 'preview' ? 'preview' : 'thumbnail', edited);
    if (!rendering) return jsonReply(errorAnswer(ctx.dialect, 404, 'Asset media not found', ctx.correlationId));
    return this.fileReply(
      ctx,
      rendering.bytes,
      rendering.contentType,
      baseName(a.originalFileName) + rendering.suffix,
      rendering.generatedAt,
    );
  }

  /** GET /api/assets/{id}/edits (fixture asset-edits-get). */
  private async edits(ctx: Ctx, userId: string, id: string): Promise<Reply> {
    const params = this.validate(ctx, idParamSchema, { id });
    if (isReply(params)) return params;
    const a = this.accessibleAsset(userId, id);
    if (!a) return jsonReply(errorAnswer(ctx.dialect, 400, 'Not found or no asset.edit.get access', ctx.correlationId));
    return jsonReply({ status: 200, body: { assetId: a.id, edits: a.edits } });
  }

  /** GET /api/stacks[?primaryAssetId=] and GET /api/stacks/{id} (fixtures stacks-*): the user's
   * stacks with their members as full assets (with exifInfo). */
  private async stacks(
    ctx: Ctx,
    userId: string,
    id: string | undefined,
    query: Record<string, string>,
  ): Promise<Reply> {
    const mine = [...this.library.stacks.values()].filter(
      (st) => this.library.assets.get(st.primaryAssetId)?.ownerId === userId,
    );
    const json = async (st: SimStack) => {
      const members = st.assetIds.flatMap((aid) => this.library.assets.get(aid) ?? []);
      await this.prepare(members);
      return {
        id: st.id,
        primaryAssetId: st.primaryAssetId,
        assets: members.map((m) =>
          assetJson(m, ctx.dialect, this.library, { withExif: true, hasPreview: hasRenderings(m) }),
        ),
      };
    };
    if (id !== undefined) {
      const st = mine.find((x) => x.id === id);
      if (!st) return jsonReply(errorAnswer(ctx.dialect, 400, 'Not found or no stack.read access', ctx.correlationId));
      return jsonReply({ status: 200, body: await json(st) });
    }
    const chosen = query['primaryAssetId'] ? mine.filter((st) => st.primaryAssetId === query['primaryAssetId']) : mine;
    const body: unknown[] = await Promise.all(chosen.map(json));
    if (ctx.fault?.kind === 'many-stacks') {
      const model = await this.modelJson(ctx, userId, true);
      if (model) body.push(...manyStacks(model, ctx.fault.count, () => ++this.freshIds));
    }
    return jsonReply({ status: 200, body });
  }

  /** A file answer with conditional requests and ranges as the recordings show them. */
  private fileReply(ctx: Ctx, bytes: Buffer, contentType: string, fileName: string, mtime: Date): Reply {
    const headers = fileHeaders(contentType, bytes.length, fileName, mtime);
    const headOnly = ctx.req.method === 'HEAD';
    const inm = ctx.req.headers['if-none-match'];
    const ims = ctx.req.headers['if-modified-since'];
    if (
      (inm && inm === headers['etag']) ||
      (!inm && ims && Date.parse(ims) >= Math.floor(mtime.getTime() / 1000) * 1000)
    ) {
      const { 'content-type': _t, 'content-length': _l, ...rest } = headers;
      return { status: 304, headers: rest, body: Buffer.alloc(0) };
    }
    const rangeHeader = ctx.req.headers.range;
    if (rangeHeader) {
      const range = parseRange(rangeHeader, bytes.length);
      if (range === 'unsatisfiable') {
        const body = Buffer.from(JSON.stringify({ message: 'Not Found' }));
        return {
          status: 404,
          body,
          headers: {
            ...headers,
            'content-type': `${contentType}; charset=utf-8`,
            'content-length': String(body.length),
            'content-range': `bytes */${bytes.length}`,
          },
        };
      }
      if (range) {
        const part = bytes.subarray(range.start, range.end + 1);
        return {
          status: 206,
          body: part,
          headOnly,
          headers: {
            ...headers,
            'content-length': String(part.length),
            'content-range': `bytes ${range.start}-${range.end}/${bytes.length}`,
          },
        };
      }
    }
    return { status: 200, headers, body: bytes, headOnly };
  }

  /** Write a reply, bent by a body fault when one is active for this request. */
  private send(ctx: Ctx, reply: Reply): void {
    const { res, record, fault } = ctx;
    const body = reply.headOnly ? Buffer.alloc(0) : reply.body;
    if (fault?.kind === 'wrong-bytes' && body.length > 0) {
      const bent = Buffer.from(body);
      for (let i = Math.floor(bent.length / 2); i < Math.min(bent.length, Math.floor(bent.length / 2) + 16); i++)
        bent[i] = bent[i]! ^ 0xff;
      record.status = reply.status;
      res.writeHead(reply.status, reply.headers);
      res.end(bent);
      return;
    }
    if ((fault?.kind === 'truncate' || fault?.kind === 'stall-body') && body.length > 0) {
      const cut = Math.max(0, Math.min(body.length - 1, fault.afterBytes ?? Math.floor(body.length / 2)));
      record.status = reply.status;
      res.writeHead(reply.status, reply.headers);
      res.flushHeaders();
      res.write(body.subarray(0, cut), () => {
        if (fault.kind === 'truncate') res.socket?.destroy();
      });
      return;
    }
    if (fault?.kind === 'trickle' && body.length > 0) {
      record.status = reply.status;
      res.writeHead(reply.status, reply.headers);
      res.flushHeaders();
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= body.length) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(body.subarray(sent, sent + 1));
        sent += 1;
      }, fault.everyMs ?? 1000);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (fault?.kind === 'lying-length' && reply.status === 200 && body.length > 0) {
      record.status = reply.status;
      res.writeHead(200, { ...reply.headers, 'content-length': String(fault.announce) });
      res.write(body, () => res.socket?.destroy());
      return;
    }
    if (fault?.kind === 'endless-body' && reply.status === 200) {
      record.status = reply.status;
      const { 'content-length': _l, etag: _e, ...headers } = reply.headers;
      res.writeHead(200, headers);
      void endlessBody(res, body, (headers['content-type'] ?? '').includes('json'), fault.bytes ?? Infinity);
      return;
    }
    record.status = reply.status;
    res.writeHead(reply.status, reply.headers);
    res.end(body);
  }
}

/** Write a body that never ends (or ends after `limit` bytes), minding back-pressure: for JSON an
 * opening that looks like a search answer and then one asset-like item after another. */
async function endlessBody(res: http.ServerResponse, real: Buffer, json: boolean, limit: number): Promise<void> {
  let closed = false;
  res.on('close', () => (closed = true));
  const head = json ? Buffer.from('{"assets":{"total":1,"count":1,"nextPage":null,"items":[') : real;
  const filler = json
    ? Buffer.from(
        Array.from(
          { length: 64 },
          (_, i) => `{"id":"00000000-0000-4000-8000-${String(i).padStart(12, '0')}","type":"IMAGE","isTrashed":false},`,
        ).join(''),
      )
    : Buffer.alloc(64 * 1024, 0x5a);
  let sent = 0;
  const write = async (chunk: Buffer): Promise<void> => {
    sent += chunk.length;
    if (res.write(chunk) || closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done).off('close', done);
        resolve();
      };
      res.on('drain', done).on('close', done);
    });
  };
  await write(head.subarray(0, Math.min(head.length, limit)));
  while (!closed && sent < limit) await write(filler.subarray(0, Math.min(filler.length, limit - sent)));
  if (!closed) res.end();
}

function isReply(v: unknown): v is Reply {
  return (
    typeof v === 'object' &&
    v !== null &&
    'status' in v &&
    'headers' in v &&
    'body' in v &&
    Buffer.isBuffer((v as Reply).body)
  );
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Too Many Requests';
  if (status === 502) return 'Bad Gateway';
  if (status === 503) return 'Service Unavailable';
  return 'Internal server error';
}

const PERMISSION: Partial<Record<RouteName, string>> = {
  search: 'asset.read',
  albums: 'album.read',
  album: 'album.read',
  asset: 'asset.read',
  original: 'asset.download',
  thumbnail: 'asset.view',
  edits: 'asset.edit.get',
  stacks: 'stack.read',
  // v3.1.0 spec: GET /api/faces needs face.read.
  faces: 'face.read',
  people: 'person.read',
};

function routeOf(method: string, path: string): { route: RouteName; assetId?: string } {
  if (/^\/api\/(server|server-info)\/version$/.test(path)) return { route: 'version' };
  if (/^\/api\/(server|server-info)\/ping$/.test(path)) return { route: 'ping' };
  if (path === '/api/search/metadata' && method === 'POST') return { route: 'search' };
  if (method !== 'GET' && method !== 'HEAD') return { route: 'other' };
  if (path === '/api/faces') return { route: 'faces' };
  if (path === '/api/albums') return { route: 'albums' };
  if (path === '/api/people') return { route: 'people' };
  if (/^\/api\/albums\/[^/]+$/.test(path)) return { route: 'album' };
  if (/^\/api\/stacks(\/[^/]+)?$/.test(path)) return { route: 'stacks' };
  const edits = /^\/api\/assets\/([^/]+)\/edits$/.exec(path);
  if (edits) return { route: 'edits', assetId: edits[1] };
  const asset = /^\/api\/assets\/([^/]+)(\/original|\/thumbnail)?$/.exec(path);
  if (asset) {
    const route: RouteName = asset[2] === '/original' ? 'original' : asset[2] === '/thumbnail' ? 'thumbnail' : 'asset';
    return { route, assetId: asset[1] };
  }
  return { route: 'other' };
}

/** Start a simulated server on 127.0.0.1 (a free port unless `port` is given). */
export async function startImmichSim(options: ImmichSimOptions = {}): Promise<ImmichSim> {
  const server = http.createServer();
  // Keep-alive like the real server, but never hold a test open.
  server.keepAliveTimeout = 5_000;
  const sim = new ImmichSim(server, options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  sim.setUrl(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
  return sim;
}
