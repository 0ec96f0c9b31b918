// The render stage's entry point: a photo (any format sharp reads) to a panel's frame: sharp
// orients, fits, rotates and boosts it at the panel's native size, then our quantizer and
// packer make the controller's frame buffer. Unreadable photos become a RenderError.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import sharp from 'sharp';
import type { PanelProfile } from '../../drivers/panels.js';
import { RenderError } from '../core/errors.js';
import { MAX_INPUT_PIXELS, RENDER_TIMEOUT_SECONDS } from './render-limits.js';
import { ditherGrid, ditherToPalette } from './dither.js';
import type { RgbImage } from './dither.js';
import { resolveOptions } from './options.js';
export { resolveOptions };
import type { RenderOptions, ResolvedRenderOptions, Rotation } from './options.js';
import type { FaceBox } from './frame-input.js';
import { faceWindow, facesInImage, turnRects } from './framing.js';
import type { Rect, Size } from './framing.js';
import { applyExposure } from './exposure.js';
import { attentionCrop } from './attention.js';
import { gamutTable } from './gamut.js';
import { packFrame } from '../../drivers/frame-format.js';
import { inkPalette, toneTable } from './palette.js';
import type { InkGrid } from './ink-grid.js';
import type { InkPalette, ToneMap } from './palette.js';

export interface RenderedFrame {
  panelId: string;
  /** Native (controller) size. */
  width: number;
  height: number;
  /** How the panel hangs (the render options' `rotate`): the virtual panel turns the picture back. */
  rotate: Rotation;
  /** The controller's colour index of every pixel, row-major, native orientation. */
  indices: Uint8Array;
  /** `indices` packed in the panel's pixel format: what the driver sends. */
  buffer: Uint8Array;
}

export interface RenderInput {
  /** Names a Buffer input in error messages (a path names itself). */
  name?: string;
}

/** Render one photo for one panel. `options` override DEFAULT_RENDER_OPTIONS key by key. */
export async function renderForPanel(
  input: string | Buffer,
  panel: PanelProfile,
  options: Partial<RenderOptions> & RenderInput = {},
): Promise<RenderedFrame> {
  const o = resolveOptions(options);
  const image = await preparePhoto(input, panel, o, options.name);
  const indices = quantize(image, panel, o);
  return {
    panelId: panel.id,
    width: panel.width,
    height: panel.height,
    rotate: o.rotate,
    indices,
    buffer: packFrame(indices, panel),
  };
}

/** The photo (native size and orientation) as the panel's colour indices: gamut map, tone, dither. */
export function quantize(image: RgbImage, panel: PanelProfile, o: ResolvedRenderOptions): Uint8Array {
  const palette = inkPalette(panel, o.palette);
  const tables = inkTables(palette);
  const table = o.gamut === 'map' ? gamutTableOf(tables, palette, o.tone) : null;
  const { grid } = tables;
  return table
    ? ditherToPalette(image, palette, o.dither, { tone: toneTable(palette, 'none'), grid, gamut: table })
    : ditherToPalette(image, palette, o.dither, { tone: toneTable(palette, o.tone), grid });
}

// A frame renders the same inks every time: their gamut table (a few ms to build) and their
// nearest-ink grid (filled in as photos visit it; a cold one costs a frame ~10 ms) are made once.
// Keyed by the inks' colours, not the panel's id: a calibrated unit has its own, and a preview of
// inks edited by hand adds more, so only the last few are kept (60 KB of table each, and the
// pages of the grid its photos touched).
interface InkTables {
  gamut: Map<ToneMap, Float32Array | null>;
  grid: InkGrid | null;
}
const inkTablesKept = new Map<string, InkTables>();
const INK_TABLES_KEPT = 8;
function inkTables(palette: InkPalette): InkTables {
  const key = palette.rgb.join(',');
  let tables = inkTablesKept.get(key);
  if (!tables) {
    if (inkTablesKept.size >= INK_TABLES_KEPT) inkTablesKept.delete(inkTablesKept.keys().next().value!);
    tables = { gamut: new Map(), grid: ditherGrid(palette) };
    inkTablesKept.set(key, tables);
  }
  return tables;
}
function gamutTableOf(tables: InkTables, palette: InkPalette, tone: ToneMap): Float32Array | null {
  if (!tables.gamut.has(tone)) tables.gamut.set(tone, gamutTable(palette, tone));
  return tables.gamut.get(tone)!;
}

/** An SVG is drawn, not decoded: its cost is in its text. A photo frame's SVGs are small. */
export const MAX_SVG_BYTES = 1024 * 1024;

/**
 * Refuse an SVG (or other XML) over MAX_SVG_BYTES before librsvg starts on it. The file's head is
 * read synchronously: 512 bytes of a local file take ~0.05 ms that way, against ~0.5 ms of CPU
 * and ~1 ms of wall time for the four thread-pool round trips of fs/promises (open, stat, read,
 * close), paid by every frame before sharp can start.
 */
function refuseHeavySvg(input: string | Buffer, label: string): void {
  let head: Buffer;
  let size: number;
  if (typeof input === 'string') {
    let fd: number;
    try {
      fd = openSync(input, 'r');
    } catch {
      return; // sharp reports the missing file in its own words
    }
    try {
      size = fstatSync(fd).size;
      head = Buffer.alloc(Math.min(size, 512));
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } else {
    size = input.length;
    head = input.subarray(0, 512);
  }
  if (size > MAX_SVG_BYTES && /^\s*(<\?xml|<svg|<!DOCTYPE svg)/i.test(head.toString('latin1').replace(/^\uFEFF/, ''))) {
    throw new RenderError(
      `cannot render ${label}: an SVG of ${size} bytes, more than the ${MAX_SVG_BYTES} this frame draws`,
    );
  }
}

/** Faces to keep in a `cover` crop, and the upright size of the space their boxes are in. */
export interface FaceHint {
  faces?: readonly FaceBox[];
  width?: number;
  height?: number;
}

/** A prepared photo; `faces`: where the faces it was told of ended up (native pixels), for a caption to keep off. */
export type PreparedPhoto = RgbImage & { faces?: Rect[] };

/**
 * The sharp half: decode (shrinking on load), orient by EXIF, turn for the way the panel
 * hangs, fit to the native size (a `cover` crop keeps the faces of `hint`), boost, and hand back
 * 8-bit sRGB.
 */
export async function preparePhoto(
  input: string | Buffer,
  panel: Pick<PanelProfile, 'width' | 'height'>,
  options: Partial<RenderOptions> = {},
  name?: string,
  hint: FaceHint = {},
): Promise<PreparedPhoto> {
  const o = resolveOptions(options);
  const label = typeof input === 'string' ? input : (name ?? 'photo (from memory)');
  refuseHeavySvg(input, label);
  try {
    const framing = hint.faces?.length ? await turnedFaces(input, o.rotate, hint) : undefined;
    const crop = framing && o.fit === 'cover' ? faceCrop(framing, panel) : undefined;
    const attention = !crop && o.fit === 'cover' && o.crop === 'attention';
    const faces = crop ? crop.faces : framing && o.fit === 'contain' ? containedFaces(framing, panel) : undefined;
    // failOn 'error' rejects truncated and corrupt data (a half-grey photo is worse than a
    // skipped one) but tolerates the harmless warnings many cameras' JPEGs raise.
    // sequentialRead lets libvips stream a JPEG top to bottom instead of keeping it whole.
    // Bounded work: no more input pixels than any camera makes, and a render that runs past the
    // timeout (a pathological image) stops instead of holding the panel's queue.
    let pipeline = sharp(input, { failOn: 'error', sequentialRead: true, limitInputPixels: MAX_INPUT_PIXELS })
      .timeout({ seconds: RENDER_TIMEOUT_SECONDS })
      .autoOrient()
      // The frame shows the picture turned by `rotate` clockwise, so the panel's buffer holds it
      // turned back. sharp rotates before it resizes: the fit below sees the turned photo, and
      // the JPEG shrink-on-load still applies (it only depends on the final size).
      .rotate((360 - o.rotate) % 360);
    pipeline = crop
      ? // Resize all of it, then cut the faces' window: a cut before the resize would cost the
        // JPEG shrink-on-load (libvips decodes at full size when it must extract first).
        pipeline.resize(crop.resize.width, crop.resize.height, { fit: 'fill' }).extract(crop.extract)
      : pipeline.resize(panel.width, panel.height, {
          // The attention crop is cut here from the whole resized photo (attention.ts): sharp's
          // own makes libvips hold that photo in memory and walk it twice more.
          fit: attention ? 'outside' : o.fit,
          position: 'centre',
          background: o.background,
        });
    pipeline = pipeline.flatten({ background: o.background });
    // The boost is two cheap point operations on the small image, not modulate(): that one goes
    // through LCh and back and cost a third of the whole sharp stage in the render bench.
    // Saturation moves each pixel away from its own grey (Rec. 709 luma), which it keeps.
    if (o.saturation !== 1) pipeline = pipeline.recomb(saturationMatrix(o.saturation));
    // Contrast pivots on mid-grey (128 stays where it is), then brightness scales.
    if (o.contrast !== 1 || o.brightness !== 1) {
      pipeline = pipeline.linear(o.contrast * o.brightness, 128 * (1 - o.contrast) * o.brightness);
    }
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const covered = attention && info.width >= panel.width && info.height >= panel.height;
    if ((!covered && (info.width !== panel.width || info.height !== panel.height)) || info.channels !== 3) {
      throw new Error(
        `decoded to ${info.width}x${info.height}x${info.channels}, expected ${panel.width}x${panel.height}x3`,
      );
    }
    let rgb = new Uint8Array(data.buffer, data.byteOffset, data.length);
    if (covered) rgb = cutWindow({ width: info.width, height: info.height, data: rgb }, panel);
    applyExposure(rgb, o.exposure);
    return { width: panel.width, height: panel.height, data: rgb, ...(faces ? { faces } : {}) };
  } catch (err) {
    throw new RenderError(`cannot render ${label}: ${reason(err)}`, { cause: err });
  }
}

/** The `target`-sized window of a photo resized to cover it, where its attention crop puts it. */
function cutWindow(image: RgbImage, target: Size): Uint8Array {
  const { width, height, data } = image;
  if (width === target.width && height === target.height) return data;
  const { left, top } = attentionCrop(image, target);
  // Full rows: the window is one run of the buffer.
  if (width === target.width) return data.subarray(top * width * 3, (top + target.height) * width * 3);
  const out = new Uint8Array(target.width * target.height * 3);
  for (let y = 0; y < target.height; y++) {
    const from = ((top + y) * width + left) * 3;
    out.set(data.subarray(from, from + target.width * 3), y * target.width * 3);
  }
  return out;
}

/** A photo's face boxes in the photo as sharp resizes it: upright, then turned for the panel. Reads the header only. */
async function turnedFaces(
  input: string | Buffer,
  rotate: Rotation,
  hint: FaceHint,
): Promise<{ image: Size; faces: Rect[] }> {
  const meta = await sharp(input).metadata();
  const upright = meta.autoOrient ?? { width: meta.width!, height: meta.height! };
  const space = hint.width && hint.height ? { width: hint.width, height: hint.height } : undefined;
  const turn = ((360 - rotate) % 360) as Rotation;
  const faces = turnRects(facesInImage(hint.faces ?? [], space, upright), upright, turn);
  const image = turn === 90 || turn === 270 ? { width: upright.height, height: upright.width } : upright;
  return { image, faces };
}

/** Face boxes after a resize by `scale` and a cut at (left, top) (negative: an offset), clipped to `target`. */
function movedFaces(faces: readonly Rect[], scale: number, left: number, top: number, target: Size): Rect[] {
  return faces.flatMap((f) => {
    const x1 = Math.max(0, Math.floor(f.x * scale) - left);
    const y1 = Math.max(0, Math.floor(f.y * scale) - top);
    const x2 = Math.min(target.width, Math.ceil((f.x + f.width) * scale) - left);
    const y2 = Math.min(target.height, Math.ceil((f.y + f.height) * scale) - top);
    return x2 > x1 && y2 > y1 ? [{ x: x1, y: y1, width: x2 - x1, height: y2 - y1 }] : [];
  });
}

/**
 * The resize and cut that show the faces' window of a photo (turned for the panel) at the target
 * size, and where the faces land; undefined when no face box is usable.
 */
function faceCrop(
  framing: { image: Size; faces: Rect[] },
  target: Size,
): { resize: Size; extract: { left: number; top: number; width: number; height: number }; faces: Rect[] } | undefined {
  const { image, faces } = framing;
  const window = faceWindow(image, target, faces);
  if (!window) return undefined;
  const scale = Math.max(target.width / image.width, target.height / image.height);
  const resize = {
    width: Math.max(target.width, Math.round(image.width * scale)),
    height: Math.max(target.height, Math.round(image.height * scale)),
  };
  const left = Math.min(resize.width - target.width, Math.max(0, Math.round(window.x * scale)));
  const top = Math.min(resize.height - target.height, Math.max(0, Math.round(window.y * scale)));
  const extract = { left, top, width: target.width, height: target.height };
  return { resize, extract, faces: movedFaces(faces, scale, left, top, target) };
}

/** Where the faces land when the whole photo is contained, centred, in the target. */
function containedFaces(framing: { image: Size; faces: Rect[] }, target: Size): Rect[] {
  const { image, faces } = framing;
  const scale = Math.min(target.width / image.width, target.height / image.height);
  const left = Math.floor((target.width - Math.round(image.width * scale)) / 2);
  const top = Math.floor((target.height - Math.round(image.height * scale)) / 2);
  return movedFaces(faces, scale, -left, -top, target);
}

/** The 3x3 matrix that scales every pixel's distance from its grey by `s`. */
export function saturationMatrix(
  s: number,
): [[number, number, number], [number, number, number], [number, number, number]] {
  const luma = [0.2126, 0.7152, 0.0722] as const;
  const row = (i: number) => luma.map((w, j) => (1 - s) * w + (i === j ? s : 0)) as [number, number, number];
  return [row(0), row(1), row(2)];
}

/** sharp's message made short and plain: its first line, without the libvips prefixes. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = (text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error').trim();
  if (/unsupported image format/i.test(first)) return 'not an image sharp can read (unsupported format)';
  // sharp's own words for an absent file; a damaged JPEG's libjpeg text may say "Missing" too
  // ("Missing Huffman code table entry"), which is no missing file.
  if (/^input file is missing/i.test(first)) return 'file not found';
  const corrupt = /^input file has corrupt header:\s*(?:Vips\w+:\s*)?(.*)$/i.exec(first);
  if (corrupt) return `a damaged image: its header cannot be read (${corrupt[1]})`;
  return first.replace(/^[A-Za-z]+load(_source|_buffer)?: /, '');
}
