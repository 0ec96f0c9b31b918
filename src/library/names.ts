// Local file names for photos: a server's `originalFileName` made safe for photos/ (one plain
// name, no way out of the folder, bounded in bytes), unique case-insensitively, with an
// extension that matches the bytes actually stored. Pure.
import { lazyCrypto } from '../core/crypto-on-demand.js';

/** Longest name we create, in UTF-8 bytes: below every filesystem's 255 with room to spare. */
export const MAX_NAME_BYTES = 180;
/** Longest extension we keep from a server name (".jpeg", ".dng", ".webp" all fit). */
const MAX_EXT_CHARS = 8;

/** Names a filesystem or a shell treats specially; FAT (SD cards, USB sticks) refuses these. */
const FORBIDDEN = /[<>:"|?*\\/]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
/** The same characters for a test: without the g flag a shared regex keeps no position between
 * calls (isSafeLocalName runs for every photo of every metadata read; a new RegExp each time was
 * a compile a photo). */
const HAS_CONTROL = new RegExp(CONTROL.source);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A name is safe in photos/ when it is one path segment we could have produced ourselves. */
export function isSafeLocalName(name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  if (name.startsWith('.') || name.trim() !== name) return false;
  if (/[\\/]/.test(name) || HAS_CONTROL.test(name)) return false;
  if (name.normalize('NFC') !== name) return false;
  return Buffer.byteLength(name, 'utf8') <= 255;
}

/** A name's stem and extension: built once (a sync splits each photo's name several times). */
const EXTENSION = new RegExp(`^(.*[^.])(\\.[A-Za-z0-9]{1,${MAX_EXT_CHARS}})$`);

export function splitExtension(name: string): { stem: string; ext: string } {
  const m = EXTENSION.exec(name);
  return m ? { stem: m[1]!, ext: m[2]! } : { stem: name, ext: '' };
}

/** Cut a string to at most `max` UTF-8 bytes without splitting a character. */
function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

/** The short form of an asset id used to tell two same-named photos apart. */
export function shortId(id: string, length = 8): string {
  const hex = id.toLowerCase().replace(/[^0-9a-z]/g, '');
  // Ids are UUIDs on every real server; anything else still gets a stable, safe tag.
  const tag = hex.length >= length ? hex : lazyCrypto().createHash('sha256').update(id).digest('hex');
  return tag.slice(0, length);
}

/**
 * The server's name made safe: last path segment only, NFC, no control or FAT-forbidden
 * characters, no leading dots or spaces, at most MAX_NAME_BYTES. Never empty: a name with
 * nothing left becomes `photo-<short id>`.
 */
export function sanitiseFileName(original: string, assetId: string): string {
  let name = original.replace(LONE_SURROGATE, '').normalize('NFC');
  name = name.split(/[\\/]/).pop() ?? '';
  name = name.replace(CONTROL, '').replace(FORBIDDEN, '_');
  name = name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  const split = splitExtension(name);
  const ext = split.ext;
  let stem = split.stem.replace(/[\s.]+$/, '');
  if (stem === '' || /^[._\s-]*$/.test(stem)) stem = `photo-${shortId(assetId)}`;
  stem = truncateBytes(stem, MAX_NAME_BYTES - Buffer.byteLength(ext, 'utf8'));
  return stem + ext;
}

/** File extensions for each image format sharp reports, the canonical one first. */
const FORMAT_EXTENSIONS: Record<string, string[]> = {
  jpeg: ['.jpg', '.jpeg', '.jpe', '.jfif'],
  png: ['.png'],
  webp: ['.webp'],
  gif: ['.gif'],
  tiff: ['.tif', '.tiff'],
  heif: ['.heic', '.heif', '.hif', '.avif'],
  avif: ['.avif'],
  jp2: ['.jp2', '.j2k'],
  jxl: ['.jxl'],
  svg: ['.svg'],
};

/**
 * Make a name's extension match the stored bytes' format: keep the server's extension when it
 * already fits (so `IMG_0001.JPG` stays as it is), else use the format's own (`.jpg` for a
 * HEIC fetched as a JPEG rendering). An unknown format keeps the name.
 */
export function fitExtension(name: string, format: string | undefined): string {
  const known = format ? FORMAT_EXTENSIONS[format] : undefined;
  if (!known) return name;
  const { stem, ext } = splitExtension(name);
  if (known.includes(ext.toLowerCase())) return name;
  return stem + known[0]!;
}

/** The case-insensitive key two names collide on: their stems, since extensions may change. */
export function nameKey(name: string): string {
  return splitExtension(name).stem.normalize('NFC').toLowerCase();
}

/**
 * The names an asset may get, in order of preference: the plain sanitised name, then with
 * `-<8 hex of the id>`, then with the whole id.
 */
export function nameCandidates(asset: { id: string; originalFileName: string }): [string, string, string] {
  const base = sanitiseFileName(asset.originalFileName, asset.id);
  const { stem, ext } = splitExtension(base);
  const extBytes = Buffer.byteLength(ext, 'utf8');
  return [
    base,
    `${truncateBytes(stem, MAX_NAME_BYTES - extBytes - 9)}-${shortId(asset.id)}${ext}`,
    `${truncateBytes(stem, MAX_NAME_BYTES - extBytes - 33)}-${shortId(asset.id, 32)}${ext}`,
  ];
}

/**
 * Give `wanted` (in a deterministic order) names whose stems collide neither with `taken` nor
 * with each other. The first asset keeps the plain name; later ones get `-<short id>`, which
 * stays the same on every sync because the id does.
 */
export function assignUniqueNames(
  wanted: readonly { id: string; originalFileName: string }[],
  taken: Iterable<string>,
): Map<string, string> {
  const used = new Set<string>();
  for (const t of taken) used.add(nameKey(t));
  const out = new Map<string, string>();
  for (const asset of wanted) {
    const candidates = nameCandidates(asset);
    const { stem, ext } = splitExtension(candidates[0]);
    const extBytes = Buffer.byteLength(ext, 'utf8');
    let chosen = candidates.find((c) => !used.has(nameKey(c)));
    for (let n = 2; chosen === undefined; n++) {
      const c = `${truncateBytes(stem, MAX_NAME_BYTES - extBytes - 50)}-${shortId(asset.id, 32)}-${n}${ext}`;
      if (!used.has(nameKey(c))) chosen = c;
    }
    used.add(nameKey(chosen));
    out.set(asset.id, chosen);
  }
  return out;
}
