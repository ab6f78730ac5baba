/**
 * `Origin.paths` records shared between the applications that have the same one. A legacy manifest maps nearly
 * every value it has to another pointer (`api/oauth2PermissionScopes/0/id` -> `/oauth2Permissions/0/id`), and its
 * paths hold only key names and indexes, never values: the apps of a tenant-sized folder have a few distinct
 * records, where one record per app was most of the memory of the inventory (and of the time spent collecting
 * it). Shared records are frozen, so that a change meant for one application throws instead of moving the
 * findings of others.
 */
export class PathsTable {
  private readonly known = new Map<string, Readonly<Record<string, string>>>();

  /** The record equal to `paths` (same entries in the same order) given before, else `paths` itself, frozen. */
  share(paths: Record<string, string>): Readonly<Record<string, string>> {
    const key = keyOf(paths);
    const known = this.known.get(key);
    if (known) return known;
    const frozen = Object.freeze(paths);
    this.known.set(key, frozen);
    return frozen;
  }

  /** How many distinct records were given. */
  get size(): number {
    return this.known.size;
  }
}

/** The entries in order, each string prefixed by its length: no two different records have the same key. */
function keyOf(paths: Record<string, string>): string {
  let key = '';
  for (const path of Object.keys(paths)) {
    const pointer = paths[path] ?? '';
    key += `${path.length}:${path}${pointer.length}:${pointer}`;
  }
  return key;
}
