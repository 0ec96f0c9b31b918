// The file calls over node:fs's callbacks (src/core/fs-async.ts) on real files: an exclusive
// create with its mode, chunks written in order, reads, fsyncs, a second close that never closes a
// descriptor the process has since given to another file, and node:fs's own errors (code, path).
import * as viaPromises from 'node:fs/promises';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fsAsync from '../../src/core/fs-async.js';
import { FdFile, rename } from '../../src/core/fs-async.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'fs-async-'));

describe('fs-async', () => {
  it('creates a new file with its mode, writes chunks in order, and flushes it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a.part');
    const f = await FdFile.open(file, 'wx', 0o640);
    const chunks = [Buffer.from('head-'), Buffer.alloc(70_000, 7), Buffer.from('-tail')];
    expect(await f.writev(chunks)).toBe(70_010);
    expect(await f.write(Buffer.from('xyz!'), 1, 2)).toBe(2);
    await f.datasync();
    expect(f.closed).toBe(false);
    await f.close();
    expect(f.closed).toBe(true);
    expect((await readFile(file)).equals(Buffer.concat([...chunks, Buffer.from('yz')]))).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o640 & ~process.umask());
  });

  it('refuses a name that exists (wx) and says so with the system error', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'taken.part');
    await writeFile(file, 'kept');
    await expect(FdFile.open(file, 'wx', 0o644)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(file, 'utf8')).toBe('kept');
  });

  it('a second close, or a write after close, never reaches a descriptor given to another file', async () => {
    const dir = await tempDir();
    const a = await FdFile.open(path.join(dir, 'a'), 'wx', 0o644);
    await a.close();
    // The system hands the lowest free number out again: most likely a's.
    const b = await FdFile.open(path.join(dir, 'b'), 'wx', 0o644);
    await a.close();
    await expect(a.write(Buffer.from('from a'), 0, 6)).rejects.toMatchObject({ code: 'EBADF' });
    await expect(a.writev([Buffer.from('from a')])).rejects.toMatchObject({ code: 'EBADF' });
    await expect(a.datasync()).rejects.toMatchObject({ code: 'EBADF' });
    // b is still open and still b's.
    expect(await b.writev([Buffer.from('from b')])).toBe(6);
    await b.datasync();
    await b.close();
    expect(await readFile(path.join(dir, 'b'), 'utf8')).toBe('from b');
    expect(await readFile(path.join(dir, 'a'), 'utf8')).toBe('');
  });

  it('rename replaces the target, and a missing source is the system error', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'new'), 'new bytes');
    await writeFile(path.join(dir, 'old'), 'old bytes');
    await rename(path.join(dir, 'new'), path.join(dir, 'old'));
    expect(await readFile(path.join(dir, 'old'), 'utf8')).toBe('new bytes');
    await expect(rename(path.join(dir, 'new'), path.join(dir, 'old'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(path.join(dir, 'old'), 'utf8')).toBe('new bytes');
  });

  it('reads from the position or from an offset, stats, writes all of a text, and fsyncs', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'text');
    const w = await FdFile.open(file, 'wx', 0o600);
    const text = 'é'.repeat(200_000) + '\n'; // 400,001 bytes in UTF-8: more than one write may take
    await w.writeAll(text);
    await w.writeAll(Buffer.from('tail'));
    await w.sync();
    expect((await w.stat()).size).toBe(400_005);
    await w.close();
    await expect(w.stat()).rejects.toMatchObject({ code: 'EBADF' });
    await expect(w.writeAll('more')).rejects.toMatchObject({ code: 'EBADF' });
    expect(await readFile(file, 'utf8')).toBe(text + 'tail');

    const r = await FdFile.open(file, 'r');
    const buf = Buffer.alloc(4);
    expect(await r.read(buf, 0, 4, 400_001)).toBe(4);
    expect(buf.toString()).toBe('tail');
    expect(await r.read(buf, 0, 2)).toBe(2); // from the file's own position: the start
    expect(buf.subarray(0, 2).toString()).toBe('é');
    expect(await r.read(buf, 0, 4, 400_005)).toBe(0);
    await r.close();
    await expect(r.read(buf, 0, 1)).rejects.toMatchObject({ code: 'EBADF' });
    // A folder opens for reading and fsyncs: what makes a rename into it last.
    const d = await FdFile.open(dir, 'r');
    expect((await d.stat()).isDirectory()).toBe(true);
    await d.sync();
    await d.close();
  });

  it('the path calls do what node:fs/promises does, and fail with the same errors', async () => {
    const dir = await tempDir();
    const a = path.join(dir, 'a');
    const missing = path.join(dir, 'missing', 'x');
    await fsAsync.writeFile(a, 'bytes é');
    expect(await fsAsync.readFile(a, 'utf8')).toBe('bytes é');
    expect((await fsAsync.readFile(a)).equals(Buffer.from('bytes é'))).toBe(true);
    expect((await fsAsync.stat(a)).size).toBe(8);
    expect((await fsAsync.statfs(a)).bsize).toBe((await viaPromises.statfs(a)).bsize);
    await fsAsync.access(a, viaPromises.constants.W_OK);
    await fsAsync.link(a, path.join(dir, 'b'));
    expect((await fsAsync.stat(path.join(dir, 'b'))).nlink).toBe(2);
    await fsAsync.mkdir(path.join(dir, 'sub'), 0o700);
    expect((await fsAsync.stat(path.join(dir, 'sub'))).mode & 0o777).toBe(0o700 & ~process.umask());
    expect((await fsAsync.readdir(dir)).sort()).toEqual(['a', 'b', 'sub']);
    await fsAsync.unlink(path.join(dir, 'b'));
    expect((await fsAsync.readdir(dir)).sort()).toEqual(['a', 'sub']);

    // Each failure as node:fs/promises reports it: the same code, syscall and path.
    const pairs: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ['readFile', () => fsAsync.readFile(missing, 'utf8'), () => viaPromises.readFile(missing, 'utf8')],
      ['stat', () => fsAsync.stat(missing), () => viaPromises.stat(missing)],
      ['statfs', () => fsAsync.statfs(missing), () => viaPromises.statfs(missing)],
      ['access', () => fsAsync.access(missing, 0), () => viaPromises.access(missing, 0)],
      ['unlink', () => fsAsync.unlink(missing), () => viaPromises.unlink(missing)],
      ['readdir', () => fsAsync.readdir(missing), () => viaPromises.readdir(missing)],
      ['mkdir', () => fsAsync.mkdir(missing, 0o700), () => viaPromises.mkdir(missing, { mode: 0o700 })],
      ['writeFile', () => fsAsync.writeFile(missing, 'x'), () => viaPromises.writeFile(missing, 'x')],
      ['link', () => fsAsync.link(a, path.join(dir, 'sub')), () => viaPromises.link(a, path.join(dir, 'sub'))],
      ['open wx', () => FdFile.open(a, 'wx', 0o600), () => viaPromises.open(a, 'wx', 0o600)],
    ];
    for (const [name, ours, theirs] of pairs) {
      const [got, want] = await Promise.all([ours().then(() => null, pick), theirs().then(() => null, pick)]);
      expect(got, name).not.toBeNull();
      expect(got, name).toEqual(want);
    }
  });
});

const pick = (err: NodeJS.ErrnoException) => ({
  code: err.code,
  syscall: err.syscall,
  path: err.path,
  message: err.message,
});
