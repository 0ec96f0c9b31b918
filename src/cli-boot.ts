// What the installed command (bin/artframe-immich.js) requires first, built as one CommonJS file
// (dist/cli-boot.cjs): the router that says which build answers a command line (cli-route.ts) and
// the code cache the CommonJS entries are compiled through (code-cache.ts). One file, not one
// each: every CommonJS file the bin requires costs a start ~2 ms of CPU (resolving, reading and
// compiling it), 0.05x of `node -e 0`, as much as the router does. The code cache's functions stay
// uncompiled (V8 compiles a function at its first call) for the commands that never use it.
export { hotSlot, startsHot, startsSyncEntry } from './cli-route.js';
export { loadThroughCodeCache } from './code-cache.js';
