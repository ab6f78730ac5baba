/**
 * `Origin.paths` records shared between the applications that have the same one. A legacy manifest maps nearly
 * every value it has to another pointer (`api/oauth2PermissionScopes/0/id` -> `/oauth2Permissions/0/id`), and its
 * paths hold only key names and indexes, never values: the apps of a tenant-sized folder have a few distinct
 * records, where one record per app was most of the memory of the inventory and building them a good part of the
 * time spent reading it.
 *
 * A value's place in its application (`Slot`: canonical path and pointer below the application) is made once per
 * table, and a reader notes the slots it maps one after the other (`Trail`): applications whose readings map the
 * same slots in the same order get the same record, built once. Shared records are frozen, so that a change meant
 * for one application throws instead of moving the findings of others.
 */
import { escapePointerToken } from '../../json/positions';
import { childPath } from '../../util/paths';

/** Where a value is in every application: its canonical path and its pointer below the application's pointer. */
export class Slot {
  private children: Map<string | number, Slot> | undefined;
  /** Children that fill another canonical path than their key's (a legacy key): by that path, then by key. */
  private renamedChildren: Map<string, Map<string | number, Slot>> | undefined;
  private aliases: Map<string, Slot> | undefined;

  /**
   * @param parent the slot this one is `child` of, with its `key` and the `renamed` path it was asked with (none for
   *   the root and for `as`)
   */
  constructor(
    readonly path: string,
    readonly pointer: string,
    private readonly parent?: Slot,
    private readonly key?: string | number,
    private readonly renamed?: string,
  ) {}

  /** Whether this is `parent.child(key, renamed)`: answered without `child`'s map look-ups. */
  isChild(parent: Slot, key: string | number, renamed: string | undefined): boolean {
    return this.parent === parent && this.key === key && this.renamed === renamed;
  }

  /** The value at `key` below this one, filling `path` when given (else the key below this one's path). */
  child(key: string | number, path?: string): Slot {
    let byKey: Map<string | number, Slot> | undefined;
    if (path === undefined) byKey = this.children ??= new Map();
    else {
      this.renamedChildren ??= new Map();
      byKey = this.renamedChildren.get(path);
      if (!byKey) this.renamedChildren.set(path, (byKey = new Map()));
    }
    let slot = byKey.get(key);
    if (!slot) {
      slot = new Slot(
        path ?? childPath(this.path, key),
        `${this.pointer}/${pointerToken(key)}`,
        this,
        key,
        path,
      );
      byKey.set(key, slot);
    }
    return slot;
  }

  /** This value's place, as the source of another canonical path (a legacy list that fills several). */
  as(path: string): Slot {
    this.aliases ??= new Map();
    let slot = this.aliases.get(path);
    if (!slot) this.aliases.set(path, (slot = new Slot(path, this.pointer)));
    return slot;
  }
}

/** One reference token of a JSON pointer (`joinPointer`'s escaping, without its regexes for plain keys). */
export function pointerToken(key: string | number): string {
  if (typeof key === 'number') return String(key);
  return key.includes('~') || key.includes('/') ? escapePointerToken(key) : key;
}

/** The slots a reading mapped so far, in order: a node of the table's tree of readings. */
export class Trail {
  private onlyNext: { slot: Slot; trail: Trail } | undefined;
  private next: Map<Slot, Trail> | undefined;
  /** The record of the readings that end here (pointers below the application's), once one did. */
  record: Readonly<Record<string, string>> | undefined;

  /** The slot readings that got here noted next, when they all noted the same (most do): the likely next one. */
  get likelyNext(): Slot | undefined {
    return this.next ? undefined : this.onlyNext?.slot;
  }

  /** The trail after `slot`. Most trails have one successor: the map is made only for a second. */
  then(slot: Slot): Trail {
    if (this.onlyNext?.slot === slot) return this.onlyNext.trail;
    const known = this.next?.get(slot);
    if (known) return known;
    const trail = new Trail();
    if (!this.onlyNext) this.onlyNext = { slot, trail };
    else (this.next ??= new Map()).set(slot, trail);
    return trail;
  }
}

export class PathsTable {
  /** The application itself. */
  readonly root = new Slot('', '');
  /** No slot mapped yet. */
  readonly start = new Trail();
  private distinct = 0;

  /**
   * The `Origin.paths` of an application at `pointer` whose reading mapped `slots` (in order) and ended at `end`:
   * undefined when it mapped none; the record shared by every application at the root of its file that ended
   * there; a record of its own for an application further down (its pointers start with its own).
   */
  paths(end: Trail, slots: readonly Slot[], pointer: string): Record<string, string> | undefined {
    if (slots.length === 0) return undefined;
    let record = end.record;
    if (!record) {
      const built: Record<string, string> = {};
      for (const slot of slots) built[slot.path] = slot.pointer;
      record = end.record = Object.freeze(built);
      this.distinct++;
    }
    if (pointer === '') return record;
    const own: Record<string, string> = {};
    for (const [path, below] of Object.entries(record)) own[path] = pointer + below;
    return own;
  }

  /** How many distinct records were built. */
  get size(): number {
    return this.distinct;
  }
}
