// The first Intl object a process makes loads ICU's data (~25 ms of CPU on our x86 VM, several
// times that on a Pi Zero). The service and its render child load the text setter
// (src/render/font.ts) at every start, a battery frame's at every wake, and a frame without
// captions (the default) sets no text: so the modules make no Intl object until a text is set.
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clusters } from '../../src/render/font.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

/** Every Intl constructor, reporting each object made on stderr. */
const REPORT_INTL = [
  "for (const name of ['Segmenter', 'DateTimeFormat', 'ListFormat', 'RelativeTimeFormat', 'NumberFormat', 'Collator', 'PluralRules']) {",
  '  const real = Intl[name];',
  "  Intl[name] = new Proxy(real, { construct(t, a) { process._rawDebug('INTL ' + name); return Reflect.construct(t, a); } });",
  '}',
  '',
].join('\n');

async function intlMadeBy(code: string): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'intl-'));
  const preload = path.join(dir, 'report.cjs');
  await writeFile(preload, REPORT_INTL);
  const r = spawnSync(process.execPath, ['--require', preload, '--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr.split('\n').filter((l) => l.startsWith('INTL '));
}

describe('Intl on demand', () => {
  it('the render child starts without making an Intl object; the first text makes the segmenter', async () => {
    const child = pathToFileURL(path.join(dist, 'render', 'render-child.js')).href;
    expect(await intlMadeBy(`await import(${JSON.stringify(child)});`)).toEqual([]);
    // The report works: the same start, then a segmenter made by hand, is seen.
    expect(await intlMadeBy(`await import(${JSON.stringify(child)}); new Intl.Segmenter('en');`)).toEqual([
      'INTL Segmenter',
    ]);
  });

  it('the text setter still splits into user-perceived characters, one segmenter for all', () => {
    expect(clusters('e\u0301te\u0301 👩‍👩‍👧')).toEqual(['e\u0301', 't', 'e\u0301', ' ', '👩‍👩‍👧']);
    expect(clusters('ab')).toEqual(['a', 'b']);
  });
});
