// The frame's one-call render: one photo, or a pair with a paper gutter, each fitted (and
// face-cropped) in its place, dithered as one frame; then captions set in solid inks on the
// finished frame, upright as it hangs, in the corner where they hide the least.
import type { PanelProfile } from '../../drivers/panels.js';
import { packFrame } from '../../drivers/frame-format.js';
import { RenderError } from '../core/errors.js';
import { captionParagraphs } from './caption.js';
import type { RgbImage } from './dither.js';
import type { FramePhoto } from './frame-input.js';
import type { Rect, Size } from './framing.js';
import { frameLayout, nativeRectToView, viewPixelToNative, viewRectToNative } from './layout.js';
import type { FrameLayout } from './layout.js';
import { resolveFrameOptions, resolveOptions } from './options.js';
import type { FrameOptions, RenderOptions, ResolvedRenderOptions, Rotation } from './options.js';
import { inkPalette, paperInks } from './palette.js';
import { preparePhoto, quantize } from './pipeline.js';
import type { PreparedPhoto, RenderedFrame } from './pipeline.js';
import { DetailMap, placeCaption } from './placement.js';
import type { Corner } from './placement.js';
import { rasterText, wrapText } from './text.js';
import type { TextMask } from './text.js';

export interface FrameRequest {
  /** One photo, or two to show side by side (stacked on a portrait frame), in that order. */
  photos: readonly FramePhoto[];
  panel: PanelProfile;
  /** Photo and frame options; defaults for what is left out. */
  options?: Partial<RenderOptions> & Partial<FrameOptions> & { now?: Date };
}

/** A caption as it was set: where (view pixels, as the frame hangs), what, and in which inks. */
export interface PlacedCaption {
  rect: Rect;
  corner: Corner;
  lines: string[];
  /** Panel pixels a font pixel takes. */
  scale: number;
  /** Padding between the box's edge and the text, in view pixels. */
  padding: number;
  /** The controller index of the text and of its backing. */
  ink: number;
  paper: number;
  /** The text alone: 1 where it has ink, `rect` less `padding` on each side. */
  mask: TextMask;
}

export interface ComposedFrame extends RenderedFrame {
  /** The frame as it hangs, where each photo and gutter went, and each photo's caption. */
  layout: { view: Size; slots: Rect[]; gutters: Rect[]; captions: (PlacedCaption | undefined)[] };
  /** The photos shown, by their index in the request (a pair whose other photo failed shows one). */
  shown: number[];
  /** Photos of the request that could not be rendered, each with its RenderError. */
  failed: { index: number; error: RenderError }[];
}

/**
 * Render a frame for the panel: `photos` (one, or a pair) in their places, the gutter in the paper
 * ink, each photo's caption when `options.caption` asks for one. When one photo of a pair cannot
 * be read the other is shown alone (`failed` says which and why); when no photo can be, the
 * RenderError naming the first is thrown.
 */
export async function renderFrame(request: FrameRequest): Promise<ComposedFrame> {
  const o = resolveOptions(request.options ?? {});
  const f = resolveFrameOptions(request.options ?? {});
  const { panel } = request;
  if (request.photos.length !== 1 && request.photos.length !== 2) {
    throw new RenderError(`a frame shows one photo or two, not ${request.photos.length}`);
  }
  const native = { width: panel.width, height: panel.height };
  const { layout, places, parts, shown, failed } = await preparePlaces(request.photos, panel, o);
  let image: RgbImage = parts[0]!;
  if (parts.length === 2) {
    // White under the gutter, so the dither carries no error into it from a photo's edge.
    image = { ...native, data: new Uint8Array(native.width * native.height * 3).fill(255) };
    parts.forEach((part, i) => blitRgb(image, part, places[i]!));
  }
  const photos = shown.map((i) => request.photos[i]!);

  const indices = quantize(image, panel, o);
  const palette = inkPalette(panel, o.palette);
  const inks = paperInks(palette);
  const paper = palette.index[inks.white]!;
  const ink = palette.index[inks.black]!;
  for (const g of layout.gutters) fillNative(indices, native, viewRectToNative(g, o.rotate, native), paper);

  const captions: (PlacedCaption | undefined)[] = [];
  if (f.caption.length > 0) {
    const detail = new DetailMap(image);
    const now = request.options?.now ?? new Date();
    for (let i = 0; i < photos.length; i++) {
      // The faces a crop kept, in view pixels: the caption keeps off them.
      const faces = (parts[i]!.faces ?? []).map((r) =>
        nativeRectToView({ ...r, x: r.x + places[i]!.x, y: r.y + places[i]!.y }, o.rotate, native),
      );
      const placed = setCaption(photos[i]!, layout.slots[i]!, layout.view, f, now, detail, o.rotate, faces);
      if (placed) {
        const c = { ...placed, ink, paper };
        drawCaption(indices, native, c, o.rotate);
        captions.push(c);
      } else captions.push(undefined);
    }
  }

  return {
    panelId: panel.id,
    width: panel.width,
    height: panel.height,
    rotate: o.rotate,
    indices,
    buffer: packFrame(indices, panel),
    layout: { ...layout, captions },
    shown,
    failed,
  };
}

interface Prepared {
  layout: FrameLayout;
  /** Each slot in native pixels. */
  places: Rect[];
  /** Each photo shown, prepared for its place. */
  parts: PreparedPhoto[];
  shown: number[];
  failed: { index: number; error: RenderError }[];
}

/** Each photo prepared for its place; a pair with one unreadable photo becomes the other alone. */
async function preparePlaces(
  photos: readonly FramePhoto[],
  panel: PanelProfile,
  o: ResolvedRenderOptions,
): Promise<Prepared> {
  const native = { width: panel.width, height: panel.height };
  const layout = frameLayout(panel, o.rotate, photos.length as 1 | 2);
  const places = layout.slots.map((s) => viewRectToNative(s, o.rotate, native));
  if (photos.length === 1) {
    const p = photos[0]!;
    return { layout, places, parts: [await preparePhoto(p.source, places[0]!, o, p.name, p)], shown: [0], failed: [] };
  }
  // Both at once: sharp draws each on a thread of its own, so a pair takes about as long as its
  // slower photo on a frame with two cores or more (a Pi Zero 2 W has four).
  const settled = await Promise.allSettled(photos.map((p, i) => preparePhoto(p.source, places[i]!, o, p.name, p)));
  const parts: PreparedPhoto[] = [];
  const failed: Prepared['failed'] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') parts.push(r.value);
    else if (r.reason instanceof RenderError) failed.push({ index: i, error: r.reason });
    else throw r.reason;
  });
  if (failed.length === 0) return { layout, places, parts, shown: [0, 1], failed };
  if (failed.length === 2) throw failed[0]!.error;
  const alone = 1 - failed[0]!.index;
  return { ...(await preparePlaces([photos[alone]!], panel, o)), shown: [alone], failed };
}

/** Copy a prepared photo into its place on the frame (both native orientation). */
function blitRgb(frame: RgbImage, part: RgbImage, at: Rect): void {
  for (let y = 0; y < part.height; y++) {
    const src = part.data.subarray(y * part.width * 3, (y + 1) * part.width * 3);
    frame.data.set(src, ((at.y + y) * frame.width + at.x) * 3);
  }
}

function fillNative(indices: Uint8Array, native: Size, r: Rect, value: number): void {
  for (let y = r.y; y < r.y + r.height; y++)
    indices.fill(value, y * native.width + r.x, y * native.width + r.x + r.width);
}

/** The text size: a font pixel is 2 panel pixels on a 480-pixel frame, 1 on small ones, more on big ones. */
export function captionScale(view: Size): number {
  return Math.max(1, Math.round(Math.min(view.width, view.height) / 240));
}

/** Lay out a photo's caption in its slot: wrap, size the box, pick the corner. Undefined when it has nothing to say. */
function setCaption(
  photo: FramePhoto,
  slot: Rect,
  view: Size,
  f: FrameOptions,
  now: Date,
  detail: DetailMap,
  rotate: Rotation,
  faces: Rect[],
): Omit<PlacedCaption, 'ink' | 'paper'> | undefined {
  const scale = captionScale(view);
  const padding = 3 * scale;
  const margin = 4 * scale;
  // At most two thirds of a full frame's width; the whole width of a narrow (paired) slot.
  const boxMax = Math.min(slot.width - 2 * margin, Math.max(Math.round((slot.width * 2) / 3), 180 * scale));
  const textMax = Math.floor((boxMax - 2 * padding) / scale);
  if (textMax <= 0) return undefined;
  const paragraphs = captionParagraphs(photo, f.caption, {
    locale: f.locale,
    timeZone: f.timeZone,
    now,
    lineClusters: textMax + 1,
  });
  const lines = paragraphs.flatMap((p) => wrapText(p.text, textMax, p.maxLines));
  if (lines.length === 0) return undefined;
  const mask = rasterText(lines, scale);
  const box = { width: mask.width + 2 * padding, height: mask.height + 2 * padding };
  if (box.height > slot.height - 2 * margin) return undefined;
  const { corner, rect } = placeCaption(slot, box, f.captionPosition, margin, detail, rotate, faces);
  return { rect, corner, lines, scale, padding, mask };
}

/** The caption's box in the paper ink and its text in the dark ink, view pixels turned to native. */
function drawCaption(indices: Uint8Array, native: Size, c: PlacedCaption, rotate: Rotation): void {
  fillNative(indices, native, viewRectToNative(c.rect, rotate, native), c.paper);
  const x0 = c.rect.x + c.padding;
  const y0 = c.rect.y + c.padding;
  for (let y = 0; y < c.mask.height; y++) {
    for (let x = 0; x < c.mask.width; x++) {
      if (c.mask.data[y * c.mask.width + x]) indices[viewPixelToNative(x0 + x, y0 + y, rotate, native)] = c.ink;
    }
  }
}
