// What the built command carries (dist/, made by `npm run build` before the tests): zod's English
// messages and no other locale. An `import()` of 'zod/mini' hands back its whole namespace, which
// the bundler then keeps whole (40 locales and the JSON Schema writer, 430 KB in one chunk that
// every command of the split build compiled at start); the lazily built schemas import their
// functions by name through src/core/zod-lazy.ts instead.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

async function builtFiles(): Promise<string[]> {
  const top = (await readdir(dist)).filter((f) => /\.c?js$/.test(f)).map((f) => path.join(dist, f));
  const chunks = (await readdir(path.join(dist, 'chunks'))).filter((f) => f.endsWith('.js'));
  return [...top, ...chunks.map((f) => path.join(dist, 'chunks', f))];
}

describe('the built command', () => {
  it('carries zod with its English messages only: no other locale, no JSON Schema writer', async () => {
    const files = await builtFiles();
    expect(files.length).toBeGreaterThan(10);
    let english = 0;
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      // German's "invalid input" and the JSON Schema writer's name: each in the whole namespace.
      expect({ file, german: text.includes('Eingabe') }).toEqual({ file, german: false });
      expect({ file, jsonSchema: text.includes('toJSONSchema') }).toEqual({ file, jsonSchema: false });
      if (text.includes('Too small: expected')) english += 1;
    }
    // The English texts are there (zod-messages.ts), in one chunk of the split build.
    expect(english).toBeGreaterThanOrEqual(1);
  });
});
