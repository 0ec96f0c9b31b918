// Setting text in the caption font: measuring, wrapping to a width, and rasterising lines into a
// one-bit mask at a whole-number scale (each font pixel a square of scale x scale panel pixels).
import { CELL_ROWS, LETTER_SPACING, clusters, glyphFor, leadingClusters } from './font.js';

/** One bit a pixel: 1 where the text has ink. */
export interface TextMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Blank font rows between lines. */
const LINE_GAP = 1;

/** Width of a text in font pixels (scale 1). */
export function textWidth(text: string): number {
  const cs = clusters(text);
  if (cs.length === 0) return 0;
  return cs.reduce((sum, c) => sum + glyphFor(c).width, 0) + LETTER_SPACING * (cs.length - 1);
}

/** Height of `lines` lines in font pixels. */
export function linesHeight(lines: number): number {
  return lines <= 0 ? 0 : lines * CELL_ROWS + (lines - 1) * LINE_GAP;
}

const ELLIPSIS = '\u2026';

/** Font pixels of a run of clusters. */
function runWidth(cs: readonly string[]): number {
  let w = 0;
  for (const c of cs) w += glyphFor(c).width;
  return cs.length === 0 ? 0 : w + LETTER_SPACING * (cs.length - 1);
}

/**
 * The longest start of `cs` that, with an ellipsis, fits `max` font pixels (the whole of it when
 * it fits and `more` is false). A binary search over the start's width: a start only grows.
 */
function ellipsize(cs: readonly string[], max: number, more = false): string {
  if (!more && runWidth(cs) <= max) return cs.join('');
  // prefix[n]: width of the first n clusters without the spacing after the last.
  const prefix = new Array<number>(cs.length + 1);
  prefix[0] = 0;
  for (let n = 1; n <= cs.length; n++) prefix[n] = prefix[n - 1]! + glyphFor(cs[n - 1]!).width;
  const tail = glyphFor(ELLIPSIS).width;
  // The width of the first n clusters, trailing spaces dropped, with the ellipsis after them.
  const withEllipsis = (n: number) => {
    let m = n;
    while (m > 0 && cs[m - 1] === ' ') m--;
    return m === 0 ? tail : prefix[m]! + LETTER_SPACING * m + tail;
  };
  let lo = 0;
  let hi = more ? cs.length : cs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (withEllipsis(mid) <= max) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0) return ELLIPSIS;
  let m = lo;
  while (m > 0 && cs[m - 1] === ' ') m--;
  return cs.slice(0, m).join('') + ELLIPSIS;
}

/**
 * `text` broken at spaces into lines of at most `max` font pixels, at most `maxLines` of them; a
 * word longer than a line is cut, and what does not fit ends in an ellipsis. Only as much of the
 * text as could fit is read (every cluster takes at least a pixel of spacing), so a description
 * of megabytes costs what a full box costs.
 */
export function wrapText(text: string, max: number, maxLines: number): string[] {
  if (maxLines <= 0 || max <= 0) return [];
  const perLine = max + 1;
  const { clusters: cs, more } = leadingClusters(text, maxLines * (perLine + 1) + 1);
  const words: string[][] = [];
  let word: string[] = [];
  for (const c of cs) {
    if (c !== ' ') word.push(c);
    else if (word.length > 0) {
      words.push(word);
      word = [];
    }
  }
  if (word.length > 0) words.push(word);
  const gap = LETTER_SPACING + glyphFor(' ').width + LETTER_SPACING;
  const lines: string[] = [];
  let line: string[] = [];
  let lineWidth = 0;
  let i = 0;
  for (; i < words.length; i++) {
    const w = runWidth(words[i]!);
    if (line.length === 0) {
      line = [...words[i]!];
      lineWidth = w;
      continue;
    }
    if (lineWidth + gap + w <= max) {
      line.push(' ', ...words[i]!);
      lineWidth += gap + w;
      continue;
    }
    // The last line allowed is full: the words from i on do not fit.
    if (lines.length === maxLines - 1) break;
    lines.push(ellipsize(line, max));
    line = [...words[i]!];
    lineWidth = w;
  }
  if (i < words.length) {
    const rest = words.slice(i).flatMap((w) => [' ', ...w]);
    lines.push(ellipsize([...line, ...rest], max, more));
  } else if (line.length > 0) lines.push(ellipsize(line, max, more));
  return lines;
}

/** Lines of text, left-aligned, as a mask `scale` times the font's size. */
export function rasterText(lines: readonly string[], scale: number): TextMask {
  const width = Math.max(0, ...lines.map(textWidth)) * scale;
  const height = linesHeight(lines.length) * scale;
  const data = new Uint8Array(width * height);
  lines.forEach((line, li) => {
    let x = 0;
    const top = li * (CELL_ROWS + LINE_GAP);
    for (const cluster of clusters(line)) {
      const g = glyphFor(cluster);
      for (let r = 0; r < CELL_ROWS; r++) {
        for (let c = 0; c < g.width; c++) {
          if (!g.bits[r * g.width + c]) continue;
          for (let dy = 0; dy < scale; dy++) {
            const row = ((top + r) * scale + dy) * width;
            data.fill(1, row + (x + c) * scale, row + (x + c + 1) * scale);
          }
        }
      }
      x += g.width + LETTER_SPACING;
    }
  });
  return { width, height, data };
}
