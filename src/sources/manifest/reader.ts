/**
 * Reading the values of one application object of a manifest, one at a time. Each read names the canonical Graph
 * path the value fills, so that the reader can
 * - map the canonical path back to the key it came from when the two differ (`Origin.paths`: a legacy key, a
 *   PascalCase key of PowerShell output), so findings land on the right line;
 * - carry a value holding a placeholder (`${{VAR}}`, `#{Token}#`, ...) as unknown (`Origin.unknown`) instead of as a
 *   literal; a list of strings holding one is unknown as a whole (dropping the element would shift the indexes),
 *   except a list read with `strings(node, 'keep')` (redirect URIs, identifier URIs), which keeps the string as
 *   written and marks it (`Origin.placeholders`), so that what is known of it (scheme, path) can still be judged;
 * - report a value of the wrong type as a problem located at the value, instead of dropping it silently.
 * `null` reads as absent where Graph has no `null` for the property.
 */
import { jsonKeyPath, pointerTokens } from '../../json/positions';
import { isRecord } from '../../util/json';
import { fitted, none } from '../../util/lists';
import { childPath } from '../../util/paths';
import { placeholderReason } from '../../util/placeholders';
import { type PathsTable, pointerToken, type Slot, type Trail } from './paths-table';

/**
 * A value of the manifest: where it is in the file and which canonical path it fills. Both strings are built only
 * when asked for (a mapped value, a placeholder, a problem): most values of a large folder never need them; a
 * reader that shares paths asks for its `Slot` instead, whose strings are made once for all applications.
 */
export class Node {
  private pointerText: string | undefined;
  private pathText: string | undefined;
  private slotValue: Slot | undefined;

  /**
   * @param mapped whether the pointer differs from the application's pointer + path (a renamed key or one below it:
   *   the value needs an `Origin.paths` entry)
   */
  constructor(
    readonly value: unknown,
    private readonly parent: Node | undefined,
    private readonly key: string | number,
    private readonly explicitPath: string | undefined,
    readonly mapped: boolean,
  ) {
    this.pathText = explicitPath;
  }

  static root(value: unknown, pointer: string, slot?: Slot): Node {
    const root = new Node(value, undefined, '', '', false);
    root.pointerText = pointer;
    root.slotValue = slot;
    return root;
  }

  /** JSON pointer in the object as read (PascalCase keys already converted). */
  get pointer(): string {
    this.pointerText ??= `${this.parent?.pointer ?? ''}/${pointerToken(this.key)}`;
    return this.pointerText;
  }

  /** Canonical Graph path (`api/oauth2PermissionScopes/0/value`), `''` for the application itself. */
  get path(): string {
    this.pathText ??= childPath(this.parent?.path ?? '', this.key);
    return this.pathText;
  }

  /** The value's place in every application (the root's was given to `Node.root`). */
  get slot(): Slot {
    return this.slotAfter(undefined);
  }

  /** `slot`, which is `likely` (the slot the reading's trail leads to next) when that is the node's place. */
  slotAfter(likely: Slot | undefined): Slot {
    if (this.slotValue) return this.slotValue;
    if (!this.parent) throw new Error('the root of this reading has no slot');
    const parent = this.parent.slot;
    this.slotValue = likely?.isChild(parent, this.key, this.explicitPath)
      ? likely
      : parent.child(this.key, this.explicitPath);
    return this.slotValue;
  }
}

/** A malformed value: where it is in the file and what is wrong with it. */
export interface Problem {
  pointer: string;
  message: string;
}

/** What `direct` returns for a value that needs a node to be read. */
const NEEDS_NODE = Symbol('needs a node');

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'an object';
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value)}`
    : `${typeof value} ${String(value)}`;
}

export class ManifestReader {
  /** Canonical path -> JSON pointer in the file, for values not found at the application pointer + path. */
  readonly paths: Record<string, string> = {};
  /** Canonical path -> why the value is unknown. */
  readonly unknown: Record<string, string> = {};
  /** Canonical path of a string kept as written -> the placeholders it holds (`Origin.placeholders`). */
  readonly placeholders: Record<string, string> = {};
  private unknownCount = 0;

  /**
   * @param realPointer the pointer in the file of a pointer in the object as read (PascalCase keys of PowerShell
   *   output were converted; every value is then mapped)
   */
  /** With `shared`: the slots mapped so far (`paths` stays empty; `sharedPaths` gives the record). */
  private trail: Trail | undefined;
  private readonly slots: Slot[] = [];

  /**
   * @param realPointer the pointer in the file of a pointer in the object as read (PascalCase keys of PowerShell
   *   output were converted; every value is then mapped)
   * @param shared where the `Origin.paths` of applications read before are (not with `realPointer`)
   */
  constructor(
    readonly problems: Problem[],
    private readonly realPointer?: (pointer: string) => string,
    private readonly shared?: PathsTable,
  ) {
    this.trail = shared?.start;
  }

  /** The application object itself, at `pointer`. */
  root(value: unknown, pointer: string): Node {
    return Node.root(value, pointer, this.shared?.root);
  }

  /** The `Origin.paths` of the application at `pointer`, when read with `shared`. */
  sharedPaths(pointer: string): Record<string, string> | undefined {
    return this.shared && this.trail ? this.shared.paths(this.trail, this.slots, pointer) : undefined;
  }

  /**
   * The value at `key` of `parent`. It fills the same key below the parent's canonical path, or `path` when given
   * (a legacy key with another name or place in the Graph shape).
   */
  child(parent: Node, key: string | number, path?: string): Node {
    const container = parent.value;
    const value = Array.isArray(container)
      ? container[Number(key)]
      : isRecord(container)
        ? container[String(key)]
        : undefined;
    return new Node(value, parent, key, path, parent.mapped || path !== undefined);
  }

  /** Why the value at a node is unknown, if it is. */
  unknownAt(node: Node): string | undefined {
    return this.unknownCount === 0 ? undefined : this.unknown[node.path];
  }

  /** Takes back an unknown value recorded at a node (its caller records it at another path). */
  takeUnknown(node: Node): string | undefined {
    const reason = this.unknownAt(node);
    if (reason !== undefined) {
      delete this.unknown[node.path];
      this.unknownCount--;
    }
    return reason;
  }

  /** The pointer of a node in the file. */
  pointerOf(node: Node): string {
    return this.realPointer ? this.realPointer(node.pointer) : node.pointer;
  }

  /** Records where a value that was read lives, when that is not where its canonical path says. */
  private located<T>(node: Node, value: T): T {
    if (!node.mapped && !this.realPointer) return value;
    if (this.trail) {
      const slot = node.slotAfter(this.trail.likelyNext);
      if (slot.path !== '') this.note(slot);
    } else if (node.path !== '') this.paths[node.path] = this.pointerOf(node);
    return value;
  }

  /** Records that the value at canonical `path` is (or starts) at `node` in the file. */
  mapPath(path: string, node: Node): void {
    if (this.trail) this.note(node.slot.as(path));
    else this.paths[path] = this.pointerOf(node);
  }

  private note(slot: Slot): void {
    this.slots.push(slot);
    this.trail = this.trail?.then(slot);
  }

  /** Marks a canonical path unknown. */
  markUnknown(path: string, reason: string): void {
    if (!(path in this.unknown)) this.unknownCount++;
    this.unknown[path] = reason;
  }

  /** A problem with the value at the node, named by its key path (`replyUrlsWithType[0].url: ...`). */
  problem(node: Node, message: string): undefined {
    const pointer = this.pointerOf(node);
    const key = jsonKeyPath(pointerTokens(pointer));
    this.problems.push({ pointer, message: key === '' ? message : `${key}: ${message}` });
    return undefined;
  }

  /** A value of the wrong type; reads as absent. */
  wrong(node: Node, expected: string): undefined {
    return this.problem(node, `expected ${expected}, found ${describe(node.value)}`);
  }

  /** The value, or undefined when absent or a placeholder (then recorded as unknown). */
  private known(node: Node): unknown {
    if (node.value === undefined) return undefined;
    const reason = placeholderReason(node.value);
    if (reason === undefined) return node.value;
    this.markUnknown(node.path, reason);
    return undefined;
  }

  /**
   * The value at `key` of an object node when reading it needs no node of its own (no PascalCase pointers to map,
   * no placeholder in it, and a mapped value has a trail to note its slot on), else `NEEDS_NODE`. Most values of a
   * large folder are read this way: one node fewer per value. `path`: as for `child`.
   */
  private direct(parent: Node, key: string, path: string | undefined): unknown {
    const container = parent.value;
    if (
      this.realPointer !== undefined ||
      ((parent.mapped || path !== undefined) && !this.trail) ||
      !isRecord(container)
    )
      return NEEDS_NODE;
    const value = container[key];
    return typeof value === 'string' && placeholderReason(value) !== undefined ? NEEDS_NODE : value;
  }

  /** `located` for a value read by `direct`. */
  private locatedAt<T>(parent: Node, key: string | number, value: T, path?: string): T {
    if (parent.mapped || path !== undefined) {
      // Applications of one folder are mostly read alike: the slot the trail leads to next is usually this one.
      const below = parent.slot;
      const likely = this.trail?.likelyNext;
      const slot = likely?.isChild(below, key, path) ? likely : below.child(key, path);
      if (slot.path !== '') this.note(slot);
    }
    return value;
  }

  /** `string(child(parent, key, path))`. */
  stringAt(parent: Node, key: string, path?: string): string | undefined {
    const value = this.direct(parent, key, path);
    if (typeof value === 'string') return this.locatedAt(parent, key, value, path);
    return value === undefined || value === null ? undefined : this.string(this.child(parent, key, path));
  }

  /** `nullableString(child(parent, key, path))`. */
  nullableStringAt(parent: Node, key: string, path?: string): string | null | undefined {
    const value = this.direct(parent, key, path);
    if (typeof value === 'string' || value === null) return this.locatedAt(parent, key, value, path);
    return value === undefined ? undefined : this.nullableString(this.child(parent, key, path));
  }

  /** `boolean(child(parent, key, path))`. */
  booleanAt(parent: Node, key: string, path?: string): boolean | undefined {
    const value = this.direct(parent, key, path);
    if (typeof value === 'boolean') return this.locatedAt(parent, key, value, path);
    return value === undefined || value === null ? undefined : this.boolean(this.child(parent, key, path));
  }

  /** `nullableBoolean(child(parent, key, path))`. */
  nullableBooleanAt(parent: Node, key: string, path?: string): boolean | null | undefined {
    const value = this.direct(parent, key, path);
    if (typeof value === 'boolean' || value === null) return this.locatedAt(parent, key, value, path);
    return value === undefined ? undefined : this.nullableBoolean(this.child(parent, key, path));
  }

  string(node: Node): string | undefined {
    const value = this.known(node);
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? this.located(node, value) : this.wrong(node, 'a string');
  }

  nullableString(node: Node): string | null | undefined {
    return node.value === null ? this.located(node, null) : this.string(node);
  }

  boolean(node: Node): boolean | undefined {
    const value = this.known(node);
    if (value === undefined || value === null) return undefined;
    return typeof value === 'boolean' ? this.located(node, value) : this.wrong(node, 'true or false');
  }

  nullableBoolean(node: Node): boolean | null | undefined {
    return node.value === null ? this.located(node, null) : this.boolean(node);
  }

  /** An access-token version: 1, 2 or `null` (which means 1). */
  tokenVersion(node: Node): number | null | undefined {
    const value = this.known(node);
    if (value === undefined) return undefined;
    return value === null || value === 1 || value === 2
      ? this.located(node, value)
      : this.wrong(node, '1, 2 or null');
  }

  /**
   * A string kept as written even when it holds placeholders (then marked in `placeholders`): an element of a list
   * whose other elements stay known, or a reply URL that fills one.
   */
  keptString(node: Node): string | undefined {
    if (typeof node.value !== 'string') return this.string(node);
    const reason = placeholderReason(node.value);
    if (reason !== undefined) this.placeholders[node.path] = reason;
    return this.located(node, node.value);
  }

  /**
   * A list of strings. A string holding a placeholder makes the list unknown as a whole, unless `keep`: then it is
   * kept as written and marked (`keptString`). A list that is itself a placeholder is unknown either way.
   */
  strings(node: Node, placeholders: 'unknown' | 'keep' = 'unknown'): string[] | undefined {
    const value = placeholders === 'keep' && Array.isArray(node.value) ? node.value : this.known(node);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return this.wrong(node, 'a list of strings');
    const items: string[] = [];
    // A plain string needs no node (as in `direct`).
    const plain = this.realPointer === undefined && (!node.mapped || this.trail !== undefined);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'string') this.wrong(this.child(node, i), 'a string');
      else if (plain && placeholderReason(item) === undefined) items.push(this.locatedAt(node, i, item));
      else if (placeholders === 'keep') items.push(this.keptString(this.child(node, i)) ?? item);
      else items.push(node.mapped || this.realPointer ? this.located(this.child(node, i), item) : item);
    }
    // Kept in the inventory: at its length (filled by push).
    return this.located(node, fitted(items));
  }

  /** An object (`null` kept: Graph has `"api": null`). */
  object(node: Node): Node | null | undefined {
    const value = this.known(node);
    if (value === undefined) return undefined;
    if (value === null) return this.located(node, null);
    return isRecord(value) ? this.located(node, node) : this.wrong(node, 'an object');
  }

  /**
   * `objects(node)`, each made into a record by `make`: the list kept (an empty one is `none()`, shared, as the
   * inventory's other empty lists are).
   */
  records<T>(node: Node, make: (element: Node) => T): T[] | undefined {
    const elements = this.objects(node);
    return elements && (elements.length === 0 ? none() : elements.map(make));
  }

  /** A list of objects, as nodes; unknown as a whole when it or any element is a placeholder. */
  objects(node: Node): Node[] | undefined {
    const value = this.known(node);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return this.wrong(node, 'a list of objects');
    const elements: Node[] = [];
    for (let i = 0; i < value.length; i++) {
      const element = this.child(node, i);
      if (isRecord(element.value)) elements.push(this.located(element, element));
      else this.wrong(element, 'an object');
    }
    return this.located(node, elements);
  }
}
