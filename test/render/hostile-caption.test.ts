// Captions from hostile text (issue 21, point 3): a description of thousands of characters,
// zero-width spaces, a word repeated 20,000 times, a 100,000-character name, 5,000 people, a
// 10,000-character place or zone. Each is rendered through the real renderFrame (sharp, the
// font, the dither) and is cut to what the box shows; a cut text ends in an ellipsis and gives
// the same lines as its first few thousand characters would.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { renderFrame } from '../../src/render/frame.js';
import type { FramePhoto } from '../../src/render/frame-input.js';
import { textWidth, wrapText } from '../../src/render/text.js';

const panel = findPanel('waveshare-7in3e');
const options = {
  caption: ['description', 'people', 'date', 'place'] as const,
  locale: 'en-GB',
  timeZone: 'UTC',
  now: new Date('2026-12-02T12:00:00Z'),
};

let source: Buffer;
beforeAll(async () => {
  source = await sharp({ create: { width: 800, height: 480, channels: 3, background: { r: 150, g: 150, b: 150 } } })
    .png()
    .toBuffer();
});

const words = (n: number, word = 'lorem') => Array.from({ length: n }, () => word).join(' ');

const hostile: [string, Partial<FramePhoto>][] = [
  ['a 3,000-character description', { description: words(500, 'ipsum') }],
  ['a 10,000-character description', { description: words(1700, 'dolor') }],
  ['20,000 zero-width spaces', { description: '\u200b'.repeat(20_000) }],
  ['a word repeated 20,000 times', { description: words(20_000) }],
  ['a 100,000-character person name', { people: ['A'.repeat(100_000)] }],
  ['5,000 people', { people: Array.from({ length: 5_000 }, (_, i) => `Person ${i}`) }],
  ['a 10,000-character place', { city: 'P'.repeat(10_000), country: 'Q'.repeat(10_000) }],
  ['a 10,000-character time zone', { takenAt: '2019-04-01T10:00:00Z', timeZone: 'Z'.repeat(10_000) }],
  ['10,000 combining marks on one letter', { description: 'e' + '\u0301'.repeat(10_000) + ' end' }],
];

describe('captions from hostile text are cut to what fits the box', () => {
  it.each(hostile)('%s: the frame renders, each caption line fits, a cut text ends in an ellipsis', async (_, text) => {
    const frame = await renderFrame({ photos: [{ source, ...text }], panel, options });
    const c = frame.layout.captions[0]!;
    expect(c).toBeDefined();
    expect(c.lines.length).toBeLessThanOrEqual(5);
    const box = c.rect.width - 2 * c.padding;
    for (const line of c.lines) expect(textWidth(line) * c.scale).toBeLessThanOrEqual(box);
    const long = Object.values(text).some((v) => (Array.isArray(v) ? v.length > 100 : String(v).length > 1000));
    if (long && !('timeZone' in text)) expect(c.lines.some((l) => l.endsWith('\u2026'))).toBe(true);
  });

  it('a text of megabytes wraps exactly as its first ten thousand characters do', () => {
    const huge = words(2_000_000);
    expect(wrapText(huge, 300, 2)).toEqual(wrapText(huge.slice(0, 10_000), 300, 2));
    const lines = wrapText(huge, 300, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.endsWith('\u2026')).toBe(true);
  });

  it('a text that fits is shown whole, with no ellipsis', () => {
    expect(wrapText('a short caption', 300, 2)).toEqual(['a short caption']);
  });
});
