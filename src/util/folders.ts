/**
 * Listing the folders of a source root: the entries of one folder (a link inside the root counted as what it leads
 * to), and `FolderTree`, which lists each folder once and knows which paths reach the root's own files through no
 * link. Reads go through files.ts, which holds the checks every read makes.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  decodeUtf8,
  errnoCode,
  FileReadError,
  isLink,
  maxFileSize,
  present,
  readBytes,
  reason,
  resolveInside,
  type ScratchBuffer,
} from './files';
import {
  prepareAheadUnits,
  ReadAhead,
  readAheadWanted,
  type ListedEntry,
  type Preparer,
  type Probe,
} from './read-ahead';

export interface Listed {
  name: string;
  path: string;
  /** What the entry is, a symbolic link inside the root counted as what it leads to. */
  kind: 'folder' | 'file' | 'other';
}

/** A name of one folder entry: no separator, not `.` or `..` (what a listing gives). */
function plainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes(path.sep);
}

/**
 * `path.join(dir, name)` for the names listed in `dir` (none holds a separator or is `.` or `..`): `dir` is
 * normalized once, not once per name (the read-ahead thread has the same, read-ahead.ts `inFolder`).
 */
export function inFolder(dir: string): (name: string) => string {
  const prefix = path.join(dir, '_').slice(0, -1);
  return (name) => (plainName(name) ? prefix + name : path.join(dir, name));
}

/**
 * `path.join(dir, name)` for a folder path as `path.join` (or `inFolder`) wrote it: the folder, a separator and the
 * name, without normalizing the folder again (path.join's normalization allocates some 0.6 KB a call: 40 MB for the
 * files of a 5,000-API tree). A name with a separator, and a folder that is the current one or a root (`/`, `C:\`,
 * `C:`), go through `path.join`.
 */
export function fileIn(dir: string, name: string): string {
  const last = dir.charCodeAt(dir.length - 1);
  return dir === '' || dir === '.' || last === 0x2f || last === 0x5c || last === 0x3a || !plainName(name)
    ? path.join(dir, name)
    : dir + path.sep + name;
}

/**
 * The entries of a folder. An absent folder lists nothing; a folder that cannot be listed, and a link that
 * leaves `root`, dangles or loops, is reported through `problem` (a gap for the caller) and left out.
 */
export function listFolder(
  dir: string,
  root: string | undefined,
  problem: (file: string, why: string) => void,
  tree?: FolderTree,
): Listed[] {
  let dirents: readonly ListedEntry[];
  try {
    if (root !== undefined && !tree?.plainFolder(dir) && present(dir) && isLink(dir))
      resolveInside(dir, root);
    dirents = tree ? tree.dirents(dir) : readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error instanceof FileReadError) {
      problem(dir, error.message);
      return [];
    }
    const code = errnoCode(error);
    if (code === 'ENOENT' && !isLink(dir)) return [];
    problem(
      dir,
      code === 'ENOTDIR'
        ? 'is not a folder, so its entries are unknown'
        : `cannot be listed (${code ?? (error as Error).message})`,
    );
    return [];
  }
  const listed: Listed[] = [];
  const join = inFolder(dir);
  for (const entry of dirents) {
    const full = join(entry.name);
    if (!entry.isSymbolicLink()) {
      listed.push({
        name: entry.name,
        path: full,
        kind: entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other',
      });
      continue;
    }
    try {
      if (root !== undefined) resolveInside(full, root);
      const stats = statSync(full);
      listed.push({
        name: entry.name,
        path: full,
        kind: stats.isDirectory() ? 'folder' : stats.isFile() ? 'file' : 'other',
      });
    } catch (error) {
      if (error instanceof FileReadError) problem(full, error.message);
      else {
        const code = errnoCode(error);
        problem(
          full,
          code === 'ENOENT'
            ? 'is a symbolic link to a missing file'
            : code === 'ELOOP'
              ? 'is a symbolic link loop'
              : reason(error),
        );
      }
    }
  }
  return listed;
}

/**
 * The folders of one source root as they are read: each folder listed once (so that whether a file is there is
 * a look-up, not a system call), and which paths lead to the root's own folders and files through no symbolic
 * link (their real path is the root's followed by the same names, so they need no `realpath` to be known inside).
 */
export class FolderTree {
  private readonly listed = new Map<string, Map<string, ListedEntry> | null>();
  private readonly plain = new Map<string, boolean>();
  private readonly rootKey: string | undefined;
  private ahead: ReadAhead | undefined;
  /** The names the read-ahead thread looks up instead of listing (`Probe`), for each probe by its index. */
  private probeNames: readonly ReadonlySet<string>[] = [];
  /** Every probe's names: a name none of them has is answered from listings without looking further. */
  private anyProbeName: ReadonlySet<string> = new Set();
  /**
   * Per folder asked about: the names its probe looked up, and what the read-ahead thread found of them (null: it
   * listed the folder, did not get to it, or no probe looks into it).
   */
  private readonly probes = new Map<string, { names: ReadonlySet<string>; found: ListedEntry[] } | null>();
  /** The file looked up last, its folder and name: a file is read right after it was found `present`. */
  private lastFile: string | undefined;
  private lastDir = '';
  private lastName = '';

  constructor(readonly root: string | undefined) {
    this.rootKey = root === undefined ? undefined : path.join(root, '.');
  }

  /**
   * Lists and reads `units` (folders of this tree reached through no link, each with everything below it) on a
   * second thread, in the order given, which is the order the caller will read them in (read-ahead.ts); only when
   * there are at least `minimum`; `prepare` works on some files there too (`readPrepared`), and the folders of each
   * of `probes` are looked into for its names only (what else is in them is listed here when asked). Ends with
   * `stopReadAhead`.
   */
  startReadAhead(
    units: readonly string[],
    minimum: number,
    prepare?: Preparer,
    probes: readonly Probe[] = [],
  ): void {
    if (this.ahead || !readAheadWanted(units.length, minimum)) return;
    try {
      this.ahead = new ReadAhead(
        units,
        maxFileSize(),
        { prepareAhead: prepareAheadUnits() },
        prepare,
        probes,
      );
      this.probeNames = probes.map((p) => new Set([...p.present, ...p.absent]));
      this.anyProbeName = new Set(probes.flatMap((p) => [...p.present, ...p.absent]));
    } catch {
      // No thread to read on (a runtime without workers): everything is read here, as without read-ahead.
    }
  }

  stopReadAhead(): void {
    this.ahead?.close();
    this.ahead = undefined;
  }

  /** The entries of `dir` (readdir's errors are thrown, and the listing is tried again next time). */
  dirents(dir: string): ListedEntry[] {
    const known = this.listed.get(dir);
    if (known) return [...known.values()];
    const dirents: ListedEntry[] = this.ahead?.listing(dir) ?? readdirSync(dir, { withFileTypes: true });
    this.listed.set(dir, new Map(dirents.map((d) => [d.name, d])));
    return dirents;
  }

  private names(dir: string): Map<string, ListedEntry> | null | undefined {
    const known = this.listed.get(dir);
    if (known !== undefined) return known;
    const ahead = this.ahead?.listing(dir);
    if (ahead) {
      const names = new Map(ahead.map((d) => [d.name, d]));
      this.listed.set(dir, names);
      return names;
    }
    try {
      const names = new Map(readdirSync(dir, { withFileTypes: true }).map((d) => [d.name, d]));
      this.listed.set(dir, names);
      return names;
    } catch (error) {
      const code = errnoCode(error);
      // Nothing is in a folder that is not there; a folder that cannot be listed is asked entry by entry.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
      this.listed.set(dir, null);
      return null;
    }
  }

  /**
   * What the read-ahead thread found of `name` in `dir` when it looked into the folder for it instead of listing it
   * (the entry, or null when it is not there); undefined when it did not (then the folder's listing says).
   */
  private probed(dir: string, name: string): ListedEntry | null | undefined {
    if (!this.ahead || !this.anyProbeName.has(name)) return undefined;
    let known = this.probes.get(dir);
    if (known === undefined) {
      // Only the names of the probe the thread looked into the folder with were looked up.
      const probed = this.listed.has(dir) ? undefined : this.ahead.probed(dir);
      const names = probed && this.probeNames[probed.probe];
      known = probed && names ? { names, found: probed.entries } : null;
      this.probes.set(dir, known);
    }
    if (known === null || !known.names.has(name)) return undefined;
    return known.found.find((entry) => entry.name === name) ?? null;
  }

  /** Sets `lastDir` and `lastName` to the folder and name of `file`. */
  private split(file: string): void {
    if (file === this.lastFile) return;
    this.lastDir = path.dirname(file);
    this.lastName = path.basename(file);
    this.lastFile = file;
  }

  /** `present(file)`, from the listing of its folder (or what the read-ahead thread found looking for the name). */
  present(file: string): boolean {
    this.split(file);
    const dir = this.lastDir;
    const name = this.lastName;
    const probed = this.probed(dir, name);
    if (probed !== undefined) return probed !== null;
    const names = this.names(dir);
    if (names === undefined) return present(file);
    if (names === null) return false;
    if (names.has(name)) return true;
    // A case-insensitive file system finds a name the listing spells differently.
    const lower = name.toLowerCase();
    for (const other of names.keys()) if (other.toLowerCase() === lower) return present(file);
    return false;
  }

  /** Whether `dir` is the root, or a folder (not a link) in such a folder. */
  plainFolder(dir: string): boolean {
    if (this.rootKey === undefined) return false;
    if (dir === this.rootKey) return true;
    const known = this.plain.get(dir);
    if (known !== undefined) return known;
    const parent = path.dirname(dir);
    const result =
      parent !== dir &&
      this.plainFolder(parent) &&
      this.names(parent)?.get(path.basename(dir))?.isDirectory() === true;
    this.plain.set(dir, result);
    return result;
  }

  /** Whether `file` is a regular file (not a link) of a plain folder: known to be inside the root. */
  private plainFile(file: string): boolean {
    this.split(file);
    const dir = this.lastDir;
    const name = this.lastName;
    if (!this.plainFolder(dir)) return false;
    const probed = this.probed(dir, name);
    if (probed !== undefined) return probed?.isFile() === true;
    return this.names(dir)?.get(name)?.isFile() === true;
  }

  /** `readBytes(file, root)`; a regular file of a plain folder is known to be inside the root without `realpath`. */
  readBytes(file: string, scratch?: ScratchBuffer): Buffer {
    return this.bytesOf(file, this.plainFile(file), scratch);
  }

  /**
   * `readBytes(file)`, and what the read-ahead thread's preparer made of the file, when it did (undefined: the caller
   * works it out from the bytes).
   */
  readPrepared(file: string): { bytes: Buffer; prepared: unknown } {
    const inside = this.plainFile(file);
    this.split(file);
    const prepared = inside ? this.ahead?.takePrepared(file, this.lastDir) : undefined;
    return { bytes: this.bytesOf(file, inside), prepared };
  }

  /** `readBytes`, `inside` saying whether `file` is a regular file of a plain folder (`plainFile`). */
  private bytesOf(file: string, inside: boolean, scratch?: ScratchBuffer): Buffer {
    this.split(file);
    const ahead = inside ? this.ahead?.take(file, this.lastDir) : undefined;
    if (!ahead) return readBytes(file, inside ? undefined : this.root, scratch);
    // Bytes of the caller's own, like readBytes gives: the read-ahead block they are in is shared. Their stamp is not
    // known here (the other thread opened the file).
    if (scratch) scratch.stamp = undefined;
    const own = scratch ? scratch.take(ahead.length) : Buffer.allocUnsafeSlow(ahead.length);
    own.set(ahead);
    return own;
  }

  readText(file: string): string {
    const inside = this.plainFile(file);
    // Decoded from the read-ahead block directly: the text is the caller's own.
    this.split(file);
    const ahead = inside ? this.ahead?.take(file, this.lastDir) : undefined;
    return decodeUtf8(ahead ?? readBytes(file, inside ? undefined : this.root));
  }
}
