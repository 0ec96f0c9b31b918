// A command that lives a second or two keeps undici's HTTP parser (llhttp, WebAssembly) on V8's
// baseline compiler: tiering its hot parse function up to TurboFan costs more CPU than the
// optimised code saves before such a process ends. The long-lived service does not call this.
import v8 from 'node:v8';
import { LIFTOFF_ONLY } from '../core/v8-flags.js';

let applied = false;

/**
 * Process-wide and one-way (V8 has no flag to undo it), so only a process that exits after one
 * job (the `sync` and `test` commands) asks for it, before its first request compiles the parser.
 * Measured on the sync bench's 1,000-photo album: about 250 ms less CPU in V8's compiler threads
 * a sync (perf: WasmCompilationUnit::ExecuteCompilation), no slower parsing.
 */
export function keepWasmOnBaselineCompiler(): void {
  if (applied) return;
  applied = true;
  v8.setFlagsFromString(LIFTOFF_ONLY);
}
