/**
 * Which template and APIOps properties are secrets, and removing them before anything is evaluated or kept; a
 * module of its own because the ARM walker, the template scope and the APIOps source all need it.
 */
import { setOwn } from '../../util/json';

/** Secret properties: removed before evaluation so that neither values nor expressions are kept. */
const SECRET_KEYS = new Set([
  'clientsecret',
  'resourceownerpassword',
  'secrettext',
  'certificatepassword',
  'encodedcertificate',
  'password',
]);

/** The lengths of the secret names (and of `keycredentials`): only a key of one of them is compared in lower case. */
const NAME_LENGTHS = new Set([...SECRET_KEYS, 'key', 'keycredentials'].map((key) => key.length));

/**
 * `value` without its secret properties. What holds none is returned as it is (most of a template or an APIOps
 * file: copying every object cost the 5,000-API tree some 20 MB of allocation); a container that holds one is copied,
 * and so are the containers above it. Callers treat the result as read-only, like the parsed input it may be.
 */
export function stripSecrets(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return stripList(value, parentKey);
  if (!value || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let result: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const lower = NAME_LENGTHS.has(key.length) ? key.toLowerCase() : '';
    const secret = SECRET_KEYS.has(lower) || (lower === 'key' && parentKey === 'keycredentials');
    const item = record[key];
    const kept = secret ? undefined : stripSecrets(item, lower);
    if (result === undefined && (secret || kept !== item)) {
      result = {};
      for (let j = 0; j < i; j++) setOwn(result, keys[j] as string, record[keys[j] as string]);
    }
    if (result !== undefined && !secret) setOwn(result, key, kept);
  }
  return result ?? value;
}

function stripList(list: readonly unknown[], parentKey: string): unknown[] {
  let result: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const kept = stripSecrets(item, parentKey);
    if (result === undefined && kept !== item) result = list.slice(0, i);
    if (result !== undefined) result.push(kept);
  }
  return result ?? (list as unknown[]);
}

/** Whether a property or parameter name is a secret's (`clientSecret`, `password`...), in any case. */
export function isSecretKey(name: string): boolean {
  return SECRET_KEYS.has(name.toLowerCase());
}

/** A nested deployment's secret-looking parameters (clientSecret...) are not evaluated at all. */
export function stripSecretParameter(name: string, value: unknown): unknown {
  return isSecretKey(name) ? null : value;
}
