/**
 * Reading a token for `token` (issue 14): the JWT header and payload decoded locally, never verified (no signature
 * check, no network, no key fetch). Pure. Nothing here quotes the input: an error says what is wrong with it (its
 * size, its segments, not base64url, not JSON), and the decoded claims leave this module only through
 * `namedClaims`, which keeps the claims the diagnosis names and nothing else.
 */

/** The largest token (or claims file, or stdin) read: real access tokens are a few kilobytes. */
export const MAX_TOKEN_BYTES = 64 * 1024;

export type Claims = Readonly<Record<string, unknown>>;

export interface DecodedToken {
  /** `jwt`: a token given as text; `claims`: a claims object given as JSON (no header). */
  from: 'jwt' | 'claims';
  /** The header's `alg`, when it is a string (`none`, `HS256`, `RS256`...). */
  alg: string | undefined;
  /** Whether the header has a `nonce` (a Microsoft Graph token: no one but Graph can validate it). */
  graphNonce: boolean;
  claims: Claims;
}

export type DecodeResult = { ok: true; token: DecodedToken } | { ok: false; problem: string };

/** The claims a diagnosis may name with their values; every other claim is named, never shown. */
export const NAMED_CLAIMS = [
  'aud',
  'iss',
  'ver',
  'tid',
  'scp',
  'roles',
  'azp',
  'appid',
  'exp',
  'nbf',
  'iat',
] as const;
export type NamedClaim = (typeof NAMED_CLAIMS)[number];

export function isNamedClaim(name: string): name is NamedClaim {
  return (NAMED_CLAIMS as readonly string[]).includes(name);
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const SEGMENT_NAMES = ['header', 'payload', 'signature'] as const;

/** The text as given, without a `Bearer ` prefix and surrounding white space. */
export function tokenText(input: string): string {
  return input
    .trim()
    .replace(/^bearer\s+/i, '')
    .trim();
}

function tooLarge(bytes: number, what: string): string | undefined {
  return bytes > MAX_TOKEN_BYTES
    ? `the ${what} is ${bytes} bytes, over the ${MAX_TOKEN_BYTES}-byte limit (an access token is a few kilobytes)`
    : undefined;
}

function decodeSegment(segment: string, name: string): { value: unknown } | { problem: string } {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) {
    return { problem: `the ${name} (segment ${SEGMENT_NAMES.indexOf(name as never) + 1}) is not base64url` };
  }
  const text = Buffer.from(segment, 'base64url').toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { problem: `the ${name} is base64url but not JSON` };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JWT (`<header>.<payload>.<signature>`, the signature possibly empty), decoded without verification. */
export function decodeJwt(input: string): DecodeResult {
  const large = tooLarge(Buffer.byteLength(input, 'utf8'), 'token');
  if (large) return { ok: false, problem: large };
  const text = tokenText(input);
  if (text === '') return { ok: false, problem: 'the token is empty' };
  if (/\s/.test(text)) return { ok: false, problem: 'the token contains white space inside it' };
  const segments = text.split('.');
  if (segments.length === 5) {
    return {
      ok: false,
      problem:
        'the token has five segments: it is an encrypted token (JWE), which cannot be read without its decryption key; three segments (header.payload.signature) expected',
    };
  }
  if (segments.length !== 3) {
    return {
      ok: false,
      problem: `the token has ${segments.length} segment${segments.length === 1 ? '' : 's'} separated by '.'; a JWT has three (header.payload.signature)`,
    };
  }
  const [headerText = '', payloadText = '', signature = ''] = segments;
  if (!BASE64URL.test(signature)) return { ok: false, problem: 'the signature (segment 3) is not base64url' };
  const header = decodeSegment(headerText, 'header');
  if ('problem' in header) return { ok: false, problem: header.problem };
  if (!isObject(header.value)) return { ok: false, problem: 'the header is JSON but not an object' };
  const payload = decodeSegment(payloadText, 'payload');
  if ('problem' in payload) return { ok: false, problem: payload.problem };
  if (!isObject(payload.value)) return { ok: false, problem: 'the payload is JSON but not an object' };
  const alg = header.value['alg'];
  return {
    ok: true,
    token: {
      from: 'jwt',
      alg: typeof alg === 'string' ? alg : undefined,
      graphNonce: header.value['nonce'] !== undefined,
      claims: payload.value,
    },
  };
}

/** A claims object as JSON (`--claims`, or a JSON object on stdin): the payload of a token, without a header. */
export function parseClaims(text: string, what = 'claims file'): DecodeResult {
  const large = tooLarge(Buffer.byteLength(text, 'utf8'), what);
  if (large) return { ok: false, problem: large };
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch {
    return { ok: false, problem: `the ${what} is not JSON` };
  }
  if (!isObject(value)) return { ok: false, problem: `the ${what} is JSON but not an object of claims` };
  return { ok: true, token: { from: 'claims', alg: undefined, graphNonce: false, claims: value } };
}

/** Text from stdin or an argument: a claims object when it starts with `{`, else a JWT. */
export function decodeInput(input: string): DecodeResult {
  return input.trimStart().startsWith('{') ? parseClaims(input, 'input') : decodeJwt(input);
}

/** A claim as a list of strings: a string split at `separator` (when given), an array's strings, a number or boolean. */
export function claimValues(claims: Claims, name: string, separator?: string): string[] | undefined {
  if (!Object.prototype.hasOwnProperty.call(claims, name)) return undefined;
  const value = claims[name];
  const one = (v: unknown): string[] => {
    if (typeof v === 'string') {
      return separator ? v.split(separator).filter((s) => s !== '') : [v];
    }
    if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
    return [];
  };
  return Array.isArray(value) ? value.flatMap(one) : one(value);
}

/** A numeric date claim (`exp`, `nbf`, `iat`) in seconds; undefined when absent or not a number. */
export function dateClaim(claims: Claims, name: 'exp' | 'nbf' | 'iat'): number | undefined {
  const value = claims[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d{1,12}$/.test(value)) return Number(value);
  return undefined;
}

/** The token version from `ver` (`1.0` / `2.0`), else from the issuer's shape. */
export function tokenVersion(claims: Claims): 1 | 2 | undefined {
  const ver = claims['ver'];
  if (ver === '1.0' || ver === 1) return 1;
  if (ver === '2.0' || ver === 2) return 2;
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  if (/\/v2\.0$/.test(iss)) return 2;
  if (/^https:\/\/sts\./i.test(iss)) return 1;
  return undefined;
}

/** The named claims the token carries, as the diagnosis shows them (nothing else of the token). */
export function namedClaims(claims: Claims): { name: NamedClaim; values: string[] }[] {
  return NAMED_CLAIMS.flatMap((name) => {
    const values = claimValues(claims, name);
    return values === undefined ? [] : [{ name, values }];
  });
}
