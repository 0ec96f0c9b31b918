// Which bytes to fetch for a photo: the original file, unless sharp's prebuilt binaries cannot
// decode its format (HEVC HEIC/HEIF, camera RAW, JPEG XL, ...), in which case the server's
// full-size rendering stands in for it. `fullsize` and `preview` are always the server's.
import type { PhotoSize, Rendition } from './types.js';

/** What sharp's prebuilt libvips decodes: JPEG, PNG, WebP, GIF, AVIF, TIFF, SVG. */
const DECODABLE_MIME = new Set([
  'image/jpeg',
  'image/jpg',
  'image/pjpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/tiff',
  'image/svg+xml',
]);
const DECODABLE_EXT = new Set(['jpg', 'jpeg', 'jpe', 'jfif', 'png', 'webp', 'gif', 'avif', 'tif', 'tiff', 'svg']);

/** Formats Immich accepts that sharp's prebuilt binaries do not: HEIF family (HEVC), RAW from
 * every camera maker Immich lists, JPEG XL, JPEG 2000, PSD, BMP. */
const UNDECODABLE_EXT = new Set([
  'heic',
  'heif',
  'hif',
  'insp',
  '3fr',
  'ari',
  'arw',
  'cap',
  'cin',
  'cr2',
  'cr3',
  'crw',
  'dcr',
  'dng',
  'erf',
  'fff',
  'iiq',
  'k25',
  'kdc',
  'mef',
  'mos',
  'mrw',
  'nef',
  'nrw',
  'orf',
  'ori',
  'pef',
  'raf',
  'raw',
  'rw2',
  'rwl',
  'sr2',
  'srf',
  'srw',
  'x3f',
  'jxl',
  'jp2',
  'j2k',
  'psd',
  'bmp',
]);

function extensionOf(name: string): string {
  const m = /\.([^./\\]+)$/.exec(name);
  return m ? m[1]!.toLowerCase() : '';
}

/** Whether sharp (prebuilt) can decode a file of this type; mime first, then the extension. */
export function sharpCanDecode(mimeType: string | null, originalFileName: string): boolean {
  const mime = mimeType?.toLowerCase().split(';')[0]?.trim() ?? '';
  if (DECODABLE_MIME.has(mime)) return true;
  // Any other image/* type Immich names is one of the undecodable families (heic, x-*-raw, jxl...).
  if (mime.startsWith('image/')) return false;
  const ext = extensionOf(originalFileName);
  if (DECODABLE_EXT.has(ext)) return true;
  if (UNDECODABLE_EXT.has(ext)) return false;
  // Unknown type and extension: try the original; the sync engine checks decodability anyway.
  return true;
}

export function chooseRendition(mimeType: string | null, originalFileName: string, photoSize: PhotoSize): Rendition {
  if (photoSize !== 'original') return photoSize;
  return sharpCanDecode(mimeType, originalFileName) ? 'original' : 'fullsize';
}
