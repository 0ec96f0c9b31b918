// V8 flags a command sets on itself. No imports: the installed command's router (cli-route.ts)
// carries this too, and the bin sets the sync entry's flags before it compiles the entry.

/** WebAssembly on V8's baseline compiler only (immich/baseline-wasm.ts says why). */
export const LIFTOFF_ONLY = '--liftoff-only';
