// Where a photo body's bytes wait between the socket and the file: copied out of the connection's
// one read buffer into slabs the download hands back once they are written, so a big photo goes
// through the same few MiB again and again. A 64 KiB buffer a socket read (Node's own reads) is
// garbage V8 frees only once external memory has grown by tens of MiB: a 96 MB photo peaked 40 MB
// above a normal sync (issue 21). A chunk never handed back is just not reused (the garbage
// collector frees its slab once no view of it is left): only a reader that hands back what it no
// longer holds saves memory, and one that never does costs what Node's own reads cost.

/** A slab: four socket reads' worth, so a small photo takes one or two. */
export const SLAB_BYTES = 256 * 1024;

interface Slab {
  memory: Buffer;
  /** Bytes handed out from its start (the next copy goes after them). */
  used: number;
  /** Bytes handed out and not handed back yet. */
  held: number;
  /** A body's writer still fills it. */
  filling: boolean;
}

/** The slabs of one agent: each body fills its own (a slow body never pins a slab another body's
 * bytes share), and a slab is reused once its body is done with it and every chunk is back. */
export class BodySlabs {
  private readonly free: Slab[] = [];
  /** The slab of each chunk's memory (a chunk handed back is found by its ArrayBuffer). */
  private readonly slabOf = new WeakMap<ArrayBufferLike, Slab>();
  /** The chunks handed out and not back yet: only these count when handed back, each once (a
   * view or copy of one, or one handed back twice, would free bytes another chunk holds). */
  private readonly out = new WeakSet<Buffer>();

  /** `keep`: the most free slabs kept for reuse (more are left to the garbage collector). */
  constructor(private readonly keep: number) {}

  /** The writer of one body. */
  writer(): BodyWriter {
    return new BodyWriter(this);
  }

  /** A chunk from a writer back: its reader holds no view of it any more. Anything else (a view
   * or copy of one, a buffer of another source, a chunk already back) is ignored. Bound: every
   * answer hands out this one function. */
  readonly release = (chunk: Buffer): void => {
    if (!this.out.delete(chunk)) return;
    const slab = this.slabOf.get(chunk.buffer)!;
    slab.held -= chunk.length;
    this.reuse(slab);
  };

  /** @internal A chunk a writer hands out. */
  lend(chunk: Buffer): void {
    this.out.add(chunk);
  }

  /** @internal A slab for a writer to fill. */
  take(): Slab {
    let slab = this.free.pop();
    if (!slab) {
      const memory = Buffer.allocUnsafeSlow(SLAB_BYTES);
      slab = { memory, used: 0, held: 0, filling: false };
      this.slabOf.set(memory.buffer, slab);
    }
    slab.filling = true;
    return slab;
  }

  /** @internal Its writer is done with it (full, or its body ended). */
  leave(slab: Slab): void {
    slab.filling = false;
    this.reuse(slab);
  }

  private reuse(slab: Slab): void {
    if (slab.held !== 0 || slab.filling || this.free.length >= this.keep) return;
    slab.used = 0;
    this.free.push(slab);
  }
}

/** Copies one body's bytes into its own slabs. */
export class BodyWriter {
  private slab: Slab | null = null;

  constructor(private readonly slabs: BodySlabs) {}

  /** Copy `bytes`: one chunk, or more when they straddle the end of a slab. Each chunk stays
   * intact until it is handed back (BodySlabs.release). */
  copy(bytes: Buffer, each: (chunk: Buffer) => void): void {
    let at = 0;
    while (at < bytes.length) {
      const slab = (this.slab ??= this.slabs.take());
      const n = Math.min(bytes.length - at, slab.memory.length - slab.used);
      const chunk = slab.memory.subarray(slab.used, slab.used + n);
      bytes.copy(chunk, 0, at, at + n);
      slab.used += n;
      slab.held += n;
      at += n;
      if (slab.used === slab.memory.length) this.end();
      this.slabs.lend(chunk);
      each(chunk);
    }
  }

  /** The body is done: its last slab is reused once its chunks are back. */
  end(): void {
    if (this.slab) this.slabs.leave(this.slab);
    this.slab = null;
  }
}
