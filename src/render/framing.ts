// Face-aware framing, pure geometry: where `fit: cover` cuts a photo so that its people stay in
// the frame. All faces when they fit in the window together, else the largest one, centred.
import type { FaceBox } from './frame-input.js';

export interface Size {
  width: number;
  height: number;
}

/** A rectangle: (x, y) its top-left corner. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The face boxes of a photo in the pixels of the decoded, upright image (`image`): scaled from the
 * space each was given in (its own imageWidth x imageHeight, else `space`: the photo's width x
 * height as the metadata says, upright), clipped to the image, and without the degenerate ones
 * (empty, inverted, not numbers).
 */
export function facesInImage(faces: readonly FaceBox[], space: Size | undefined, image: Size): Rect[] {
  const out: Rect[] = [];
  for (const f of faces) {
    const own = f.imageWidth && f.imageHeight ? { width: f.imageWidth, height: f.imageHeight } : space;
    const sx = own && own.width > 0 ? image.width / own.width : 1;
    const sy = own && own.height > 0 ? image.height / own.height : 1;
    const x1 = Math.max(0, Math.min(f.x1, f.x2) * sx);
    const y1 = Math.max(0, Math.min(f.y1, f.y2) * sy);
    const x2 = Math.min(image.width, Math.max(f.x1, f.x2) * sx);
    const y2 = Math.min(image.height, Math.max(f.y1, f.y2) * sy);
    if (![x1, y1, x2, y2].every(Number.isFinite) || x2 <= x1 || y2 <= y1) continue;
    out.push({ x: x1, y: y1, width: x2 - x1, height: y2 - y1 });
  }
  return out;
}

/** The boxes of an image of size `image` after turning it `turn` degrees clockwise. */
export function turnRects(rects: readonly Rect[], image: Size, turn: 0 | 90 | 180 | 270): Rect[] {
  const { width: w, height: h } = image;
  return rects.map((r) => {
    switch (turn) {
      case 90: // (x, y) -> (h - y, x)
        return { x: h - r.y - r.height, y: r.x, width: r.height, height: r.width };
      case 180:
        return { x: w - r.x - r.width, y: h - r.y - r.height, width: r.width, height: r.height };
      case 270: // (x, y) -> (y, w - x)
        return { x: r.y, y: w - r.x - r.width, width: r.height, height: r.width };
      default:
        return { ...r };
    }
  });
}

function union(rects: readonly Rect[]): Rect {
  const x1 = Math.min(...rects.map((r) => r.x));
  const y1 = Math.min(...rects.map((r) => r.y));
  const x2 = Math.max(...rects.map((r) => r.x + r.width));
  const y2 = Math.max(...rects.map((r) => r.y + r.height));
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/**
 * The window `fit: cover` shows of an image (in its pixels): the largest one of the target's
 * aspect, centred on all the faces when they fit in it together, else on the largest face (which,
 * when even it is bigger than the window, keeps its middle). Undefined when there are no faces.
 */
export function faceWindow(image: Size, target: Size, faces: readonly Rect[]): Rect | undefined {
  if (faces.length === 0) return undefined;
  const scale = Math.max(target.width / image.width, target.height / image.height);
  const width = Math.min(image.width, target.width / scale);
  const height = Math.min(image.height, target.height / scale);
  const all = union(faces);
  const focus =
    all.width <= width && all.height <= height
      ? all
      : faces.reduce((big, f) => (f.width * f.height > big.width * big.height ? f : big));
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  return {
    x: clamp(focus.x + focus.width / 2 - width / 2, image.width - width),
    y: clamp(focus.y + focus.height / 2 - height / 2, image.height - height),
    width,
    height,
  };
}
