/**
 * Attaching the child resources of an ARM template to their parents by name segments (`service/api/policy`),
 * whatever order or nesting the template uses: policies, operations, product links and the service-level
 * collections. Apart from the record builder (builder.ts), which it fills, to keep each of the two readable.
 */
import type {
  InventoryApi,
  InventoryFragment,
  InventoryOperation,
  InventoryProduct,
  InventoryResource,
  InventoryService,
  NamedValueProperties,
  Origin,
  PolicyContract,
  PolicyFragmentProperties,
} from '../../inventory/types';
import { joinPointer } from '../../json/positions';
import { evaluateDeep } from './evaluate';
import { isUnknownValue } from './values';
import { key, policyKeys, rawProperties, type Builder, type Container } from './builder';
import { markUnknown } from './settle';
import type { NameSegment, ResourceInstance } from './template';
import type { ServiceCollection } from '../../inventory/fields';

/** Where a child resource type sits below `service` (or below `service/workspaces/<ws>`). */
interface Placement {
  container: Container;
  /** Type levels below the container, lower case (e.g. ['apis', 'policies']). */
  levels: string[];
  /** Name segments below the container. */
  names: NameSegment[];
}

/** The first `count` name segments; a name with fewer gets unknown leading segments (never a shifted parent). */
export function fitSegments(segments: NameSegment[], count: number): NameSegment[] {
  if (segments.length >= count) return segments.slice(0, count);
  const filler = segments.find((s) => s.unknown) ?? {
    text: '',
    unknown: 'the resource name has too few segments',
  };
  return [...Array.from({ length: count - segments.length }, () => ({ ...filler })), ...segments];
}

/** The service (and workspace) a resource sits in, created on first sight, and its levels and names below. */
export function place(
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

/** Adds what a placed resource declares to its container: a record, a policy, an operation or a product link. */
// Long: one case per APIM child resource type the audit reads; the dispatch reads best as one switch.
export function attach(
  builder: Builder,
  instance: ResourceInstance,
  { container, levels, names }: Placement,
): void {
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
