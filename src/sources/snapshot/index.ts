/**
 * The snapshot source: a versioned JSON document in Graph/ARM shapes (see schemas/snapshot.schema.json).
 * Produces an inventory whose every record points back at its JSON pointer in the file.
 */
import { AuditError } from '../../errors';
import type {
  ArmResource,
  Inventory,
  InventoryFragment,
  InventoryApi,
  InventoryApplication,
  InventoryProduct,
  InventoryResource,
  InventoryService,
  InventoryWorkspace,
  Origin,
  PolicyContract,
  SourceGap,
} from '../../inventory/types';
import { joinPointer, parseJsonWithPositions } from '../../json/positions';
import { describeSchemaErrors, validatorFor } from '../../json/schema';
import { displayPath } from '../../util/package-root';
import { fileProblem, readNamedText } from '../../util/files';
import type { SourceDefinition } from '../types';

export const SNAPSHOT_KIND = 'apim-oauth-audit/snapshot';

/** Per-record key carrying `Origin.unknown` (canonical path -> why the value is unknown) in a snapshot file. */
export const UNKNOWN_KEY = '$unknown';
/** Per-record key carrying `Origin.placeholders` (strings kept as written that hold placeholders). */
export const PLACEHOLDERS_KEY = '$placeholders';

export const snapshotSource: SourceDefinition = {
  describe: 'a snapshot file (schemas/snapshot.schema.json), as written by the snapshot command',
  takesPath: true,
  detect: (_location, stats, peek) =>
    stats.isFile() && peek !== undefined && peek.includes(`"${SNAPSHOT_KIND}"`),
  load: (location, raw, context) => {
    try {
      return Promise.resolve(readSnapshotFile(location, raw, context.cwd));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
};

/** A snapshot document as written to disk (no origins). */
export interface SnapshotDocument {
  kind: typeof SNAPSHOT_KIND;
  version: 1;
  tenantId?: string;
  cloud?: Inventory['cloud'];
  collectedAt?: string;
  applications?: Omit<InventoryApplication, 'origin'>[];
  apim?: Record<string, unknown>[];
  /** What the collecting sources could not read: a scan of this snapshot is incomplete too. */
  gaps?: SourceGap[];
}

export function readSnapshotFile(
  file: string,
  spec: string = `snapshot:${file}`,
  cwd: string = process.cwd(),
): Inventory {
  const shown = displayPath(file, cwd);
  let text: string;
  try {
    text = readNamedText(file);
  } catch (error) {
    throw new AuditError('source-unreadable', `Cannot read snapshot ${fileProblem(shown, error)}`);
  }
  return parseSnapshot(text, shown, spec);
}

export function parseSnapshot(text: string, file: string, spec: string = `snapshot:${file}`): Inventory {
  const parsed = parseJsonWithPositions(text);
  if ('problems' in parsed) {
    throw new AuditError(
      'source-invalid',
      `Snapshot ${file} is not valid JSON:`,
      parsed.problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`),
    );
  }
  const validate = validatorFor('snapshot');
  if (!validate(parsed.value)) {
    throw new AuditError(
      'source-invalid',
      `Snapshot ${file} does not match the snapshot schema (schemas/snapshot.schema.json):`,
      describeSchemaErrors(validate.errors ?? [], { file, index: parsed.index }),
    );
  }
  const doc = parsed.value as SnapshotDocument;
  const services = (doc.apim ?? []) as unknown as InventoryService[];
  const inventory: Inventory = {
    sources: [{ spec, provides: { entra: doc.applications !== undefined, apim: doc.apim !== undefined } }],
    applications: (doc.applications ?? []).map((app, i) => ({
      ...app,
      origin: originOf(file, joinPointer('/applications', i), { graphObjectId: app.id }),
    })),
    services: services.map((service, i) => attachServiceOrigins(service, file, joinPointer('/apim', i))),
    gaps: (doc.gaps ?? []).map((g) => ({ ...g })),
    files: { [file]: parsed.index },
  };
  restoreUnknowns(inventory);
  if (doc.tenantId !== undefined) inventory.tenantId = doc.tenantId;
  if (doc.cloud !== undefined) inventory.cloud = doc.cloud;
  return inventory;
}

function originOf(
  file: string,
  pointer: string,
  ids: { resourceId?: string | undefined; graphObjectId?: string | undefined },
): Origin {
  const origin: Origin = { file, pointer };
  if (ids.resourceId) origin.resourceId = ids.resourceId;
  if (ids.graphObjectId) origin.graphObjectId = ids.graphObjectId;
  return origin;
}

/** Adds the record's origin, and the origin of its policy text (a JSON string) when it has a policy. */
function withOrigin<T extends ArmResource<unknown> & { policy?: PolicyContract }>(
  resource: T,
  file: string,
  pointer: string,
): T & { origin: Origin } {
  const result = { ...resource, origin: originOf(file, pointer, { resourceId: resource.id }) };
  if (resource.policy) {
    result.policy = {
      ...resource.policy,
      origin: { file, pointer: joinPointer(pointer, 'policy', 'value') },
    };
  }
  return result;
}

function withFragmentOrigins(
  list: InventoryFragment[] | undefined,
  file: string,
  base: string,
): InventoryFragment[] | undefined {
  return list?.map((fragment, i) => {
    const pointer = joinPointer(base, 'policyFragments', i);
    return {
      ...withOrigin(fragment, file, pointer),
      valueOrigin: { file, pointer: joinPointer(pointer, 'properties', 'value') },
    };
  });
}

function mapResources<T extends ArmResource<unknown>>(
  list: T[] | undefined,
  file: string,
  pointer: string,
  key: string,
): InventoryResource<T['properties']>[] | undefined {
  return list?.map((r, i) => withOrigin(r, file, joinPointer(pointer, key, i)));
}

function attachApis(
  apis: InventoryApi[] | undefined,
  file: string,
  base: string,
): InventoryApi[] | undefined {
  return apis?.map((api, i) => {
    const pointer = joinPointer(base, 'apis', i);
    const result: InventoryApi = withOrigin(api, file, pointer);
    if (api.operations) {
      result.operations = api.operations.map((op, j) =>
        withOrigin(op, file, joinPointer(pointer, 'operations', j)),
      );
    }
    return result;
  });
}

function attachProducts(products: InventoryProduct[] | undefined, file: string, base: string) {
  return products?.map((product, i) => withOrigin(product, file, joinPointer(base, 'products', i)));
}

function attachServiceOrigins(service: InventoryService, file: string, pointer: string): InventoryService {
  const result: InventoryService = withOrigin(service, file, pointer);
  const set = <K extends keyof InventoryService>(key: K, value: InventoryService[K] | undefined) => {
    if (value !== undefined) result[key] = value;
  };
  set(
    'authorizationServers',
    mapResources(service.authorizationServers, file, pointer, 'authorizationServers'),
  );
  set(
    'openidConnectProviders',
    mapResources(service.openidConnectProviders, file, pointer, 'openidConnectProviders'),
  );
  set('apis', attachApis(service.apis, file, pointer));
  set('products', attachProducts(service.products, file, pointer));
  set('policyFragments', withFragmentOrigins(service.policyFragments, file, pointer));
  set('namedValues', mapResources(service.namedValues, file, pointer, 'namedValues'));
  set(
    'workspaces',
    service.workspaces?.map((ws, i) => {
      const wsPointer = joinPointer(pointer, 'workspaces', i);
      const workspace: InventoryWorkspace = withOrigin(ws, file, wsPointer);
      const apis = attachApis(ws.apis, file, wsPointer);
      if (apis) workspace.apis = apis;
      const products = attachProducts(ws.products, file, wsPointer);
      if (products) workspace.products = products;
      const fragments = withFragmentOrigins(ws.policyFragments, file, wsPointer);
      if (fragments) workspace.policyFragments = fragments;
      const namedValues = mapResources(ws.namedValues, file, wsPointer, 'namedValues');
      if (namedValues) workspace.namedValues = namedValues;
      return workspace;
    }),
  );
  return result;
}

/** Moves every record's `$unknown` back into its origin (the inverse of what `toSnapshotDocument` writes). */
function restoreUnknowns(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(restoreUnknowns);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown> & { origin?: Origin };
  const unknown = record[UNKNOWN_KEY] as Record<string, string> | undefined;
  if (unknown && record.origin) {
    record.origin.unknown = { ...unknown };
    delete record[UNKNOWN_KEY];
  }
  const placeholders = record[PLACEHOLDERS_KEY] as Record<string, string> | undefined;
  if (placeholders && record.origin) {
    record.origin.placeholders = { ...placeholders };
    delete record[PLACEHOLDERS_KEY];
  }
  for (const [key, child] of Object.entries(record)) if (key !== 'origin') restoreUnknowns(child);
}

/** Strips origins: the document `snapshot` writes and `scan` reads back. */
export function toSnapshotDocument(inventory: Inventory, collectedAt?: string): SnapshotDocument {
  // Origins are dropped, except what a source could not determine: that travels as `$unknown`, so a scan of
  // the snapshot reports the same "not evaluated" instead of reading an absent value as "not set".
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        if (k !== 'origin' && k !== 'valueOrigin') out[k] = strip(v);
      const unknown = (value as { origin?: Origin }).origin?.unknown;
      if (unknown && Object.keys(unknown).length > 0) out[UNKNOWN_KEY] = { ...unknown };
      const placeholders = (value as { origin?: Origin }).origin?.placeholders;
      if (placeholders && Object.keys(placeholders).length > 0) out[PLACEHOLDERS_KEY] = { ...placeholders };
      return out;
    }
    return value;
  };
  const doc: SnapshotDocument = { kind: SNAPSHOT_KIND, version: 1 };
  if (inventory.tenantId) doc.tenantId = inventory.tenantId;
  if (inventory.cloud) doc.cloud = inventory.cloud;
  if (collectedAt) doc.collectedAt = collectedAt;
  if (inventory.sources.some((s) => s.provides.entra)) {
    doc.applications = strip(inventory.applications) as NonNullable<SnapshotDocument['applications']>;
  }
  if (inventory.sources.some((s) => s.provides.apim))
    doc.apim = strip(inventory.services) as Record<string, unknown>[];
  if (inventory.gaps.length > 0) doc.gaps = inventory.gaps.map((g) => ({ ...g }));
  return doc;
}
