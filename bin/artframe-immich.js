#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
// The first SIGINT/SIGTERM asks the command to stop cleanly; a second one exits at once.
import module from 'node:module';

// Node 22.1+ keeps the compiled bundle on disk between runs (a command starts faster on a Pi);
// Node 20 has no such cache and goes on without it. The cache is the user's own folder, never
// Node's default in the shared /tmp, where another account could leave entries for us to run; no
// such folder (a service user without a home) means no cache. A failure to use it is not fatal.
const cacheHome = [process.env.XDG_CACHE_HOME, process.env.HOME && `${process.env.HOME}/.cache`].find((d) =>
  d?.startsWith('/'),
);
if (module.enableCompileCache && cacheHome) module.enableCompileCache(`${cacheHome}/artframe-immich/compile-cache`);
const { main } = await import('../dist/cli-hot.js');

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`received ${sig}`));
  });
}

process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
