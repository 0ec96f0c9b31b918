// Sample photos for the simulator, the demo and tests: small seeded landscapes (sky gradient, sun,
// hills, a few shapes) made with sharp, so they look like something on a panel. Mostly JPEGs of
// varied sizes with distinct capture dates, some stored rotated with an EXIF Orientation tag, one
// PNG, one WEBP and one HEIC stand-in (heic.ts) per ten. Same seed, same bytes.
import sharp from 'sharp';
import { heicStandIn } from './heic.js';
import { createPrng, type Prng } from './prng.js';
import type { ImmichSim } from './server.js';
import type { SimAlbum, SimAsset } from './library.js';

export interface SamplePhoto {
  originalFileName: string;
  mimeType: string;
  bytes: Buffer;
  /** Capture time, ISO 8601 (also written as EXIF DateTimeOriginal in JPEGs). */
  fileCreatedAt: string;
  /** As displayed (after the orientation is applied). */
  width: number;
  height: number;
  /** EXIF Orientation of JPEGs stored rotated (3, 6 or 8), else 1. */
  orientation: number;
  /** For the HEIC stand-in: a JPEG of the same picture the simulator renders previews from. */
  renderSource?: Buffer;
}

export interface SampleOptions {
  count: number;
  seed?: number;
  /** 'small' (long side 320-1280, fast), 'mixed' (up to 2400), 'large' (up to 4000). */
  sizes?: 'small' | 'mixed' | 'large';
}

const SIZES = {
  small: [
    [640, 480],
    [480, 640],
    [800, 600],
    [1024, 768],
    [1280, 720],
    [600, 600],
    [320, 240],
  ],
  mixed: [
    [1024, 768],
    [1600, 1200],
    [1200, 1600],
    [1920, 1080],
    [2400, 800],
    [1200, 1200],
    [640, 480],
  ],
  large: [
    [4000, 3000],
    [3000, 4000],
    [1920, 1080],
    [2400, 1600],
    [1600, 1200],
  ],
} as const;

function hsl(h: number, s: number, l: number): string {
  return `hsl(${Math.round(h) % 360},${Math.round(s)}%,${Math.round(l)}%)`;
}

/** An SVG landscape; every index gets its own colours and shapes. */
export function landscapeSvg(width: number, height: number, prng: Prng, label: string): string {
  const hue = prng.int(0, 359);
  const sunX = prng.int(10, 90) / 100;
  const sunY = prng.int(10, 45) / 100;
  const hills: string[] = [];
  for (let layer = 0; layer < 3; layer++) {
    const base = height * (0.55 + layer * 0.13);
    const points: string[] = [`0,${height}`];
    const steps = 6 + layer * 2;
    for (let i = 0; i <= steps; i++) {
      const x = (width * i) / steps;
      const y = base - prng.int(0, Math.round(height * 0.18));
      points.push(`${x.toFixed(0)},${y.toFixed(0)}`);
    }
    points.push(`${width},${height}`);
    hills.push(
      `<polygon points="${points.join(' ')}" fill="${hsl(hue + 90 + layer * 25, 45 + layer * 10, 40 - layer * 9)}"/>`,
    );
  }
  const shapes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const cx = prng.int(0, width);
    const cy = prng.int(Math.round(height * 0.6), height);
    const r = prng.int(Math.round(Math.min(width, height) / 40), Math.round(Math.min(width, height) / 14));
    shapes.push(
      `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${hsl(hue + prng.int(120, 240), 70, 55)}" opacity="0.85"/>`,
    );
  }
  const font = Math.max(12, Math.round(Math.min(width, height) / 12));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="${hsl(hue, 70, 35)}"/><stop offset="1" stop-color="${hsl(hue + 30, 80, 78)}"/>
</linearGradient></defs>
<rect width="${width}" height="${height}" fill="url(#sky)"/>
<circle cx="${(width * sunX).toFixed(0)}" cy="${(height * sunY).toFixed(0)}" r="${Math.round(Math.min(width, height) / 9)}" fill="${hsl(hue + 180, 95, 70)}"/>
${hills.join('\n')}
${shapes.join('\n')}
<text x="${Math.round(width * 0.04)}" y="${Math.round(height * 0.12)}" font-family="sans-serif" font-size="${font}" fill="white" fill-opacity="0.85">${label}</text>
</svg>`;
}

/** The rotation that stores an upright picture so that `orientation` shows it upright again. */
const STORE_ROTATION: Record<number, number> = { 1: 0, 3: 180, 6: 270, 8: 90 };

function exifDate(iso: string): string {
  return iso.slice(0, 19).replace(/-/g, ':').replace('T', ' ');
}

export async function generateSamplePhoto(
  index: number,
  options: { seed?: number; sizes?: SampleOptions['sizes'] } = {},
): Promise<SamplePhoto> {
  const prng = createPrng(((options.seed ?? 1) * 7919 + index * 104729) >>> 0);
  const sizes = SIZES[options.sizes ?? 'small'];
  const [w, h] = sizes[prng.int(0, sizes.length - 1)]!;
  // Capture dates a few days apart, walking back from 2024, with a time of day.
  const fileCreatedAt = new Date(
    Date.UTC(2024, 5, 1, 8 + (index % 12), (index * 7) % 60, index % 60) - index * 3 * 86_400_000,
  ).toISOString();
  const kind = index % 10;
  const label = `#${index + 1}`;
  const upright = sharp(Buffer.from(landscapeSvg(w, h, prng, label)));

  if (kind === 3) {
    const bytes = await upright.png({ compressionLevel: 6 }).toBuffer();
    return {
      originalFileName: `graphic_${index + 1}.png`,
      mimeType: 'image/png',
      bytes,
      fileCreatedAt,
      width: w,
      height: h,
      orientation: 1,
    };
  }
  if (kind === 5) {
    const bytes = await upright.webp({ quality: 80 }).toBuffer();
    return {
      originalFileName: `photo_${index + 1}.webp`,
      mimeType: 'image/webp',
      bytes,
      fileCreatedAt,
      width: w,
      height: h,
      orientation: 1,
    };
  }
  if (kind === 7) {
    const renderSource = await upright.jpeg({ quality: 85 }).toBuffer();
    return {
      originalFileName: `IMG_${String(4000 + index).padStart(4, '0')}.HEIC`,
      mimeType: 'image/heic',
      bytes: heicStandIn(w, h, index + (options.seed ?? 1) * 1000),
      fileCreatedAt,
      width: w,
      height: h,
      orientation: 1,
      renderSource,
    };
  }
  const orientation = kind === 1 ? 6 : kind === 4 ? 3 : kind === 8 ? 8 : 1;
  const stored =
    STORE_ROTATION[orientation]! === 0
      ? upright
      : sharp(await upright.png().toBuffer()).rotate(STORE_ROTATION[orientation]!);
  const bytes = await stored
    .jpeg({ quality: 82 })
    .withExif({
      IFD0: { Make: 'ArtframeSim', Model: 'Sample Camera', DateTime: exifDate(fileCreatedAt) },
      IFD2: { DateTimeOriginal: exifDate(fileCreatedAt) },
    })
    .withMetadata({ orientation })
    .toBuffer();
  return {
    originalFileName: `IMG_${String(1000 + index).padStart(4, '0')}.jpg`,
    mimeType: 'image/jpeg',
    bytes,
    fileCreatedAt,
    width: w,
    height: h,
    orientation,
  };
}

export async function generateSamplePhotos(options: SampleOptions): Promise<SamplePhoto[]> {
  const out: SamplePhoto[] = [];
  // A few at a time: sharp works on its own threads.
  const batch = 4;
  for (let i = 0; i < options.count; i += batch) {
    const n = Math.min(batch, options.count - i);
    out.push(...(await Promise.all(Array.from({ length: n }, (_, k) => generateSamplePhoto(i + k, options)))));
  }
  return out;
}

/** A few bytes that look like an MP4 (ftyp isom), for a video among the photos. */
export function mp4StandIn(seed: number): Buffer {
  const head = Buffer.from('000000206674797069736f6d0000020069736f6d69736f32617663316d703431', 'hex');
  const tail = Buffer.alloc(2048);
  for (let i = 0; i < tail.length; i++) tail[i] = (i * 31 + seed * 17) & 0xff;
  return Buffer.concat([head, tail]);
}

export interface SeededLibrary {
  album: SimAlbum;
  photos: SimAsset[];
  video: SimAsset | null;
}

/** Fill a simulator with `count` sample photos (and one video unless told not to) in an album. */
export async function seedSampleLibrary(
  sim: ImmichSim,
  options: SampleOptions & { albumName?: string; withVideo?: boolean },
): Promise<SeededLibrary> {
  const samples = await generateSamplePhotos(options);
  const photos = samples.map((s) =>
    sim.addAsset({
      bytes: s.bytes,
      originalFileName: s.originalFileName,
      originalMimeType: s.mimeType,
      fileCreatedAt: s.fileCreatedAt,
      width: s.width,
      height: s.height,
      info: { orientation: s.mimeType === 'image/jpeg' ? s.orientation : null },
      ...(s.renderSource ? { renderSource: s.renderSource } : {}),
    }),
  );
  const video =
    options.withVideo === false
      ? null
      : sim.addAsset({
          bytes: mp4StandIn(options.seed ?? 1),
          originalFileName: 'clip.mp4',
          originalMimeType: 'video/mp4',
          type: 'VIDEO',
        });
  const album = sim.addAlbum({
    albumName: options.albumName ?? 'Frame',
    assetIds: [...photos.map((p) => p.id), ...(video ? [video.id] : [])],
  });
  return { album, photos, video };
}
