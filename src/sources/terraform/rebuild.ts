/**
 * Rebuilding values that are unknown until apply from the expressions that produce them; separate from
 * plan.ts, which reads the plan and finds those expressions, because evaluating them is its own task.
 *
 * An unknown value is never guessed. It is rebuilt only when its expression is a reference (or a string template
 * of references) to values that are known, or to the identity of another resource in the plan: a new app's
 * `client_id` becomes the placeholder `tf:<address of the app>`, the same on the app and on everything that
 * references it, so that correlation (`clientId` = `appId`) still holds.
 */
import { heredocText, readTemplates, type TemplatePart } from './hcl';
import {
  at,
  PLACEHOLDER_PREFIX,
  type AttributeSource,
  type PathToken,
  type PlanLookup,
  type PlannedResource,
  type Resolved,
} from './plan-shapes';
import { isRecord as isObject } from '../../util/json';

/**
 * Attributes whose value is an identifier: a bare reference in them is the referenced value itself, so it can be
 * followed from the `configuration` references alone, without the `.tf` text.
 */
const ID_ATTRIBUTES = new Set([
  'client_id',
  'application_id',
  'application_object_id',
  'resource_app_id',
  'id',
  'app_id',
  'api_management_id',
  'api_management_name',
  'api_name',
  'product_id',
  'operation_id',
  'authorization_server_name',
  'openid_provider_name',
  'known_client_applications',
  'permission_ids',
]);

const isPrimitive = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

interface Scope {
  modulePath: string[];
  moduleAddress: string;
}

/** A reference traversal (`a.b["k"][0].c`) as tokens. */
export function traversalTokens(reference: string): PathToken[] {
  const tokens: PathToken[] = [];
  for (const m of reference.matchAll(/([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["([^"\\]*)"\]/g)) {
    if (m[1] !== undefined) tokens.push(m[1]);
    else if (m[2] !== undefined) tokens.push(Number(m[2]));
    else tokens.push(m[3] ?? '');
  }
  return tokens;
}

export class Rebuilder {
  private readonly resolving = new Set<string>();

  constructor(private readonly plan: PlanLookup) {}

  /**
   * The value of an attribute of a resource instance: the planned value when known, else the value rebuilt
   * from its expression (undefined when that is impossible, or when the attribute is simply not set).
   */
  valueOf(resource: PlannedResource, tokens: readonly PathToken[]): Resolved | undefined {
    const planned = at(resource.values, tokens);
    if (planned !== undefined && planned !== null) return { value: planned, kind: 'known' };
    if (!this.plan.isUnknown(resource, tokens))
      return planned === null ? { value: null, kind: 'known' } : undefined;
    return this.rebuild(resource, tokens);
  }

  /** Rebuilds an unknown attribute from its configuration expression. */
  rebuild(resource: PlannedResource, tokens: readonly PathToken[]): Resolved | undefined {
    const key = `${resource.address}|${tokens.join('.')}`;
    if (this.resolving.has(key)) return undefined;
    this.resolving.add(key);
    try {
      const { expression, source } = this.plan.attributeExpression(resource, tokens);
      const last = [...tokens].reverse().find((t): t is string => typeof t === 'string') ?? '';
      const scope = { modulePath: resource.modulePath, moduleAddress: resource.moduleAddress };
      return this.evaluate(expression, source, scope, ID_ATTRIBUTES.has(last));
    } finally {
      this.resolving.delete(key);
    }
  }

  /**
   * Evaluates an expression (configuration representation + `.tf` text when known) in a module instance.
   * `isId`: the attribute holds an identifier, so a bare reference is followed even without the text.
   */
  private evaluate(
    expression: unknown,
    source: AttributeSource | undefined,
    scope: Scope,
    isId: boolean,
  ): Resolved | undefined {
    if (isObject(expression) && 'constant_value' in expression) {
      return { value: expression['constant_value'], kind: 'known' };
    }
    if (source?.attribute.heredoc) {
      let kind: Resolved['kind'] = 'known';
      const result = heredocText(source.located.text, source.attribute.heredoc, (reference) => {
        const resolved = this.reference(reference, scope, false);
        if (!resolved || resolved.kind === 'opaque' || !isPrimitive(resolved.value)) return undefined;
        if (resolved.kind === 'identity') kind = 'identity';
        return String(resolved.value);
      });
      return result ? { value: result.value, kind } : undefined;
    }
    const templates = source ? readTemplates(source.expression) : undefined;
    if (templates) {
      const values = templates.map((parts) => this.template(parts, scope, isId));
      if (values.some((v) => v === undefined)) return undefined;
      const resolved = values as Resolved[];
      if (!source?.expression.startsWith('[')) return resolved[0];
      const kind = resolved.some((v) => v.kind === 'opaque')
        ? 'opaque'
        : resolved.some((v) => v.kind === 'identity')
          ? 'identity'
          : 'known';
      return { value: resolved.map((v) => v.value), kind };
    }
    // No text (or text the audit does not read): an identifier attribute is the value of its one reference.
    const references =
      isObject(expression) && Array.isArray(expression['references']) ? expression['references'] : [];
    const first = references.find((r): r is string => typeof r === 'string');
    if (!isId || first === undefined) return undefined;
    return this.reference(first, scope, true);
  }

  /** The text of a reference resolved in the scope of a resource (for heredoc positions), if known. */
  referenceText(resource: PlannedResource, reference: string): string | undefined {
    const resolved = this.reference(
      reference,
      { modulePath: resource.modulePath, moduleAddress: resource.moduleAddress },
      false,
    );
    return resolved && resolved.kind !== 'opaque' && isPrimitive(resolved.value)
      ? String(resolved.value)
      : undefined;
  }

  /** A string template: every reference must resolve to a known value or an identity placeholder. */
  private template(parts: TemplatePart[], scope: Scope, isId: boolean): Resolved | undefined {
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only && 'reference' in only) return this.reference(only.reference, scope, isId);
    let value = '';
    let kind: Resolved['kind'] = 'known';
    for (const part of parts) {
      if ('literal' in part) {
        value += part.literal;
        continue;
      }
      const resolved = this.reference(part.reference, scope, false);
      if (!resolved || !isPrimitive(resolved.value)) return undefined;
      if (resolved.kind === 'opaque') return undefined;
      if (resolved.kind === 'identity') kind = 'identity';
      value += String(resolved.value);
    }
    return { value, kind };
  }

  /** Follows one reference traversal from a module instance. `allowOpaque`: an id attribute takes any placeholder. */
  private reference(reference: string, scope: Scope, allowOpaque: boolean): Resolved | undefined {
    const tokens = traversalTokens(reference);
    const [head, second] = tokens;
    if (head === 'var' && typeof second === 'string')
      return this.variable(second, tokens.slice(2), scope, allowOpaque);
    if (head === 'module' && typeof second === 'string') return this.output(tokens, scope, allowOpaque);
    if (head === 'data' && typeof second === 'string') {
      const name = tokens[2];
      const prefix = scope.moduleAddress ? `${scope.moduleAddress}.` : '';
      const data = this.plan.dataAt(`${prefix}data.${second}.${String(name)}`);
      const value = data ? at(data, tokens.slice(3)) : undefined;
      return value === undefined || value === null ? undefined : { value, kind: 'known' };
    }
    if (typeof head !== 'string' || typeof second !== 'string' || !head.includes('_')) return undefined;
    let rest = tokens.slice(2);
    let address = `${scope.moduleAddress ? `${scope.moduleAddress}.` : ''}${head}.${second}`;
    const index = rest[0];
    if (typeof index === 'number' || (typeof index === 'string' && !/^[A-Za-z_]/.test(index))) {
      address += typeof index === 'number' ? `[${index}]` : `["${index}"]`;
      rest = rest.slice(1);
    }
    const resource = this.plan.resourceAt(address) ?? this.single(address);
    if (!resource) return undefined;
    return this.attributeOf(resource, rest, allowOpaque);
  }

  /** The only instance of a resource with `count`/`for_each`, when there is one. */
  private single(address: string): PlannedResource | undefined {
    const instances = this.plan.resources.filter((r) => r.address.startsWith(`${address}[`));
    return instances.length === 1 ? instances[0] : undefined;
  }

  /** An attribute of a referenced resource: known, rebuilt, or the resource's identity. */
  private attributeOf(
    resource: PlannedResource,
    rest: PathToken[],
    allowOpaque: boolean,
  ): Resolved | undefined {
    const [attribute, key] = rest;
    if (
      resource.type === 'azuread_application' &&
      attribute === 'oauth2_permission_scope_ids' &&
      typeof key === 'string'
    ) {
      return this.scopeId(resource, key);
    }
    const known = this.valueOf(resource, rest);
    if (known) return { ...known, resource };
    if (
      resource.type.startsWith('azuread_application') &&
      (attribute === 'client_id' || attribute === 'application_id') &&
      rest.length === 1
    ) {
      if (resource.type === 'azuread_application') {
        return { value: `${PLACEHOLDER_PREFIX}${resource.address}`, kind: 'identity', resource };
      }
    }
    if (resource.type === 'azurerm_api_management' && rest.length === 1) {
      const derived = this.serviceUrl(resource, String(attribute));
      if (derived) return { value: derived, kind: 'known', resource };
    }
    if (!allowOpaque || !this.plan.isUnknown(resource, rest)) return undefined;
    return { value: `${PLACEHOLDER_PREFIX}${resource.address}.${rest.join('.')}`, kind: 'opaque', resource };
  }

  /** Default URLs of a new API Management service, which Azure derives from its name. */
  private serviceUrl(resource: PlannedResource, attribute: string): string | undefined {
    const name = resource.values['name'];
    if (typeof name !== 'string') return undefined;
    const host = {
      developer_portal_url: 'developer.azure-api.net',
      gateway_url: 'azure-api.net',
      portal_url: 'portal.azure-api.net',
    }[attribute];
    return host ? `https://${name}.${host}` : undefined;
  }

  /** `azuread_application.x.oauth2_permission_scope_ids["Colors.Read"]`: the id of that scope of the app. */
  private scopeId(app: PlannedResource, value: string): Resolved | undefined {
    const scopes = at(app.values, ['api', 0, 'oauth2_permission_scope']);
    if (!Array.isArray(scopes)) return undefined;
    const index = scopes.findIndex((s) => isObject(s) && s['value'] === value);
    if (index < 0) return undefined;
    const id = this.valueOf(app, ['api', 0, 'oauth2_permission_scope', index, 'id']);
    return id ? { ...id, resource: app } : undefined;
  }

  /** `var.x` inside a module: the argument of its module call in the parent (or the root variable). */
  private variable(
    name: string,
    rest: PathToken[],
    scope: Scope,
    allowOpaque: boolean,
  ): Resolved | undefined {
    if (scope.modulePath.length === 0) {
      const value = at(this.plan.field('variables'), [name, 'value', ...rest]);
      return value === undefined || value === null ? undefined : { value, kind: 'known' };
    }
    const parentPath = scope.modulePath.slice(0, -1);
    const call = scope.modulePath[scope.modulePath.length - 1] ?? '';
    const parentAddress = scope.moduleAddress.replace(/\.?module\.[A-Za-z0-9_-]+(\[[^\]]*\])?$/, '');
    const { expression, source } = this.plan.moduleArgument(parentPath, call, name);
    const resolved = this.evaluate(
      expression,
      source,
      { modulePath: parentPath, moduleAddress: parentAddress },
      allowOpaque,
    );
    if (!resolved || rest.length === 0) return resolved;
    const value = at(resolved.value, rest);
    return value === undefined ? undefined : { ...resolved, value };
  }

  /** `module.m.o`: the expression of output `o` of module `m`, evaluated inside it. */
  private output(tokens: PathToken[], scope: Scope, allowOpaque: boolean): Resolved | undefined {
    const call = String(tokens[1]);
    let rest = tokens.slice(2);
    let instance = `${scope.moduleAddress ? `${scope.moduleAddress}.` : ''}module.${call}`;
    if (typeof rest[0] === 'number') {
      instance += `[${rest[0]}]`;
      rest = rest.slice(1);
    }
    const output = rest[0];
    if (typeof output !== 'string') return undefined;
    const modulePath = [...scope.modulePath, call];
    const { expression, source } = this.plan.moduleOutput(modulePath, output);
    const resolved = this.evaluate(
      expression,
      source,
      { modulePath, moduleAddress: instance },
      allowOpaque || rest.length > 1,
    );
    if (!resolved || rest.length === 1) return resolved;
    const value = at(resolved.value, rest.slice(1));
    return value === undefined ? undefined : { ...resolved, value };
  }
}
