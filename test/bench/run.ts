// `npm run bench`: runs every test/bench/*.bench.ts (compiled to build/test/bench/*.bench.js by tsconfig.bench.json; nothing of it ships), or
// only those whose name contains an argument: `npm run bench -- sync`. Each bench module exports
// `run(): Promise<void>` and prints its own figures (ratios against a baseline measured in the
// same run, and peak RSS).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
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
