// A V8 code cache for the installed command's CommonJS entries (dist/cli-hot.cjs, dist/cli-sync.cjs)
// on Node 20, which has no cache of its own (Node 22.1+'s module.enableCompileCache is used there
// instead, bin/): a hit skips compiling the entry and the functions its command compiled lazily
// the last time, ~0.15x of the start-up CPU of `status` or `next` (npm run bench -- startup).
//
// V8 takes a code cache on trust: its own checksum is checked only in debug builds, and a damaged
// cache crashes or hangs the process (seen: of 52 single-bit flips in a real `status` cache, 11
// crashed it and one hung it; the rest ran, on bytecode no one can vouch for). Of the source it
// checks only the length: a cache made from another entry of the same length was taken (seen in
// test/code-cache.test.ts with the entry check taken out). So each cache file holds the entry it
// was made from and V8's data twice, and is used only when the entry is byte for byte the file on
// disk and the two copies are byte for byte the same: two memcmps, ~0.1 ms. A checksum was tried
// first: in JavaScript it cost 2-14 ms before it warmed up, and as a small WebAssembly loop ~0.5 ms
// but 3-4 MB of peak RSS (V8 compiling the loop again, optimized). A torn write fails the check
// too, so the file is written without an fsync.
//
// Built into the bin's one CommonJS file with the router (cli-boot.ts, dist/cli-boot.cjs).
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Module } from 'node:module';
import path from 'node:path';
import { makeFoldersSync } from './core/folders.js';
import { Script } from 'node:vm';

const MAGIC = 'AFCC0002';
/** The magic, the entry's length and the length of V8's data; then the entry, and the data twice. */
const HEAD = 16;

/** CommonJS's own wrapper, so the entry sees what `require` would give it. */
const wrap = (source: string) => `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;

export interface CachedLoad {
  exports: unknown;
  /** Whether V8 was given a cache that passed the checks, and took it. */
  hit: boolean;
  /** Write the cache (after the command ran, so it holds what it compiled lazily); never throws. */
  save: () => void;
}

/**
 * Run the CommonJS file `file` as `require` would (registered in require.cache), compiled through
 * the cache `dir`/<Node version>-<arch>-<slot>.v8: one slot per command, since each compiles its
 * own functions lazily. `moduleClass` is CommonJS's Module: the bin hands over its own
 * (`module.constructor`), for node:module's facade, which loads the ES module loader's files, costs
 * a start ~1 ms.
 */
export function loadThroughCodeCache(
  file: string,
  dir: string,
  slot: string,
  moduleClass: typeof Module = process.getBuiltinModule('node:module').Module,
): CachedLoad {
  const source = readFileSync(file);
  const prefix = `${process.version}-${process.arch}-`;
  const cacheFile = path.join(dir, `${prefix}${slot}.v8`);
  const cached = readCache(cacheFile, source);
  const script = new Script(wrap(source.toString('utf8')), { filename: file, cachedData: cached });
  const hit = cached !== undefined && !script.cachedDataRejected;

  const require = moduleClass.createRequire(file);
  const module = new moduleClass(file);
  module.filename = file;
  require.cache[file] = module;
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    module.exports,
    module.exports,
    require,
    module,
    file,
    path.dirname(file),
  );
  module.loaded = true;

  const save = () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      // The folder first: where it cannot be made (a home that is not the user's), each start
      // pays a failed mkdir, not the serialising of the cache as well.
      // Not Node's recursive mkdirSync, which loops for ever under /proc (core/folders.ts).
      makeFoldersSync(dir, 0o700);
      const data = script.createCachedData();
      const head = Buffer.alloc(HEAD);
      head.write(MAGIC, 0, 'latin1');
      head.writeUInt32LE(source.length, 8);
      head.writeUInt32LE(data.length, 12);
      writeFileSync(tmp, Buffer.concat([head, source, data, data]), { mode: 0o600 });
      renameSync(tmp, cacheFile);
      // Another Node's caches are of no more use (V8 would refuse them), nor is a temp file left by a
      // process that died saving (one still saving fails its rename, and only goes without a cache).
      for (const f of readdirSync(dir)) {
        if (!(f.startsWith(prefix) && f.endsWith('.v8'))) rmSync(path.join(dir, f), { force: true });
      }
    } catch {
      // A cache that cannot be written (a read-only or full disk) only costs the next start.
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Nothing was written, or nothing can be removed.
      }
    }
  };
  return { exports: module.exports, hit, save };
}

/** V8's data from the cache, if the file is whole and was made from `source`. */
function readCache(cacheFile: string, source: Buffer): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  if (bytes.length < HEAD || bytes.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const sourceLength = bytes.readUInt32LE(8);
  const dataLength = bytes.readUInt32LE(12);
  if (sourceLength !== source.length || bytes.length !== HEAD + sourceLength + 2 * dataLength) return undefined;
  const dataAt = HEAD + sourceLength;
  const data = bytes.subarray(dataAt, dataAt + dataLength);
  const copy = bytes.subarray(dataAt + dataLength);
  return dataLength > 0 && source.equals(bytes.subarray(HEAD, dataAt)) && data.equals(copy) ? data : undefined;
}
