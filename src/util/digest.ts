/**
 * SHA-256 of a text, for what must stay the same across runs (finding fingerprints) or tell a file read again from
 * the one parsed (json/lazy.ts).
 */
import * as crypto from 'node:crypto';

/** The one-shot `crypto.hash` of Node.js 20.12 and later (no `Hash` object per call), else `createHash`. */
export type OneShotHash = (
  algorithm: string,
  data: string | Uint8Array,
  encoding: 'hex' | 'binary',
) => string;

const ONE_SHOT = (crypto as unknown as { hash?: OneShotHash }).hash ?? null;

/**
 * SHA-256 of a text (or of bytes), in hex. `oneShot`: null for `createHash` (the tests check both ways give the same
 * digest).
 */
export function sha256Hex(data: string | Uint8Array, oneShot: OneShotHash | null = ONE_SHOT): string {
  return sha256(data, 'hex', oneShot);
}

/**
 * SHA-256 of a text (or of bytes) as a string of 32 characters, one per byte (`binary`, which is latin1): the same
 * digest as `sha256Hex` in half the characters, for one kept per file and only compared (a 5,000-API tree keeps
 * 21,700).
 */
export function sha256Key(data: string | Uint8Array, oneShot: OneShotHash | null = ONE_SHOT): string {
  return sha256(data, 'binary', oneShot);
}

function sha256(data: string | Uint8Array, encoding: 'hex' | 'binary', oneShot: OneShotHash | null): string {
  return oneShot
    ? oneShot('sha256', data, encoding)
    : crypto.createHash('sha256').update(data).digest(encoding);
}
