/**
 * Reading the files of an APIOps artifact folder (`FolderReader`: JSON with positions, `policy.xml`, OpenAPI
 * specifications, problems and gaps) and one reader per entity folder: APIs with their operations, products,
 * named values, policy fragments, authorization servers. Apart from apiops.ts, which composes them into the
 * service and its workspaces, so that each of the two reads as one level of the folder.
 */
import path from 'node:path';
import type {
  InventoryApi,
  InventoryFragment,
  InventoryOperation,
  InventoryProduct,
  InventoryResource,
  NamedValueProperties,
  Origin,
  PolicyContract,
  SourceGap,
} from '../../inventory/types';
import type { PositionIndex } from '../../json/types';
import { parseJsonWithPositions, stripBom, textFileIndex } from '../../json/positions';
import { displayPath } from '../../util/package-root';
import {
  FileReadError,
  fileProblem,
  listFolder,
  present,
  readBytes,
  readText,
  type FileProblem,
} from '../../util/files';
import { jsonSpecOperations, yamlSpecOperations, type SpecResult } from './spec';
import { stripSecrets } from '../arm/secrets';
import { isRecord } from '../../util/json';

export type Json = Record<string, unknown>;

/**
 * The folders in `dir`, a symbolic link inside `root` counted as the folder it leads to. A folder that cannot
 * be listed, and a link that leaves `root`, dangles or loops, goes to `problem` (without one, it is left out).
 */
export function subdirectories(
  dir: string,
  root?: string,
  problem: (file: string, why: string) => void = () => undefined,
): string[] {
  return listFolder(dir, root, problem)
    .filter((e) => e.kind === 'folder')
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
}

/** Reads the files of one artifact folder, keeping every position index and every problem. */
export class FolderReader {
  readonly files: Record<string, PositionIndex> = {};
  readonly problems: string[] = [];
  readonly gaps: SourceGap[] = [];

  constructor(
    private readonly spec: string,
    private readonly cwd: string,
    readonly log: (message: string) => void,
    /** The artifact folder: no symbolic link is followed out of it. */
    readonly root?: string,
  ) {}

  shown(file: string): string {
    return displayPath(file, this.cwd);
  }

  private text(file: string): string | undefined {
    try {
      return readText(file, this.root);
    } catch (error) {
      this.unread(file, error);
      return undefined;
    }
  }

  /**
   * A file not read: over the size limit, not a regular file or not UTF-8 is invalid input (a problem, exit 2);
   * a link that leaves the folder, dangles or loops, and an I/O error, is data lost (a gap, exit 3).
   */
  private unread(file: string, error: unknown): void {
    const invalid: readonly FileProblem[] = ['too-large', 'not-regular', 'invalid-utf8'];
    if (error instanceof FileReadError && invalid.includes(error.problem)) {
      this.problems.push(fileProblem(this.shown(file), error));
    } else {
      this.gap(
        file,
        error instanceof FileReadError ? error.message : `cannot be read: ${(error as Error).message}`,
      );
    }
  }

  gap(file: string, reason: string): void {
    this.gaps.push({ source: this.spec, what: this.shown(file), reason });
  }

  /** A JSON file, indexed; undefined when absent, unreadable (a gap) or malformed (a problem). */
  private parsed(file: string): { value: unknown; shown: string } | undefined {
    if (!present(file)) return undefined;
    const text = this.text(file);
    if (text === undefined) return undefined;
    const shown = this.shown(file);
    const parsed = parseJsonWithPositions(text);
    if ('problems' in parsed) {
      for (const p of parsed.problems) this.problems.push(`${shown}:${p.line}:${p.column}: ${p.message}`);
      return undefined;
    }
    this.files[shown] = parsed.index;
    return { value: parsed.value, shown };
  }

  /** An `*Information.json`: its object, indexed; undefined (with a problem recorded) when malformed. */
  json(file: string): { value: Json; origin: Origin } | undefined {
    const parsed = this.parsed(file);
    if (!parsed) return undefined;
    if (!isRecord(parsed.value)) {
      this.problems.push(`${parsed.shown}:1:1: expected a JSON object ({ "properties": { ... } })`);
      return undefined;
    }
    return { value: parsed.value, origin: { file: parsed.shown, pointer: '' } };
  }

  /** An association file (`products/<p>/apis.json`, `[{ "name": "<api>" }, ...]`): the names it lists. */
  names(file: string): string[] {
    const parsed = this.parsed(file);
    if (!parsed) return [];
    if (!Array.isArray(parsed.value)) {
      this.problems.push(`${parsed.shown}:1:1: expected a JSON array ([{ "name": "<api>" }, ...])`);
      return [];
    }
    return parsed.value.flatMap((item: unknown, i) => {
      const name = isRecord(item) ? item['name'] : undefined;
      if (typeof name === 'string' && name !== '') return [name];
      const at = this.files[parsed.shown]?.locate(`/${i}`);
      this.problems.push(`${parsed.shown}:${at?.line ?? 1}:${at?.column ?? 1}: expected { "name": "<api>" }`);
      return [];
    });
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
    if (!present(file)) return undefined;
    const text = this.text(file);
    if (text === undefined) return undefined;
    const shown = this.shown(file);
    this.files[shown] = textFileIndex(text);
    return { format: 'rawxml', value: stripBom(text), origin: { file: shown, pointer: '' } };
  }

  /**
   * Operations listed by the API's specification file, if it is OpenAPI JSON or YAML (WSDL, WADL and GraphQL
   * APIs list theirs only as `operations/<name>/` folders). Read as bytes: the reader decodes UTF-8 and UTF-16.
   */
  specOperations(apiDir: string): SpecResult | undefined {
    for (const [name, read] of [
      ['specification.json', jsonSpecOperations],
      ['specification.yaml', yamlSpecOperations],
      ['specification.yml', yamlSpecOperations],
    ] as const) {
      const file = path.join(apiDir, name);
      if (!present(file)) continue;
      let bytes: Buffer;
      try {
        bytes = readBytes(file, this.root);
      } catch (error) {
        this.unread(file, error);
        return undefined;
      }
      const result = read(bytes, this.shown(file));
      if ('operations' in result) this.files[this.shown(file)] = result.index;
      return result;
    }
    return undefined;
  }
}

/** The entries of a collection folder (`apis/`, `named values/`...): name and folder path. */
export function entries(dir: string, folder: string, reader?: FolderReader): { name: string; dir: string }[] {
  const problem = reader ? (file: string, why: string) => reader.gap(file, why) : undefined;
  return subdirectories(path.join(dir, folder), reader?.root, problem).map((name) => ({
    name,
    dir: path.join(dir, folder, name),
  }));
}

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
  const infoFile = path.join(dir, 'apiInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(path.join(dir, 'policy.xml'));
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
  } else if (present(infoFile)) {
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
    const infoFile = path.join(entry.dir, 'operationInformation.json');
    const info = reader.json(infoFile);
    const policy = reader.policy(path.join(entry.dir, 'policy.xml'));
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
  const infoFile = path.join(dir, 'productInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(path.join(dir, 'policy.xml'));
  const properties = info ? reader.properties(infoFile, info) : {};
  if (!properties || (!info && present(infoFile))) return undefined;
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
    reader.json(path.join(e.dir, 'productApiInformation.json'));
    return e.name;
  });
  for (const listed of reader.names(path.join(dir, 'apis.json')))
    if (!apis.includes(listed)) apis.push(listed);
  if (apis.length > 0) product.apis = apis;
  if (policy) product.policy = policy;
  return product;
}

export function readNamedValue(
  reader: FolderReader,
  name: string,
  dir: string,
): InventoryResource<NamedValueProperties> | undefined {
  const infoFile = path.join(dir, 'namedValueInformation.json');
  const info = reader.json(infoFile);
  if (!info) {
    if (!present(infoFile)) reader.gap(infoFile, 'is missing, so this named value is unknown');
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
  const infoFile = path.join(dir, 'policyFragmentInformation.json');
  const info = reader.json(infoFile);
  const policy = reader.policy(path.join(dir, 'policy.xml')) ?? fragmentInInformation(info);
  if (info === undefined && present(infoFile)) return undefined;
  const properties = info ? reader.properties(infoFile, info) : {};
  if (!properties) return undefined;
  if (!policy) {
    reader.gap(path.join(dir, 'policy.xml'), 'is missing, so the text of this policy fragment is unknown');
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
  const infoFile = path.join(dir, 'authorizationServerInformation.json');
  const info = reader.json(infoFile);
  if (!info) {
    if (!present(infoFile)) reader.gap(infoFile, 'is missing, so this authorization server is unknown');
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
