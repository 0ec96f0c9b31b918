// node:crypto loaded at the first call, not at import: the commands that only read the library
// (`status`) never pay its ~11 ms of CPU. Random hex for temporary names and lock tokens.
import { createRequire } from 'node:module';

let crypto: typeof import('node:crypto') | undefined;

/** node:crypto, loaded once on first use. */
export function lazyCrypto(): typeof import('node:crypto') {
  return (crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto'));
}

/** `bytes` random bytes as hex (twice as many characters). */
export function randomHex(bytes: number): string {
  return lazyCrypto().randomBytes(bytes).toString('hex');
}
