// The sync's per-photo file calls (src/library/photo-fs.ts) on real files: an exclusive create
// with its mode, chunks written in order, fdatasync, and a second close that never closes a
// descriptor the process has since given to another file.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FdFile, moveFile } from '../../src/library/photo-fs.js';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'photo-fs-'));

describe('photo-fs', () => {
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

  it('moveFile replaces the target, and a missing source is the system error', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'new'), 'new bytes');
    await writeFile(path.join(dir, 'old'), 'old bytes');
    await moveFile(path.join(dir, 'new'), path.join(dir, 'old'));
    expect(await readFile(path.join(dir, 'old'), 'utf8')).toBe('new bytes');
    await expect(moveFile(path.join(dir, 'new'), path.join(dir, 'old'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(path.join(dir, 'old'), 'utf8')).toBe('new bytes');
  });
});
