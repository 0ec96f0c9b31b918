// Hex that no other live name shares, for temp files (`<name>.tmp-<hex>`, created with O_EXCL)
// and the sync lock's token: uniqueness, not secrecy. Each lives in the library's own folder, which
// no other account writes, and an exclusive create refuses a name that exists (a symlink among
// them) rather than follow it. So V8's Math.random (seeded per process from the system's entropy)
// serves, not node:crypto: loading that costs a start +0.17x of `node -e 0` in CPU (OpenSSL's set-up
// and Node's stream modules), more than half of what `next` cost above bare Node, since it writes
// its place in the selection through a temp file.

/** `bytes` random bytes as hex (twice as many characters). */
export function uniqueHex(bytes: number): string {
  let hex = '';
  for (let left = bytes; left > 0; left -= 3) {
    const n = Math.min(3, left);
    hex += Math.floor(Math.random() * 2 ** (8 * n))
      .toString(16)
      .padStart(2 * n, '0');
  }
  return hex;
}
