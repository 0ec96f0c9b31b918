#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
// The first SIGINT/SIGTERM asks the command to stop cleanly; a second one exits at once.
//
// CommonJS (bin/package.json), like the entry it loads for them, dist/cli-hot.cjs: `status` and
// `next` start without Node's ES module loader, which costs a command ~6 ms to set up and more
// for each file it links (npm run bench -- startup). Every other command is the split ES module
// build (dist/cli.js), imported from here without compiling the hot entry.
'use strict';
const nodeModule = require('node:module');

// Node 22.1+ keeps the compiled code on disk between runs (a command starts faster on a Pi); Node
// 20 has no such cache and goes on without it. The cache is the user's own folder, never Node's
// default in the shared /tmp, where another account could leave entries for us to run; no such
// folder (a service user without a home) means no cache. A failure to use it is not fatal.
//
// Not done on Node 20 (measured): our own V8 code cache of the entry through node:vm saves ~5 ms
// of compiling, but V8 takes a damaged cache on trust and aborts the process (checksums are a
// debug build's check; setting the flag needs node:v8, ~3 ms, and a JS checksum costs ~2 ms), and
// a card that rots one byte would stop the command until the cache is removed.
const cacheHome = [process.env.XDG_CACHE_HOME, process.env.HOME && `${process.env.HOME}/.cache`].find((d) =>
  d?.startsWith('/'),
);
if (nodeModule.enableCompileCache && cacheHome)
  nodeModule.enableCompileCache(`${cacheHome}/artframe-immich/compile-cache`);

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`received ${sig}`));
  });
}

// The whole command line is imported from here, not from the CommonJS entry, where `import()`
// of an ES module cannot stay. Which of the two answers: src/cli-route.ts.
const argv = process.argv.slice(2);
const io = { signal: controller.signal };
const loadWhole = () => import('../dist/cli.js');
const done = require('../dist/cli-route.cjs').startsHot(argv)
  ? require('../dist/cli-hot.cjs').main(argv, io, loadWhole)
  : loadWhole().then((whole) => whole.main(argv, io));
done.then((code) => {
  process.exitCode = code;
});
