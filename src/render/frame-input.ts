// What the render stage is told about a photo to frame it: plain data, no library or Immich types.
// The library fills it from its metadata; the render stage needs nothing else to crop, pair and
// caption a photo.

/**
 * A face's box, corners in pixels of the upright photo: x1,y1 top-left, x2,y2 bottom-right.
 *
 * Convention: the photo as it is shown after EXIF orientation is applied (sharp's autoOrient), in
 * the coordinate space `imageWidth` x `imageHeight` (else `FramePhoto.width` x `height`, else the
 * decoded file's own upright pixels). Immich's face boxes are exactly this, its
 * boundingBoxX1..Y2 with its imageWidth/imageHeight (made on the already rotated preview, or on
 * the original by an API caller: ../shared/fixtures/immich-v3.1.0/FEATURES.md, "Which size the
 * box refers to"); the render stage scales them to the size it decodes.
 */
export interface FaceBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** The upright size of the image the box was drawn on (Immich: the face's imageWidth/imageHeight). */
  imageWidth?: number;
  imageHeight?: number;
}

export interface FramePhoto {
  /** The file to show (any format sharp reads), or its bytes. */
  source: string | Buffer;
  /** Names the photo in error messages (an asset id, say); a path names itself. */
  name?: string;
  /**
   * Upright (after EXIF orientation) size of the space the face boxes are in. Omitted: the boxes
   * are in the pixels of the decoded, upright file.
   */
  width?: number;
  height?: number;
  /** Faces to keep in the frame when `fit` is `cover` (people hidden in Immich included or not: the caller's choice). */
  faces?: readonly FaceBox[];
  /** When the photo was taken: an ISO 8601 instant ("2019-04-01T08:00:00.000Z") or a Date. */
  takenAt?: string | Date;
  /**
   * Where it was taken, for its local date: an IANA zone ("Europe/Paris") or a UTC offset
   * ("+02:00", "UTC+2", as Immich's exifInfo.timeZone has them). Omitted or unknown: the frame's
   * own timezone.
   */
  timeZone?: string;
  city?: string;
  state?: string;
  country?: string;
  /** Names of the people shown, in the order to name them (leave hidden people out). */
  people?: readonly string[];
  description?: string;
}
