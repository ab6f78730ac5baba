/**
 * One reader per entity folder of an APIOps artifact folder: APIs with their operations, products, named values,
 * policy fragments, authorization servers. The files are read through `FolderReader` (reader.ts); index.ts
 * composes the entities into the service and its workspaces, so that each of the two reads as one level of the
 * folder.
 */
import { fileIn } from '../../util/folders';
import type {
  InventoryApi,
  InventoryFragment,
  InventoryOperation,
  InventoryProduct,
  InventoryResource,
  NamedValueProperties,
  Origin,
  PolicyContract,
} from '../../inventory/types';
import { entries, type FolderReader, type Json, OPERATION_FILES } from './reader';
import { isRecord } from '../../util/json';

/**
 * The resource name: the folder's, unless the information file states a `name`. The APIOps extractor of 2022
 * named folders after display names (`apis/Echo API/`) and wrote the resource name into the file; today's
 * extractor writes no `name`, and the folder is the resource name.
 */
export function resourceName(info: { value: Json } | undefined, folder: string): string {
  const name = info?.value['name'];
  return typeof name === 'string' && name !== '' ? name : folder;
}

/** Why an API folder's settings are unknown, when the folder has no `apiInformation.json` of its own. */
export interface MissingInfo {
  /** The gap's subject: the file or folder it is about. */
  at: string;
  reason: string;
}

export function readApi(
  reader: FolderReader,
  name: string,
  dir: string,
  missing?: MissingInfo,
): InventoryApi | undefined {
  const infoFile = fileIn(dir, 'apiInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(fileIn(dir, 'policy.xml'));
  let api: InventoryApi;
  if (info) {
    const properties = reader.properties(infoFile, info);
    if (!properties) return undefined;
    api = {
      name: resourceName(info, name),
      type: 'Microsoft.ApiManagement/service/apis',
      properties,
      origin: info.origin,
    };
  } else if (reader.present(infoFile)) {
    return undefined; // malformed: reported as a problem
  } else {
    // Without its information file the API's settings are unknown: record it, but let nothing rest on it.
    const gap = missing ?? { at: infoFile, reason: 'is missing, so the settings of this API are unknown' };
    reader.gap(gap.at, gap.reason);
    const reason = missing
      ? `${reader.shown(gap.at)}: ${gap.reason}`
      : `${reader.shown(infoFile)} is missing, so the API's settings are unknown`;
    api = {
      name,
      type: 'Microsoft.ApiManagement/service/apis',
      properties: {},
      origin: { ...(policy?.origin ?? {}), unknown: { properties: reason } },
    };
  }
  // APIOps writes non-current revisions as `<api>;rev=<n>` folders; their files do not say isCurrent.
  if (api.name.includes(';rev=') && api.properties.isCurrent === undefined) api.properties.isCurrent = false;
  if (policy) api.policy = policy;
  const operations = readOperations(reader, dir);
  if (operations.length > 0) api.operations = operations;
  return api;
}

function readOperations(reader: FolderReader, apiDir: string): InventoryOperation[] {
  const byName = new Map<string, InventoryOperation>();
  // The extractor of 2022 named operation folders after display names (`operations/Get items/`); a display
  // name two operations share names neither.
  const byDisplayName = new Map<string, InventoryOperation | null>();
  const spec = reader.specOperations(apiDir);
  if (spec && 'problem' in spec) {
    reader.gap(
      apiDir,
      `its specification cannot be read (${spec.problem}), so operations without an operations/<name>/policy.xml are not audited`,
    );
  } else if (spec) {
    for (const op of spec.operations) {
      const operation: InventoryOperation = {
        name: op.name,
        type: 'Microsoft.ApiManagement/service/apis/operations',
        properties: op.properties,
        origin: op.origin,
      };
      byName.set(op.name.toLowerCase(), operation);
      const displayName = op.properties.displayName?.toLowerCase();
      if (displayName) byDisplayName.set(displayName, byDisplayName.has(displayName) ? null : operation);
    }
  }
  for (const entry of entries(apiDir, 'operations', reader)) {
    const infoFile = fileIn(entry.dir, OPERATION_FILES.info);
    const info = reader.json(infoFile);
    const policy = reader.policy(fileIn(entry.dir, OPERATION_FILES.policy));
    let operation = byName.get(entry.name.toLowerCase()) ?? byDisplayName.get(entry.name.toLowerCase());
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

export function readProduct(reader: FolderReader, name: string, dir: string): InventoryProduct | undefined {
  const infoFile = fileIn(dir, 'productInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(fileIn(dir, 'policy.xml'));
  const properties = info ? reader.properties(infoFile, info) : {};
  if (!properties || (!info && reader.present(infoFile))) return undefined;
  const origin: Origin = info?.origin ?? policy?.origin ?? {};
  if (!info) {
    reader.gap(infoFile, 'is missing, so the settings of this product are unknown');
    origin.unknown = { properties: `${reader.shown(infoFile)} is missing` };
  }
  const product: InventoryProduct = {
    name: resourceName(info, name),
    type: 'Microsoft.ApiManagement/service/products',
    properties,
    origin,
  };
  // `apis/<api>/productApiInformation.json` (APIOps extractor today); `apis.json`, a list of `{ "name" }`
  // (the APIOps extractor of 2022, and apiops-cli).
  const apis = entries(dir, 'apis', reader).map((e) => {
    reader.json(fileIn(e.dir, 'productApiInformation.json'));
    return e.name;
  });
  for (const listed of reader.names(fileIn(dir, 'apis.json'))) if (!apis.includes(listed)) apis.push(listed);
  if (apis.length > 0) product.apis = apis;
  if (policy) product.policy = policy;
  return product;
}

export function readNamedValue(
  reader: FolderReader,
  name: string,
  dir: string,
): InventoryResource<NamedValueProperties> | undefined {
  const infoFile = fileIn(dir, 'namedValueInformation.json');
  const info = reader.json(infoFile);
  if (!info) {
    if (!reader.present(infoFile)) reader.gap(infoFile, 'is missing, so this named value is unknown');
    return undefined;
  }
  const properties = reader.properties(infoFile, info);
  if (!properties) return undefined;
  // Never keep a secret's value (APIOps does not extract them, but a hand-edited file might hold one).
  if (properties['secret'] !== false) delete properties['value'];
  return {
    name: resourceName(info, name),
    type: 'Microsoft.ApiManagement/service/namedValues',
    properties,
    origin: info.origin,
  };
}

/**
 * A policy fragment: `policyFragmentInformation.json` (optional) and its text in `policy.xml`; without a
 * `policy.xml`, the text in the information file's `properties.value` (how apiops-cli wrote fragments first).
 */
export function readFragment(reader: FolderReader, name: string, dir: string): InventoryFragment | undefined {
  const infoFile = fileIn(dir, 'policyFragmentInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(fileIn(dir, 'policy.xml')) ?? fragmentInInformation(info);
  if (info === undefined && reader.present(infoFile)) return undefined;
  const properties = info ? reader.properties(infoFile, info) : {};
  if (!properties) return undefined;
  if (!policy) {
    reader.gap(fileIn(dir, 'policy.xml'), 'is missing, so the text of this policy fragment is unknown');
    return undefined;
  }
  delete properties['value'];
  const fragment: InventoryFragment = {
    name: resourceName(info, name),
    type: 'Microsoft.ApiManagement/service/policyFragments',
    properties: { ...properties, format: policy.format === 'xml' ? 'xml' : 'rawxml', value: policy.value },
    origin: info?.origin ?? policy.origin ?? {},
  };
  if (policy.origin) fragment.valueOrigin = policy.origin;
  return fragment;
}

function fragmentInInformation(
  info: { value: Json; origin: Origin } | undefined,
): PolicyContract | undefined {
  const properties = info?.value['properties'];
  if (!info || !isRecord(properties) || typeof properties['value'] !== 'string') return undefined;
  const format = properties['format'] === 'xml' ? 'xml' : 'rawxml';
  return { format, value: properties['value'], origin: { ...info.origin, pointer: '/properties/value' } };
}

export function readAuthorizationServer(
  reader: FolderReader,
  name: string,
  dir: string,
): InventoryResource<Json> | undefined {
  const infoFile = fileIn(dir, 'authorizationServerInformation.json');
  const info = reader.json(infoFile);
  if (!info) {
    if (!reader.present(infoFile))
      reader.gap(infoFile, 'is missing, so this authorization server is unknown');
    return undefined;
  }
  const properties = reader.properties(infoFile, info);
  if (!properties) return undefined;
  return {
    name: resourceName(info, name),
    type: 'Microsoft.ApiManagement/service/authorizationServers',
    properties,
    origin: info.origin,
  };
}
