// The service's own process never renders a photo (its render child does, src/render/isolated.ts),
// so it starts without sharp: loading sharp and libvips cost the `run` command ~0.36x of its start's
// CPU and ~13 MB of RSS on our VM, at every start, a battery frame's at every wake. A notice and the
// demo's in-process render load it when they need it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

/** Whether importing the built module `file` (then running `then`) leaves sharp loaded. */
function loadsSharp(file: string, then = ''): boolean {
  const code =
    `await import(${JSON.stringify(pathToFileURL(file).href)}); ${then}\n` +
    "const { createRequire } = await import('node:module');\n" +
    'const cache = createRequire(import.meta.url).cache;\n' +
    "console.log(Object.keys(cache).some((k) => k.includes('/sharp/lib/')) ? 'sharp' : 'none');";
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim() === 'sharp';
}

describe('the service starts without sharp', () => {
  it('the run command and the service it holds load no sharp; the render child does', () => {
    const run = readdirSync(path.join(dist, 'chunks')).filter((f) => /^run-[A-Z0-9]+\.js$/.test(f));
    expect(run).toHaveLength(1);
    expect(loadsSharp(path.join(dist, 'chunks', run[0]!))).toBe(false);
    // The check sees sharp where it is loaded.
    expect(loadsSharp(path.join(dist, 'render', 'render-child.js'))).toBe(true);
  });
});
