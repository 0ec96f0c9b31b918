// node:fs as the plain module object, for what `status` and `next` load: an ESM import of
// 'node:fs' makes Node build a module facade over every export, and reading fs.ReadStream for it
// loads the whole stream implementation (~4 ms of a start that never streams a file).
// process.getBuiltinModule (Node 20.16+) hands over the same object without the facade.
export const fs = process.getBuiltinModule('node:fs');

/** node:os at the first call, not at import: `status` and `next` ask it nothing on their usual
 * path (a home folder only for a default or `~` path, a user name only for an error), and loading
 * it costs a start +0.05x of `node -e 0` in CPU. */
export function nodeOs(): typeof import('node:os') {
  return process.getBuiltinModule('node:os');
}
