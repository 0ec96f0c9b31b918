// Where things go on a frame as it hangs (the "view": the panel turned by `rotate`): one photo, or
// two with a gutter between them, and how a rectangle of the view lands in the panel's native
// buffer. Pure geometry.
import type { PanelProfile } from '../../drivers/panels.js';
import type { Rect, Size } from './framing.js';
import type { Rotation } from './options.js';

export interface FrameLayout {
  /** The frame as the viewer sees it. */
  view: Size;
  /** Where each photo goes, in view pixels. */
  slots: Rect[];
  /** The paper-coloured strips between photos, in view pixels. */
  gutters: Rect[];
}

/** The frame's size as it hangs. */
export function viewSize(panel: Pick<PanelProfile, 'width' | 'height'>, rotate: Rotation): Size {
  return rotate === 90 || rotate === 270
    ? { width: panel.height, height: panel.width }
    : { width: panel.width, height: panel.height };
}

/** The gutter between two photos: thin, about a sixtieth of the frame's short side, even. */
export function gutterWidth(view: Size): number {
  return Math.max(2, 2 * Math.round(Math.min(view.width, view.height) / 120));
}

/** One photo fills the view; two share it along its long side, a gutter between them. */
export function frameLayout(
  panel: Pick<PanelProfile, 'width' | 'height'>,
  rotate: Rotation,
  count: 1 | 2,
): FrameLayout {
  const view = viewSize(panel, rotate);
  if (count === 1) return { view, slots: [{ x: 0, y: 0, ...view }], gutters: [] };
  const g = gutterWidth(view);
  if (view.width >= view.height) {
    const first = (view.width - g) >> 1;
    return {
      view,
      slots: [
        { x: 0, y: 0, width: first, height: view.height },
        { x: first + g, y: 0, width: view.width - first - g, height: view.height },
      ],
      gutters: [{ x: first, y: 0, width: g, height: view.height }],
    };
  }
  const first = (view.height - g) >> 1;
  return {
    view,
    slots: [
      { x: 0, y: 0, width: view.width, height: first },
      { x: 0, y: first + g, width: view.width, height: view.height - first - g },
    ],
    gutters: [{ x: 0, y: first, width: view.width, height: g }],
  };
}

/**
 * Whether a photo of this (upright) size is one to pair on this frame: a portrait photo on a
 * landscape frame, a landscape photo on a portrait one. Square photos are not paired.
 */
export function isPairShape(photo: Size, panel: Pick<PanelProfile, 'width' | 'height'>, rotate: Rotation): boolean {
  const view = viewSize(panel, rotate);
  if (photo.width === photo.height || view.width === view.height) return false;
  return photo.width > photo.height !== view.width > view.height;
}

/**
 * The native-buffer rectangle of a view rectangle. The viewer sees the native buffer turned
 * `rotate` clockwise, so view (x, y) is native (y, H-1-x) at 90, (W-1-x, H-1-y) at 180 and
 * (W-1-y, x) at 270 (W x H the native size).
 */
export function viewRectToNative(r: Rect, rotate: Rotation, native: Size): Rect {
  const { width: W, height: H } = native;
  switch (rotate) {
    case 90:
      return { x: r.y, y: H - r.x - r.width, width: r.height, height: r.width };
    case 180:
      return { x: W - r.x - r.width, y: H - r.y - r.height, width: r.width, height: r.height };
    case 270:
      return { x: W - r.y - r.height, y: r.x, width: r.height, height: r.width };
    default:
      return { ...r };
  }
}

/** The view rectangle of a native-buffer rectangle: the inverse of viewRectToNative. */
export function nativeRectToView(r: Rect, rotate: Rotation, native: Size): Rect {
  const back = ((360 - rotate) % 360) as Rotation;
  const view = rotate === 90 || rotate === 270 ? { width: native.height, height: native.width } : native;
  return viewRectToNative(r, back, view);
}

/** The native buffer offset of view pixel (x, y). */
export function viewPixelToNative(x: number, y: number, rotate: Rotation, native: Size): number {
  const { width: W, height: H } = native;
  switch (rotate) {
    case 90:
      return (H - 1 - x) * W + y;
    case 180:
      return (H - 1 - y) * W + (W - 1 - x);
    case 270:
      return x * W + (W - 1 - y);
    default:
      return y * W + x;
  }
}
