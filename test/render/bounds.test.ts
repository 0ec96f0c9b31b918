// A render's inputs are limited (issue 12, point 10): an SVG that declares a huge canvas, or one
// whose text is too long, is refused with a RenderError before librsvg draws it; a normal SVG
// still renders. Real sharp, real files.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../src/core/errors.js';
import { MAX_SVG_BYTES, preparePhoto } from '../../src/render/pipeline.js';

const PANEL = { width: 80, height: 48 };

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-bounds-'));
  const f = path.join(dir, name);
  await writeFile(f, text);
  return f;
}

const svg = (w: number, h: number, body = '') =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#c04020"/>${body}</svg>`;

describe('render input limits', () => {
  it('an SVG declaring 2.5 gigapixels is refused, not drawn', async () => {
    const f = await file('huge.svg', svg(50_000, 50_000));
    const err = await preparePhoto(f, PANEL).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenderError);
    expect((err as Error).message).toMatch(/^cannot render .*huge\.svg: .*pixel limit/i);
  });

  it('an SVG longer than the limit is refused before sharp opens it', async () => {
    const shapes = '<circle cx="10" cy="10" r="5" fill="#208040"/>'.repeat(MAX_SVG_BYTES / 40);
    const f = await file('long.svg', `<?xml version="1.0"?>\n${svg(200, 120, shapes)}`);
    await expect(preparePhoto(f, PANEL)).rejects.toThrow(/an SVG of \d+ bytes, more than the 1048576 this frame draws/);
  });

  it('a small SVG still renders', async () => {
    const f = await file('ok.svg', svg(200, 120));
    const img = await preparePhoto(f, PANEL);
    expect([img.width, img.height]).toEqual([80, 48]);
    // The red fill came through.
    expect(img.data[0]).toBeGreaterThan(150);
  });
});
