// The `info` record each synced photo keeps in sync_metadata.json (issue 11): capture time and
// zone, favourite, rating, description, place, people and their face boxes in the stored file's
// pixels, size and orientation, stack. Pure: the schema and the conversions; refresh-info.ts fills it.
import * as z from 'zod/mini';
import type { RemoteAssetInfo, RemoteFace } from '../immich/types.js';
import { KEPT_FACES, KEPT_PEOPLE } from '../immich/kept.js';

/** Built on its first use (z.lazy): the frame's own files are read without it (metadata-check.ts),
 * and building zod's schemas costs every start of `status` and `next`. */
export const photoInfoSchema = z.lazy(() => {
  const personSchema = z.object({ id: z.string(), name: z.string(), hidden: z.boolean() });

  /** A face box in the stored file's pixels, as displayed (EXIF orientation applied): x1,y1 is the
   * top-left corner, x2,y2 the bottom-right, 0 <= x1 < x2 <= width. */
  const faceSchema = z.object({
    person_id: z.nullable(z.string()),
    x1: z.number(),
    y1: z.number(),
    x2: z.number(),
    y2: z.number(),
  });

  return z.object({
    /** Local wall-clock time of capture as Immich writes it (with a Z that does not mean UTC). */
    local_date_time: z.nullable(z.string()),
    /** IANA zone ("Europe/Paris"), "UTC-5", or null when unknown. */
    time_zone: z.nullable(z.string()),
    favorite: z.boolean(),
    /** 1..5, -1 rejected, null unrated or unknown. */
    rating: z.nullable(z.int().check(z.minimum(-1)).check(z.maximum(5))),
    description: z.string(),
    city: z.nullable(z.string()),
    state: z.nullable(z.string()),
    country: z.nullable(z.string()),
    latitude: z.nullable(z.number()),
    longitude: z.nullable(z.number()),
    /** Everyone Immich recognised on the photo, hidden people included (they still filter). */
    people: z.array(personSchema).check(z.maxLength(KEPT_PEOPLE)),
    /** At most KEPT_FACES: a record from before that bound is dropped and refilled by the next sync. */
    faces: z.array(faceSchema).check(z.maxLength(KEPT_FACES)),
    /** What the faces were fetched for (people ids, stored file, asset size): a different key
     * next sync means fetch them again. null: not fetched yet. */
    faces_for: z.nullable(z.string()),
    /** The stored file's size as displayed (after its EXIF orientation), and that orientation. */
    width: z.nullable(z.int().check(z.positive())),
    height: z.nullable(z.int().check(z.positive())),
    orientation: z.nullable(z.int().check(z.minimum(1)).check(z.maximum(8))),
    /** The SHA-1 of the file width/height/orientation were read from. */
    measured_sha1: z.nullable(z.string()),
    stack: z.nullable(z.object({ id: z.string(), primary_asset_id: z.string() })),
  });
});
export type PhotoInfo = z.infer<typeof photoInfoSchema>;
export type PhotoPerson = PhotoInfo['people'][number];
export type PhotoFace = PhotoInfo['faces'][number];

/** A record that knows nothing yet: what a listing or a measurement fills in. */
export function emptyPhotoInfo(): PhotoInfo {
  return {
    local_date_time: null,
    time_zone: null,
    favorite: false,
    rating: null,
    description: '',
    city: null,
    state: null,
    country: null,
    latitude: null,
    longitude: null,
    people: [],
    faces: [],
    faces_for: null,
    width: null,
    height: null,
    orientation: null,
    measured_sha1: null,
    stack: null,
  };
}

/** The listing's facts over the record we had: what the listing did not carry stays as it was. */
export function mergeListedInfo(previous: PhotoInfo | undefined, listed: RemoteAssetInfo): PhotoInfo {
  const base: PhotoInfo = previous ?? emptyPhotoInfo();
  const next: PhotoInfo = {
    ...base,
    local_date_time: listed.localDateTime,
    favorite: listed.favorite,
    // undefined: the listing did not say (no stacks answer), so the record keeps what it knew.
    stack:
      listed.stack === undefined
        ? base.stack
        : listed.stack && { id: listed.stack.id, primary_asset_id: listed.stack.primaryAssetId },
  };
  if (listed.hasExif) {
    Object.assign(next, {
      time_zone: listed.timeZone,
      rating: listed.rating,
      description: listed.description,
      city: listed.city,
      state: listed.state,
      country: listed.country,
      latitude: listed.latitude,
      longitude: listed.longitude,
    });
  }
  if (listed.people) next.people = listed.people.map((p) => ({ id: p.id, name: p.name, hidden: p.hidden }));
  return next;
}

/** Whether two records say the same (field by field: a thousand of them are compared at every
 * sync, where writing both as JSON cost more than the rest of refreshing them). A field added to
 * PhotoInfo must be compared here: test/library/photo-info.test.ts changes each field in turn. */
export function sameInfo(a: PhotoInfo | undefined, b: PhotoInfo): boolean {
  if (a === undefined) return false;
  return (
    a.local_date_time === b.local_date_time &&
    a.time_zone === b.time_zone &&
    a.favorite === b.favorite &&
    a.rating === b.rating &&
    a.description === b.description &&
    a.city === b.city &&
    a.state === b.state &&
    a.country === b.country &&
    a.latitude === b.latitude &&
    a.longitude === b.longitude &&
    a.faces_for === b.faces_for &&
    a.width === b.width &&
    a.height === b.height &&
    a.orientation === b.orientation &&
    a.measured_sha1 === b.measured_sha1 &&
    (a.stack === b.stack ||
      (a.stack !== null &&
        b.stack !== null &&
        a.stack.id === b.stack.id &&
        a.stack.primary_asset_id === b.stack.primary_asset_id)) &&
    sameList(a.people, b.people, (p, q) => p.id === q.id && p.name === q.name && p.hidden === q.hidden) &&
    sameList(
      a.faces,
      b.faces,
      (f, g) => f.person_id === g.person_id && f.x1 === g.x1 && f.y1 === g.y1 && f.x2 === g.x2 && f.y2 === g.y2,
    )
  );
}

function sameList<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i]!, b[i]!)) return false;
  return true;
}

/** The key the faces are fetched for: a change in the people, the stored file or the asset's
 * size (an edit) means the boxes may differ. A renamed person keeps the key (names live in
 * `people`, boxes refer to person ids), and so does a new rating. */
export function facesKey(people: readonly PhotoPerson[], fileSha1: string, listed: RemoteAssetInfo): string {
  const ids = people.map((p) => p.id).sort();
  return `${ids.join(',')}|${fileSha1}|${listed.width ?? '?'}x${listed.height ?? '?'}`;
}

/** How far the box's image may differ in shape from the file before its boxes are refused. */
const ASPECT_TOLERANCE = 0.02;

/**
 * Face boxes from the server's space into the stored file's displayed pixels. The server gives
 * corners in an imageWidth x imageHeight image of whatever size the face's creator used (the
 * 2160x1440 preview of a 6000x4000 photo, the original, the edited size): scaling by the file's
 * size over that size lands them on the file, as long as both are the same picture in the same
 * orientation. A box whose image has another shape (an edited crop against an unedited file, a
 * box given in unrotated pixels) cannot be placed and is left out rather than placed wrong.
 */
export function facesInFile(
  faces: readonly RemoteFace[],
  file: { width: number; height: number },
): { faces: PhotoFace[]; refused: number } {
  const out: PhotoFace[] = [];
  let refused = 0;
  const fileAspect = file.width / file.height;
  for (const f of faces) {
    const aspect = f.imageWidth / f.imageHeight;
    if (Math.abs(aspect - fileAspect) / fileAspect > ASPECT_TOLERANCE) {
      refused += 1;
      continue;
    }
    const sx = file.width / f.imageWidth;
    const sy = file.height / f.imageHeight;
    const clampX = (v: number) => Math.min(file.width, Math.max(0, Math.round(v * sx)));
    const clampY = (v: number) => Math.min(file.height, Math.max(0, Math.round(v * sy)));
    const box = {
      person_id: f.personId,
      x1: clampX(Math.min(f.x1, f.x2)),
      y1: clampY(Math.min(f.y1, f.y2)),
      x2: clampX(Math.max(f.x1, f.x2)),
      y2: clampY(Math.max(f.y1, f.y2)),
    };
    if (box.x2 - box.x1 < 1 || box.y2 - box.y1 < 1) {
      refused += 1;
      continue;
    }
    out.push(box);
  }
  return { faces: out, refused };
}

/** The displayed size of an image stored at width x height with an EXIF orientation. */
export function displayedSize(width: number, height: number, orientation: number | null): [number, number] {
  return orientation !== null && orientation >= 5 ? [height, width] : [width, height];
}
