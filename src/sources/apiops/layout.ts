/**
 * Where APIOps tools put things: which folders make an artifact folder (under every name a tool has written
 * over the years), whether a path is one, and, when it is not, what it holds instead and which folder the user
 * may have meant.
 */
import path from 'node:path';
import { present } from '../../util/files';
import { listFolder } from '../../util/folders';
import { subdirectories } from './reader';

/**
 * Every name an APIOps tool has written for a collection: the Azure/apiops extractor writes `named values/` and
 * `policy fragments/`, apiops-cli (its successor) `namedValues/` and `policyFragments/`.
 */
export const NAMED_VALUES = ['named values', 'namedValues'];
export const FRAGMENTS = ['policy fragments', 'policyFragments'];

/** Folders that hold `<name>/<kind>Information.json` entries; any one of them marks an APIOps folder. */
const LAYOUT: readonly (readonly [string, string])[] = [
  ['apis', 'apiInformation.json'],
  ['products', 'productInformation.json'],
  ...NAMED_VALUES.map((folder) => [folder, 'namedValueInformation.json'] as const),
  ...FRAGMENTS.map((folder) => [folder, 'policyFragmentInformation.json'] as const),
  ['authorizationServers', 'authorizationServerInformation.json'],
  ['workspaces', 'workspaceInformation.json'],
];

/** Collection folders APIOps tools write that the audit does not read: an artifact folder may hold only these. */
const UNREAD = [
  'backends',
  'diagnostics',
  'documentations',
  'gateways',
  'groups',
  'loggers',
  'policyRestrictions',
  'schemas',
  'subscriptions',
  'tags',
  'version sets',
  'versionSets',
];

const COLLECTIONS = [...LAYOUT.map(([folder]) => folder), ...UNREAD];

export const API_INFO = 'apiInformation.json';
/** Folders inside an API folder that belong to that API (not versions, revisions or misplaced copies). */
const API_CHILDREN = new Set([
  'operations',
  'diagnostics',
  'releases',
  'resolvers',
  'schemas',
  'tags',
  'tagDescriptions',
]);
/** Files an APIOps tool writes into the entry of any collection (`backends/<b>/backendInformation.json`...). */
const ENTRY_FILE = /(?:Information\.json|^policy\.xml|^apis\.json)$/;
/** Files APIOps tools write into an API folder. */
const API_FILE =
  /^(?:apiInformation\.json|policy\.xml|specification\.[a-z]+|wiki\.md|apiVersionSet\.json|tags\.json)$/;

/** What an artifact folder holds, in the words of the "no APIOps artifacts" error. */
export const EXPECTED =
  'apis/<api>/apiInformation.json, products/, named values/, policy fragments/, workspaces/ or a policy.xml at its root';

/** A bare path is an APIOps folder when one of its entries has its information file (or policy.xml). */
export function looksLikeApiops(dir: string): boolean {
  if (present(path.join(dir, 'serviceInformation.json'))) return true;
  return LAYOUT.some(([folder, info]) =>
    subdirectories(path.join(dir, folder)).some((name) => {
      const entry = path.join(dir, folder, name);
      if (present(path.join(entry, info)) || present(path.join(entry, 'policy.xml'))) return true;
      if (folder === 'products') return present(path.join(entry, 'apis.json'));
      return folder === 'apis' && nestedApiDirs(entry).length > 0;
    }),
  );
}

/**
 * An `apiops:` source must hold something an APIOps tool writes: `serviceInformation.json`, the global
 * `policy.xml`, or a collection folder with an entry holding APIOps files. An API folder counts when its
 * `apiInformation.json` is misplaced too, so that the gap can say where it is.
 */
export function hasArtifacts(dir: string): boolean {
  if (present(path.join(dir, 'serviceInformation.json')) || present(path.join(dir, 'policy.xml'))) {
    return true;
  }
  return COLLECTIONS.some((folder) =>
    subdirectories(path.join(dir, folder)).some((name) => {
      const entry = path.join(dir, folder, name);
      if (listing(entry).some((n) => ENTRY_FILE.test(n))) return true;
      return folder === 'apis' && (isApiFolder(entry) || misplacedApiInfo(entry).length > 0);
    }),
  );
}

/** The artifact folder the user may have meant: `dir`'s parent when `dir` is its `apis/`, or one below `dir`. */
export function meant(dir: string): string | undefined {
  const parent = path.dirname(path.resolve(dir));
  if (COLLECTIONS.includes(path.basename(path.resolve(dir))) && looksLikeApiops(parent)) return parent;
  return artifactsBelow(dir);
}

/** A folder up to two levels below `dir` that looks like an APIOps folder (`apimartifacts/`), if any. */
function artifactsBelow(dir: string, depth = 2): string | undefined {
  for (const name of subdirectories(dir)) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const child = path.join(dir, name);
    const found = looksLikeApiops(child) ? child : depth > 1 ? artifactsBelow(child, depth - 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** A folder's contents in a few words: `an empty folder`, `only README.md and drafts/`. */
export function contents(dir: string): string {
  const names = listing(dir);
  if (names.length === 0) return 'an empty folder';
  const shown = names.slice(0, 3);
  const more = names.length - shown.length;
  const list =
    more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ').replace(/, ([^,]*)$/, ' and $1');
  return `only ${list}`;
}

export function listing(dir: string, root?: string): string[] {
  return listFolder(dir, root, () => undefined)
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => (e.kind === 'folder' ? `${e.name}/` : e.name));
}

/** Whether a folder under `apis/` holds files APIOps tools write into an API folder (or a 2022 version folder). */
export function isApiFolder(dir: string): boolean {
  const names = listing(dir);
  if (names.some((n) => API_FILE.test(n) || API_CHILDREN.has(n.replace(/\/$/, '')))) return true;
  return nestedApiDirs(dir).length > 0;
}

/** `apiInformation.json` files one level below an API folder, where no APIOps tool looks for them. */
export function misplacedApiInfo(dir: string): string[] {
  return subdirectories(dir)
    .filter((sub) => !API_CHILDREN.has(sub))
    .map((sub) => path.join(dir, sub, API_INFO))
    .filter((file) => present(file));
}

/** `<version>/<revision>` folders of an API folder that hold an `apiInformation.json` (the 2022 layout). */
export function nestedApiDirs(dir: string): string[] {
  return subdirectories(dir)
    .filter((version) => !API_CHILDREN.has(version))
    .flatMap((version) =>
      subdirectories(path.join(dir, version))
        .filter((revision) => present(path.join(dir, version, revision, API_INFO)))
        .map((revision) => `${version}/${revision}`),
    );
}
