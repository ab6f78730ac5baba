/**
 * The record builder of the ARM source: one inventory record per APIM service, workspace, API, product and Graph
 * application, with origins that point into the template (or the parameters file a policy came from). Which
 * child resource goes where is decided in attach.ts; buildInventory (inventory.ts) drives both.
 */
import type {
  InventoryApi,
  InventoryApplication,
  InventoryProduct,
  InventoryService,
  InventoryWorkspace,
  Origin,
  PolicyContract,
  PolicyFormat,
} from '../../inventory/types';
import { joinPointer } from '../../json/positions';
import { evaluateDeep } from './evaluate';
import { isExpression } from './parse';
import { isUnknownValue, Unknown } from './values';
import type { ValueOrigin } from './scope';
import { stripSecrets } from '../common/secrets';
import { markUnknown, reasonOf, settleObject, type JsonObject } from './settle';
import { evaluateBody, type NameSegment, type ResourceInstance } from './template';

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

export const APIM_SERVICE_TYPE = 'Microsoft.ApiManagement/service';

/** The template's `properties` of a resource when it is an object (or array), as written. */
export function rawProperties(instance: ResourceInstance): Record<string, unknown> | undefined {
  const raw = instance.raw['properties'];
  return raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined;
}

/** API versions before 2019-01-01 call the policy properties policyContent / contentFormat. */
export function policyKeys(props: Record<string, unknown>): { valueKey: string; formatKey: string } {
  return {
    valueKey: 'value' in props || !('policyContent' in props) ? 'value' : 'policyContent',
    formatKey: 'format' in props || !('contentFormat' in props) ? 'format' : 'contentFormat',
  };
}

/** A service or workspace being built, with its APIs, products and workspaces by lower-case name. */
export interface Container {
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

/** The lookup key of a name segment: resource names are case-insensitive. */
export function key(segment: NameSegment | undefined): string {
  return (segment?.text ?? '').toLowerCase();
}

export class Builder {
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
