// The render stage's entry point: a photo (any format sharp reads) to a panel's frame: sharp
// orients, fits, rotates and boosts it at the panel's native size, then our quantizer and
// packer make the controller's frame buffer. Unreadable photos become a RenderError.
import { open } from 'node:fs/promises';
import sharp from 'sharp';
import type { PanelProfile } from '../../drivers/panels.js';
import { RenderError } from '../core/errors.js';
import { ditherToPalette } from './dither.js';
import type { RgbImage } from './dither.js';
import { resolveOptions } from './options.js';
export { resolveOptions };
import type { RenderOptions, Rotation } from './options.js';
import { gamutMap, gamutTable } from './gamut.js';
import { packFrame } from '../../drivers/frame-format.js';
import { inkPalette, toneTable } from './palette.js';
import type { InkPalette, PaletteChoice, ToneMap } from './palette.js';

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
  const palette = inkPalette(panel, o.palette);
  const table = o.gamut === 'map' ? cachedGamutTable(panel, palette, o.palette, o.tone) : null;
  const indices = table
    ? ditherToPalette(gamutMap(image, table), palette, o.dither, { tone: toneTable(palette, 'none') })
    : ditherToPalette(image, palette, o.dither, { tone: toneTable(palette, o.tone) });
  return {
    panelId: panel.id,
    width: panel.width,
    height: panel.height,
    rotate: o.rotate,
    indices,
    buffer: packFrame(indices, panel),
  };
}

// A frame renders the same panel every time: its gamut table (a few ms to build) is made once.
const gamutTables = new Map<string, Float32Array | null>();
function cachedGamutTable(
  panel: PanelProfile,
  palette: InkPalette,
  choice: PaletteChoice,
  tone: ToneMap,
): Float32Array | null {
  const key = `${panel.id}/${choice}/${tone}`;
  if (!gamutTables.has(key)) gamutTables.set(key, gamutTable(palette, tone));
  return gamutTables.get(key)!;
}

/** 100 megapixels: above every phone and most cameras (sharp's own default is 268). */
export const MAX_INPUT_PIXELS = 100_000_000;
/** libvips stops a render that takes longer than this (a Pi Zero 2 renders a photo in seconds). */
export const RENDER_TIMEOUT_SECONDS = 120;
/** An SVG is drawn, not decoded: its cost is in its text. A photo frame's SVGs are small. */
export const MAX_SVG_BYTES = 1024 * 1024;

/** Refuse an SVG (or other XML) over MAX_SVG_BYTES before librsvg starts on it. */
async function refuseHeavySvg(input: string | Buffer, label: string): Promise<void> {
  let head: Buffer;
  let size: number;
  if (typeof input === 'string') {
    const fh = await open(input, 'r').catch(() => null);
    if (!fh) return; // sharp reports the missing file in its own words
    try {
      size = (await fh.stat()).size;
      head = Buffer.alloc(Math.min(size, 512));
      await fh.read(head, 0, head.length, 0);
    } finally {
      await fh.close();
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

/**
 * The sharp half: decode (shrinking on load), orient by EXIF, turn for the way the panel
 * hangs, fit to the native size, boost, and hand back 8-bit sRGB.
 */
export async function preparePhoto(
  input: string | Buffer,
  panel: Pick<PanelProfile, 'width' | 'height'>,
  options: Partial<RenderOptions> = {},
  name?: string,
): Promise<RgbImage> {
  const o = resolveOptions(options);
  const label = typeof input === 'string' ? input : (name ?? 'photo (from memory)');
  await refuseHeavySvg(input, label);
  try {
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
      .rotate((360 - o.rotate) % 360)
      .resize(panel.width, panel.height, {
        fit: o.fit,
        position: o.fit === 'cover' && o.crop === 'attention' ? sharp.strategy.attention : 'centre',
        background: o.background,
      })
      .flatten({ background: o.background });
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
    if (info.width !== panel.width || info.height !== panel.height || info.channels !== 3) {
      throw new Error(
        `decoded to ${info.width}x${info.height}x${info.channels}, expected ${panel.width}x${panel.height}x3`,
      );
    }
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new RenderError(`cannot render ${label}: ${reason(err)}`, { cause: err });
  }
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
  if (/missing/i.test(first) && /input file/i.test(first)) return 'file not found';
  return first.replace(/^[A-Za-z]+load(_source|_buffer)?: /, '');
}
