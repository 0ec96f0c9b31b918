// How the simulated server writes assets, albums and users as JSON in each dialect: the field sets
// and their order copied from the v3.1.0 recordings, older fields from the 2.5.6 spec (see
// history.ts). Pure functions of the library's data.
import { createHash } from 'node:crypto';
import type { Dialect } from './history.js';
import {
  originalPath,
  type SimAlbum,
  type SimAsset,
  type SimFace,
  type SimLibrary,
  type SimPerson,
  type SimUser,
} from './library.js';
import { editedSize } from './renditions.js';

type Json = Record<string, unknown>;

const PROFILE_CHANGED_AT = '2026-01-01T00:00:00.000000+00:00';

export function userJson(user: SimUser): Json {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    profileImagePath: '',
    avatarColor: 'orange',
    profileChangedAt: PROFILE_CHANGED_AT,
  };
}

/** A stand-in thumbhash (the real one encodes a tiny preview); null when no preview exists. */
function thumbhash(asset: SimAsset, hasPreview: boolean): string | null {
  if (!hasPreview) return null;
  return createHash('sha1')
    .update(asset.id + (asset.checksum ?? ''))
    .digest('base64')
    .slice(0, 28);
}

function exifInfo(asset: SimAsset): Json {
  const i = asset.info;
  // exifImageWidth/Height are the stored (unrotated) pixels: swapped against width/height for
  // orientations 5-8 (asset-get-jpeg-orientation6.json: exif 1600x1200, width/height 1200x1600).
  const turned = i.orientation !== null && i.orientation >= 5;
  return {
    make: null,
    model: null,
    exifImageWidth: turned ? asset.height : asset.width,
    exifImageHeight: turned ? asset.width : asset.height,
    fileSizeInByte: asset.byteLength,
    orientation: i.orientation === null ? null : String(i.orientation),
    dateTimeOriginal: asset.fileCreatedAt.replace(/\.\d{3}Z$/, '+00:00'),
    modifyDate: asset.fileModifiedAt.replace(/\.\d{3}Z$/, '+00:00'),
    timeZone: i.timeZone,
    lensModel: null,
    fNumber: null,
    focalLength: null,
    iso: null,
    exposureTime: null,
    latitude: i.latitude,
    longitude: i.longitude,
    city: i.city,
    state: i.state,
    country: i.country,
    description: i.description,
    projectionType: null,
    rating: i.rating,
  };
}

/** PersonResponseDto (people-get-favorite.json; thumbnailPath as the sanitised recordings show it). */
export function personJson(p: SimPerson, ownerId: string): Json {
  const h = createHash('sha1').update(p.id).digest('hex');
  return {
    id: p.id,
    name: p.name,
    birthDate: p.birthDate,
    thumbnailPath: `/data/thumbs/${ownerId}/${h.slice(0, 2)}/${h.slice(2, 4)}/${p.id}.jpeg`,
    isHidden: p.isHidden,
    isFavorite: p.isFavorite,
    updatedAt: p.updatedAt.replace(/Z$/, '+00:00'),
  };
}

/** One item of GET /api/faces?id= (faces-get-two-people.json). */
export function faceJson(f: SimFace, library: SimLibrary, ownerId: string): Json {
  const person = f.personId ? library.people.get(f.personId) : undefined;
  return {
    id: f.id,
    boundingBoxX1: f.x1,
    boundingBoxY1: f.y1,
    boundingBoxX2: f.x2,
    boundingBoxY2: f.y2,
    imageWidth: f.imageWidth,
    imageHeight: f.imageHeight,
    sourceType: 'manual',
    person: person ? personJson(person, ownerId) : null,
  };
}

/** v1/v2 wrote durations as "H:MM:SS.ffffff". */
function durationText(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  return `${h}:${String(m).padStart(2, '0')}:${sec.toFixed(6).padStart(9, '0')}`;
}

export interface AssetJsonOptions {
  /** GET /api/assets/{id} adds owner and stack; searches do not. */
  detail?: boolean;
  withExif?: boolean;
  /** Search `withPeople: true`; GET /api/assets/{id} always fills people. */
  withPeople?: boolean;
  hasPreview?: boolean;
}

export function assetJson(
  asset: SimAsset,
  dialect: Dialect,
  library: SimLibrary,
  options: AssetJsonOptions = {},
): Json {
  const d = dialect;
  const out: Json = { id: asset.id };
  if (d.deviceFields) {
    out['deviceAssetId'] = asset.originalFileName;
    out['deviceId'] = 'artframe-sim';
  }
  if (d.createdAtAndDimensions) out['createdAt'] = asset.createdAt;
  out['ownerId'] = asset.ownerId;
  if (options.detail) {
    const owner = library.users.get(asset.ownerId);
    if (owner) out['owner'] = userJson(owner);
  }
  out['libraryId'] = asset.libraryId;
  out['type'] = asset.type;
  out['originalPath'] = originalPath(asset);
  out['originalFileName'] = asset.originalFileName;
  out['originalMimeType'] = asset.originalMimeType;
  out['thumbhash'] = thumbhash(asset, options.hasPreview ?? true);
  out['fileCreatedAt'] = asset.fileCreatedAt;
  out['fileModifiedAt'] = asset.fileModifiedAt;
  out['localDateTime'] = asset.localDateTime;
  out['updatedAt'] = asset.updatedAt;
  out['isFavorite'] = asset.isFavorite;
  out['isArchived'] = asset.visibility === 'archive';
  out['isTrashed'] = asset.trashed;
  if (d.visibility) out['visibility'] = asset.visibility;
  if (d.durationAsString) out['duration'] = asset.durationMs ? durationText(asset.durationMs) : '0:00:00.00000';
  else out['duration'] = asset.durationMs;
  if (options.detail || options.withExif) out['exifInfo'] = exifInfo(asset);
  out['livePhotoVideoId'] = null;
  out['tags'] = [];
  out['people'] =
    options.detail || options.withPeople ? library.peopleOf(asset.id).map((p) => personJson(p, asset.ownerId)) : [];
  out['checksum'] = asset.checksum;
  if (options.detail) {
    // On every member, the primary included (fixtures asset-get-stack-primary/-member).
    const stack = asset.stackId ? library.stacks.get(asset.stackId) : undefined;
    out['stack'] = stack
      ? { id: stack.id, primaryAssetId: stack.primaryAssetId, assetCount: stack.assetIds.length }
      : null;
  }
  out['isOffline'] = false;
  out['hasMetadata'] = true;
  out['duplicateId'] = null;
  out['resized'] = options.hasPreview ?? true;
  if (d.createdAtAndDimensions) {
    // An edited asset's width/height are the edited size; exifInfo keeps the original's.
    const size =
      d.isEdited && asset.edits.length > 0 && asset.width !== null && asset.height !== null
        ? editedSize(asset.width, asset.height, asset.edits)
        : { width: asset.width, height: asset.height };
    out['width'] = size.width;
    out['height'] = size.height;
  }
  if (d.isEdited) out['isEdited'] = asset.edits.length > 0;
  return out;
}

/** Album assets the album body counts and lists: everything in it but trashed assets. */
export function liveAlbumAssets(album: SimAlbum, library: SimLibrary): SimAsset[] {
  const out: SimAsset[] = [];
  for (const id of album.assetIds) {
    const a = library.assets.get(id);
    if (a && !a.trashed) out.push(a);
  }
  return out;
}

export function albumJson(
  album: SimAlbum,
  dialect: Dialect,
  library: SimLibrary,
  withAssets: boolean,
  hasPreview: (a: SimAsset) => boolean,
): Json {
  const assets = liveAlbumAssets(album, library);
  const owner = library.users.get(album.ownerId);
  const dates = assets.map((a) => a.fileCreatedAt).sort();
  const modified = assets.map((a) => a.updatedAt).sort();
  const out: Json = {
    albumName: album.albumName,
    description: album.description,
    albumThumbnailAssetId: assets[0]?.id ?? null,
    createdAt: album.createdAt,
    updatedAt: album.updatedAt,
    id: album.id,
  };
  if (dialect.albumOwnerField && owner) {
    out['ownerId'] = owner.id;
    out['owner'] = userJson(owner);
  }
  out['albumUsers'] = [
    ...(owner ? [{ user: userJson(owner), role: 'owner' }] : []),
    ...album.sharedWith.flatMap((id) => {
      const u = library.users.get(id);
      return u ? [{ user: userJson(u), role: 'editor' }] : [];
    }),
  ];
  out['shared'] = album.sharedWith.length > 0;
  out['hasSharedLink'] = false;
  if (dates.length > 0) {
    out['startDate'] = dates[0]!.slice(0, 10) + 'T00:00:00.000Z';
    out['endDate'] = dates[dates.length - 1]!.slice(0, 10) + 'T00:00:00.000Z';
  }
  if (dialect.albumAssetsInBody) {
    out['assets'] = withAssets ? assets.map((a) => assetJson(a, dialect, library, { hasPreview: hasPreview(a) })) : [];
  }
  out['assetCount'] = assets.length;
  out['isActivityEnabled'] = true;
  out['order'] = 'desc';
  if (modified.length > 0) out['lastModifiedAssetTimestamp'] = modified[modified.length - 1];
  return out;
}
