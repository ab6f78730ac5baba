/**
 * The parts of `terraform show -json <planfile>` the Terraform source reads (domain reference §8.3): the planned
 * resource instances of every module, what is unknown until apply (`resource_changes[].change.after_unknown`),
 * and the `configuration` expressions (plus the `.tf` text, when the folder is known) that let an unknown value
 * be rebuilt from what it references.
 *
 * An unknown value is never guessed. It is rebuilt only when its expression is a reference (or a string template
 * of references) to values that are known, or to the identity of another resource in the plan: a new app's
 * `client_id` becomes the placeholder `tf:<address of the app>`, the same on the app and on everything that
 * references it, so that correlation (`clientId` = `appId`) still holds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { joinPointer } from '../json/positions';
import {
  heredocText,
  readTemplates,
  resourceBlocks,
  scanHcl,
  type HclAttribute,
  type HclBlock,
  type TemplatePart,
} from './terraform-hcl';
import { isRecord as isObject } from '../util/json';

export type Json = Record<string, unknown>;
export type PathToken = string | number;

/** Prefix of the placeholders that stand for identities unknown until apply. */
export const PLACEHOLDER_PREFIX = 'tf:';

export interface PlannedResource {
  /** Full address, e.g. `module.entra.azuread_application.client` or `azurerm_api_management_api.this[0]`. */
  address: string;
  /** The module instance prefix (`module.entra`, `module.apis["colors"]`), empty for the root module. */
  moduleAddress: string;
  /** Names of the module calls leading to the module, for configuration lookups (`['entra']`). */
  modulePath: string[];
  type: string;
  name: string;
  values: Json;
  /** `sensitive_values` of the instance: leaves marked `true` are secrets. */
  sensitive: unknown;
  /** `after_unknown` of the instance's change: leaves marked `true` are unknown until apply. */
  unknown: unknown;
  /** JSON pointer of the instance object in the plan (`/planned_values/root_module/resources/3`). */
  pointer: string;
}

/** A rebuilt value: `known` (from the plan), `identity` (a placeholder for an id), `opaque` (any other placeholder). */
export interface Resolved {
  value: unknown;
  kind: 'known' | 'identity' | 'opaque';
  /** The resource the expression referenced, when it was a reference to one. */
  resource?: PlannedResource;
}

/** A `.tf` block with the file it was found in. */
export interface LocatedBlock {
  file: string;
  text: string;
  block: HclBlock;
}

interface ModuleFiles {
  resources: Map<string, LocatedBlock>;
  modules: Map<string, LocatedBlock>;
  outputs: Map<string, LocatedBlock>;
}

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

/** An attribute found in a `.tf` block: its expression text, and the heredoc when it is one. */
interface AttributeSource {
  located: LocatedBlock;
  attribute: HclAttribute;
  expression: string;
}

export function at(value: unknown, tokens: readonly PathToken[]): unknown {
  let current = value;
  for (const token of tokens) {
    if (Array.isArray(current) && typeof token === 'number') current = current[token];
    else if (isObject(current) && typeof token === 'string') current = current[token];
    else return undefined;
  }
  return current;
}

/**
 * Whether a mask of the shape of the values (`after_unknown`, `sensitive_values`) marks the value at `tokens`
 * with `true`, itself or through one of its ancestors.
 */
function flaggedAt(mask: unknown, tokens: readonly PathToken[]): boolean {
  let current = mask;
  for (const token of tokens) {
    if (current === true) return true;
    current = at(current, [token]);
  }
  return current === true;
}

/** `module.a["x"].module.b[0]` -> `['a', 'b']`. */
function modulePathOf(moduleAddress: string): string[] {
  return [...moduleAddress.matchAll(/module\.([A-Za-z0-9_-]+)/g)].map((m) => m[1] ?? '');
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

export class TerraformPlan {
  readonly resources: PlannedResource[] = [];
  private readonly byAddress = new Map<string, PlannedResource>();
  private readonly dataResources: { address: string; values: Json }[] = [];
  private readonly filesByModule = new Map<string, ModuleFiles | undefined>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly doc: Json,
    /** The Terraform configuration folder (root module), when known. */
    readonly tfDir: string | undefined,
  ) {
    const changes = new Map<string, Json>();
    for (const change of Array.isArray(doc['resource_changes']) ? doc['resource_changes'] : []) {
      if (isObject(change) && typeof change['address'] === 'string' && isObject(change['change'])) {
        if (change['deposed'] === undefined) changes.set(change['address'], change['change']);
      }
    }
    const planned = at(doc, ['planned_values', 'root_module']);
    this.collect(planned, '/planned_values/root_module', changes);
    for (const root of [at(doc, ['prior_state', 'values', 'root_module']), planned]) this.collectData(root);
  }

  private collect(module: unknown, pointer: string, changes: Map<string, Json>): void {
    if (!isObject(module)) return;
    const moduleAddress = typeof module['address'] === 'string' ? module['address'] : '';
    const resources = Array.isArray(module['resources']) ? module['resources'] : [];
    resources.forEach((r, i) => {
      if (!isObject(r) || r['mode'] !== 'managed' || typeof r['address'] !== 'string') return;
      const resource: PlannedResource = {
        address: r['address'],
        moduleAddress,
        modulePath: modulePathOf(moduleAddress),
        type: String(r['type']),
        name: String(r['name']),
        values: isObject(r['values']) ? r['values'] : {},
        sensitive: r['sensitive_values'],
        unknown: changes.get(r['address'])?.['after_unknown'],
        pointer: joinPointer(pointer, 'resources', i),
      };
      this.resources.push(resource);
      this.byAddress.set(resource.address, resource);
    });
    const children = Array.isArray(module['child_modules']) ? module['child_modules'] : [];
    children.forEach((c, i) => this.collect(c, joinPointer(pointer, 'child_modules', i), changes));
  }

  private collectData(module: unknown): void {
    if (!isObject(module)) return;
    for (const r of Array.isArray(module['resources']) ? module['resources'] : []) {
      if (isObject(r) && r['mode'] === 'data' && typeof r['address'] === 'string' && isObject(r['values'])) {
        this.dataResources.push({ address: r['address'], values: r['values'] });
      }
    }
    for (const c of Array.isArray(module['child_modules']) ? module['child_modules'] : [])
      this.collectData(c);
  }

  /** Values of data sources of a type (e.g. `azuread_client_config`), from the prior state or the plan. */
  dataOfType(type: string): Json[] {
    return this.dataResources
      .filter((d) => new RegExp(`(^|\\.)data\\.${type}\\.`).test(d.address))
      .map((d) => d.values);
  }

  /** Top-level plan fields such as `timestamp`. */
  field(name: string): unknown {
    return this.doc[name];
  }

  isUnknown(resource: PlannedResource, tokens: readonly PathToken[]): boolean {
    return flaggedAt(resource.unknown, tokens);
  }

  isSensitive(resource: PlannedResource, tokens: readonly PathToken[]): boolean {
    return flaggedAt(resource.sensitive, tokens);
  }

  // ----- configuration -----------------------------------------------------------------------------------

  private moduleConfig(modulePath: readonly string[]): Json | undefined {
    let current = at(this.doc, ['configuration', 'root_module']);
    for (const name of modulePath) current = at(current, ['module_calls', name, 'module']);
    return isObject(current) ? current : undefined;
  }

  private resourceConfig(resource: PlannedResource): Json | undefined {
    const config = this.moduleConfig(resource.modulePath);
    const list = Array.isArray(config?.['resources']) ? config['resources'] : [];
    return list.find(
      (r): r is Json =>
        isObject(r) && r['mode'] === 'managed' && r['type'] === resource.type && r['name'] === resource.name,
    );
  }

  /** The folder of a module, when the configuration folder is known and the module is local or installed. */
  moduleDir(modulePath: readonly string[]): string | undefined {
    if (!this.tfDir) return undefined;
    let dir = this.tfDir;
    for (let i = 0; i < modulePath.length; i++) {
      const call = at(this.moduleConfig(modulePath.slice(0, i)), ['module_calls', modulePath[i] ?? '']);
      const source = at(call, ['source']) ?? at(call, ['resolved_source']);
      if (typeof source === 'string' && /^\.\.?[\\/]/.test(source)) {
        dir = path.resolve(dir, source);
      } else {
        const installed = this.installedModuleDir(modulePath.slice(0, i + 1).join('.'));
        if (!installed) return undefined;
        dir = installed;
      }
    }
    return dir;
  }

  /** `.terraform/modules/modules.json` maps module keys (`a.b`) to the folders `terraform init` installed. */
  private installedModuleDir(key: string): string | undefined {
    if (!this.tfDir) return undefined;
    const file = path.join(this.tfDir, '.terraform', 'modules', 'modules.json');
    if (!existsSync(file)) return undefined;
    try {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
        Modules?: { Key?: string; Dir?: string }[];
      };
      const dir = manifest.Modules?.find((m) => m.Key === key)?.Dir;
      return dir ? path.resolve(this.tfDir, dir) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The `.tf` blocks of a module's folder (resources, module calls, outputs), scanned once. */
  moduleFiles(modulePath: readonly string[]): ModuleFiles | undefined {
    const key = modulePath.join('.');
    if (this.filesByModule.has(key)) return this.filesByModule.get(key);
    const dir = this.moduleDir(modulePath);
    let files: ModuleFiles | undefined;
    if (dir && existsSync(dir)) {
      files = { resources: new Map(), modules: new Map(), outputs: new Map() };
      const names = readdirSync(dir)
        .filter((n) => n.endsWith('.tf'))
        .sort();
      for (const name of names) {
        const file = path.join(dir, name);
        const text = readFileSync(file, 'utf8');
        const blocks = scanHcl(text);
        for (const [k, block] of resourceBlocks(blocks)) files.resources.set(k, { file, text, block });
        for (const block of blocks) {
          const label = block.labels[0];
          if (block.labels.length !== 1 || label === undefined) continue;
          if (block.type === 'module') files.modules.set(label, { file, text, block });
          if (block.type === 'output') files.outputs.set(label, { file, text, block });
        }
      }
    }
    this.filesByModule.set(key, files);
    return files;
  }

  /** The `resource` block of a planned instance in the configuration folder. */
  blockOf(resource: PlannedResource): LocatedBlock | undefined {
    return this.moduleFiles(resource.modulePath)?.resources.get(`${resource.type}.${resource.name}`);
  }

  // ----- rebuilding unknown values -----------------------------------------------------------------------

  /**
   * The value of an attribute of a resource instance: the planned value when known, else the value rebuilt
   * from its expression (undefined when that is impossible, or when the attribute is simply not set).
   */
  valueOf(resource: PlannedResource, tokens: readonly PathToken[]): Resolved | undefined {
    const planned = at(resource.values, tokens);
    if (planned !== undefined && planned !== null) return { value: planned, kind: 'known' };
    if (!this.isUnknown(resource, tokens))
      return planned === null ? { value: null, kind: 'known' } : undefined;
    return this.rebuild(resource, tokens);
  }

  /** Rebuilds an unknown attribute from its configuration expression. */
  rebuild(resource: PlannedResource, tokens: readonly PathToken[]): Resolved | undefined {
    const key = `${resource.address}|${tokens.join('.')}`;
    if (this.resolving.has(key)) return undefined;
    this.resolving.add(key);
    try {
      const config = this.resourceConfig(resource);
      const located = this.blockOf(resource);
      const found = expressionAt(config?.['expressions'], tokens, resource.values);
      const source = located ? attributeSource(located, found?.blockIndexes ?? [], tokens) : undefined;
      const last = [...tokens].reverse().find((t): t is string => typeof t === 'string') ?? '';
      const scope = { modulePath: resource.modulePath, moduleAddress: resource.moduleAddress };
      return this.evaluate(found?.expression, source, scope, ID_ATTRIBUTES.has(last));
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
      const data = this.dataResources.find((d) => d.address === `${prefix}data.${second}.${String(name)}`);
      const value = data ? at(data.values, tokens.slice(3)) : undefined;
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
    const resource = this.byAddress.get(address) ?? this.single(address);
    if (!resource) return undefined;
    return this.attributeOf(resource, rest, allowOpaque);
  }

  /** The only instance of a resource with `count`/`for_each`, when there is one. */
  private single(address: string): PlannedResource | undefined {
    const instances = this.resources.filter((r) => r.address.startsWith(`${address}[`));
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
    if (!allowOpaque || !this.isUnknown(resource, rest)) return undefined;
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
      const value = at(this.doc, ['variables', name, 'value', ...rest]);
      return value === undefined || value === null ? undefined : { value, kind: 'known' };
    }
    const parentPath = scope.modulePath.slice(0, -1);
    const call = scope.modulePath[scope.modulePath.length - 1] ?? '';
    const parentAddress = scope.moduleAddress.replace(/\.?module\.[A-Za-z0-9_-]+(\[[^\]]*\])?$/, '');
    const expression = at(this.moduleConfig(parentPath), ['module_calls', call, 'expressions', name]);
    const block = this.moduleFiles(parentPath)?.modules.get(call);
    const source = block ? attributeSource(block, [], [name]) : undefined;
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
    const expression = at(this.moduleConfig(modulePath), ['outputs', output, 'expression']);
    const block = this.moduleFiles(modulePath)?.outputs.get(output);
    const source = block ? attributeSource(block, [], ['value']) : undefined;
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

/**
 * The configuration expression of an attribute path (`['api', 0, 'oauth2_permission_scope', 1, 'id']`). Nested
 * blocks are lists of block expressions in source order; a planned set element is matched to its block by the
 * block's constant attributes, else by position when the counts agree.
 */
function expressionAt(
  expressions: unknown,
  tokens: readonly PathToken[],
  values: unknown,
): { expression: unknown; blockIndexes: number[] } | undefined {
  let current = expressions;
  let planned = values;
  const blockIndexes: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token !== 'string') return undefined;
    current = at(current, [token]);
    planned = at(planned, [token]);
    const next = tokens[i + 1];
    if (Array.isArray(current) && typeof next === 'number') {
      const element = at(planned, [next]);
      const index = blockIndexFor(current, element, Array.isArray(planned) ? planned.length : 0, next);
      if (index === undefined) return undefined;
      blockIndexes.push(index);
      current = current[index];
      planned = element;
      i++;
    }
  }
  return current === undefined ? undefined : { expression: current, blockIndexes };
}

function blockIndexFor(
  blocks: unknown[],
  element: unknown,
  plannedCount: number,
  position: number,
): number | undefined {
  if (blocks.length === 1) return 0;
  const matches = blocks
    .map((block, i) => ({ block, i }))
    .filter(({ block }) => {
      if (!isObject(block) || !isObject(element)) return false;
      const constants = Object.entries(block).filter(([, e]) => isObject(e) && 'constant_value' in e);
      return (
        constants.length > 0 &&
        constants.every(([k, e]) => {
          const constant = (e as Json)['constant_value'];
          return typeof constant === 'object' || element[k] === constant;
        })
      );
    });
  if (matches.length === 1) return matches[0]?.i;
  return blocks.length === plannedCount ? position : undefined;
}

/** An attribute inside a located block, following nested blocks by their indexes. */
function attributeSource(
  located: LocatedBlock,
  blockIndexes: readonly number[],
  tokens: readonly PathToken[],
): AttributeSource | undefined {
  let block: HclBlock | undefined = located.block;
  let nth = 0;
  const names = tokens.filter((t): t is string => typeof t === 'string');
  for (let i = 0; i < names.length - 1; i++) {
    const nested: HclBlock[] = block.blocks.filter((b) => b.type === names[i] && b.labels.length === 0);
    block = nested[blockIndexes[nth] ?? 0];
    nth++;
    if (!block) return undefined;
  }
  const attribute = block.attributes.get(names[names.length - 1] ?? '');
  if (!attribute) return undefined;
  return {
    located,
    attribute,
    expression: located.text.slice(attribute.valueOffset, attribute.valueEnd).trim(),
  };
}
