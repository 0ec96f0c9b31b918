// The contract between the Immich client (src/immich/) and the sync engine (src/library/):
// what a server listing gives us and how bytes arrive. Plain data, no I/O.
import type { Readable } from 'node:stream';
import type { ListingExchange, ListingTap } from './listing-replay.js';

export interface ServerVersion {
  major: number;
  minor: number;
  patch: number;
}

/** What the frame keeps of each photo (config key photo_size). */
export const PHOTO_SIZES = ['original', 'fullsize', 'preview'] as const;
export type PhotoSize = (typeof PHOTO_SIZES)[number];

/** Which bytes a download carries: the original file, or one of the server's renderings. */
export type Rendition = 'original' | 'fullsize' | 'preview';

/** One image in the remote listing: an album's or the library's, never trashed, never a video. */
export interface RemoteAsset {
  id: string;
  originalFileName: string;
  /** e.g. image/jpeg, image/heic; null when an old server does not send it. */
  originalMimeType: string | null;
  /** Capture time (ISO 8601): what newest/oldest order by. */
  fileCreatedAt: string;
  localDateTime: string | null;
  updatedAt: string;
  /** Base64 SHA-1 of the original file (what Immich calls `checksum`). */
  checksum: string;
  /** Archived assets stay in albums and library searches; we keep them too. */
  archived: boolean;
  /** false for assets of an external library: Immich sets their `checksum` to the SHA-1 of
   * "path:" + the file's path on the server, not of the bytes (immich issues #17023, #29396), so
   * their downloads can only be checked by length and decodability. Absent means true. */
  checksumIsContentHash?: boolean;
  /** Immich v2.5+ `isEdited`: the asset has non-destructive edits (crop, rotate, mirror); the
   * frame shows the edited image, as the web app does. Absent means false. */
  edited?: boolean;
  /** For a stack member that is not the stack's primary: the primary's id (set by the sync from
   * AssetSource.listStacks). Absent for primaries and unstacked assets. */
  stackPrimaryId?: string;
  /** What the frame knows of the photo besides its bytes (issue 11): from the same listing
   * (`withExif`, `withPeople`); absent when the server sent none of it. */
  info?: RemoteAssetInfo;
}

/** A stack an asset belongs to (every member, the primary too, as GET /api/assets/{id} says). */
export interface RemoteStack {
  id: string;
  primaryAssetId: string;
}

/** A person on a photo as a listing names them (no face boxes: those come from listFaces). */
export interface RemotePerson {
  id: string;
  name: string;
  /** Hidden in Immich: still filters, but a caption should not name them. */
  hidden: boolean;
}

/** The metadata a listing carries for one asset; null where the server has no value. */
export interface RemoteAssetInfo {
  /** Local wall-clock time of capture written with a Z suffix (Immich's localDateTime). */
  localDateTime: string | null;
  /** exifInfo.timeZone: an IANA name ("Europe/Paris") or "UTC-5"; null when unknown. */
  timeZone: string | null;
  favorite: boolean;
  /** exifInfo.rating: 1..5, -1 rejected, null unrated (null too when the listing had no exifInfo). */
  rating: number | null;
  description: string;
  city: string | null;
  state: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  /** null when the listing did not ask for people (people [] then means "not asked"). */
  people: RemotePerson[] | null;
  /** The asset's width/height (display orientation, the edited size for an edited asset). */
  width: number | null;
  height: number | null;
  /** exifInfo.orientation of the original ("6" -> 6). */
  orientation: number | null;
  /** The asset's stack; null when it is in none; undefined when the answer does not say (search
   * items have no `stack` key on v3.1.0: the sync fills it from GET /api/stacks). */
  stack?: RemoteStack | null;
  /** Whether exifInfo came with the listing (rating, description, place and zone are known). */
  hasExif: boolean;
}

/** One face box as GET /api/faces?id=<asset> returns it: corners in an imageWidth x imageHeight
 * image (whatever size its creator used: see FEATURES.md, "Which size the box refers to"). */
export interface RemoteFace {
  personId: string | null;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  imageWidth: number;
  imageHeight: number;
}

export interface AssetDownload {
  rendition: Rendition;
  /** The bytes are the edited image (`edited=true`): no checksum describes them. */
  edited: boolean;
  contentType: string | null;
  contentLength: number | null;
  /** The body as a stream: consume it or destroy it. */
  body: Readable;
  /** Hands a chunk of the body back once nothing holds a view of it (written and hashed): its
   * memory may carry later bytes. Each chunk at most once; never calling it is always safe. */
  release?: (chunk: Buffer) => void;
}

/** What the sync engine needs from a server. ImmichClient implements it over HTTP. */
export interface AssetSource {
  /** `tap` (here and in the listing calls) records the requests and a digest of each answer, for
   * replayListing to ask them again at the next sync (listing-replay.ts). */
  serverVersion(signal?: AbortSignal, tap?: ListingTap): Promise<ServerVersion>;
  /** Every image of the album ('' = the whole library), all pages followed, trashed left out. */
  listAssets(albumId: string, signal?: AbortSignal, tap?: ListingTap): Promise<RemoteAsset[]>;
  /** Every stack of the user by member id (GET /api/stacks), primaries included; null when this
   * key or server cannot tell (the caller carries on without stacks). Optional for simple sources. */
  listStacks?(signal?: AbortSignal, listed?: number, tap?: ListingTap): Promise<Map<string, RemoteStack> | null>;
  /** Whether every recorded request, asked again, is answered with the same bytes (optional: a
   * source without it is listed in full at every sync). A source that has it records into the
   * taps it is given. */
  replayListing?(exchanges: readonly ListingExchange[], signal?: AbortSignal): Promise<boolean>;
  /** What shapes a listing besides the answers (server, bounds, key), as an opaque digest. */
  listingIdentity?(): string;
  /** The bytes to keep for an asset under `photo_size` (originals fall back to a rendering
   * for formats sharp cannot decode: see chooseRendition in client.ts). */
  download(asset: RemoteAsset, size: PhotoSize, signal?: AbortSignal): Promise<AssetDownload>;
  /** The face boxes of one asset (GET /api/faces?id=); optional so simple sources need not. */
  listFaces?(assetId: string, signal?: AbortSignal): Promise<RemoteFace[]>;
  close(): Promise<void>;
}
