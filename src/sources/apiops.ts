/**
 * The `apiops:<dir>[#<service name>]` source: an APIOps artifact folder (what the APIOps extractor writes, and
 * what its publisher deploys). Folder names are ARM resource names; `*Information.json` files hold the ARM
 * `properties`; policies are raw `policy.xml` files (`rawxml`). Authorization servers are not extracted by
 * APIOps: teams hand-write `authorizationServers/<name>/authorizationServerInformation.json`, and this source
 * reads that convention, plus an optional `serviceInformation.json` for the service's name and host names.
 *
 * Every record points at its own file (pointer `''` = the file's root object); policy text is located inside
 * its `policy.xml`. This module detects the folder and composes the service and its workspaces; the files and
 * the entity folders are read by apiops-entities.ts.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../engine/errors';
import type { Inventory, InventoryService, InventoryWorkspace, Origin } from '../inventory/types';
import {
  entries,
  FolderReader,
  readApi,
  readAuthorizationServer,
  readFragment,
  readNamedValue,
  readProduct,
  subdirectories,
} from './apiops-entities';
import type { SourceDefinition } from './types';

/** APIM service names: a letter, then letters, digits and hyphens, not ending in a hyphen (1-50). */
const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/;

/** Folders that hold `<name>/<kind>Information.json` entries; any one of them marks an APIOps folder. */
const LAYOUT: readonly [string, string][] = [
  ['apis', 'apiInformation.json'],
  ['products', 'productInformation.json'],
  ['named values', 'namedValueInformation.json'],
  ['policy fragments', 'policyFragmentInformation.json'],
  ['authorizationServers', 'authorizationServerInformation.json'],
  ['workspaces', 'workspaceInformation.json'],
];

export const apiopsSource: SourceDefinition = {
  describe:
    'an APIOps artifact folder (apis/, products/, named values/, policy fragments/, policy.xml); apiops:<dir>#<service name> names the APIM service',
  takesPath: true,
  phase: 'files',
  detect: (location, stats) => stats.isDirectory() && looksLikeApiops(location),
  load: (location, raw, context) => {
    try {
      return Promise.resolve(loadApiopsFolder(location, raw, context.cwd, context.log));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
};

export function looksLikeApiops(dir: string): boolean {
  if (existsSync(path.join(dir, 'serviceInformation.json'))) return true;
  return LAYOUT.some(([folder, info]) =>
    subdirectories(path.join(dir, folder)).some((name) => {
      const entry = path.join(dir, folder, name);
      return existsSync(path.join(entry, info)) || existsSync(path.join(entry, 'policy.xml'));
    }),
  );
}

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
  return entries(dir, folder).flatMap((e) => {
    const item = read(reader, e.name, e.dir);
    return item === undefined ? [] : [item];
  });
}

/** The parts a service and a workspace share: APIs, products, named values, fragments and the policy. */
function readContainer(reader: FolderReader, dir: string) {
  return {
    apis: collect(reader, dir, 'apis', readApi),
    products: collect(reader, dir, 'products', readProduct),
    namedValues: collect(reader, dir, 'named values', readNamedValue),
    policyFragments: collect(reader, dir, 'policy fragments', readFragment),
    policy: reader.policy(path.join(dir, 'policy.xml')),
  };
}

function readWorkspace(reader: FolderReader, name: string, dir: string): InventoryWorkspace | undefined {
  const infoFile = path.join(dir, 'workspaceInformation.json');
  const info = reader.json(infoFile);
  const properties = info ? reader.properties(infoFile, info) : {};
  if (!properties || (!info && existsSync(infoFile))) return undefined;
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
    (existsSync(path.join(dir, 'policy.xml'))
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

export function loadApiopsFolder(
  location: string,
  spec: string = `apiops:${location}`,
  cwd: string = process.cwd(),
  log: (message: string) => void = () => undefined,
): Inventory {
  const { dir, serviceName } = splitApiopsLocation(location);
  const reader = new FolderReader(spec, cwd, log);
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
  const service = readService(reader, dir, serviceName);
  const parts = readContainer(reader, dir);
  const servers = collect(reader, dir, 'authorizationServers', readAuthorizationServer);
  const workspaces = collect(reader, dir, 'workspaces', readWorkspace);
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
  return {
    sources: [{ spec, provides: { entra: false, apim: true } }],
    applications: [],
    services: [service],
    gaps: reader.gaps,
    files: reader.files,
  };
}
