/**
 * Tokens minted for the `token` tests: unsigned (alg none) or HS256 with a throwaway key made per run; no network.
 */
import { createHmac, randomBytes } from 'node:crypto';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function mint(
  claims: Record<string, unknown>,
  options: { alg?: 'none' | 'HS256'; header?: Record<string, unknown> } = {},
): string {
  const alg = options.alg ?? 'none';
  const head = b64({ alg, typ: 'JWT', ...options.header });
  const body = b64(claims);
  if (alg === 'none') return `${head}.${body}.`;
  const key = randomBytes(32);
  const sig = createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** Seconds since the epoch of an ISO instant. */
export const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
