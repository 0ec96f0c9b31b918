// The simulated server's data: users with API keys, assets with their bytes, albums, and the
// mutations a test or the demo performs on them (trash, archive, force-delete, replace bytes...).
// Plain in-memory state; the HTTP side (server.ts) only reads it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Prng } from './prng.js';

export type AssetType = 'IMAGE' | 'VIDEO';
export type Visibility = 'timeline' | 'archive' | 'hidden' | 'locked';

/** Where an asset's original bytes come from: memory, a file, or a generator run on demand (big
 * benchmark libraries). A generator must return the same bytes every time. */
export type BytesSource = Buffer | { path: string } | { generate: () => Buffer | Promise<Buffer> };

export interface SimUser {
  id: string;
  email: string;
  name: string;
}

export interface SimApiKey {
  key: string;
  userId: string;
  /** Immich permission names ('all', 'asset.read', 'album.read', 'asset.download', ...). */
  permissions: string[];
}

export interface SimAsset {
  id: string;
  ownerId: string;
  type: AssetType;
  originalFileName: string;
  originalMimeType: string;
  fileCreatedAt: string;
  fileModifiedAt: string;
  localDateTime: string;
  createdAt: string;
  updatedAt: string;
  trashed: boolean;
  visibility: Visibility;
  isFavorite: boolean;
  source: BytesSource;
  /** A decodable image of the same picture, for assets sharp cannot decode (HEIC, RAW, video):
   * what the real server's own decoders would have produced, used to render previews. */
  renderSource?: BytesSource;
  /** Base64 SHA-1 of the bytes: known at once for Buffers, computed on first need otherwise. */
  checksum: string | null;
  byteLength: number | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  libraryId: string | null;
  /** Non-destructive edits (v2.5+): the asset is `isEdited` when there are any. */
  edits: SimEdit[];
  stackId: string | null;
  info: SimAssetInfo;
}

/** One non-destructive edit, as GET /api/assets/{id}/edits lists it (v3.1.0 fixture
 * asset-edits-get): applied in order to the upright original. */
export type SimEdit =
  | { id: string; action: 'crop'; parameters: { x: number; y: number; width: number; height: number } }
  | { id: string; action: 'rotate'; parameters: { angle: 90 | 180 | 270 } }
  | { id: string; action: 'mirror'; parameters: { axis: 'horizontal' | 'vertical' } };
export type NewEdit = SimEdit extends infer E ? (E extends SimEdit ? Omit<E, 'id'> : never) : never;

/** A stack: several assets shown as one on the timeline, its primary on top (fixture stacks-list). */
export interface SimStack {
  id: string;
  primaryAssetId: string;
  assetIds: string[];
}

/** What Immich keeps beside the bytes (issue 11): exifInfo fields and the flags a user sets. */
export interface SimAssetInfo {
  rating: number | null;
  description: string;
  /** exifInfo.timeZone: IANA from GPS, "UTC-5" from an offset tag, null when unknown. */
  timeZone: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  /** exifInfo.orientation (sent as a string on v3.1.0). */
  orientation: number | null;
}

export interface SimPerson {
  id: string;
  name: string;
  birthDate: string | null;
  isHidden: boolean;
  isFavorite: boolean;
  updatedAt: string;
}

/** A face box in an imageWidth x imageHeight image, as POST /api/faces stores it. */
export interface SimFace {
  id: string;
  assetId: string;
  personId: string | null;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  imageWidth: number;
  imageHeight: number;
}

export interface SimAlbum {
  id: string;
  ownerId: string;
  albumName: string;
  description: string;
  assetIds: string[];
  sharedWith: string[];
  createdAt: string;
  updatedAt: string;
}

export interface NewAsset {
  bytes: BytesSource;
  originalFileName: string;
  /** Guessed from the file name when left out. */
  originalMimeType?: string;
  /** Capture time, ISO 8601. Default: a fixed date plus one minute per asset added. */
  fileCreatedAt?: string;
  fileModifiedAt?: string;
  localDateTime?: string;
  type?: AssetType;
  ownerId?: string;
  id?: string;
  trashed?: boolean;
  archived?: boolean;
  visibility?: Visibility;
  renderSource?: BytesSource;
  width?: number;
  height?: number;
  /** Playing time of a video or an animated GIF in milliseconds (videos default to 3000). */
  durationMs?: number | null;
  /** The external library the asset was imported from: its checksum is then the SHA-1 of
   * "path:" + its path, not of its bytes, as on real servers (immich issues #17023, #29396). */
  libraryId?: string;
  info?: Partial<SimAssetInfo>;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  avif: 'image/avif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  dng: 'image/x-adobe-dng',
  cr2: 'image/x-canon-cr2',
  cr3: 'image/x-canon-cr3',
  nef: 'image/x-nikon-nef',
  arw: 'image/x-sony-arw',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
};

export function mimeFromFileName(name: string): string {
  const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
  return MIME_BY_EXTENSION[ext] ?? 'application/octet-stream';
}

export function sha1Base64(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('base64');
}

/** Where the server keeps the file: upload/<owner>/<xx>/<yy>/<id>.<ext>, or the imported path of
 * an external library. */
export function originalPath(asset: Pick<SimAsset, 'id' | 'ownerId' | 'originalFileName' | 'libraryId'>): string {
  const ext = /\.([^./\\]+)$/.exec(asset.originalFileName)?.[1];
  if (asset.libraryId) return `/mnt/external/${asset.libraryId.slice(0, 8)}/${asset.originalFileName}`;
  const h = createHash('sha1').update(asset.id).digest('hex');
  return `/data/upload/${asset.ownerId}/${h.slice(0, 2)}/${h.slice(2, 4)}/${asset.id}${ext ? '.' + ext : ''}`;
}

/** Immich's `checksum`: SHA-1 of the bytes, or of "path:" + the path for external libraries. */
export function checksumOf(
  asset: Pick<SimAsset, 'id' | 'ownerId' | 'originalFileName' | 'libraryId'>,
  bytes: Buffer,
): string {
  return asset.libraryId ? sha1Base64(Buffer.from(`path:${originalPath(asset)}`)) : sha1Base64(bytes);
}

export async function readSource(source: BytesSource): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return source;
  if ('path' in source) return readFile(source.path);
  return source.generate();
}

export class SimLibrary {
  readonly users = new Map<string, SimUser>();
  readonly apiKeys = new Map<string, SimApiKey>();
  readonly assets = new Map<string, SimAsset>();
  readonly albums = new Map<string, SimAlbum>();
  readonly stacks = new Map<string, SimStack>();
  readonly people = new Map<string, SimPerson>();
  readonly faces: SimFace[] = [];
  private lastStamp = 0;
  private assetCounter = 0;

  constructor(
    private readonly prng: Prng,
    private readonly now: () => Date,
  ) {}

  /** An ISO timestamp strictly later than the previous one, so every change is visible. */
  stamp(): string {
    const t = Math.max(this.now().getTime(), this.lastStamp + 1);
    this.lastStamp = t;
    return new Date(t).toISOString();
  }

  addUser(init: { name?: string; email?: string; id?: string } = {}): SimUser {
    const id = init.id ?? this.prng.uuid();
    const n = this.users.size + 1;
    const user: SimUser = { id, name: init.name ?? `User ${n}`, email: init.email ?? `user${n}@example.test` };
    this.users.set(id, user);
    return user;
  }

  addApiKey(userId: string, permissions: string[] = ['all'], key?: string): SimApiKey {
    this.requireUser(userId);
    // Real keys are 43 base64url characters; the exact alphabet does not matter to a client.
    const secret = key ?? Array.from({ length: 43 }, () => this.prng.pick(KEY_ALPHABET)).join('');
    const apiKey: SimApiKey = { key: secret, userId, permissions };
    this.apiKeys.set(secret, apiKey);
    return apiKey;
  }

  addAsset(init: NewAsset, defaultOwner: string): SimAsset {
    const ownerId = init.ownerId ?? defaultOwner;
    this.requireUser(ownerId);
    const id = init.id ?? this.prng.uuid();
    if (this.assets.has(id)) throw new Error(`asset ${id} exists already`);
    const counter = this.assetCounter++;
    const fileCreatedAt = init.fileCreatedAt ?? new Date(Date.UTC(2020, 0, 1) + counter * 60_000).toISOString();
    const created = this.stamp();
    const visibility: Visibility = init.visibility ?? (init.archived ? 'archive' : 'timeline');
    const asset: SimAsset = {
      id,
      ownerId,
      type: init.type ?? (mimeFromFileName(init.originalFileName).startsWith('video/') ? 'VIDEO' : 'IMAGE'),
      originalFileName: init.originalFileName,
      originalMimeType: init.originalMimeType ?? mimeFromFileName(init.originalFileName),
      fileCreatedAt,
      fileModifiedAt: init.fileModifiedAt ?? fileCreatedAt,
      localDateTime: init.localDateTime ?? fileCreatedAt,
      createdAt: created,
      updatedAt: created,
      trashed: init.trashed ?? false,
      visibility,
      isFavorite: false,
      source: init.bytes,
      checksum: null,
      byteLength: null,
      width: init.width ?? null,
      height: init.height ?? null,
      durationMs: null,
      libraryId: init.libraryId ?? null,
      edits: [],
      stackId: null,
      info: {
        rating: null,
        description: '',
        timeZone: null,
        city: null,
        state: null,
        country: null,
        latitude: null,
        longitude: null,
        orientation: null,
        ...init.info,
      },
    };
    asset.durationMs = init.durationMs !== undefined ? init.durationMs : asset.type === 'VIDEO' ? 3000 : null;
    if (init.renderSource) asset.renderSource = init.renderSource;
    if (Buffer.isBuffer(init.bytes)) {
      asset.checksum = checksumOf(asset, init.bytes);
      asset.byteLength = init.bytes.length;
    }
    this.assets.set(id, asset);
    return asset;
  }

  addAlbum(init: {
    albumName: string;
    assetIds?: string[];
    ownerId: string;
    description?: string;
    id?: string;
    sharedWith?: string[];
  }): SimAlbum {
    this.requireUser(init.ownerId);
    const id = init.id ?? this.prng.uuid();
    const stamp = this.stamp();
    const album: SimAlbum = {
      id,
      ownerId: init.ownerId,
      albumName: init.albumName,
      description: init.description ?? '',
      assetIds: [],
      sharedWith: init.sharedWith ?? [],
      createdAt: stamp,
      updatedAt: stamp,
    };
    this.albums.set(id, album);
    if (init.assetIds?.length) this.addToAlbum(id, init.assetIds);
    album.updatedAt = stamp;
    return album;
  }

  /** Adding or removing does not touch the assets' updatedAt (seen on v3.1.0), only the album's. */
  addToAlbum(albumId: string, assetIds: string[]): void {
    const album = this.requireAlbum(albumId);
    for (const id of assetIds) {
      this.requireAsset(id);
      if (!album.assetIds.includes(id)) album.assetIds.push(id);
    }
    album.updatedAt = this.stamp();
  }

  removeFromAlbum(albumId: string, assetIds: string[]): void {
    const album = this.requireAlbum(albumId);
    album.assetIds = album.assetIds.filter((id) => !assetIds.includes(id));
    album.updatedAt = this.stamp();
  }

  trash(assetId: string): void {
    this.touch(assetId, (a) => (a.trashed = true));
  }

  restore(assetId: string): void {
    this.touch(assetId, (a) => (a.trashed = false));
  }

  archive(assetId: string, archived = true): void {
    this.touch(assetId, (a) => (a.visibility = archived ? 'archive' : 'timeline'));
  }

  setVisibility(assetId: string, visibility: Visibility): void {
    this.touch(assetId, (a) => (a.visibility = visibility));
  }

  /** Replace the asset's edits (PUT /api/assets/{id}/edits); [] removes them. updatedAt moves. */
  setEdits(assetId: string, edits: NewEdit[]): void {
    this.touch(assetId, (a) => (a.edits = edits.map((e) => ({ ...e, id: this.prng.uuid() }) as SimEdit)));
  }

  /** Stack assets under the first one (POST /api/stacks {assetIds}: the first is the primary). */
  addStack(assetIds: string[]): SimStack {
    if (assetIds.length < 2) throw new Error('a stack needs two assets or more');
    const stack: SimStack = { id: this.prng.uuid(), primaryAssetId: assetIds[0]!, assetIds: [...assetIds] };
    for (const id of assetIds) this.requireAsset(id).stackId = stack.id;
    this.stacks.set(stack.id, stack);
    return stack;
  }

  /** Deleted for good: gone from every album and every route. */
  forceDelete(assetId: string): void {
    this.requireAsset(assetId);
    this.assets.delete(assetId);
    for (const album of this.albums.values()) {
      if (album.assetIds.includes(assetId)) album.assetIds = album.assetIds.filter((id) => id !== assetId);
    }
  }

  /** New bytes under the same id (an edit saved over the original): the checksum changes. */
  replaceBytes(
    assetId: string,
    bytes: BytesSource,
    fields: Partial<Pick<SimAsset, 'originalFileName' | 'originalMimeType' | 'fileModifiedAt'>> = {},
  ): void {
    this.touch(assetId, (a) => {
      a.source = bytes;
      a.checksum = Buffer.isBuffer(bytes) ? checksumOf(a, bytes) : null;
      a.byteLength = Buffer.isBuffer(bytes) ? bytes.length : null;
      a.width = null;
      a.height = null;
      Object.assign(a, fields);
    });
  }

  /** Fill the checksum and length of assets whose bytes live in files or generators. */
  async ensureChecksums(assets: Iterable<SimAsset>): Promise<void> {
    for (const a of assets) {
      if (a.checksum !== null && a.byteLength !== null) continue;
      const bytes = await readSource(a.source);
      a.checksum = checksumOf(a, bytes);
      a.byteLength = bytes.length;
    }
  }

  /** Favourite, rating, description...: as PUT /api/assets/{id} does, updatedAt moves. */
  updateAsset(assetId: string, change: Partial<SimAssetInfo> & { isFavorite?: boolean }): void {
    this.touch(assetId, (a) => {
      const { isFavorite, ...info } = change;
      if (isFavorite !== undefined) a.isFavorite = isFavorite;
      Object.assign(a.info, info);
    });
  }

  addPerson(init: { name: string; id?: string; isHidden?: boolean; birthDate?: string | null }): SimPerson {
    const person: SimPerson = {
      id: init.id ?? this.prng.uuid(),
      name: init.name,
      birthDate: init.birthDate ?? null,
      isHidden: init.isHidden ?? false,
      isFavorite: false,
      updatedAt: this.stamp(),
    };
    this.people.set(person.id, person);
    return person;
  }

  /** PUT /api/people/{id}: the person's updatedAt moves, the assets' do not. */
  updatePerson(personId: string, change: Partial<Pick<SimPerson, 'name' | 'isHidden' | 'isFavorite'>>): void {
    const p = this.people.get(personId);
    if (!p) throw new Error(`no person ${personId} in the simulated library`);
    Object.assign(p, change);
    p.updatedAt = this.stamp();
  }

  /** POST /api/faces: adding a face does not change the asset's updatedAt (asset-get-with-people.json). */
  addFace(init: Omit<SimFace, 'id'>): SimFace {
    this.requireAsset(init.assetId);
    if (init.personId !== null && !this.people.has(init.personId)) throw new Error(`no person ${init.personId}`);
    const face: SimFace = { id: this.prng.uuid(), ...init };
    this.faces.push(face);
    return face;
  }

  facesOf(assetId: string): SimFace[] {
    return this.faces.filter((f) => f.assetId === assetId);
  }

  /** The people on an asset, each once, in the order their faces were added. */
  peopleOf(assetId: string): SimPerson[] {
    const seen = new Set<string>();
    const out: SimPerson[] = [];
    for (const f of this.faces) {
      if (f.assetId !== assetId || f.personId === null || seen.has(f.personId)) continue;
      seen.add(f.personId);
      out.push(this.people.get(f.personId)!);
    }
    return out;
  }

  userCanReadAlbum(userId: string, album: SimAlbum): boolean {
    return album.ownerId === userId || album.sharedWith.includes(userId);
  }

  requireAsset(id: string): SimAsset {
    const a = this.assets.get(id);
    if (!a) throw new Error(`no asset ${id} in the simulated library`);
    return a;
  }

  requireAlbum(id: string): SimAlbum {
    const a = this.albums.get(id);
    if (!a) throw new Error(`no album ${id} in the simulated library`);
    return a;
  }

  private requireUser(id: string): SimUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`no user ${id} in the simulated library`);
    return u;
  }

  private touch(assetId: string, change: (a: SimAsset) => void): void {
    const a = this.requireAsset(assetId);
    change(a);
    a.updatedAt = this.stamp();
  }
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
