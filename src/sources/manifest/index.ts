/**
 * The manifest source: Entra app manifests as the portal downloads them, in the legacy Azure AD Graph format
 * (`accessTokenAcceptedVersion`, `replyUrlsWithType`, `oauth2Permissions`, ...) or the Microsoft Graph format,
 * told apart per object (domain reference §2). A file holds one application object, a JSON array of them, or a
 * Graph page `{ "value": [...] }` (`az ad app list --all`, `az rest`); a folder loads every `*.json` file in it
 * (teams keep one file per app), recursively, skipping dot-folders.
 *
 * Legacy manifests are translated into the Graph shape; `Origin.paths` maps each canonical Graph path to the
 * legacy key it came from, so findings point at the right line. A manifest mixing both formats' keys (Teams Toolkit
 * `aad.manifest.json`) is read key by key, and where its keys contradict each other the contradiction is a source
 * conflict with both locations (mixed.ts). Placeholders (`${{VAR}}`, `#{Token}#`, ...) make values unknown
 * (src/util/placeholders.ts); a value of the wrong type is a problem located at its key (reader.ts).
 * Secret values (`secretText`, `value`, `key`) are never kept. The objects are translated by translate.ts.
 *
 * Performance: a tenant-sized folder (10,000 files) is read with `JSON.parse` only; the position index is built
 * lazily, for the few files a finding is located in (lazy.ts), and applications with equal `Origin.paths` share
 * one record (paths-table.ts; see bench/manifests.ts).
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../../errors';
import type { Inventory, InventoryApplication, SourceConflict } from '../../inventory/types';
import type { PositionIndex } from '../../json/types';
import { joinPointer, jsonDepthProblem, parseJsonWithPositions } from '../../json/positions';
import { LazyJsonIndex, type Reread } from '../../json/lazy';
import { PathsTable } from './paths-table';
import { displayPath, isBaseAndShown, withSeparator } from '../../util/package-root';
import {
  decodeUtf8,
  fileProblem,
  type FileStamp,
  readBytes,
  sameStamp,
  ScratchBuffer,
} from '../../util/files';
import { FolderTree, listFolder } from '../../util/folders';
import { readApplication, type ReadApplication } from './mixed';
import type { Problem } from './reader';
import type { SourceDefinition } from '../types';
import { isRecord as isObject } from '../../util/json';
import { pushAll } from '../../util/lists';

/** Keys only the legacy Azure AD Graph manifest has (for detection; translate.ts reads them). */
const LEGACY_KEYS = [
  'replyUrlsWithType',
  'replyUrls',
  'oauth2Permissions',
  'accessTokenAcceptedVersion',
  'oauth2AllowImplicitFlow',
  'oauth2AllowIdTokenImplicitFlow',
  'allowPublicClient',
  'availableToOtherTenants',
  'signInUrl',
  'homepage',
];
/** Keys only the Microsoft Graph format has (objects where the legacy format is flat; for detection). */
const GRAPH_KEYS = ['api', 'web', 'spa', 'isFallbackPublicClient', 'implicitGrantSettings'];
/** Keys that make a JSON object an application (both formats). */
const APP_KEYS = [
  ...LEGACY_KEYS,
  ...GRAPH_KEYS,
  'signInAudience',
  'requiredResourceAccess',
  'identifierUris',
  'passwordCredentials',
  'keyCredentials',
];

export const manifestSource: SourceDefinition = {
  describe:
    'an Entra app manifest (legacy Azure AD Graph or Microsoft Graph format), a JSON array or Graph page of applications, or a folder of them',
  takesPath: true,
  phase: 'files',
  detect: (location, stats, peek) =>
    stats.isDirectory() ? isManifestFolder(location) : peek !== undefined && looksLikeManifest(peek),
  load: (location, raw, context) => {
    try {
      return Promise.resolve(loadManifests(location, raw, context.cwd));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
};

/** Whether text (the start of a file) looks like an application object, array or page, and not another kind. */
export function looksLikeManifest(peek: string): boolean {
  // UTF-16 text read as UTF-8 has a NUL after every ASCII character.
  const text = peek.replaceAll(String.fromCharCode(0), '');
  if (/"apim-oauth-audit\/snapshot"|deploymentTemplate\.json#|"planned_values"\s*:/.test(text)) return false;
  if (!/"appId"\s*:/i.test(text)) return false;
  return APP_KEYS.some((key) => new RegExp(`"${key}"\\s*:`, 'i').test(text));
}

function isManifestFolder(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.toLowerCase().endsWith('.json'))
      .sort()
      .slice(0, 3);
  } catch {
    return false;
  }
  if (names.length === 0) return false;
  return names.every((name) => {
    try {
      return looksLikeManifest(
        readFileSync(path.join(dir, name))
          .subarray(0, 64 * 1024)
          .toString('utf8'),
      );
    } catch {
      return false;
    }
  });
}

/**
 * Every `*.json` entry under `dir` that is not a folder (its path, and its path as shown), sorted, skipping folders whose name starts
 * with a dot; links are followed inside `dir` only (once per folder, so a looping link ends), and every folder or
 * link that cannot be followed goes to `problem`.
 */
function jsonFilesUnder(
  dir: string,
  cwd: string,
  tree: FolderTree,
  problem: (file: string, why: string) => void,
): ManifestFile[] {
  const files: ManifestFile[] = [];
  const seen = new Set<string>();
  const walk = (current: string) => {
    const real = realpathSync(current);
    if (seen.has(real)) return;
    seen.add(real);
    // `displayPath` of each file, from its folder's shown path (one path.relative per folder, not per file).
    const folder = path.relative(cwd, path.resolve(cwd, current)).split(path.sep).join('/');
    const listed = listFolder(current, dir, problem, tree);
    // Which files are known to be inside the root (`FolderTree.readBytes` asks per file): asked once per folder.
    const regular = regularFilesOf(current, tree);
    for (const entry of listed) {
      if (entry.name.startsWith('.')) continue;
      if (entry.kind === 'folder') walk(entry.path);
      // A `*.json` that is not a regular file (a FIFO, a socket, a device) is listed too: reading it fails with a
      // located error (exit 2), as in an APIOps folder, instead of being skipped silently.
      else if (entry.name.toLowerCase().endsWith('.json')) {
        files.push({
          path: entry.path,
          shown: folder === '' ? entry.name : `${folder}/${entry.name}`,
          inside: regular?.has(entry.name) === true,
        });
      }
    }
  };
  walk(dir);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface ManifestFile {
  path: string;
  /** As `displayPath` shows it. */
  shown: string;
  /** A regular file (not a link) of a folder reached through no link: known to be inside the root. */
  inside: boolean;
}

/**
 * The names of the regular files (not links) of `dir` when it is a folder of the root reached through no link
 * (`FolderTree.plainFolder`): the files that are known to be inside the root without a `realpath` each.
 */
function regularFilesOf(dir: string, tree: FolderTree): Set<string> | undefined {
  // The key `FolderTree` gives a file's folder (`path.dirname` of the file's path).
  if (!tree.plainFolder(path.dirname(path.join(dir, 'x')))) return undefined;
  try {
    return new Set(
      tree
        .dirents(dir)
        .filter((d) => d.isFile())
        .map((d) => d.name),
    );
  } catch {
    return undefined;
  }
}

export function loadManifests(location: string, spec: string, cwd: string): Inventory {
  let files: ManifestFile[];
  const problems: string[] = [];
  const folder = statSync(location, { throwIfNoEntry: false })?.isDirectory() === true;
  const root = folder ? location : path.dirname(location);
  // Files of folders reached through no link are known to be inside the root without a realpath each.
  const tree = new FolderTree(root);
  try {
    const unlisted = (file: string, why: string) => problems.push(`${displayPath(file, cwd)} ${why}`);
    files = folder
      ? jsonFilesUnder(location, cwd, tree, unlisted)
      : [{ path: location, shown: displayPath(location, cwd), inside: false }];
  } catch (error) {
    throw new AuditError(
      'source-unreadable',
      `Cannot read manifest source ${displayPath(location, cwd)}: ${(error as Error).message}`,
    );
  }
  if (files.length === 0 && problems.length === 0) {
    throw new AuditError(
      'source-invalid',
      `Manifest folder ${displayPath(location, cwd)} contains no *.json files.`,
    );
  }
  const inventory: Inventory = {
    sources: [{ spec, provides: { entra: true, apim: false } }],
    applications: [],
    services: [],
    gaps: [],
    conflicts: [],
    files: {},
  };
  const shared = new PathsTable();
  // Not read ahead on a second thread (src/util/read-ahead.ts): 10,000 manifests cost some 20 µs each to read and
  // the thread's hand-over about as much, so it was measured to gain nothing (bench/manifests.ts). Nor shared with a
  // thread that reads, parses and translates files from the back while this one works from the front (issue 12):
  // that was 1.18x the wall time: on a two-vCPU runner two threads (or processes) that both allocate this much slow
  // each other down about as much as the split saves (README, Benchmarks).
  // Every file is read into one scratch buffer and decoded at once; nothing of it is kept but its stamp, and the
  // few files a finding is located in are read again then (`ManifestReread`).
  const scratch = new ScratchBuffer();
  const cwdSlash = withSeparator(cwd);
  for (const { path: file, shown, inside } of files) {
    let text: string;
    try {
      // A file known to be inside needs no `realpath`; any other is checked against the root (no read-ahead here).
      text = decodeText(inside ? readBytes(file, undefined, scratch) : tree.readBytes(file, scratch));
    } catch (error) {
      problems.push(fileProblem(shown, error));
      continue;
    }
    const below = isBaseAndShown(file, cwdSlash, shown);
    const result = parseManifestText(
      text,
      shown,
      new ManifestReread(
        below ? cwdSlash : '',
        below ? shown : file,
        inside ? undefined : root,
        scratch.stamp,
      ),
      shared,
    );
    if ('problems' in result) {
      pushAll(problems, result.problems);
      continue;
    }
    pushAll(inventory.applications, result.applications);
    if (inventory.conflicts) pushAll(inventory.conflicts, result.conflicts);
    inventory.files[shown] = result.index;
  }
  if (problems.length > 0) {
    throw new AuditError(
      'source-invalid',
      `Manifest source ${displayPath(location, cwd)} has ${problems.length} problem(s):`,
      problems,
    );
  }
  return inventory;
}

/**
 * How to read a manifest again to locate a finding in it: its text when it is still the file that was parsed (the
 * same `FileStamp`), read with the same checks (`root`: it must resolve inside it); else undefined.
 */
class ManifestReread implements Reread {
  constructor(
    /** The file's path is `base + rest`: the working folder and the path shown (`isBaseAndShown`), or `''` and it. */
    private readonly base: string,
    private readonly rest: string,
    private readonly root: string | undefined,
    private readonly stamp: FileStamp | undefined,
  ) {}

  reread(): string | undefined {
    // A buffer of its own (not one kept for the audit's re-reads, which would keep the largest file read again).
    const again = new ScratchBuffer(0);
    try {
      const bytes = readBytes(this.base + this.rest, this.root, again);
      return sameStamp(again.stamp, this.stamp) ? decodeText(bytes) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Text of a file: UTF-8 (BOM dropped), or UTF-16 LE/BE with BOM (PowerShell writes those). */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = decodeUtf8(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses one manifest file's text: its applications (with origins) and a lazy position index, or problems.
 * `reread` reads the file again when a finding is first located in it, instead of keeping `text` (which is kept
 * without it); `shared` holds the `Origin.paths` records of the files read before (paths-table.ts).
 */
export function parseManifestText(
  text: string,
  file: string,
  reread?: Reread,
  shared: PathsTable = new PathsTable(),
):
  | { applications: InventoryApplication[]; index: PositionIndex; conflicts: SourceConflict[] }
  | { problems: string[] } {
  const tooDeep = jsonDepthProblem(text);
  if (tooDeep) return { problems: [`${file}:${tooDeep.line}:${tooDeep.column}: ${tooDeep.message}`] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const parsed = parseJsonWithPositions(text);
    const problems =
      'problems' in parsed
        ? parsed.problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`)
        : [`${file}: not valid JSON`];
    return { problems };
  }
  // Kept with the applications, for the findings; the problems found now are located in the text at hand.
  const index = new LazyJsonIndex(reread ?? text);
  let inText: LazyJsonIndex | undefined = reread ? undefined : index;
  const locateNow = (pointer: string) => (inText ??= new LazyJsonIndex(text)).locate(pointer);
  const objects = applicationObjects(value);
  const located = (pointer: string, message: string) => {
    const position = locateNow(pointer);
    return position ? `${file}:${position.line}:${position.column}: ${message}` : `${file}: ${message}`;
  };
  if (!objects) {
    return {
      problems: [
        located(
          '',
          'not an app manifest: expected an application object with appId, a JSON array of them, or a Graph page { "value": [...] }',
        ),
      ],
    };
  }
  const problems: Problem[] = [];
  const applications: InventoryApplication[] = [];
  const conflicts: SourceConflict[] = [];
  for (const { object, pointer } of objects) {
    const result = translateApplication(object, { file, pointer, index }, problems, shared);
    if (!result) continue;
    applications.push(result.app);
    pushAll(conflicts, result.conflicts);
  }
  if (problems.length > 0) {
    // In the order of the file, whichever reading found them.
    const positioned = problems.map((p) => ({ ...p, at: locateNow(p.pointer) }));
    positioned.sort(
      (a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.column ?? 0) - (b.at?.column ?? 0),
    );
    return { problems: positioned.map((p) => located(p.pointer, p.message)) };
  }
  return { applications, index, conflicts };
}

/** The application objects of a document, with their pointers; undefined when the shape is none of ours. */
function applicationObjects(value: unknown): { object: unknown; pointer: string }[] | undefined {
  if (Array.isArray(value)) return value.map((object, i) => ({ object, pointer: joinPointer('', i) }));
  if (!isObject(value)) return undefined;
  if (Array.isArray(value['value']) && !('appId' in value) && !('AppId' in value)) {
    return value['value'].map((object, i) => ({ object, pointer: joinPointer('/value', i) }));
  }
  // The usual file is one application with its appId: no list of its keys made.
  if (Object.hasOwn(value, 'appId') || Object.hasOwn(value, 'AppId')) return [{ object: value, pointer: '' }];
  const keys = Object.keys(value);
  if (keys.some((k) => APP_KEYS.includes(k))) return [{ object: value, pointer: '' }];
  return undefined;
}

/** One application object -> its inventory record and the conflicts between its keys, or problems. */
function translateApplication(
  object: unknown,
  place: { file: string; pointer: string; index: PositionIndex },
  problems: Problem[],
  shared: PathsTable,
): ReadApplication | undefined {
  if (!isObject(object)) {
    problems.push({ pointer: place.pointer, message: 'expected an application object' });
    return undefined;
  }
  const key = 'appId' in object ? 'appId' : 'AppId' in object ? 'AppId' : undefined;
  const appId = key === undefined ? undefined : object[key];
  if (key === undefined || appId === null) {
    problems.push({
      pointer: key === undefined ? place.pointer : joinPointer(place.pointer, key),
      message: 'application has no appId (the Application (client) ID); every manifest needs one',
    });
    return undefined;
  }
  if (typeof appId === 'string' && appId.trim() === '') {
    problems.push({
      pointer: joinPointer(place.pointer, key),
      message: 'appId is empty; every manifest needs the Application (client) ID',
    });
    return undefined;
  }
  const before = problems.length;
  const result = readApplication(object, place, problems, shared);
  return problems.length === before ? result : undefined;
}
