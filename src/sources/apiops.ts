/**
 * The `apiops:<dir>[#<service name>]` source: an APIOps artifact folder (what the APIOps extractor writes, and
 * what its publisher deploys). Folder names are ARM resource names; `*Information.json` files hold the ARM
 * `properties`; policies are raw `policy.xml` files (`rawxml`). Authorization servers are not extracted by
 * APIOps: teams hand-write `authorizationServers/<name>/authorizationServerInformation.json`, and this source
 * reads that convention, plus an optional `serviceInformation.json` for the service's name and host names.
 *
 * Every record points at its own file (pointer `''` = the file's root object); policy text is located inside
 * its `policy.xml`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AuditError } from '../engine/errors';
import type {
  Inventory,
  InventoryApi,
  InventoryFragment,
  InventoryOperation,
  InventoryProduct,
  InventoryResource,
  InventoryService,
  InventoryWorkspace,
  NamedValueProperties,
  Origin,
  PolicyContract,
  PositionIndex,
  SourceGap,
} from '../inventory/types';
import { parseJsonWithPositions, stripBom, textFileIndex } from '../json/positions';
import { displayPath } from '../util/package-root';
import { jsonSpecOperations, yamlSpecOperations, type SpecResult } from './apiops-spec';
import { stripSecrets } from './arm-template';
import type { SourceDefinition } from './types';
import { isRecord } from '../util/json';

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

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b));
  } catch {
    return [];
  }
}

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

type Json = Record<string, unknown>;

/** Reads the files of one artifact folder, keeping every position index and every problem. */
class FolderReader {
  readonly files: Record<string, PositionIndex> = {};
  readonly problems: string[] = [];
  readonly gaps: SourceGap[] = [];

  constructor(
    private readonly spec: string,
    private readonly cwd: string,
    readonly log: (message: string) => void,
  ) {}

  shown(file: string): string {
    return displayPath(file, this.cwd);
  }

  private text(file: string): string | undefined {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      this.gap(file, `cannot be read: ${(error as Error).message}`);
      return undefined;
    }
  }

  gap(file: string, reason: string): void {
    this.gaps.push({ source: this.spec, what: this.shown(file), reason });
  }

  /** An `*Information.json`: its object, indexed; undefined (with a problem recorded) when malformed. */
  json(file: string): { value: Json; origin: Origin } | undefined {
    if (!existsSync(file)) return undefined;
    const text = this.text(file);
    if (text === undefined) return undefined;
    const shown = this.shown(file);
    const parsed = parseJsonWithPositions(text);
    if ('problems' in parsed) {
      for (const p of parsed.problems) this.problems.push(`${shown}:${p.line}:${p.column}: ${p.message}`);
      return undefined;
    }
    this.files[shown] = parsed.index;
    if (!isRecord(parsed.value)) {
      this.problems.push(`${shown}:1:1: expected a JSON object ({ "properties": { ... } })`);
      return undefined;
    }
    return { value: parsed.value, origin: { file: shown, pointer: '' } };
  }

  /** The `properties` object of an information file (an absent `properties` is `{}`). */
  properties(file: string, info: { value: Json; origin: Origin }): Json | undefined {
    const properties = info.value['properties'];
    if (properties === undefined) return {};
    if (isRecord(properties)) return stripSecrets(properties) as Json;
    const position = this.files[info.origin.file ?? '']?.locate('/properties');
    this.problems.push(
      `${this.shown(file)}:${position?.line ?? 1}:${position?.column ?? 1}: "properties" must be an object`,
    );
    return undefined;
  }

  /** A `policy.xml`: raw text (`rawxml`, BOM stripped), located in its own file. */
  policy(file: string): PolicyContract | undefined {
    if (!existsSync(file)) return undefined;
    const text = this.text(file);
    if (text === undefined) return undefined;
    const shown = this.shown(file);
    this.files[shown] = textFileIndex(text);
    return { format: 'rawxml', value: stripBom(text), origin: { file: shown, pointer: '' } };
  }

  /** Operations listed by the API's specification file, if it is OpenAPI JSON or YAML. */
  specOperations(apiDir: string): SpecResult | undefined {
    for (const [name, read] of [
      ['specification.json', jsonSpecOperations],
      ['specification.yaml', yamlSpecOperations],
      ['specification.yml', yamlSpecOperations],
    ] as const) {
      const file = path.join(apiDir, name);
      if (!existsSync(file)) continue;
      const text = this.text(file);
      if (text === undefined) return undefined;
      const result = read(text, this.shown(file));
      if ('operations' in result) this.files[this.shown(file)] = result.index ?? textFileIndex(text);
      return result;
    }
    return undefined;
  }
}

/** The entries of a collection folder (`apis/`, `named values/`...): name and folder path. */
function entries(dir: string, folder: string): { name: string; dir: string }[] {
  return subdirectories(path.join(dir, folder)).map((name) => ({ name, dir: path.join(dir, folder, name) }));
}

function readApi(reader: FolderReader, name: string, dir: string): InventoryApi | undefined {
  const infoFile = path.join(dir, 'apiInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(path.join(dir, 'policy.xml'));
  let api: InventoryApi;
  if (info) {
    const properties = reader.properties(infoFile, info);
    if (!properties) return undefined;
    api = { name, type: 'Microsoft.ApiManagement/service/apis', properties, origin: info.origin };
  } else if (existsSync(infoFile)) {
    return undefined; // malformed: reported as a problem
  } else {
    // Without its information file the API's settings are unknown: record it, but let nothing rest on it.
    const reason = `${reader.shown(infoFile)} is missing, so the API's settings are unknown`;
    reader.gap(infoFile, 'is missing, so the settings of this API are unknown');
    api = {
      name,
      type: 'Microsoft.ApiManagement/service/apis',
      properties: {},
      origin: { ...(policy?.origin ?? {}), unknown: { properties: reason } },
    };
  }
  // APIOps writes non-current revisions as `<api>;rev=<n>` folders; their files do not say isCurrent.
  if (name.includes(';rev=') && api.properties.isCurrent === undefined) api.properties.isCurrent = false;
  if (policy) api.policy = policy;
  const operations = readOperations(reader, dir);
  if (operations.length > 0) api.operations = operations;
  return api;
}

function readOperations(reader: FolderReader, apiDir: string): InventoryOperation[] {
  const byName = new Map<string, InventoryOperation>();
  const spec = reader.specOperations(apiDir);
  if (spec && 'problem' in spec) {
    reader.gap(
      apiDir,
      `its specification cannot be read (${spec.problem}), so operations without an operations/<name>/policy.xml are not audited`,
    );
  } else if (spec) {
    for (const op of spec.operations) {
      byName.set(op.name.toLowerCase(), {
        name: op.name,
        type: 'Microsoft.ApiManagement/service/apis/operations',
        properties: op.properties,
        origin: op.origin,
      });
    }
  }
  for (const entry of entries(apiDir, 'operations')) {
    const infoFile = path.join(entry.dir, 'operationInformation.json');
    const info = reader.json(infoFile);
    const policy = reader.policy(path.join(entry.dir, 'policy.xml'));
    let operation = byName.get(entry.name.toLowerCase());
    if (!operation) {
      operation = {
        name: entry.name,
        type: 'Microsoft.ApiManagement/service/apis/operations',
        properties: {},
        origin: info?.origin ?? policy?.origin ?? {},
      };
      byName.set(entry.name.toLowerCase(), operation);
    }
    if (info) {
      const properties = reader.properties(infoFile, info);
      if (properties) operation.properties = { ...operation.properties, ...properties };
      operation.origin = info.origin;
    }
    if (policy) operation.policy = policy;
  }
  return [...byName.values()];
}

function readProduct(reader: FolderReader, name: string, dir: string): InventoryProduct | undefined {
  const infoFile = path.join(dir, 'productInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(path.join(dir, 'policy.xml'));
  const properties = info ? reader.properties(infoFile, info) : {};
  if (!properties || (!info && existsSync(infoFile))) return undefined;
  const origin: Origin = info?.origin ?? policy?.origin ?? {};
  if (!info) {
    reader.gap(infoFile, 'is missing, so the settings of this product are unknown');
    origin.unknown = { properties: `${reader.shown(infoFile)} is missing` };
  }
  const product: InventoryProduct = {
    name,
    type: 'Microsoft.ApiManagement/service/products',
    properties,
    origin,
  };
  const apis = entries(dir, 'apis').map((e) => {
    reader.json(path.join(e.dir, 'productApiInformation.json'));
    return e.name;
  });
  if (apis.length > 0) product.apis = apis;
  if (policy) product.policy = policy;
  return product;
}

function readNamedValue(
  reader: FolderReader,
  name: string,
  dir: string,
): InventoryResource<NamedValueProperties> | undefined {
  const infoFile = path.join(dir, 'namedValueInformation.json');
  const info = reader.json(infoFile);
  if (!info) {
    if (!existsSync(infoFile)) reader.gap(infoFile, 'is missing, so this named value is unknown');
    return undefined;
  }
  const properties = reader.properties(infoFile, info);
  if (!properties) return undefined;
  // Never keep a secret's value (APIOps does not extract them, but a hand-edited file might hold one).
  if (properties['secret'] !== false) delete properties['value'];
  return { name, type: 'Microsoft.ApiManagement/service/namedValues', properties, origin: info.origin };
}

function readFragment(reader: FolderReader, name: string, dir: string): InventoryFragment | undefined {
  const infoFile = path.join(dir, 'policyFragmentInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(path.join(dir, 'policy.xml'));
  if (info === undefined && existsSync(infoFile)) return undefined;
  const properties = info ? reader.properties(infoFile, info) : {};
  if (!properties) return undefined;
  if (!policy) {
    reader.gap(path.join(dir, 'policy.xml'), 'is missing, so the text of this policy fragment is unknown');
    return undefined;
  }
  delete properties['value'];
  const fragment: InventoryFragment = {
    name,
    type: 'Microsoft.ApiManagement/service/policyFragments',
    properties: { ...properties, format: 'rawxml', value: policy.value },
    origin: info?.origin ?? policy.origin ?? {},
  };
  if (policy.origin) fragment.valueOrigin = policy.origin;
  return fragment;
}

function readAuthorizationServer(
  reader: FolderReader,
  name: string,
  dir: string,
): InventoryResource<Json> | undefined {
  const infoFile = path.join(dir, 'authorizationServerInformation.json');
  const info = reader.json(infoFile);
  if (!info) {
    if (!existsSync(infoFile)) reader.gap(infoFile, 'is missing, so this authorization server is unknown');
    return undefined;
  }
  const properties = reader.properties(infoFile, info);
  if (!properties) return undefined;
  return {
    name,
    type: 'Microsoft.ApiManagement/service/authorizationServers',
    properties,
    origin: info.origin,
  };
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
