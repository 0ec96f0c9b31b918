#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
// The first SIGINT/SIGTERM asks the command to stop cleanly; a second one exits at once.
import module from 'node:module';

// Node 22.1+ keeps the compiled bundle on disk between runs (a command starts faster on a Pi);
// Node 20 has no such cache and goes on without it.
module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`received ${sig}`));
  });
}

// A reader that goes away (`artframe-immich panels | head -1`) is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
