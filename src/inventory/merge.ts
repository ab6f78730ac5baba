/**
 * Several sources -> one inventory. Entities are matched by identity (applications by appId, API Management
 * resources by service name + resource name, nested the way ARM nests them); when two records describe the same
 * entity, the one from the source given FIRST is kept and every canonical property on which the two disagree
 * becomes a `SourceConflict` (reported by the `sources-consistent` rule). Matching also applies within one
 * source (e.g. two manifest files of one app in a folder).
 *
 * Only properties both records state are compared: a source that does not model a property (a Terraform plan has
 * no `hint`, APIOps drops `oAuth2AuthenticationSettings`) does not contradict one that does. Secret-bearing
 * fields are never compared or rendered. A collection one source does not carry (an APIOps folder's authorization
 * servers) is known once another source carries it. This module matches and merges; merge-compare.ts compares.
 */
import type {
  Inventory,
  InventoryApi,
  InventoryApplication,
  InventoryFragment,
  InventoryProduct,
  InventoryService,
  InventoryWorkspace,
  Origin,
  PolicyContract,
  SourceConflict,
} from './types';
import { SERVICE_COLLECTIONS } from './fields';
import { carriedAfterMerge, type CarriedCollection } from './collections';
import { compareCredentials, compareRecords, conflictOf, textSide, type Tagged } from './merge-compare';
import { pushAll } from '../util/lists';

export { canonical } from './merge-compare';

/** Children merged entity by entity rather than compared as values. */
const SERVICE_CHILDREN = new Set([...SERVICE_COLLECTIONS, 'workspaces', 'policy']);
const WORKSPACE_CHILDREN = new Set(['apis', 'products', 'policyFragments', 'namedValues', 'policy']);
const API_CHILDREN = new Set(['operations', 'policy']);
const POLICY_ONLY = new Set(['policy']);
const NO_CHILDREN = new Set<string>();

/**
 * The files of every part as one index, in the order of the parts: a new object, or, when the caller uses the parts
 * no more (`partsDone`), the first part's own object with the later parts' files added to it (copying an APIOps
 * tree's 57,000 entries into a new object took 30 to 45 ms). What a part looks up in its own files (the sides of
 * its conflicts) is the same either way: a later part's file of the same name is the same file.
 */
function filesOf(parts: readonly Inventory[], partsDone: boolean): Inventory['files'] {
  const [first, ...rest] = parts;
  const files = first && partsDone ? first.files : Object.assign({}, first?.files);
  for (const part of rest) Object.assign(files, part.files);
  return files;
}

/**
 * Merges `parts` (see above) without changing them, apart from one thing when `partsDone` (the caller's last use of
 * them, as `loadSources`' last merge is): the first part's index of files becomes the merged one.
 */
export function mergeInventories(
  parts: readonly Inventory[],
  { partsDone = false }: { partsDone?: boolean } = {},
): Inventory {
  const files = filesOf(parts, partsDone);
  const merged: Inventory = { sources: [], applications: [], services: [], gaps: [], files };
  const conflicts: SourceConflict[] = [];
  const apps = new Map<string, Tagged<InventoryApplication>>();
  const services = new Map<string, Tagged<InventoryService>>();
  for (const part of parts) {
    if (part.tenantId && !merged.tenantId) merged.tenantId = part.tenantId;
    if (part.cloud && !merged.cloud) merged.cloud = part.cloud;
    pushAll(merged.sources, part.sources);
    pushAll(merged.gaps, part.gaps);
    pushAll(conflicts, part.conflicts ?? []);
    const source = part.sources.map((s) => s.spec).join(', ') || '(unnamed source)';
    for (const app of part.applications) {
      const key = app.appId?.toLowerCase();
      const kept = key === undefined ? undefined : apps.get(key);
      if (key === undefined) {
        merged.applications.push(app);
      } else if (!kept) {
        apps.set(key, { record: app, source, files: part.files });
        merged.applications.push(app);
      } else {
        const other = { record: app, source, files: part.files };
        const name = kept.record.appId ?? key;
        const credentials = new Set(['passwordCredentials', 'keyCredentials']);
        conflicts.push(...compareRecords('application', name, kept, other, credentials));
        conflicts.push(...compareCredentials(name, kept, other));
      }
    }
    for (const service of part.services) {
      const key = service.name.toLowerCase();
      const kept = services.get(key);
      const tagged = { record: service, source, files: part.files };
      if (!kept) {
        const copy = copyService(service);
        services.set(key, { record: copy, source, files: part.files });
        merged.services.push(copy);
      } else {
        mergeService(kept, tagged, conflicts);
      }
    }
  }
  merged.conflicts = conflicts;
  return merged;
}

// ----- APIM: merging children entity by entity -------------------------------------------------------------

function copyService(service: InventoryService): InventoryService {
  const copy: InventoryService = { ...service };
  for (const key of SERVICE_COLLECTIONS) {
    const list = service[key];
    if (list) (copy as unknown as Record<string, unknown>)[key] = [...list];
  }
  if (service.apis) copy.apis = service.apis.map(copyApi);
  if (service.workspaces) copy.workspaces = service.workspaces.map(copyWorkspace);
  return copy;
}

function copyApi(api: InventoryApi): InventoryApi {
  return api.operations ? { ...api, operations: [...api.operations] } : { ...api };
}

function copyWorkspace(ws: InventoryWorkspace): InventoryWorkspace {
  const copy: InventoryWorkspace = { ...ws };
  if (ws.apis) copy.apis = ws.apis.map(copyApi);
  if (ws.products) copy.products = [...ws.products];
  if (ws.policyFragments) copy.policyFragments = [...ws.policyFragments];
  if (ws.namedValues) copy.namedValues = [...ws.namedValues];
  return copy;
}

/** Retags a child record of `parent` (same source and files). */
function child<T>(parent: Tagged<unknown>, record: T): Tagged<T> {
  return { record, source: parent.source, files: parent.files };
}

/**
 * Two records that describe the same entity, being merged: the kept one (the other's children merge into it),
 * the other source's, the label of the entity (children's labels are qualified with it), and where conflicts go.
 */
interface Merging<T> {
  kept: Tagged<T>;
  other: Tagged<T>;
  name: string;
  out: SourceConflict[];
}

/** What every child record has: matched by name, located by origin. */
interface ChildRecord {
  name: string;
  origin: Origin;
}

/** The element type of the list `R[K]`. */
type ElementOf<R, K extends keyof R> = NonNullable<R[K]> extends readonly (infer T)[] ? T : never;

/**
 * Merges the `key` lists of two records into the kept one: records only in the other's are appended (copied with
 * `copy`), records in both are merged with `mergeMatch` (which compares them and may merge their children).
 */
function mergeChildren<R, K extends keyof R>(
  parents: Merging<R>,
  key: K,
  mergeMatch: (pair: Merging<ElementOf<R, K> & ChildRecord>) => void,
  copy: (record: ElementOf<R, K>) => ElementOf<R, K> = (r) => r,
): void {
  type T = ElementOf<R, K> & ChildRecord;
  const incoming = parents.other.record[key] as T[] | undefined;
  if (!incoming) return;
  const result = [...((parents.kept.record[key] as T[] | undefined) ?? [])];
  for (const record of incoming) {
    const index = result.findIndex((r) => r.name.toLowerCase() === record.name.toLowerCase());
    const existing = result[index];
    if (!existing) {
      result.push(copy(record) as T);
      continue;
    }
    const kept = child(parents.kept, copy(existing) as T);
    result[index] = kept.record;
    const other = child(parents.other, record);
    mergeMatch({ kept, other, name: `${parents.name}/${existing.name}`, out: parents.out });
  }
  parents.kept.record[key] = result as R[K];
}

/** Compares two records that carry a policy: their properties (`skip` aside), then their policies. */
function comparePolicyHolders<T extends { policy?: PolicyContract; origin: Origin }>(
  pair: Merging<T>,
  kind: string,
  skip: ReadonlySet<string>,
): void {
  pair.out.push(...compareRecords(kind, pair.name, pair.kept, pair.other, skip));
  mergePolicy(pair.kept, pair.other, kind, pair.name, pair.out);
}

function mergeService(
  kept: Tagged<InventoryService>,
  other: Tagged<InventoryService>,
  out: SourceConflict[],
): void {
  const service = { kept, other, name: kept.record.name, out };
  comparePolicyHolders(service, 'apimService', SERVICE_CHILDREN);
  mergeValues(service, 'authorizationServers', 'authorizationServer');
  mergeValues(service, 'openidConnectProviders', 'openidProvider');
  mergeValues(service, 'namedValues', 'namedValue');
  mergeFragments(service);
  mergeApis(service);
  mergeProducts(service);
  mergeChildren(service, 'workspaces', mergeWorkspace, copyWorkspace);
  settleCarried(service, [...SERVICE_COLLECTIONS, 'policy', 'workspaces']);
}

/**
 * Collections the kept record's source did not carry (absent is not empty) are known once the other source
 * carries them: their entries have just been merged in (src/inventory/collections.ts).
 */
function settleCarried<T extends { origin: Origin }>(
  pair: Merging<T>,
  collections: readonly CarriedCollection[],
): void {
  pair.kept.record.origin = carriedAfterMerge(pair.kept.record.origin, pair.other.record.origin, collections);
}

function mergeWorkspace(workspace: Merging<InventoryWorkspace>): void {
  comparePolicyHolders(workspace, 'workspace', WORKSPACE_CHILDREN);
  mergeApis(workspace);
  mergeProducts(workspace);
  mergeFragments(workspace);
  mergeValues(workspace, 'namedValues', 'namedValue');
  settleCarried(workspace, ['apis', 'products', 'policyFragments', 'namedValues', 'policy']);
}

/** Children compared as values, with nothing merged below them. */
function mergeValues<K extends 'authorizationServers' | 'openidConnectProviders' | 'namedValues'>(
  parents: Merging<Pick<InventoryService, K>>,
  key: K,
  kind: string,
): void {
  mergeChildren(parents, key, (pair) =>
    pair.out.push(...compareRecords(kind, pair.name, pair.kept, pair.other, NO_CHILDREN)),
  );
}

function mergeFragments(parents: Merging<{ policyFragments?: InventoryFragment[] }>): void {
  mergeChildren(parents, 'policyFragments', ({ kept, other, name, out }) => {
    out.push(
      ...compareRecords('policyFragment', name, kept, other, NO_CHILDREN, new Set(['properties/value'])),
    );
    const [a, b] = [kept.record.properties.value, other.record.properties.value];
    if (a === undefined || b === undefined || normalizePolicy(a) === normalizePolicy(b)) return;
    out.push(
      conflictOf('policyFragment', name, 'properties/value', [
        textSide(kept, a, kept.record.valueOrigin, 'properties/value'),
        textSide(other, b, other.record.valueOrigin, 'properties/value'),
      ]),
    );
  });
}

function mergeApis(parents: Merging<{ apis?: InventoryApi[] }>): void {
  mergeChildren(parents, 'apis', mergeApi, copyApi);
}

function mergeApi(api: Merging<InventoryApi>): void {
  comparePolicyHolders(api, 'api', API_CHILDREN);
  mergeChildren(
    api,
    'operations',
    (operation) => {
      comparePolicyHolders(operation, 'operation', POLICY_ONLY);
      settleCarried(operation, ['policy']);
    },
    (op) => ({ ...op }),
  );
  settleCarried(api, ['operations', 'policy']);
}

function mergeProducts(parents: Merging<{ products?: InventoryProduct[] }>): void {
  mergeChildren(
    parents,
    'products',
    (product) => {
      comparePolicyHolders(product, 'product', POLICY_ONLY);
      settleCarried(product, ['policy']);
    },
    (p) => ({ ...p }),
  );
}

/** Keeps the first policy; takes the other's when the kept record has none; compares the texts when both do. */
function mergePolicy(
  kept: Tagged<{ policy?: PolicyContract; origin: Origin }>,
  other: Tagged<{ policy?: PolicyContract; origin: Origin }>,
  kind: string,
  name: string,
  out: SourceConflict[],
): void {
  const [a, b] = [kept.record.policy, other.record.policy];
  if (!b) return;
  if (!a) {
    kept.record.policy = b;
    return;
  }
  if (normalizePolicy(a.value) === normalizePolicy(b.value)) return;
  out.push(
    conflictOf(kind, name, 'policy', [
      textSide(kept, a.value, a.origin, 'policy'),
      textSide(other, b.value, b.origin, 'policy'),
    ]),
  );
}

/**
 * Policy text as APIM would store it: line endings, trailing spaces and the five XML entities (which the `xml`
 * format applies to expressions and `rawxml` does not) do not make two policies different.
 */
export function normalizePolicy(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '',
    )
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}
