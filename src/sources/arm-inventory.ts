/**
 * Resource instances of an ARM template -> inventory records. Child resources are attached to their parents by
 * name segments (`service/api/policy`), whatever order or nesting the template uses. Values the template does
 * not determine are left out of the record and listed in `Origin.unknown` under their canonical path, so the
 * engine reports the findings that depend on them as not evaluated instead of guessing.
 */
import type {
  InventoryApi,
  InventoryApplication,
  InventoryFragment,
  InventoryOperation,
  InventoryProduct,
  InventoryResource,
  InventoryService,
  InventoryWorkspace,
  NamedValueProperties,
  Origin,
  PolicyContract,
  PolicyFormat,
  PolicyFragmentProperties,
} from '../inventory/types';
import { joinPointer } from '../json/positions';
import {
  evaluateDeep,
  isArmObject,
  isExpression,
  isUnknownValue,
  Lambda,
  ResourceHandle,
  Unknown,
  type ArmValue,
} from './arm-expressions';
import {
  evaluateBody,
  isGraphApplicationType,
  stripSecrets,
  type NameSegment,
  type ResourceInstance,
  type ValueOrigin,
  type WalkGap,
} from './arm-template';
import { isRecord } from '../util/json';
import {
  SERVICE_COLLECTIONS,
  SERVICE_COLLECTIONS_BESIDES_APIS,
  type ServiceCollection,
} from '../util/inventory-fields';
import { childPath } from '../util/paths';

export interface BuildContext {
  /** Display path of the template file. */
  file: string;
  /** Display path of the parameters file, when given. */
  parametersFile: string | undefined;
  /** Where `parameters('x')` / `variables('x')` literals live, for policies taken from them. */
  valueOrigin(
    kind: 'parameters' | 'variables',
    name: string,
    instance: ResourceInstance,
  ): ValueOrigin | undefined;
  /** Pointers of template strings whose value is computed: offsets into them land on the string itself. */
  computed: Set<string>;
}

export interface BuiltInventory {
  services: InventoryService[];
  applications: InventoryApplication[];
}

type Json = null | boolean | number | string | Json[] | JsonObject;
type JsonObject = { [key: string]: Json };

const APIM_SERVICE_TYPE = 'Microsoft.ApiManagement/service';
const APIM_SERVICE = APIM_SERVICE_TYPE.toLowerCase();

function truncate(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function reasonOf(value: ArmValue, expression: string | undefined): string {
  const why = isUnknownValue(value)
    ? value.reason
    : value instanceof Lambda
      ? 'a lambda is not a value'
      : value instanceof ResourceHandle
        ? 'a resource reference is not a value'
        : 'unknown';
  return expression ? `${truncate(expression)}: ${why}` : why;
}

/**
 * An evaluated value as plain JSON. Unknown values are left out and recorded under their canonical path; an
 * array with an unknown element is unknown as a whole (dropping the element would shift the indexes).
 */
export function settle(
  value: ArmValue,
  raw: unknown,
  path: string,
  unknown: Record<string, string>,
): Json | undefined {
  const expression = typeof raw === 'string' && isExpression(raw) ? raw : undefined;
  if (isUnknownValue(value) || value instanceof Lambda || value instanceof ResourceHandle) {
    unknown[path] = reasonOf(value, expression);
    return undefined;
  }
  if (Array.isArray(value)) {
    const inner: Record<string, string> = {};
    const items = value.map((v, i) =>
      settle(v, Array.isArray(raw) ? raw[i] : raw, childPath(path, i), inner),
    );
    const first = Object.values(inner)[0];
    if (first !== undefined) {
      unknown[path] = first;
      return undefined;
    }
    return items.map((item) => item ?? null);
  }
  if (isArmObject(value)) {
    const result: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      const rawChild = expression ?? (isRecord(raw) ? raw[key] : undefined);
      const settled = settle(v, rawChild, childPath(path, key), unknown);
      if (settled !== undefined) result[key] = settled;
    }
    return result;
  }
  return value;
}

/** `settle` for a body that must be an object (`{}` otherwise), its unknown values recorded on `origin`. */
function settleObject(value: ArmValue, raw: unknown, path: string, origin: Origin): JsonObject {
  const unknown: Record<string, string> = {};
  const settled = settle(value, raw, path, unknown);
  for (const [at, reason] of Object.entries(unknown)) markUnknown(origin, at, reason);
  return settled && typeof settled === 'object' && !Array.isArray(settled) ? settled : {};
}

/** The template's `properties` of a resource when it is an object (or array), as written. */
function rawProperties(instance: ResourceInstance): Record<string, unknown> | undefined {
  const raw = instance.raw['properties'];
  return raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined;
}

// ----- Records -------------------------------------------------------------------------------------------

interface Container {
  kind: 'service' | 'workspace';
  record: InventoryService | InventoryWorkspace;
  declared: boolean;
  apis: Map<string, InventoryApi>;
  products: Map<string, InventoryProduct>;
  workspaces: Map<string, Container>;
}

function newContainer(kind: Container['kind'], record: Container['record']): Container {
  return { kind, record, declared: false, apis: new Map(), products: new Map(), workspaces: new Map() };
}

function markUnknown(origin: Origin, path: string, reason: string): void {
  origin.unknown ??= {};
  origin.unknown[path] ??= reason;
}

function key(segment: NameSegment | undefined): string {
  return (segment?.text ?? '').toLowerCase();
}

class Builder {
  readonly services = new Map<string, Container>();
  readonly applications: InventoryApplication[] = [];

  constructor(private readonly ctx: BuildContext) {}

  origin(instance: ResourceInstance, pointer = instance.pointer): Origin {
    const origin: Origin = { file: this.ctx.file, pointer };
    if (instance.conditionUnknown) markUnknown(origin, '', instance.conditionUnknown);
    return origin;
  }

  /** Name and unknown-name bookkeeping of a record whose own name is `segment`. */
  named(segment: NameSegment | undefined, origin: Origin): string {
    if (segment?.unknown) markUnknown(origin, 'name', segment.unknown);
    return segment?.text ?? '';
  }

  /** A record named by `segment` with no properties yet (a placeholder until its resource is seen). */
  placeholder(segment: NameSegment | undefined, origin: Origin, type: string) {
    return { name: this.named(segment, origin), type, properties: {}, origin };
  }

  /** The record a resource declares: named by `segment`, its evaluated properties (but `omit`) settled. */
  declared(instance: ResourceInstance, segment: NameSegment | undefined, omit: readonly string[] = []) {
    const origin = this.origin(instance);
    const name = this.named(segment, origin);
    return { name, type: instance.type, properties: this.properties(instance, origin, omit), origin };
  }

  /**
   * The evaluated `properties`, settled; unknown values recorded on `origin`. `omit`: properties left out
   * before evaluation (a secret named value's value).
   */
  properties(instance: ResourceInstance, origin: Origin, omit: readonly string[] = []): JsonObject {
    const { value } = evaluateBody(instance, omit);
    return settleObject(value, stripSecrets(instance.raw['properties']), 'properties', origin);
  }

  service(
    segment: NameSegment | undefined,
    instance: ResourceInstance | undefined,
    from: ResourceInstance,
  ): Container {
    const id = key(segment);
    let container = this.services.get(id);
    if (!container) {
      const origin = this.origin(instance ?? from);
      if (!instance) delete origin.unknown;
      const record: InventoryService = this.placeholder(segment, origin, APIM_SERVICE_TYPE);
      container = newContainer('service', record);
      this.services.set(id, container);
    }
    if (instance && !container.declared) {
      this.declare(container, segment, instance);
      const location = evaluateDeep(instance.raw['location'], instance.scope);
      if (typeof location === 'string') (container.record as InventoryService).location = location;
    }
    return container;
  }

  workspace(
    service: Container,
    segment: NameSegment | undefined,
    instance: ResourceInstance | undefined,
    from: ResourceInstance,
  ): Container {
    const id = key(segment);
    let container = service.workspaces.get(id);
    if (!container) {
      const origin = this.origin(instance ?? from);
      const record: InventoryWorkspace = this.placeholder(segment, origin, `${APIM_SERVICE_TYPE}/workspaces`);
      container = newContainer('workspace', record);
      service.workspaces.set(id, container);
      ((service.record as InventoryService).workspaces ??= []).push(record);
    }
    if (instance && !container.declared) this.declare(container, segment, instance);
    return container;
  }

  /** The service or workspace resource itself is seen: its name, origin and properties replace the placeholder's. */
  private declare(container: Container, segment: NameSegment | undefined, instance: ResourceInstance): void {
    container.declared = true;
    const origin = this.origin(instance);
    container.record.name = this.named(segment, origin);
    container.record.origin = origin;
    container.record.properties = this.properties(instance, origin);
  }

  api(
    container: Container,
    segment: NameSegment | undefined,
    instance: ResourceInstance | undefined,
    from: ResourceInstance,
  ): InventoryApi {
    const type = `${container.record.type ?? ''}/apis`;
    return this.member(container.apis, segment, instance, from, type, (api) => {
      if (!instance)
        markUnknown(
          api.origin,
          'properties',
          `API '${api.name}' is not declared in ${this.ctx.file} (only its policy or operations are)`,
        );
      (container.record.apis ??= []).push(api);
      if (segment?.unknown) markUnknown(container.record.origin, 'apis', segment.unknown);
    });
  }

  product(
    container: Container,
    segment: NameSegment | undefined,
    instance: ResourceInstance | undefined,
    from: ResourceInstance,
  ): InventoryProduct {
    const type = `${container.record.type ?? ''}/products`;
    return this.member(container.products, segment, instance, from, type, (product) => {
      if (!instance) {
        const reason = `product '${product.name}' is not declared in ${this.ctx.file}`;
        markUnknown(product.origin, 'properties', reason);
        markUnknown(product.origin, 'policy', reason);
      }
      (container.record.products ??= []).push(product);
    });
  }

  /**
   * The API or product named `segment` in `records`, created on first sight (from its own resource `instance`, or
   * from the child resource `from` that names it) and handed to `added`; its properties are read from `instance`.
   * Resources are attached parents first (see `rank`), so a declared record never replaces a placeholder.
   */
  private member<T extends InventoryApi | InventoryProduct>(
    records: Map<string, T>,
    segment: NameSegment | undefined,
    instance: ResourceInstance | undefined,
    from: ResourceInstance,
    type: string,
    added: (record: T) => void,
  ): T {
    const id = key(segment);
    let record = records.get(id);
    if (!record) {
      record = this.placeholder(segment, this.origin(instance ?? from), type) as T;
      records.set(id, record);
      added(record);
    }
    if (instance) record.properties = this.properties(instance, record.origin);
    return record;
  }

  /** A policy's text and where it lives: the JSON string, or the parameter/variable literal it came from. */
  policyText(instance: ResourceInstance, owner: Origin, path: string): PolicyContract | undefined {
    const props = rawProperties(instance) ?? {};
    // API versions before 2019-01-01 call them policyContent / contentFormat.
    const { valueKey, formatKey } = policyKeys(props);
    const value = evaluateDeep(props[valueKey], instance.scope);
    const format = evaluateDeep(props[formatKey], instance.scope);
    if (typeof value !== 'string') {
      const raw = typeof props[valueKey] === 'string' ? props[valueKey] : undefined;
      markUnknown(
        owner,
        path,
        reasonOf(isUnknownValue(value) ? value : new Unknown('the policy is not a string'), raw),
      );
      return undefined;
    }
    const policy: PolicyContract = { value, origin: this.textOrigin(instance, props[valueKey], valueKey) };
    if (typeof format === 'string') policy.format = format as PolicyFormat;
    else if (isUnknownValue(format))
      markUnknown(owner, `${path}/format`, reasonOf(format, String(props[formatKey])));
    return policy;
  }

  textOrigin(instance: ResourceInstance, raw: unknown, valueKey = 'value'): Origin {
    const pointer = joinPointer(instance.pointer, 'properties', valueKey);
    if (typeof raw === 'string' && isExpression(raw)) {
      const direct = /^\[\s*(parameters|variables)\s*\(\s*'([^']*)'\s*\)\s*\]$/i.exec(raw);
      const kind = direct?.[1]?.toLowerCase() === 'variables' ? 'variables' : 'parameters';
      const source = direct?.[2] !== undefined ? this.ctx.valueOrigin(kind, direct[2], instance) : undefined;
      if (source) {
        const file = source.file === 'parameters' ? this.ctx.parametersFile : this.ctx.file;
        if (file) return { file, pointer: source.pointer };
      }
      this.ctx.computed.add(pointer);
    }
    return { file: this.ctx.file, pointer };
  }

  application(instance: ResourceInstance): void {
    const { value, pointer } = evaluateBody(instance);
    const origin = this.origin(instance, pointer);
    const rawBody = rawProperties(instance) ?? instance.raw;
    const body = settleObject(value, stripSecrets(rawBody), '', origin);
    for (const field of ['type', 'name', 'apiVersion', 'import', 'extension']) delete body[field];
    const app = { ...body, origin } as InventoryApplication;
    if (app.id) origin.graphObjectId = app.id;
    this.applications.push(app);
  }
}

/** Where a child resource type sits below `service` (or below `service/workspaces/<ws>`). */
interface Placement {
  container: Container;
  /** Type levels below the container, lower case (e.g. ['apis', 'policies']). */
  levels: string[];
  /** Name segments below the container. */
  names: NameSegment[];
}

function fitSegments(segments: NameSegment[], count: number): NameSegment[] {
  if (segments.length >= count) return segments.slice(0, count);
  const filler = segments.find((s) => s.unknown) ?? {
    text: '',
    unknown: 'the resource name has too few segments',
  };
  return [...Array.from({ length: count - segments.length }, () => ({ ...filler })), ...segments];
}

function place(
  builder: Builder,
  instance: ResourceInstance,
  levels: string[],
  segments: NameSegment[],
): Placement {
  const names = fitSegments(segments, levels.length + 1);
  const service = builder.service(names[0], levels.length === 0 ? instance : undefined, instance);
  if (levels[0] === 'workspaces' && levels.length >= 1) {
    const workspace = builder.workspace(
      service,
      names[1],
      levels.length === 1 ? instance : undefined,
      instance,
    );
    return { container: workspace, levels: levels.slice(1), names: names.slice(2) };
  }
  return { container: service, levels, names: names.slice(1) };
}

const ORDER: Record<string, number> = { '': 0, workspaces: 0, apis: 1, products: 1 };

function rank(instance: ResourceInstance): number {
  const levels = apimLevels(instance.type);
  if (!levels) return 9;
  const inner = levels[0] === 'workspaces' ? levels.slice(1) : levels;
  return inner.length === 0 ? 0 : inner.length === 1 ? (ORDER[inner[0] ?? ''] ?? 2) : 3 + inner.length;
}

function apimLevels(type: string): string[] | undefined {
  const lower = type.toLowerCase();
  if (lower === APIM_SERVICE) return [];
  if (!lower.startsWith(`${APIM_SERVICE}/`)) return undefined;
  return lower.slice(APIM_SERVICE.length + 1).split('/');
}

export function buildInventory(
  instances: readonly ResourceInstance[],
  gaps: readonly WalkGap[],
  ctx: BuildContext,
): BuiltInventory {
  const builder = new Builder(ctx);
  const ordered = instances
    .map((instance, i) => ({ instance, i }))
    .sort((a, b) => rank(a.instance) - rank(b.instance) || a.i - b.i);
  for (const { instance } of ordered) {
    if (isGraphApplicationType(instance.type)) {
      builder.application(instance);
      continue;
    }
    const levels = apimLevels(instance.type);
    if (!levels) continue;
    const placement = place(builder, instance, levels, instance.segments);
    attach(builder, instance, placement);
  }
  for (const gap of gaps) markLoopGap(builder, gap);
  for (const container of builder.services.values()) {
    if (!container.declared) markUndeclaredService(container, ctx.file);
  }
  return {
    services: [...builder.services.values()].map((c) => c.record as InventoryService),
    applications: builder.applications,
  };
}

function markUndeclaredService(container: Container, file: string): void {
  const reason = `service '${container.record.name}' is not declared in ${file} (the template only adds to it), so its`;
  const origin = container.record.origin;
  if (!container.record.policy) markUnknown(origin, 'policy', `${reason} global policy is not known`);
  for (const collection of SERVICE_COLLECTIONS_BESIDES_APIS) {
    markUnknown(origin, collection, `${reason} other ${collection} are not known`);
  }
}

function markLoopGap(builder: Builder, gap: WalkGap): void {
  if (!gap.type || !gap.segments) return;
  const levels = apimLevels(gap.type);
  if (!levels || levels.length === 0) return;
  const service = builder.services.get(key(fitSegments(gap.segments, levels.length + 1)[0]));
  if (!service) return;
  const level = levels[0] ?? '';
  const collection = SERVICE_COLLECTIONS.find((c) => c.toLowerCase() === level) ?? level;
  markUnknown(service.record.origin, collection, gap.reason);
}

function attach(builder: Builder, instance: ResourceInstance, { container, levels, names }: Placement): void {
  const second = levels[1];
  // Authorization servers and OpenID providers exist at service level only (not in workspaces).
  const service = container.kind === 'service' ? (container.record as InventoryService) : undefined;
  /** The record `instance` declares in the container's `list`; the list is partly unknown if its name is. */
  const declaredIn = <P>(list: ServiceCollection, omit: readonly string[] = []) => {
    const record = builder.declared(instance, names[0], omit) as InventoryResource<P>;
    if (names[0]?.unknown) markUnknown(container.record.origin, list, names[0].unknown);
    return record;
  };
  switch (levels.join('/')) {
    case '':
      return; // the service or workspace itself, created by place()
    case 'authorizationservers':
      if (service) (service.authorizationServers ??= []).push(declaredIn('authorizationServers'));
      return;
    case 'openidconnectproviders':
      if (service) (service.openidConnectProviders ??= []).push(declaredIn('openidConnectProviders'));
      return;
    case 'namedvalues': {
      // A secret's value is never read (whether it is known or not); an unknown `secret` flag counts as secret.
      const props = rawProperties(instance);
      const secret = evaluateDeep(props ? props['secret'] : false, instance.scope);
      const record = declaredIn<NamedValueProperties>('namedValues', secret === false ? [] : ['value']);
      (container.record.namedValues ??= []).push(record);
      return;
    }
    case 'policyfragments': {
      const fragment: InventoryFragment = declaredIn<PolicyFragmentProperties>('policyFragments');
      delete fragment.properties.value;
      const text = builder.policyText(instance, fragment.origin, 'properties/value');
      if (text) {
        fragment.properties.value = text.value;
        if (text.origin) fragment.valueOrigin = text.origin;
      }
      (container.record.policyFragments ??= []).push(fragment);
      return;
    }
    case 'policies':
      setPolicy(builder, instance, container.record, names[0]);
      return;
    case 'apis':
      builder.api(container, names[0], instance, instance);
      return;
    case 'apis/policies':
      setPolicy(builder, instance, builder.api(container, names[0], undefined, instance), names[1]);
      return;
    case 'apis/operations':
      operation(builder, instance, builder.api(container, names[0], undefined, instance), names[1], true);
      return;
    case 'apis/operations/policies': {
      const op = operation(
        builder,
        instance,
        builder.api(container, names[0], undefined, instance),
        names[1],
        false,
      );
      setPolicy(builder, instance, op, names[2]);
      return;
    }
    case 'products':
      builder.product(container, names[0], instance, instance);
      return;
    case 'products/policies':
      setPolicy(builder, instance, builder.product(container, names[0], undefined, instance), names[1]);
      return;
    case 'products/apis':
    case 'products/apilinks':
      productApi(
        builder,
        instance,
        builder.product(container, names[0], undefined, instance),
        second === 'apis' ? names[1] : undefined,
      );
      return;
    default:
      return; // other resource types (backends, loggers...) are not audited
  }
}

/** API versions before 2019-01-01 call the policy properties policyContent / contentFormat. */
function policyKeys(props: Record<string, unknown>): { valueKey: string; formatKey: string } {
  return {
    valueKey: 'value' in props || !('policyContent' in props) ? 'value' : 'policyContent',
    formatKey: 'format' in props || !('contentFormat' in props) ? 'format' : 'contentFormat',
  };
}

function setPolicy(
  builder: Builder,
  instance: ResourceInstance,
  owner: { policy?: PolicyContract; origin: Origin },
  name: NameSegment | undefined,
): void {
  if (name && !name.unknown && name.text.toLowerCase() !== 'policy') return;
  const origin = owner.origin;
  if (instance.conditionUnknown) markUnknown(origin, 'policy', instance.conditionUnknown);
  const keys = policyKeys(rawProperties(instance) ?? {});
  origin.paths = {
    ...origin.paths,
    policy: instance.pointer,
    'policy/format': joinPointer(instance.pointer, 'properties', keys.formatKey),
    'policy/value': joinPointer(instance.pointer, 'properties', keys.valueKey),
  };
  const policy = builder.policyText(instance, origin, 'policy');
  if (policy) owner.policy = policy;
}

function operation(
  builder: Builder,
  instance: ResourceInstance,
  api: InventoryApi,
  segment: NameSegment | undefined,
  declared: boolean,
): InventoryOperation {
  const operations = (api.operations ??= []);
  const id = key(segment);
  let op = operations.find((o) => o.name.toLowerCase() === id);
  if (!op) {
    op = builder.placeholder(segment, builder.origin(instance), `${api.type ?? ''}/operations`);
    if (!declared)
      markUnknown(
        op.origin,
        'properties',
        `operation '${op.name}' is not declared in the template (only its policy is)`,
      );
    if (segment?.unknown) markUnknown(api.origin, 'operations', segment.unknown);
    operations.push(op);
  }
  if (declared) {
    const origin = builder.origin(instance);
    builder.named(segment, origin);
    if (op.origin.paths) origin.paths = op.origin.paths;
    op.origin = origin;
    op.properties = builder.properties(instance, origin);
  }
  return op;
}

function productApi(
  builder: Builder,
  instance: ResourceInstance,
  product: InventoryProduct,
  segment: NameSegment | undefined,
): void {
  let name: string | undefined;
  let unknown: string | undefined;
  if (segment) {
    name = segment.text;
    unknown = segment.unknown;
  } else {
    const apiId = evaluateDeep(rawProperties(instance)?.['apiId'], instance.scope);
    if (typeof apiId === 'string') name = apiId.split('/').pop();
    else {
      const tail =
        isUnknownValue(apiId) && 'parts' in apiId ? apiId.parts[apiId.parts.length - 1] : undefined;
      if (typeof tail === 'string' && tail.includes('/')) name = tail.split('/').pop();
      else unknown = `the API of product link ${instance.pointer} cannot be determined`;
    }
  }
  if (unknown || !name) {
    markUnknown(product.origin, 'apis', unknown ?? 'a product API name is unknown');
    return;
  }
  const apis = (product.apis ??= []);
  product.origin.paths = { ...product.origin.paths, [`apis/${apis.length}`]: instance.pointer };
  if (instance.conditionUnknown) markUnknown(product.origin, 'apis', instance.conditionUnknown);
  apis.push(name);
}
