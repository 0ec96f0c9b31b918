// The installed command's own commands, `status` and `next`, in one module: cli-hot.ts loads this
// one file for either (what they share would otherwise be cut into a dozen chunks, each a file to
// resolve, read, compile and link at every start, ~0.6 ms apiece).
export { nextCommand } from './next.js';
export { statusCommand } from './status.js';
