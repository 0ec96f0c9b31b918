// The page's password: stored only as a slow salted hash (Node's scrypt) in `web-password` beside
// the config file (mode 600), never in clear; compared in constant time. A frame without one
// shows a pairing code on its glass, and only that code lets a person set it.
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../library/atomic-file.js';
import { ConfigError, StorageError } from '../core/errors.js';

/**
 * scrypt's cost: N = 2^11, r = 8, p = 8: the work of RFC 7914's interactive N = 2^14 (eight
 * sequential passes) in 2 MiB instead of 16, which the page's 15 MB budget on a Pi Zero 2 W can
 * carry at each sign-in. Stored with the hash, so a later frame can raise them.
 */
const COST = { N: 2 ** 11, r: 8, p: 8 };
const KEY_BYTES = 32;
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 200;

function derive(password: string, salt: Buffer, c: typeof COST): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, { ...c, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** A password too short or too long, in one line (the same rule for the CLI and the page). */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD) return `the password needs at least ${MIN_PASSWORD} characters`;
  if (password.length > MAX_PASSWORD) return `the password may have at most ${MAX_PASSWORD} characters`;
  return null;
}

/** "scrypt$N$r$p$salt$hash" (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash || password.length > MAX_PASSWORD) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Where the hash lives: beside the config, so the page and `artframe-immich password` agree. */
export function passwordFile(configPath: string): string {
  return path.join(path.dirname(configPath), 'web-password');
}

/** The stored hash, or null when no password is set yet. */
export async function readPasswordHash(configPath: string): Promise<string | null> {
  try {
    const text = (await readFile(passwordFile(configPath), 'utf8')).trim();
    return text.startsWith('scrypt$') ? text : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError(`cannot read ${passwordFile(configPath)}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/** Hash and store a new password (whole or not at all, mode 600). */
export async function setPassword(configPath: string, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new ConfigError(problem);
  await writeFileAtomic(passwordFile(configPath), (await hashPassword(password)) + '\n', { mode: 0o600 });
}

/** A pairing code: 8 digits (10^8 guesses against a rate limit of a few a minute), grouped for reading. */
export function newPairingCode(): string {
  const digits = String(randomInt(0, 100_000_000)).padStart(8, '0');
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}

/** A generated password for install.sh to print once: 16 letters and digits, no look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679';
  let out = '';
  for (let i = 0; i < 16; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}
