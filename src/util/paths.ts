/** Canonical paths (`properties/hostnameConfigurations/0/hostName`): record fields joined with `/`, unescaped. */

/** The path of `key` below `path` (`''` is the record itself). */
export function childPath(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}/${key}`;
}
