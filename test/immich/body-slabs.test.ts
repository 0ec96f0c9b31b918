// The photo bodies' reused memory (body-slabs.ts): a chunk a reader still holds is never
// overwritten, whatever is copied after it; a slab comes back only when its body is done and every
// chunk of it is back; a chunk handed back twice (or a view of one) frees nothing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BodySlabs, SLAB_BYTES } from '../../src/immich/body-slabs.js';

/** Copy `bytes` through `slabs` in reads of `read` bytes; the chunks as handed out. */
function copyAll(slabs: BodySlabs, bytes: Buffer, read: number): Buffer[] {
  const writer = slabs.writer();
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += read) writer.copy(bytes.subarray(at, at + read), (c) => chunks.push(c));
  writer.end();
  return chunks;
}

describe('body slabs', () => {
  it('chunks held to the end keep the bytes copied into them, across many slabs and bodies', () => {
    const slabs = new BodySlabs(4);
    const bodies = [randomBytes(3 * SLAB_BYTES + 12345), randomBytes(70_000), randomBytes(SLAB_BYTES)];
    // Reads of odd sizes, so chunks straddle slab ends; nothing handed back.
    const held = bodies.map((b, i) => copyAll(slabs, b, [65536, 1000, 7919][i]!));
    for (const [i, chunks] of held.entries()) expect(Buffer.concat(chunks).equals(bodies[i]!)).toBe(true);
    expect(held[0]!.every((c) => c.length > 0 && c.length <= 65536)).toBe(true);
  });

  it('chunks still held stay intact while the ones handed back are reused', () => {
    const slabs = new BodySlabs(8);
    const kept: { chunk: Buffer; was: Buffer }[] = [];
    for (let body = 0; body < 20; body++) {
      const bytes = randomBytes(SLAB_BYTES + 999);
      const chunks = copyAll(slabs, bytes, 4096);
      let at = 0;
      for (const [i, c] of chunks.entries()) {
        // Every seventh chunk is held on; the rest go back at once.
        if (i % 7 === 0) kept.push({ chunk: c, was: bytes.subarray(at, at + c.length) });
        else slabs.release(c);
        at += c.length;
      }
    }
    for (const k of kept) expect(k.chunk.equals(k.was)).toBe(true);
  });

  it('a slab is reused once its body is done and every chunk is back, and not before', () => {
    const slabs = new BodySlabs(4);
    const first = copyAll(slabs, randomBytes(1000), 100);
    const memory = first[0]!.buffer;
    for (const c of first.slice(1)) slabs.release(c);
    // One chunk still out: the next body gets other memory.
    expect(copyAll(slabs, randomBytes(10), 10)[0]!.buffer).not.toBe(memory);
    slabs.release(first[0]!);
    expect(copyAll(slabs, randomBytes(10), 10)[0]!.buffer).toBe(memory);
  });

  it('a body still being written keeps its slab, even with every chunk back', () => {
    const slabs = new BodySlabs(4);
    const writer = slabs.writer();
    let out: Buffer | null = null;
    writer.copy(randomBytes(100), (c) => (out = c));
    slabs.release(out!);
    const other = copyAll(slabs, randomBytes(10), 10)[0]!;
    expect(other.buffer).not.toBe(out!.buffer);
    // Its next bytes follow the first ones in the same slab.
    writer.copy(randomBytes(10), (c) => expect(c.buffer).toBe(out!.buffer));
  });

  it('a big body through a reader that hands back what it has written uses a bounded set of slabs', () => {
    const slabs = new BodySlabs(8);
    const writer = slabs.writer();
    const memories = new Set<ArrayBufferLike>();
    let pending: Buffer[] = [];
    const read = randomBytes(65536);
    for (let i = 0; i < 1600; i++) {
      // 100 MiB in reads of 64 KiB; the reader holds 1 MiB at a time, then hands it back.
      writer.copy(read, (c) => {
        memories.add(c.buffer);
        pending.push(c);
      });
      if (pending.length >= 16) {
        for (const c of pending) slabs.release(c);
        pending = [];
      }
    }
    expect(memories.size).toBeLessThanOrEqual(6);
  });

  it('a chunk handed back twice, or a view of one, frees nothing: a held chunk beside it is never copied over', () => {
    const slabs = new BodySlabs(4);
    const [a, b] = copyAll(slabs, randomBytes(200), 100) as [Buffer, Buffer];
    const bWas = Buffer.from(b);
    slabs.release(a);
    slabs.release(a);
    slabs.release(b.subarray(0, 50));
    slabs.release(Buffer.from(b));
    for (let i = 0; i < 10; i++) {
      const next = copyAll(slabs, randomBytes(100), 100)[0]!;
      expect(next.buffer).not.toBe(b.buffer);
      slabs.release(next);
    }
    expect(b.equals(bWas)).toBe(true);
  });

  it('a buffer that is no chunk of its own is ignored when handed back', () => {
    const slabs = new BodySlabs(4);
    const chunks = copyAll(slabs, randomBytes(100), 50);
    slabs.release(Buffer.from('not a chunk'));
    slabs.release(Buffer.alloc(100_000));
    slabs.release(chunks[0]!);
    // One chunk still out: the slab is not reused.
    expect(copyAll(slabs, randomBytes(10), 10)[0]!.buffer).not.toBe(chunks[0]!.buffer);
  });
});
