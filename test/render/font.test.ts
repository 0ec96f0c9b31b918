import { describe, expect, it } from 'vitest';
import { ACCENT_ROWS, CAP_ROWS, CELL_ROWS, FONT_CHARACTERS, glyphFor } from '../../src/render/font.js';
import type { Glyph } from '../../src/render/font.js';
import { rasterText, textWidth, wrapText } from '../../src/render/text.js';

const key = (g: Glyph) => `${g.width}:${g.bits.join('')}`;
const rowsWithInk = (g: Glyph) =>
  [...Array(CELL_ROWS).keys()].filter((r) => g.bits.subarray(r * g.width, (r + 1) * g.width).some((b) => b));

/** Bounding box of a mask's ink. */
function inkBox(m: { width: number; height: number; data: Uint8Array }) {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (!m.data[y * m.width + x]) continue;
      x1 = Math.min(x1, x);
      y1 = Math.min(y1, y);
      x2 = Math.max(x2, x);
      y2 = Math.max(y2, y);
    }
  }
  return { x1, y1, x2, y2 };
}

describe('the caption font', () => {
  it('no two characters look alike: every glyph is distinct', () => {
    const seen = new Map<string, string>();
    for (const ch of FONT_CHARACTERS) {
      const k = key(glyphFor(ch));
      expect(seen.get(k), `${ch} looks like ${seen.get(k)}`).toBeUndefined();
      seen.set(k, ch);
    }
    expect(FONT_CHARACTERS.length).toBeGreaterThanOrEqual(95 + 5);
  });

  it('letters and digits sit on the baseline; only g j p q y and , ; go below it', () => {
    for (const ch of FONT_CHARACTERS) {
      const rows = rowsWithInk(glyphFor(ch));
      if (ch === ' ') {
        expect(rows).toEqual([]);
        continue;
      }
      expect(rows.length, ch).toBeGreaterThan(0);
      expect(rows[0], ch).toBeGreaterThanOrEqual(ACCENT_ROWS);
      const descends = rows.at(-1)! >= ACCENT_ROWS + CAP_ROWS;
      expect(descends, ch).toBe('gjpqy,;_|'.includes(ch));
    }
  });

  it('accented letters are the base letter with the mark drawn on: above a capital in the accent rows', () => {
    const e = glyphFor('e');
    const eAcute = glyphFor('\u00e9');
    expect(eAcute.width).toBe(e.width);
    // Below the mark (a small letter's top two rows), the same letter; the mark where e has none.
    const below = (ACCENT_ROWS + 2) * e.width;
    expect(eAcute.bits.subarray(below)).toEqual(e.bits.subarray(below));
    expect(rowsWithInk(e)[0]).toBe(ACCENT_ROWS + 2);
    expect(rowsWithInk(eAcute)[0]).toBe(ACCENT_ROWS);
    expect(rowsWithInk(glyphFor('\u00c9'))[0]).toBe(0);
    expect(rowsWithInk(glyphFor('E'))[0]).toBe(ACCENT_ROWS);
    // A cedilla hangs below the baseline.
    expect(rowsWithInk(glyphFor('\u00e7')).at(-1)).toBeGreaterThanOrEqual(ACCENT_ROWS + CAP_ROWS);
    // The same letter composed or decomposed.
    expect(key(glyphFor('u\u0308'))).toBe(key(glyphFor('\u00fc')));
    // i loses its dot under an accent.
    expect(key(glyphFor('\u00ed'))).not.toBe(key(glyphFor('i')));
    expect(new Set(['\u00e9', '\u00e8', '\u00ea', '\u00eb', 'e'].map((c) => key(glyphFor(c)))).size).toBe(5);
  });

  it('a character the font lacks is a box, never a blank', () => {
    const box = glyphFor('\ufffd');
    expect(key(glyphFor('\u5b57'))).toBe(key(box));
    expect(key(glyphFor('\u{1f600}'))).toBe(key(box));
    expect(box.bits.some((b) => b)).toBe(true);
  });

  it('known text: "IT" at scale 2 is 18 x 14 pixels of ink, the caps 7 font rows high', () => {
    expect(textWidth('IT')).toBe(3 + 1 + 5);
    const m = rasterText(['IT'], 2);
    expect([m.width, m.height]).toEqual([18, CELL_ROWS * 2]);
    expect(inkBox(m)).toEqual({ x1: 0, y1: ACCENT_ROWS * 2, x2: 17, y2: (ACCENT_ROWS + CAP_ROWS) * 2 - 1 });
    // Each font pixel is a solid 2x2 square: the top bar of the I, rows 4 and 5, columns 0..5.
    for (const y of [4, 5]) expect([...m.data.subarray(y * 18, y * 18 + 8)]).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('typographic spaces and dashes from Intl are set with the glyphs we have', () => {
    expect(textWidth('a\u202fb')).toBe(textWidth('a b'));
    expect(textWidth('1\u20132')).toBe(textWidth('1-2'));
  });
});

describe('wrapping', () => {
  const width = (s: string) => textWidth(s);

  it('breaks at spaces, every line within the width', () => {
    const lines = wrapText('the quick brown fox jumps over the lazy dog', width('the quick brown'), 5);
    expect(lines).toEqual(['the quick brown', 'fox jumps over', 'the lazy dog']);
  });

  it('what does not fit in the lines allowed ends in an ellipsis', () => {
    const max = width('the quick brown');
    const lines = wrapText('the quick brown fox jumps over the lazy dog', max, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.endsWith('\u2026')).toBe(true);
    for (const l of lines) expect(width(l)).toBeLessThanOrEqual(max);
  });

  it('a word longer than a line is cut with an ellipsis', () => {
    const lines = wrapText('Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch', 60, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\u2026')).toBe(true);
    expect(width(lines[0]!)).toBeLessThanOrEqual(60);
  });
});
