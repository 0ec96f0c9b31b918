// A listing's transcript: every request a sync's listing made (version, pages, counts, stacks) and
// a digest of each answer's bytes, so a later sync can ask the same and tell "byte for byte the
// same answers" without parsing any of them (library/no-change.ts keys its fast path on it).
import { createHash, type Hash } from 'node:crypto';
import * as z from 'zod/mini';
import { MAX_CURSOR_CHARS } from './kept.js';

/** BLAKE2b: a cryptographic digest that is fast in software (no SHA extensions on a Pi 4's
 * Cortex-A72): 2.5 MB of page in ~2 ms here, where JSON.parse takes ~15 ms. */
const DIGEST = 'blake2b512';

export function answerDigest(): Hash {
  return createHash(DIGEST);
}

/** One request and what came back. `route` is the path under the server's prefix (query included). */
export interface ListingExchange {
  method: 'GET' | 'POST';
  route: string;
  /** The request's JSON body (a search page's filters, page or cursor). */
  body?: string;
  status: number;
  /** The answer's length and digest (base64). */
  bytes: number;
  digest: string;
}

/** A request body may carry a cursor and an album id: a little more than the longest cursor kept. */
const MAX_BODY_CHARS = MAX_CURSOR_CHARS + 4096;

/** Read back from the library's own file: held to what a real listing records (the replay sends
 * these requests, so nothing in the file may name another server or an endless list). */
export const listingExchangeSchema = z.object({
  method: z.enum(['GET', 'POST']),
  route: z.string().check(z.startsWith('/api/'), z.maxLength(2048)),
  body: z.optional(z.string().check(z.maxLength(MAX_BODY_CHARS))),
  status: z.int().check(z.minimum(100), z.maximum(599)),
  bytes: z.int().check(z.nonnegative()),
  digest: z.string().check(z.maxLength(128)),
});

/**
 * What a listing in progress records. `replayable` turns false when the listing did something a
 * replay would not repeat (a warning about the answers, a fallback after a refusal): such a
 * listing is never skipped, so every sync says it again.
 */
export class ListingTap {
  readonly exchanges: ListingExchange[] = [];
  replayable = true;

  record(exchange: ListingExchange): void {
    this.exchanges.push(exchange);
  }

  /** The listing said something about the answers that only parsing them says again. */
  spoil(): void {
    this.replayable = false;
  }
}

/** An answer's bytes as a transcript records them, taken as they arrive: how many, and their digest. */
export class SeenBytes {
  private readonly hash = answerDigest();
  private bytes = 0;

  take(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
  }

  result(): Pick<ListingExchange, 'bytes' | 'digest'> {
    return { bytes: this.bytes, digest: this.hash.digest('base64') };
  }
}

/** An answer being read, checked against the recorded one as it arrives: false as soon as it is
 * longer than the recorded one (the rest is not read). */
export class AnswerCheck {
  private readonly seen = new SeenBytes();
  private read = 0;

  constructor(private readonly expected: Pick<ListingExchange, 'bytes' | 'digest'>) {}

  /** Takes the next chunk; false once the answer is known to differ. */
  write(chunk: Buffer): boolean {
    this.read += chunk.length;
    if (this.read > this.expected.bytes) return false;
    this.seen.take(chunk);
    return true;
  }

  same(): boolean {
    const got = this.seen.result();
    return got.bytes === this.expected.bytes && got.digest === this.expected.digest;
  }
}
