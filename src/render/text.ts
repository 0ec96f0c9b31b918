// Setting text in the caption font: measuring, wrapping to a width, and rasterising lines into a
// one-bit mask at a whole-number scale (each font pixel a square of scale x scale panel pixels).
import { CELL_ROWS, LETTER_SPACING, clusters, glyphFor } from './font.js';

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

/** The longest start of `text` that, with an ellipsis, fits `max` font pixels. */
function ellipsize(text: string, max: number): string {
  if (textWidth(text) <= max) return text;
  const cs = clusters(text);
  for (let n = cs.length - 1; n > 0; n--) {
    const candidate = cs.slice(0, n).join('').trimEnd() + '\u2026';
    if (textWidth(candidate) <= max) return candidate;
  }
  return '\u2026';
}

/**
 * `text` broken at spaces into lines of at most `max` font pixels, at most `maxLines` of them; a
 * word longer than a line is cut, and what does not fit ends in an ellipsis.
 */
export function wrapText(text: string, max: number, maxLines: number): string[] {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  let i = 0;
  for (; i < words.length; i++) {
    const next = line ? `${line} ${words[i]}` : words[i]!;
    if (!line || textWidth(next) <= max) {
      line = next;
      continue;
    }
    // The last line allowed is full: the words from i on do not fit.
    if (lines.length === maxLines - 1) break;
    lines.push(ellipsize(line, max));
    line = words[i]!;
  }
  if (i < words.length) line = ellipsize(`${line} ${words.slice(i).join(' ')}`, max);
  if (line && maxLines > 0) lines.push(ellipsize(line, max));
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
