/**
 * The `apiops:<dir>[#<service name>]` source: an APIOps artifact folder (what the APIOps extractor writes, and
 * what its publisher deploys). Folder names are ARM resource names; `*Information.json` files hold the ARM
 * `properties`; policies are raw `policy.xml` files (`rawxml`). Authorization servers are not extracted by
 * APIOps: teams hand-write `authorizationServers/<name>/authorizationServerInformation.json`, and this source
 * reads that convention, plus an optional `serviceInformation.json` for the service's name and host names.
 *
 * Every record points at its own file (pointer `''` = the file's root object); policy text is located inside
 * its `policy.xml`. This module detects the folder, places the folders APIOps tools have written over the years
 * (and says what it expected where it cannot place one), and composes the service and its workspaces; the files
 * and the entity folders are read by reader.ts and entities.ts, the layouts told apart by layout.ts.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../../errors';
import type {
  Inventory,
  InventoryApi,
  InventoryService,
  InventoryWorkspace,
  Origin,
} from '../../inventory/types';
import { readApi, readAuthorizationServer, readFragment, readNamedValue, readProduct } from './entities';
import { entries, FolderReader, OPERATION_PROBE, SPEC_AHEAD, subdirectories } from './reader';
import { fileIn } from '../../util/folders';
import type { Probe } from '../../util/read-ahead';
import {
  API_INFO,
  contents,
  EXPECTED,
  FRAGMENTS,
  hasArtifacts,
  isApiFolder,
  listing,
  looksLikeApiops,
  meant,
  misplacedApiInfo,
  NAMED_VALUES,
  nestedApiDirs,
} from './layout';
import type { SourceDefinition } from '../types';
import { howToAdd, markNotCarried } from '../../inventory/collections';

/** APIM service names: a letter, then letters, digits and hyphens, not ending in a hyphen (1-50). */
const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/;

export const apiopsSource: SourceDefinition = {
  describe:
    'an APIOps artifact folder (apis/, products/, named values/, policy fragments/, policy.xml); apiops:<dir>#<service name> names the APIM service',
  takesPath: true,
  phase: 'files',
  detect: (location, stats) => stats.isDirectory() && looksLikeApiops(location),
  load: async (location, raw, context) => {
    const started = startApiopsFolder(location, raw, context.cwd, context.log);
    // The sources started after this one in its phase (loadSources: `startsFirst`) are read on this thread now,
    // while the read-ahead thread, started above, reads this folder: the main thread waited for that thread about
    // 300 ms in a scan of a 5,000-API tree with its 5,000 manifests, and 100 now; 0.952 x the wall time (14 pairs).
    await Promise.resolve();
    return readApiopsFolder(started);
  },
};

/** `dir#name`: the folder and the service name (the name may arrive resolved as a path: its last segment). */
export function splitApiopsLocation(location: string): { dir: string; serviceName: string | undefined } {
  if (existsSync(location)) return { dir: location, serviceName: undefined };
  const hash = location.indexOf('#');
  if (hash < 0) return { dir: location, serviceName: undefined };
  const name = path.basename(location.slice(hash + 1));
  return { dir: location.slice(0, hash), serviceName: name || undefined };
}

function collect<T>(
  reader: FolderReader,
  dir: string,
  folder: string,
  read: (r: FolderReader, name: string, dir: string) => T | undefined,
): T[] {
  return entries(dir, folder, reader).flatMap((e) => {
    const item = read(reader, e.name, e.dir);
    return item === undefined ? [] : [item];
  });
}

/** The same collection under each name it has had (`named values/`, `namedValues/`); the first of a name wins. */
function collectAll<T extends { name: string }>(
  reader: FolderReader,
  dir: string,
  folders: readonly string[],
  read: (r: FolderReader, name: string, dir: string) => T | undefined,
): T[] {
  const items: T[] = [];
  for (const folder of folders) {
    for (const item of collect(reader, dir, folder, read)) {
      if (items.some((i) => i.name === item.name)) {
        reader.log(`${reader.shown(path.join(dir, folder))}: a second '${item.name}' is ignored`);
      } else {
        items.push(item);
      }
    }
  }
  return items;
}

/**
 * The folders under `apis/`. Each is an API (`apis/<api>/apiInformation.json`; `apis/<api>;rev=<n>/` for a
 * non-current revision), or holds the versions and revisions of one, as the APIOps extractor of 2022 wrote them
 * (`apis/<display name>/<version, or Original>/<revision>/apiInformation.json`, the resource name in the file).
 * Any other folder is a gap that says what was expected and what was found.
 */
function readApis(reader: FolderReader, dir: string): InventoryApi[] {
  const one = (api: InventoryApi | undefined) => (api ? [api] : []);
  return entries(dir, 'apis', reader).flatMap((entry) => {
    if (reader.present(fileIn(entry.dir, API_INFO))) return one(readApi(reader, entry.name, entry.dir));
    const nested = nestedApiDirs(entry.dir);
    if (nested.length > 0) {
      return nested.flatMap((sub) => one(readApi(reader, `${entry.name}/${sub}`, path.join(entry.dir, sub))));
    }
    const expected = `expected ${reader.shown(path.join(entry.dir, API_INFO))}`;
    const deeper = misplacedApiInfo(entry.dir);
    if (deeper.length > 0) {
      const found = deeper.map((file) => reader.shown(file)).join(' and ');
      const fix =
        deeper.length === 1
          ? `move it up to ${reader.shown(entry.dir)}/`
          : 'give each API its own apis/<api>/ folder';
      const reason = `${expected}; found ${found} one level deeper, where APIOps does not look (${fix}), so the settings of this API are unknown`;
      return one(readApi(reader, entry.name, entry.dir, { at: entry.dir, reason }));
    }
    if (isApiFolder(entry.dir)) return one(readApi(reader, entry.name, entry.dir));
    // An empty folder (dot-files aside) deploys nothing.
    if (listing(entry.dir).length > 0) {
      reader.gap(entry.dir, `${expected}; found ${contents(entry.dir)}, so it is not read as an API`);
    }
    return [];
  });
}

/** The parts a service and a workspace share: APIs, products, named values, fragments and the policy. */
function readContainer(reader: FolderReader, dir: string) {
  return {
    apis: readApis(reader, dir),
    products: collect(reader, dir, 'products', readProduct),
    namedValues: collectAll(reader, dir, NAMED_VALUES, readNamedValue),
    policyFragments: collectAll(reader, dir, FRAGMENTS, readFragment),
    policy: reader.policy(path.join(dir, 'policy.xml')),
  };
}

function readWorkspace(reader: FolderReader, name: string, dir: string): InventoryWorkspace | undefined {
  const infoFile = path.join(dir, 'workspaceInformation.json');
  const info = reader.json(infoFile);
  const properties = info ? reader.properties(infoFile, info) : {};
  if (!properties || (!info && reader.present(infoFile))) return undefined;
  const parts = readContainer(reader, dir);
  const workspace: InventoryWorkspace = {
    name,
    type: 'Microsoft.ApiManagement/service/workspaces',
    properties,
    origin: info?.origin ?? parts.policy?.origin ?? {},
  };
  if (parts.apis.length > 0) workspace.apis = parts.apis;
  if (parts.products.length > 0) workspace.products = parts.products;
  if (parts.namedValues.length > 0) workspace.namedValues = parts.namedValues;
  if (parts.policyFragments.length > 0) workspace.policyFragments = parts.policyFragments;
  if (parts.policy) workspace.policy = parts.policy;
  return workspace;
}

/**
 * The service record: name from `#<name>`, else `serviceInformation.json`'s `name`; host names and ids from
 * `serviceInformation.json`. Without a name the folder's name stands in, marked unknown, so that nothing that
 * depends on the developer-portal host is judged against a made-up host.
 */
function readService(reader: FolderReader, dir: string, explicitName: string | undefined): InventoryService {
  const infoFile = path.join(dir, 'serviceInformation.json');
  const info = reader.json(infoFile);
  const properties = (info ? reader.properties(infoFile, info) : undefined) ?? {};
  const origin: Origin =
    info?.origin ??
    (reader.present(path.join(dir, 'policy.xml'))
      ? { file: reader.shown(path.join(dir, 'policy.xml')), pointer: '' }
      : {});
  const fileName = info?.value['name'];
  let name = explicitName ?? (typeof fileName === 'string' ? fileName : undefined);
  if (explicitName && typeof fileName === 'string' && fileName !== explicitName) {
    reader.log(`${reader.shown(infoFile)}: name '${fileName}' is overridden by '#${explicitName}'`);
  }
  if (name === undefined) {
    name = path.basename(path.resolve(dir));
    origin.unknown = {
      name: `the service name is not given (add #<service name> to the source, apiops:${reader.shown(dir)}#<name>, or "name" to serviceInformation.json); the folder name '${name}' stands in`,
    };
  }
  const service: InventoryService = { name, type: 'Microsoft.ApiManagement/service', properties, origin };
  const id = info?.value['id'];
  if (typeof id === 'string') {
    service.id = id;
    origin.resourceId = id;
  }
  const location = info?.value['location'];
  if (typeof location === 'string') service.location = location;
  return service;
}

/**
 * What an artifact folder does not carry (absent is not empty, src/inventory/collections.ts): APIOps extracts no
 * authorization servers, so they are known only from a hand-written `authorizationServers/` folder whose every
 * entry could be read, and no OpenID Connect providers at all.
 */
function markUncarried(reader: FolderReader, dir: string, service: InventoryService, servers: number): void {
  const folder = path.join(dir, 'authorizationServers');
  const named = service.origin.unknown?.['name']
    ? `; name the service as well (apiops:${reader.shown(dir)}#<service name>) so that the sources match`
    : '';
  const entries = subdirectories(folder, dir).length;
  if (!reader.present(folder) || entries > servers) {
    const why = reader.present(folder)
      ? `${reader.shown(folder)} has entries without a readable authorizationServerInformation.json`
      : `APIOps does not extract authorization servers and ${reader.shown(dir)} has no hand-written authorizationServers/ folder`;
    markNotCarried(
      service.origin,
      'authorizationServers',
      `${why}, so which servers the service has is not known; ${howToAdd('authorizationServers', 'apiops')}${named}`,
    );
  }
  markNotCarried(
    service.origin,
    'openidConnectProviders',
    `APIOps does not extract OpenID Connect providers, so which providers the service has is not known; ${howToAdd('openidConnectProviders', 'apiops')}${named}`,
  );
}

/**
 * APIs from which a tree is read ahead on a second thread: API folders hold most of a tree's files. Measured on two
 * vCPUs (`scan --timing`, read ahead and not, alternated), on the bench's trees (which have as many authorization
 * servers as APIs): 100 and 500 APIs were 35 and 85 ms slower with it (starting the thread and handing over cost
 * more than it saves), 1,000 the same, 1,500 to 5,000 faster (the reading 15 to 20% shorter).
 */
const READ_AHEAD_APIS = 1000;

/** The collection folders of a service, in the order `loadApiopsFolder` reads them. */
const COLLECTIONS = ['apis', 'products', ...NAMED_VALUES, ...FRAGMENTS, 'authorizationServers', 'workspaces'];

/**
 * The entity folders of the artifact folder (one API, product, workspace...), in the order they are read: what is
 * read ahead (src/util/read-ahead.ts). Folders reached through a link are left to the main thread.
 */
function readOrder(reader: FolderReader, dir: string): string[] {
  return COLLECTIONS.flatMap((folder) => {
    const collection = path.join(dir, folder);
    // A collection reached through a link is read on the main thread (the worker follows no link).
    if (!reader.present(collection) || !reader.tree.plainFolder(collection)) return [];
    let listed;
    try {
      listed = reader.tree.dirents(collection);
    } catch {
      return [];
    }
    return listed
      .filter((e) => e.isDirectory() && !e.isSymbolicLink())
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b))
      .map((name) => fileIn(collection, name));
  });
}

/** Refuses, before reading anything, a location that is no folder, a bad `#<name>`, or a folder without artifacts. */
function checkArtifactFolder(
  reader: FolderReader,
  dir: string,
  spec: string,
  serviceName: string | undefined,
): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw new AuditError(
      'source-unreadable',
      `Cannot read APIOps folder ${reader.shown(dir)}: ${(error as Error).message}`,
    );
  }
  if (!isDirectory) {
    throw new AuditError(
      'source-invalid',
      `APIOps source ${reader.shown(dir)} is not a folder (apiops:<artifact folder>).`,
    );
  }
  if (serviceName !== undefined && !SERVICE_NAME.test(serviceName)) {
    throw new AuditError(
      'usage',
      `'${serviceName}' in ${spec} is not an API Management service name (letters, digits and hyphens, starting with a letter).`,
    );
  }
  if (!hasArtifacts(dir)) {
    const other = meant(dir);
    const hint = other ? `; ${reader.shown(other)} is one: pass apiops:${reader.shown(other)}` : '';
    throw new AuditError(
      'source-invalid',
      `no APIOps artifacts found in ${reader.shown(dir)}: expected ${EXPECTED}; found ${contents(dir)}${hint}`,
    );
  }
}

/**
 * Folders the read-ahead thread looks into for the files they are read for instead of listing them (`Probe`): each
 * operation's, and each entry of the collections whose entries hold only those (entities.ts reads nothing else there),
 * one folder per authorization server and named value in a large tree, and one per API of each product.
 */
const PROBES: readonly Probe[] = [
  OPERATION_PROBE,
  { parent: 'products/*/apis', present: ['productApiInformation.json'], absent: [] },
  { parent: 'authorizationServers', present: ['authorizationServerInformation.json'], absent: [] },
  ...NAMED_VALUES.map((parent) => ({ parent, present: ['namedValueInformation.json'], absent: [] })),
  ...FRAGMENTS.map((parent) => ({
    parent,
    present: ['policyFragmentInformation.json', 'policy.xml'],
    absent: [],
  })),
];

export function loadApiopsFolder(
  location: string,
  spec: string = `apiops:${location}`,
  cwd: string = process.cwd(),
  log: (message: string) => void = () => undefined,
): Inventory {
  return readApiopsFolder(startApiopsFolder(location, spec, cwd, log));
}

/** An APIOps folder checked and its reading started (on the read-ahead thread when the tree is large). */
interface StartedFolder {
  reader: FolderReader;
  dir: string;
  serviceName: string | undefined;
  spec: string;
}

function startApiopsFolder(
  location: string,
  spec: string,
  cwd: string,
  log: (message: string) => void,
): StartedFolder {
  const { dir, serviceName } = splitApiopsLocation(location);
  const reader = new FolderReader(spec, cwd, log, dir);
  checkArtifactFolder(reader, dir, spec, serviceName);
  const order = readOrder(reader, dir);
  const apis = path.join(dir, 'apis');
  const worth = order.filter((unit) => path.dirname(unit) === apis).length >= READ_AHEAD_APIS;
  // Every entity folder is read ahead once there are enough APIs (`minimum` 0), none before (always with `=on`).
  reader.tree.startReadAhead(order, worth ? 0 : Number.POSITIVE_INFINITY, SPEC_AHEAD, PROBES);
  return { reader, dir, serviceName, spec };
}

/**
 * Reads a started folder: its inventory, or the problems of its malformed files (the read-ahead is stopped either
 * way).
 */
function readApiopsFolder({ reader, dir, serviceName, spec }: StartedFolder): Inventory {
  let read;
  try {
    read = {
      service: readService(reader, dir, serviceName),
      parts: readContainer(reader, dir),
      servers: collect(reader, dir, 'authorizationServers', readAuthorizationServer),
      workspaces: collect(reader, dir, 'workspaces', readWorkspace),
    };
  } finally {
    reader.tree.stopReadAhead();
  }
  const { service, parts, servers, workspaces } = read;
  if (reader.problems.length > 0) {
    throw new AuditError(
      'source-invalid',
      `APIOps folder ${reader.shown(dir)} has malformed files:`,
      reader.problems,
    );
  }
  service.apis = parts.apis;
  service.products = parts.products;
  service.namedValues = parts.namedValues;
  service.policyFragments = parts.policyFragments;
  service.authorizationServers = servers;
  if (workspaces.length > 0) service.workspaces = workspaces;
  if (parts.policy) service.policy = parts.policy;
  markUncarried(reader, dir, service, servers.length);
  return {
    sources: [{ spec, provides: { entra: false, apim: true } }],
    applications: [],
    services: [service],
    gaps: reader.gaps,
    files: reader.files,
  };
}
