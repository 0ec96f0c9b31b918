// What a real Immich server of a given version does, as far as a photo frame can tell: the facts
// the simulator's dialects are built from, each with where it was found.
//
// Facts (server behaviour by version):
// - Version route. v1.106 only serves GET /api/server-info/version (and /server-info/ping);
//   /api/server/* was added beside it and /server-info/* deprecated in v1.107.0 (immich PR #10677,
//   2024-06-28; PR #13189 says "deprecated in v1.107.0"); /api/server-info/* was removed in
//   v1.118.0 (release notes of v1.118.0, quoted in immich-go issue #511 and homepage PR #4110).
// - Album route. GET /api/albums/{id} carries `assets` up to v2.x (required in the 2.5.6 OpenAPI
//   spec, with a `withoutAssets` query; immich issue #29811 shows v2.7.5 still listing them);
//   v3.0.0 removed the property (immich PR #27835 "chore!: remove without assets", 2026-04;
//   "Migrating to v3", immich.app/blog/v3-migration; the v3.1.0 fixtures have no `assets` even
//   with ?withoutAssets=false). So DESIGN.md's "v2.7: no assets" is one major too early. Routes
//   became plural (/api/albums) before v1.106.
// - Search by album. `albumIds` in POST /api/search/metadata came with immich PR #18985
//   ("feat(server): Add album filter to search", June 2025), first released in v1.135.0. Until
//   v3 it still only matched the caller's own (and partners') assets, so what other members
//   added to a shared album was missing (fatihak/InkyPi PR #469, 2025-12); on v3.1 the metadata
//   search returns them (immich issue #30585, pelaxa/MMM-ImmichSlideShow issue #62).
// - Unknown request properties are dropped silently, never rejected: v1/v2 validate with
//   class-validator under `new ValidationPipe({ transform: true, whitelist: true })` (no
//   forbidNonWhitelisted; server/src/app.module.ts) and v3's zod objects strip unknown keys
//   (server/src/dtos/search.dto.ts). So a pre-v1.135 server answers a search with `albumIds` by
//   ignoring it and returning the whole library (immich issue #17373 shows the same for a
//   misspelt filter). The simulator can be told to reject them instead, as a strict proxy or fork
//   might, to exercise a client's fallback.
// - Archived assets in searches. PR #7278 (v1.96, 2024-02) made search leave out archived assets
//   unless `withArchived: true`, which then returns archived and unarchived ones (issues #10535
//   on v1.106.4 and #13161). v1.133.0 replaced isArchived/isVisible by `visibility`
//   (timeline | archive | hidden | locked; immich PR #17939; Salvoxia/immich-folder-album-creator
//   PR #158) and searches defaulted to `visibility: timeline`. v3.0.0 made the default "every asset
//   the session may see" (immich PR #29385 "fix!: search endpoints visibility can be omitted";
//   locked ones need an elevated session). The v3.1.0 fixtures show archived assets in album and
//   library searches without a visibility filter.
// - `fullsize` in GET /api/assets/{id}/thumbnail?size= came with immich PR #14446 (original-sized
//   previews), released in v1.131 (issue #17334 reports the new option on v1.131.3). It answers 302
//   to `original?` for web formats and to `.../thumbnail?size=preview` for others while full-size
//   generation is off (the default; v3.1.0 fixtures). `original` joined the enum later (present in
//   the 2.5.6 spec).
// - Validation and errors. Up to v2.x (class-validator + Nest): numeric strings are converted
//   (`@Type(() => Number)`), messages are arrays of strings, and error bodies are
//   `{ message, error, statusCode, correlationId }`. v3.0.0 moved to zod: `page: "2"` is a 400,
//   bodies are `{ message }` or `{ message: 'Validation failed', errors: [zod issues] }` and the
//   correlation id moved to the X-Correlation-ID header (v3-migration blog; server/src/middleware/
//   global-exception.filter.ts; the v3.1.0 fixtures).
// - Paging: `size` 1..1000, default 250 (issues #10535 and #17373 show 250-item first pages),
//   `nextPage` a string or null, `total` = items on this page (v3.1.0 fixtures; total is
//   "deprecated" in the 3.1.0 spec). v3.2 adds `cursor` in the search body and `nextCursor` in
//   `assets` beside `nextPage` (page numbers still work): the names are the (issue 10,
//   point 7); the "new search API" of v3.2.0 is immich PR #30179 (merged 2026-08; its review
//   thread shows server/src/dtos/search.dto.ts:22 `ADDED_V3_2`). Neither the recorded fixtures
//   (v3.1.0) nor the stored server source (commit 017478c, search.dto.ts without a cursor) show
//   the cursor itself, so its format is not pinned down: the simulator's is an opaque token of
//   its own, which is all a client may assume.
// - Edits (v2.5+ isEdited; v3.1.0 fixtures asset-get-edited, asset-edits-get, original-edited-*,
//   thumbnail-edited-*): GET /api/assets/{id}/edits -> {assetId, edits: [{id, action, parameters}]};
//   `edited=true` (lower case only, else 400) on /original gives the edited full-size JPEG named
//   <base>.jpeg whose SHA-1 is not `checksum`, on /thumbnail the edited rendering; /thumbnail
//   ?size=fullsize&edited=true is 200 for an edited asset and a 302 to
//   `/api/assets/{id}/thumbnail?size=preview&edited=true` for an unedited one. Without `edited`
//   every route serves the unedited image. Editing moves `updatedAt`; `width`/`height` become the
//   edited size.
// - Stacks (fixtures stacks-list, asset-get-stack-*, search-metadata-album-withStacked-false):
//   GET /api/stacks (permission stack.read) -> [{id, primaryAssetId, assets[]}]; asset detail has
//   `stack: {id, primaryAssetId, assetCount}` on every member; search items carry no stack, and
//   `withStacked: false` drops every stacked asset, the primary too.
// - Permissions (server/src/services/auth.service.ts:~238, AuthService.authenticate, at commit 00c5bf5):
//   a key without the route's permission gets 403 "Missing required permission: <name>"; so a key
//   with asset.download but not asset.view downloads originals and is refused every rendering.
// - Asset fields: deviceAssetId/deviceId until v2.x (required in 2.5.6, gone in 3.1.0);
//   `duration` a string ("0:00:00.00000") until v2.x, milliseconds or null from v3.0.0; `isEdited`
//   from v2.5.0 (spec history); `prerelease` in the version answer from v3.0.0 (spec history).
//   Which minor first sent createdAt/width/height is not pinned down here: the simulator sends
//   them from v2.0.
import type { ServerVersion } from '../immich/types.js';

export function versionAtLeast(v: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function formatVersion(v: ServerVersion): string {
  return `v${v.major}.${v.minor}.${v.patch}`;
}

export type Validator = 'class-validator' | 'zod';
/** What a search without a visibility filter returns besides timeline assets. */
export type SearchArchivedDefault = 'only-with-withArchived' | 'timeline-only' | 'all-but-locked';

export interface Dialect {
  version: ServerVersion;
  serverInfoRoutes: boolean;
  serverRoutes: boolean;
  albumAssetsInBody: boolean;
  searchAlbumIds: boolean;
  /** A search by album only matches the caller's own assets (v1.135 to v2.x). */
  searchAlbumOwnAssetsOnly: boolean;
  visibility: boolean;
  searchArchivedDefault: SearchArchivedDefault;
  /** The values GET /thumbnail accepts for `size`. */
  thumbnailSizes: readonly string[];
  validator: Validator;
  deviceFields: boolean;
  durationAsString: boolean;
  isEdited: boolean;
  createdAtAndDimensions: boolean;
  prerelease: boolean;
  /** Album bodies carry `owner` and `ownerId` (gone in v3: albumUsers only). */
  albumOwnerField: boolean;
  /** Search takes `cursor` and answers `nextCursor` (v3.2+). */
  searchCursor: boolean;
}

export const OLDEST_SIMULATED: ServerVersion = { major: 1, minor: 106, patch: 0 };

export function dialectFor(version: ServerVersion): Dialect {
  const at = (major: number, minor = 0, patch = 0) => versionAtLeast(version, major, minor, patch);
  const v3 = at(3);
  const sizes = at(2, 5)
    ? ['original', 'fullsize', 'preview', 'thumbnail']
    : at(1, 131)
      ? ['fullsize', 'preview', 'thumbnail']
      : ['preview', 'thumbnail'];
  return {
    version,
    serverInfoRoutes: !at(1, 118),
    serverRoutes: at(1, 107),
    albumAssetsInBody: !v3,
    searchAlbumIds: at(1, 135),
    searchAlbumOwnAssetsOnly: at(1, 135) && !v3,
    visibility: at(1, 133),
    searchArchivedDefault: v3 ? 'all-but-locked' : at(1, 133) ? 'timeline-only' : 'only-with-withArchived',
    thumbnailSizes: sizes,
    validator: v3 ? 'zod' : 'class-validator',
    deviceFields: !v3,
    durationAsString: !v3,
    isEdited: at(2, 5),
    createdAtAndDimensions: at(2),
    prerelease: v3,
    albumOwnerField: !v3,
    searchCursor: at(3, 2),
  };
}
