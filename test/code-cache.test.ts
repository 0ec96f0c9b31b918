// The CommonJS entries' own code cache on Node 20 (code-cache.ts): used only when whole and made from
// the same file, rewritten when not, and the installed command running past a damaged cache that
// V8 itself would have taken (and crashed on: 11 of 52 single-bit flips in a real `status` cache
// did, one hung it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadThroughCodeCache } from '../src/code-cache.js';
import { seedSampleLibrary } from '../src/immich-sim/sample-photos.js';
import { startImmichSim } from '../src/immich-sim/server.js';
import { type SyncedConfig, syncedConfig } from './support/synced-config.js';

const VERSION_PREFIX = `${process.version}-${process.arch}-`;

describe('loading through the code cache', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'code-cache-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A CommonJS file that uses what the wrapper gives it, with functions that compile lazily. */
  const entrySource = (answer: number) =>
    `const path = require('node:path');\n` +
    `exports.where = () => [path.basename(__filename), path.basename(__dirname), module.exports === exports];\n` +
    `exports.answer = () => ${answer};\n` +
    Array.from({ length: 40 }, (_, i) => `exports.f${i} = (x) => x * ${i} + ${answer};\n`).join('');

  async function setup(name: string, answer = 41) {
    const folder = path.join(dir, name);
    const file = path.join(folder, 'entry.cjs');
    const cache = path.join(folder, 'cache');
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    await writeFile(file, entrySource(answer));
    return { file, cache, cacheFile: path.join(cache, `${VERSION_PREFIX}status.v8`) };
  }

  type Entry = { answer: () => number; where: () => unknown[]; f3: (x: number) => number };
  const load = (file: string, cache: string) => {
    delete createRequire(file).cache[file];
    const loaded = loadThroughCodeCache(file, cache, 'status');
    const entry = loaded.exports as Entry;
    entry.f3(2); // a lazily compiled function, run before the save
    return { ...loaded, entry };
  };

  it('runs the file as require would, misses, saves, then hits', async () => {
    const { file, cache, cacheFile } = await setup('plain');
    const first = load(file, cache);
    expect(first.hit).toBe(false);
    expect(first.entry.answer()).toBe(41);
    expect(first.entry.where()).toEqual(['entry.cjs', 'plain', true]);
    expect(createRequire(file).cache[file]?.exports).toBe(first.entry);
    first.save();
    const saved = await readFile(cacheFile);
    expect(saved.subarray(0, 8).toString('latin1')).toBe('AFCC0002');
    // The entry it was made from, then V8's data twice.
    expect(saved.subarray(16, 16 + saved.readUInt32LE(8)).equals(await readFile(file))).toBe(true);

    const second = load(file, cache);
    expect(second.hit).toBe(true);
    expect(second.entry.answer()).toBe(41);
    expect(second.entry.f3(2)).toBe(47);
  });

  it('never hands V8 a damaged, cut or foreign cache; the save mends it', async () => {
    const { file, cache, cacheFile } = await setup('damaged');
    load(file, cache).save();
    const good = await readFile(cacheFile);
    const sourceEnd = 16 + good.readUInt32LE(8);
    const copyAt = sourceEnd + good.readUInt32LE(12);
    const damaged: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['header only', good.subarray(0, 16)],
      ['cut short', good.subarray(0, good.length - 1)],
      ['one byte more', Buffer.concat([good, Buffer.alloc(1)])],
      ['an older format', Buffer.concat([Buffer.from('AFCC0001'), good.subarray(8)])],
    ];
    const at = {
      'the entry’s length': 8,
      'the data’s length': 12,
      'the entry': 20,
      'the first copy, first byte': sourceEnd,
      'the first copy': sourceEnd + 40,
      'the second copy': copyAt + 40,
      'the last byte': good.length - 1,
    };
    for (const [where, i] of Object.entries(at)) {
      const bytes = Buffer.from(good);
      bytes[i]! ^= 0x10;
      damaged.push([`a bit flipped in ${where}`, bytes]);
    }
    for (const [what, bytes] of damaged) {
      await writeFile(cacheFile, bytes);
      const loaded = load(file, cache);
      expect(loaded.hit, what).toBe(false);
      expect(loaded.entry.answer(), what).toBe(41);
      loaded.save();
      expect(load(file, cache).hit, `${what}, saved again`).toBe(true);
    }
  });

  it('misses when the file changed, even to the same length', async () => {
    const { file, cache } = await setup('changed', 41);
    load(file, cache).save();
    await writeFile(file, entrySource(42));
    const changed = load(file, cache);
    expect(changed.hit).toBe(false);
    expect(changed.entry.answer()).toBe(42);
  });

  it('a cache that cannot be written is no error and leaves nothing behind; old Nodes’ caches go', async () => {
    const { file, cache, cacheFile } = await setup('unwritable');
    await writeFile(cache, 'a file where the folder would be');
    const loaded = load(file, cache);
    expect(() => loaded.save()).not.toThrow();
    expect(await readdir(path.dirname(cache))).toEqual(['cache', 'entry.cjs']);

    await rm(cache);
    await mkdir(cache);
    await writeFile(path.join(cache, 'v18.0.0-x64-status.v8'), 'old');
    await writeFile(path.join(cache, `${VERSION_PREFIX}status.v8.999999.tmp`), 'left by a process that died saving');
    await writeFile(path.join(cache, `${VERSION_PREFIX}next.v8`), 'this Node, another command');
    load(file, cache).save();
    expect((await readdir(cache)).sort()).toEqual([`${VERSION_PREFIX}next.v8`, path.basename(cacheFile)].sort());
  });
});

// The installed command uses this cache only where Node keeps none of its own (Node 20).
const ownCache = !('enableCompileCache' in (await import('node:module')));

describe('the installed command and its code cache', () => {
  let synced: SyncedConfig;
  let home: string;
  beforeAll(async () => {
    const sim = await startImmichSim();
    const { album } = await seedSampleLibrary(sim, { count: 3, seed: 9, withVideo: false });
    synced = await syncedConfig(sim, album.id);
    await sim.close();
    home = await mkdtemp(path.join(os.tmpdir(), 'code-cache-home-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const status = () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ARTFRAME_IMMICH_CONFIG: synced.file };
    delete env.XDG_CACHE_HOME;
    const r = spawnSync(process.execPath, ['bin/artframe-immich.js', 'status', '--json'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return (JSON.parse(r.stdout) as { photos: number }).photos;
  };

  it.runIf(ownCache)('keeps one in the user’s cache folder, and runs past a damaged one, mending it', async () => {
    const cacheFile = path.join(home, '.cache/artframe-immich/code-cache', `${VERSION_PREFIX}status.v8`);
    expect(status()).toBe(3);
    const written = await stat(cacheFile);
    expect(status()).toBe(3);
    // A hit is not written again.
    expect((await stat(cacheFile)).ino).toBe(written.ino);

    // Bits flipped in what V8 would get: handed to V8 unchecked, some of these crash the process.
    const good = await readFile(cacheFile);
    for (let at = 100; at < good.length; at += Math.floor(good.length / 6)) {
      const bytes = Buffer.from(good);
      bytes[at]! ^= 0x10;
      await writeFile(cacheFile, bytes);
      const damaged = await stat(cacheFile);
      expect(status(), `bit flipped at ${at}`).toBe(3);
      expect((await stat(cacheFile)).ino, `rewritten after a flip at ${at}`).not.toBe(damaged.ino);
    }
  });

  it.runIf(ownCache)('keeps one for `sync` that its next start takes, though the command sets V8 flags', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ARTFRAME_IMMICH_CONFIG: synced.file };
    delete env.XDG_CACHE_HOME;
    const sync = () => {
      // Synced a moment ago: not due, answered from the library.
      const r = spawnSync(process.execPath, ['bin/artframe-immich.js', 'sync'], { env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^no sync due/);
    };
    const cacheFile = path.join(home, '.cache/artframe-immich/code-cache', `${VERSION_PREFIX}sync.v8`);
    sync();
    const written = await stat(cacheFile);
    // Taken, so not written again: a cache made after the command set its flags, under flags the
    // next start had not set yet, was refused and rewritten at every run.
    sync();
    sync();
    expect((await stat(cacheFile)).ino).toBe(written.ino);
    expect((await stat(cacheFile)).mtimeMs).toBe(written.mtimeMs);
  });

  it.runIf(ownCache && existsSync('/proc/self'))(
    'ends as usual where its cache folder cannot be made and the answer is ENOENT (procfs)',
    () => {
      // Node 20's recursive mkdirSync retries such a folder for ever: the command spun at exit.
      // In a child with a deadline, so a regression fails here instead of hanging the run.
      for (const args of [['status', '--json'], ['sync']]) {
        const r = spawnSync(process.execPath, ['bin/artframe-immich.js', ...args], {
          env: { ...process.env, XDG_CACHE_HOME: '/proc/artframe-immich-test', ARTFRAME_IMMICH_CONFIG: synced.file },
          encoding: 'utf8',
          timeout: 30_000,
          killSignal: 'SIGKILL',
        });
        expect({ args, status: r.status, signal: r.signal }).toEqual({ args, status: 0, signal: null });
      }
      expect(existsSync('/proc/artframe-immich-test')).toBe(false);
    },
  );

  it.skipIf(ownCache)('leaves the cache to Node, which keeps its own', async () => {
    expect(status()).toBe(3);
    expect(await readdir(path.join(home, '.cache/artframe-immich'))).toEqual(['compile-cache']);
  });
});
