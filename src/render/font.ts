// The caption font: our own proportional bitmap font, drawn here pixel by pixel for panel
// resolution (caps 7 pixels high, descenders 2), and the accents Latin scripts put on it. Drawn
// for this project, so it is the same on every machine and owes no licence to anyone.

/** Rows of a glyph cell: 2 for accents above the caps, 7 for the caps, 2 for descenders. */
export const ACCENT_ROWS = 2;
export const CAP_ROWS = 7;
export const DESCENT_ROWS = 2;
export const CELL_ROWS = ACCENT_ROWS + CAP_ROWS + DESCENT_ROWS;
/** Blank columns between two glyphs. */
export const LETTER_SPACING = 1;

export interface Glyph {
  width: number;
  /** CELL_ROWS x width, row-major, 1 = ink. */
  bits: Uint8Array;
}

// Each glyph: its rows from the cap line down ('#' ink, '.' none), '|' between rows; rows below
// the last one given are blank. Row 6 is the baseline row; rows 7-8 take descenders.
const GLYPHS: Record<string, string> = {
  ' ': '...',
  '!': '#|#|#|#|#|.|#',
  '"': '#.#|#.#',
  '#': '.#.#.|.#.#.|#####|.#.#.|#####|.#.#.|.#.#.',
  $: '..#..|.####|#.#..|.###.|..#.#|####.|..#..',
  '%': '##..#|##..#|...#.|..#..|.#...|#..##|#..##',
  '&': '.##..|#..#.|#.#..|.#...|#.#.#|#..#.|.##.#',
  "'": '#|#',
  '(': '..#|.#.|#..|#..|#..|.#.|..#',
  ')': '#..|.#.|..#|..#|..#|.#.|#..',
  '*': '.....|..#..|#.#.#|.###.|#.#.#|..#..',
  '+': '.....|..#..|..#..|#####|..#..|..#..',
  ',': '..|..|..|..|..|.#|.#|#.',
  '-': '....|....|....|####',
  '.': '.|.|.|.|.|.|#',
  '/': '....#|....#|...#.|..#..|.#...|#....|#....',
  '0': '.###.|#...#|#..##|#.#.#|##..#|#...#|.###.',
  '1': '..#..|.##..|#.#..|..#..|..#..|..#..|#####',
  '2': '.###.|#...#|....#|...#.|..#..|.#...|#####',
  '3': '.###.|#...#|....#|..##.|....#|#...#|.###.',
  '4': '...#.|..##.|.#.#.|#..#.|#####|...#.|...#.',
  '5': '#####|#....|####.|....#|....#|#...#|.###.',
  '6': '..##.|.#...|#....|####.|#...#|#...#|.###.',
  '7': '#####|....#|...#.|..#..|.#...|.#...|.#...',
  '8': '.###.|#...#|#...#|.###.|#...#|#...#|.###.',
  '9': '.###.|#...#|#...#|.####|....#|...#.|.##..',
  ':': '.|.|#|.|.|.|#',
  ';': '..|..|.#|..|..|..|.#|.#|#.',
  '<': '...#|..#.|.#..|#...|.#..|..#.|...#',
  '=': '.....|.....|#####|.....|#####',
  '>': '#...|.#..|..#.|...#|..#.|.#..|#...',
  '?': '.###.|#...#|....#|...#.|..#..|.....|..#..',
  '@': '.###.|#...#|#.###|#.#.#|#.###|#....|.####',
  A: '.###.|#...#|#...#|#####|#...#|#...#|#...#',
  B: '####.|#...#|#...#|####.|#...#|#...#|####.',
  C: '.###.|#...#|#....|#....|#....|#...#|.###.',
  D: '####.|#...#|#...#|#...#|#...#|#...#|####.',
  E: '#####|#....|#....|####.|#....|#....|#####',
  F: '#####|#....|#....|####.|#....|#....|#....',
  G: '.###.|#...#|#....|#.###|#...#|#...#|.####',
  H: '#...#|#...#|#...#|#####|#...#|#...#|#...#',
  I: '###|.#.|.#.|.#.|.#.|.#.|###',
  J: '..###|...#.|...#.|...#.|...#.|#..#.|.##..',
  K: '#...#|#..#.|#.#..|##...|#.#..|#..#.|#...#',
  L: '#....|#....|#....|#....|#....|#....|#####',
  M: '#...#|##.##|#.#.#|#.#.#|#...#|#...#|#...#',
  N: '#...#|#...#|##..#|#.#.#|#..##|#...#|#...#',
  O: '.###.|#...#|#...#|#...#|#...#|#...#|.###.',
  P: '####.|#...#|#...#|####.|#....|#....|#....',
  Q: '.###.|#...#|#...#|#...#|#.#.#|#..#.|.##.#',
  R: '####.|#...#|#...#|####.|#.#..|#..#.|#...#',
  S: '.####|#....|#....|.###.|....#|....#|####.',
  T: '#####|..#..|..#..|..#..|..#..|..#..|..#..',
  U: '#...#|#...#|#...#|#...#|#...#|#...#|.###.',
  V: '#...#|#...#|#...#|#...#|.#.#.|.#.#.|..#..',
  W: '#...#|#...#|#...#|#.#.#|#.#.#|#.#.#|.#.#.',
  X: '#...#|#...#|.#.#.|..#..|.#.#.|#...#|#...#',
  Y: '#...#|#...#|.#.#.|..#..|..#..|..#..|..#..',
  Z: '#####|....#|...#.|..#..|.#...|#....|#####',
  '[': '###|#..|#..|#..|#..|#..|###',
  '\\': '#....|#....|.#...|..#..|...#.|....#|....#',
  ']': '###|..#|..#|..#|..#|..#|###',
  '^': '..#..|.#.#.|#...#',
  _: '.....|.....|.....|.....|.....|.....|.....|#####',
  '`': '#.|.#',
  a: '.....|.....|.###.|....#|.####|#...#|.####',
  b: '#....|#....|####.|#...#|#...#|#...#|####.',
  c: '....|....|.###|#...|#...|#...|.###',
  d: '....#|....#|.####|#...#|#...#|#...#|.####',
  e: '.....|.....|.###.|#...#|#####|#....|.###.',
  f: '..##|.#..|###.|.#..|.#..|.#..|.#..',
  g: '.....|.....|.####|#...#|#...#|#...#|.####|....#|.###.',
  h: '#....|#....|####.|#...#|#...#|#...#|#...#',
  i: '.#.|...|##.|.#.|.#.|.#.|###',
  j: '..#|...|.##|..#|..#|..#|..#|#.#|.#.',
  k: '#...|#...|#..#|#.#.|##..|#.#.|#..#',
  l: '##.|.#.|.#.|.#.|.#.|.#.|###',
  m: '.....|.....|##.#.|#.#.#|#.#.#|#.#.#|#.#.#',
  n: '.....|.....|####.|#...#|#...#|#...#|#...#',
  o: '.....|.....|.###.|#...#|#...#|#...#|.###.',
  p: '.....|.....|####.|#...#|#...#|#...#|####.|#....|#....',
  q: '.....|.....|.####|#...#|#...#|#...#|.####|....#|....#',
  r: '....|....|#.##|##..|#...|#...|#...',
  s: '.....|.....|.####|#....|.###.|....#|####.',
  t: '.#..|.#..|###.|.#..|.#..|.#..|..##',
  u: '.....|.....|#...#|#...#|#...#|#...#|.####',
  v: '.....|.....|#...#|#...#|.#.#.|.#.#.|..#..',
  w: '.....|.....|#...#|#.#.#|#.#.#|#.#.#|.#.#.',
  x: '.....|.....|#...#|.#.#.|..#..|.#.#.|#...#',
  y: '.....|.....|#...#|#...#|#...#|#...#|.####|....#|.###.',
  z: '.....|.....|#####|...#.|..#..|.#...|#####',
  '{': '..#|.#.|.#.|#..|.#.|.#.|..#',
  '|': '#|#|#|#|#|#|#|#|#',
  '}': '#..|.#.|.#.|..#|.#.|.#.|#..',
  '~': '.....|.....|.#...|#.#.#|...#.',
  '\u00b7': '..|..|..|##|##',
  '\u2026': '.....|.....|.....|.....|.....|.....|#.#.#',
  '\u00df': '.##..|#..#.|#..#.|#.#..|#..#.|#...#|#.##.',
  '\u00e6': '.....|.....|##.#.|..#.#|.####|#.#..|.#.##',
  '\u00c6': '.####|#.#..|#.#..|#####|#.#..|#.#..|#.###',
  '\u00f8': '.....|.....|.###.|#..##|#.#.#|##..#|.###.',
  '\u00d8': '.###.|#..##|#..##|#.#.#|##..#|##..#|.###.',
  '\u0131': '...|...|##.|.#.|.#.|.#.|###',
  // Shown for a character the font does not have: a box, so a gap never passes for a space.
  '\ufffd': '#####|#...#|#...#|#...#|#...#|#...#|#####',
};

/** Combining marks (what NFD splits an accented letter into): two rows, above or below the letter. */
const MARKS: Record<string, { rows: string; below?: true }> = {
  '\u0300': { rows: '#..|.#.' }, // grave
  '\u0301': { rows: '..#|.#.' }, // acute
  '\u0302': { rows: '.#.|#.#' }, // circumflex
  '\u0303': { rows: '.#.#|#.#.' }, // tilde
  '\u0304': { rows: '###|...' }, // macron
  '\u0306': { rows: '#.#|.#.' }, // breve
  '\u0307': { rows: '#|.' }, // dot above
  '\u0308': { rows: '#.#|...' }, // diaeresis
  '\u030a': { rows: '.#.|#.#' }, // ring above
  '\u030b': { rows: '.#.#|#.#.' }, // double acute
  '\u030c': { rows: '#.#|.#.' }, // caron
  '\u0327': { rows: '.#|#.', below: true }, // cedilla
  '\u0328': { rows: '#.|.#', below: true }, // ogonek
};

/** Typographic characters Intl and people write, set with the glyphs we have. */
const SUBSTITUTES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': ',',
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2022': '\u00b7',
  '\u0153': 'oe',
  '\u0152': 'OE',
  '\u0142': 'l',
  '\u0141': 'L',
  '\u0111': 'd',
  '\u0110': 'D',
};

function parseRows(rows: string): string[] {
  return rows.split('|');
}

function toGlyph(rows: string[], width: number): Glyph {
  const bits = new Uint8Array(CELL_ROWS * width);
  rows.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) if (row[c] === '#') bits[(ACCENT_ROWS + r) * width + c] = 1;
  });
  return { width, bits };
}

const PLAIN = new Map<string, Glyph>(
  Object.entries(GLYPHS).map(([ch, rows]) => {
    const r = parseRows(rows);
    return [ch, toGlyph(r, r[0]!.length)];
  }),
);
const FALLBACK = PLAIN.get('\ufffd')!;

/** Whether the glyph has ink in its top two cap rows (a capital or an ascender): accents go higher. */
function isTall(g: Glyph): boolean {
  for (let i = ACCENT_ROWS * g.width; i < (ACCENT_ROWS + 2) * g.width; i++) if (g.bits[i]) return true;
  return false;
}

/** A base glyph with its combining marks drawn on, centred. */
function withMarks(base: Glyph, marks: string[]): Glyph {
  const width = Math.max(base.width, ...marks.map((m) => parseRows(MARKS[m]!.rows)[0]!.length));
  const bits = new Uint8Array(CELL_ROWS * width);
  const shift = (width - base.width) >> 1;
  for (let r = 0; r < CELL_ROWS; r++) {
    for (let c = 0; c < base.width; c++) bits[r * width + c + shift] = base.bits[r * base.width + c]!;
  }
  const tall = isTall(base);
  for (const m of marks) {
    const mark = MARKS[m]!;
    const rows = parseRows(mark.rows);
    // Above a capital: the accent band; above a small letter: its own top two rows (the
    // x-height starts on row 2); below: the descender rows.
    const top = mark.below ? ACCENT_ROWS + CAP_ROWS : tall ? 0 : ACCENT_ROWS;
    const left = (width - rows[0]!.length) >> 1;
    rows.forEach((row, r) => {
      for (let c = 0; c < row.length; c++) if (row[c] === '#') bits[(top + r) * width + left + c] = 1;
    });
  }
  return { width, bits };
}

const cache = new Map<string, Glyph>();
/** Glyphs remembered: every letter and accent a caption uses, never a hostile text's every
 * distinct cluster (a process lives for months). */
const CACHE_MAX = 4096;

/**
 * The glyph of one user-perceived character (a base letter and its combining marks): accented
 * Latin letters are composed from their NFD parts; anything the font cannot draw is a box.
 */
export function glyphFor(cluster: string): Glyph {
  const hit = cache.get(cluster);
  if (hit) return hit;
  let glyph: Glyph;
  const direct = PLAIN.get(cluster);
  if (direct) glyph = direct;
  else {
    const [base = '', ...rest] = [...cluster.normalize('NFD')];
    const marks = rest.filter((m) => MARKS[m]);
    // An i or j under an accent loses its own dot (í is a dotless i with an acute).
    const baseGlyph = PLAIN.get(marks.length && base === 'i' ? '\u0131' : base);
    if (!baseGlyph || marks.length !== rest.length) glyph = FALLBACK;
    else glyph = marks.length ? withMarks(baseGlyph, marks) : baseGlyph;
  }
  if (cache.size < CACHE_MAX && cluster.length <= 8) cache.set(cluster, glyph);
  return glyph;
}

/** Text the font can set: typographic characters replaced, every kind of space made a space. */
export function normaliseText(text: string): string {
  return [...text.replace(/\p{Zs}|\s/gu, ' ')].map((ch) => SUBSTITUTES[ch] ?? ch).join('');
}

// Grapheme segmentation is the same in every locale; one segmenter serves every caption. Made at
// the first text, not at import: the first Intl object of a process loads ICU's data, 20-30 ms
// of CPU on our x86 VM (several times that on a Pi Zero), and a frame without captions (the default)
// sets no text at all. The service and its render child import this file at every start, a battery
// frame's at every wake.
let graphemes: Intl.Segmenter | undefined;
const segmenter = () => (graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' }));

/** The user-perceived characters of a text (a letter and its accents stay one). */
export function clusters(text: string): string[] {
  return [...segmenter().segment(normaliseText(text))].map((s) => s.segment);
}

/** Code units a cluster may take before the text is cut there (a letter with a few accents, an
 * emoji sequence); a cluster of hundreds of combining marks is cut, not measured. */
const CLUSTER_UNITS = 32;

/** The first `limit` clusters of `text` and whether it goes on: the work is bounded by `limit`,
 * whatever the text's length. */
export function leadingClusters(text: string, limit: number): { clusters: string[]; more: boolean } {
  const units = limit * CLUSTER_UNITS;
  const head = text.length > units ? text.slice(0, units) : text;
  const out: string[] = [];
  for (const s of segmenter().segment(normaliseText(head))) {
    if (out.length >= limit) return { clusters: out, more: true };
    out.push(s.segment);
  }
  return { clusters: out, more: head.length < text.length };
}

/** Characters the font draws directly (for tests and docs). */
export const FONT_CHARACTERS: readonly string[] = [...PLAIN.keys()].filter((c) => c !== '\ufffd' && c !== '\u0131');
