/**
 * Which template and APIOps properties are secrets, and removing them before anything is evaluated or kept; a
 * module of its own because the ARM walker, the template scope and the APIOps source all need it.
 */

/** Secret properties: removed before evaluation so that neither values nor expressions are kept. */
const SECRET_KEYS = new Set([
  'clientsecret',
  'resourceownerpassword',
  'secrettext',
  'certificatepassword',
  'encodedcertificate',
  'password',
]);

export function stripSecrets(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v, parentKey));
  if (!value || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const lower = key.toLowerCase();
    if (SECRET_KEYS.has(lower)) continue;
    if (lower === 'key' && parentKey === 'keycredentials') continue;
    result[key] = stripSecrets(v, lower);
  }
  return result;
}

/** Whether a property or parameter name is a secret's (`clientSecret`, `password`...), in any case. */
export function isSecretKey(name: string): boolean {
  return SECRET_KEYS.has(name.toLowerCase());
}

/** A nested deployment's secret-looking parameters (clientSecret...) are not evaluated at all. */
export function stripSecretParameter(name: string, value: unknown): unknown {
  return isSecretKey(name) ? null : value;
}
