#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
// The first SIGINT/SIGTERM asks the command to stop cleanly; a second one exits at once.
//
// CommonJS (bin/package.json), like the entries it loads for them, dist/cli-hot.cjs and
// dist/cli-sync.cjs: `status`, `next` and `sync` start without Node's ES module loader, which
// costs a command ~6 ms to set up and more for each file it links (npm run bench -- startup).
// Every other command is the split ES module build (dist/cli.js), imported from here without
// compiling either entry.
'use strict';

// Compiled code is kept on disk between runs, so a command starts faster (on a Pi most of all), in
// the user's own cache folder, never in the shared /tmp, where another account could leave entries
// for us to run; no such folder (a service user without a home) means no cache, and a cache that
// cannot be used or written is no error. Node 22.1+ keeps it itself, for every file; on Node 20
// the hot entry is compiled through a cache of our own (src/code-cache.ts, checked before V8 sees
// it, since V8 aborts on a damaged one), and so is the sync entry; the rest of the command line
// is compiled afresh there.
// A home that is not there is not made (root's, say, in a bare container).
const { HOME, XDG_CACHE_HOME } = process.env;
const cacheHome = [
  XDG_CACHE_HOME,
  HOME?.startsWith('/') && require('node:fs').existsSync(HOME) && `${HOME}/.cache`,
].find((d) => typeof d === 'string' && d.startsWith('/'));
// node:module is asked only where it has the cache: on Node 20 its facade (which loads the ES
// module loader's files) would cost every start ~1 ms for nothing.
const [major, minor] = process.versions.node.split('.').map(Number);
const nodeCache = major > 22 || (major === 22 && minor >= 1);
if (nodeCache && cacheHome) require('node:module').enableCompileCache(`${cacheHome}/artframe-immich/compile-cache`);

// The command's signal is made when the command first asks for it (a sync, the service, a
// render): `status` and `next` never do, and an AbortController costs a start ~0.03x of `node -e 0`.
let controller = null;
const stopper = () => (controller ??= new AbortController());
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    stopper().abort(new Error(`received ${sig}`));
  });
}

// The whole command line is imported from here, not from the CommonJS entry, where `import()`
// of an ES module cannot stay. Which of the two answers: src/cli-route.ts, in the one file the bin
// requires of its own (dist/cli-boot.cjs, with the code cache).
const argv = process.argv.slice(2);
const io = {
  get signal() {
    return stopper().signal;
  },
};
const loadWhole = () => import('../dist/cli.js');
const route = require('../dist/cli-boot.cjs');
const done = route.startsHot(argv)
  ? loadEntry('cli-hot.cjs', route.hotSlot(argv)).main(argv, io, loadWhole)
  : route.startsSyncEntry(argv)
    ? loadEntry('cli-sync.cjs', 'sync').main(argv, io, loadWhole)
    : loadWhole().then((whole) => whole.main(argv, io));
done.then((code) => {
  process.exitCode = code;
});

/** One of the CommonJS entries in dist/, through its code cache `slot` on Node 20. */
function loadEntry(file, slot) {
  const entry = require('node:path').join(__dirname, '..', 'dist', file);
  if (nodeCache || !cacheHome) return require(entry);
  const dir = `${cacheHome}/artframe-immich/code-cache`;
  const loaded = route.loadThroughCodeCache(entry, dir, slot, module.constructor);
  if (!loaded.hit) process.once('exit', loaded.save);
  return loaded.exports;
}
