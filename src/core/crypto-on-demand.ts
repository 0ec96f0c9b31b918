// node:crypto loaded at the first call, not at import: the commands that only read the library
// (`status`) never pay it (OpenSSL's set-up and Node's stream modules: +0.17x of `node -e 0` in
// CPU). `next` pays it only to check the photo it picked (library/probe.ts).

/** node:crypto, loaded on first use. */
export function lazyCrypto(): typeof import('node:crypto') {
  return process.getBuiltinModule('node:crypto');
}
