// `npm run bench`: runs every test/bench/*.bench.ts (compiled to build/test/bench/*.bench.js by tsconfig.bench.json; nothing of it ships), or
// only those whose name contains an argument (`npm run bench -- wake`); an argument that is a
// bench's whole name runs that one alone (`sync`, not `sync-hostile` too). Each bench module exports
// `run(): Promise<void>` and prints its own figures (ratios against a baseline measured in the
// same run, and peak RSS).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const all = (await readdir(here)).filter((f) => f.endsWith('.bench.js'));
const names = new Set(all.map((f) => f.replace(/\.bench\.js$/, '')));
const files = all
  .filter((f) => {
    const name = f.replace(/\.bench\.js$/, '');
    return filters.length === 0 || filters.some((x) => (names.has(x) ? name === x : name.includes(x)));
  })
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(' ') || '(any)'}`);
  process.exitCode = 1;
}
for (const f of files) {
  console.log(`\n## ${f.replace(/\.bench\.js$/, '')}`);
  const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { run: () => Promise<void> };
  await mod.run();
}
