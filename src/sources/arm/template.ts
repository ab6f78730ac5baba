/**
 * Walks an ARM template: resources in both template forms (the `resources` array, and the symbolic-name object of
 * languageVersion 2.0 that `bicep build` emits), child resources nested in `resources`, `copy` loops, `condition`,
 * `existing` references and nested deployments with inline templates. Produces one `ResourceInstance` per
 * deployed resource with its evaluated body; what cannot be determined offline stays `Unknown`. Parameters,
 * variables and `reference()` are resolved by the template scope (scope.ts); secrets are removed first
 * (common/secrets.ts).
 */
import { joinPointer } from '../../json/positions';
import { isRecord } from '../../util/json';
import { evaluateDeep, evaluateString, withCopyIndex } from './evaluate';
import {
  isArmObject,
  isUnknownValue,
  PartialString,
  Unknown,
  type ArmObject,
  type ArmScope,
  type ArmValue,
} from './values';
import { checkCopyCount, setBase } from './limits';
import { baseType, TemplateScope, type ParameterValue } from './scope';
import { stripSecretParameter, stripSecrets } from '../common/secrets';

export type { ParameterValue, ValueOrigin } from './scope';

/** One segment of a resource name (`service/colors-api` has two); unknown segments carry their reason. */
export interface NameSegment {
  text: string;
  unknown?: string;
}

export interface ResourceInstance {
  /** JSON pointer of the resource object in the template file. */
  pointer: string;
  /** Full type without API version, e.g. `Microsoft.ApiManagement/service/apis/policies`. */
  type: string;
  /** Full name split at `/`, parents first. */
  segments: NameSegment[];
  /** The resource's own JSON (for pointers into it). */
  raw: Record<string, unknown>;
  scope: ArmScope;
  /** Set when the resource is deployed only under a condition the template does not determine. */
  conditionUnknown?: string;
  /** languageVersion 2.0 symbolic name. */
  symbolicName?: string;
}

/** A resource declared in a loop whose count is not known, or a linked template: not read. */
export interface WalkGap {
  pointer: string;
  what: string;
  reason: string;
  /** Type and (partly known) name segments of what was not read, to mark the parent's collection unknown. */
  type?: string;
  segments?: NameSegment[];
}

export interface WalkResult {
  instances: ResourceInstance[];
  gaps: WalkGap[];
}

const META_KEYS = new Set(['resources', 'copy', 'condition', 'dependsOn', 'existing']);

/** Walks a template and its nested deployments. */
export function walkTemplate(
  template: Record<string, unknown>,
  given: ReadonlyMap<string, ParameterValue>,
): WalkResult & { rootScope: TemplateScope } {
  const result: WalkResult = { instances: [], gaps: [] };
  const rootScope = enterTemplate(template, '', given, result, undefined);
  return { ...result, rootScope };
}

function enterTemplate(
  template: Record<string, unknown>,
  pointer: string,
  given: ReadonlyMap<string, ParameterValue>,
  result: WalkResult,
  inheritedCondition: string | undefined,
): TemplateScope {
  const scope = new TemplateScope({ template, pointer, given });
  walkResources(
    template['resources'],
    joinPointer(pointer, 'resources'),
    scope,
    undefined,
    result,
    inheritedCondition,
  );
  return scope;
}

interface Parent {
  type: string;
  segments: NameSegment[];
}

function walkResources(
  resources: unknown,
  pointer: string,
  scope: ArmScope,
  parent: Parent | undefined,
  result: WalkResult,
  inheritedCondition: string | undefined,
): void {
  const entries: [string, unknown, string | undefined][] = Array.isArray(resources)
    ? resources.map((r, i) => [joinPointer(pointer, i), r, undefined])
    : isRecord(resources)
      ? Object.entries(resources).map(([k, r]) => [joinPointer(pointer, k), r, k])
      : [];
  for (const [resourcePointer, raw, symbol] of entries) {
    if (!isRecord(raw) || raw['existing'] === true) continue;
    try {
      walkEntry(raw, resourcePointer, symbol, scope, parent, result, inheritedCondition);
    } catch (error) {
      throw setBase(error, resourcePointer);
    }
  }
}

function walkEntry(
  raw: Record<string, unknown>,
  resourcePointer: string,
  symbol: string | undefined,
  scope: ArmScope,
  parent: Parent | undefined,
  result: WalkResult,
  inheritedCondition: string | undefined,
): void {
  const copy = raw['copy'];
  if (!isRecord(copy)) {
    walkInstance(raw, resourcePointer, symbol, scope, parent, result, inheritedCondition);
    return;
  }
  const loop = typeof copy['name'] === 'string' ? copy['name'] : '';
  const count = evaluateDeep(copy['count'], scope);
  if (typeof count === 'number') {
    try {
      checkCopyCount(count, loop);
    } catch (error) {
      throw setBase(error, joinPointer(resourcePointer, 'copy', 'count'));
    }
    for (let i = 0; i < count; i++) {
      walkInstance(
        raw,
        resourcePointer,
        symbol,
        withCopyIndex(scope, loop, i),
        parent,
        result,
        inheritedCondition,
      );
    }
    return;
  }
  const loopScope = withCopyIndex(scope, loop, new Unknown('the loop count is not known'));
  const gap: WalkGap = {
    pointer: resourcePointer,
    what: `resources of copy loop '${loop}'`,
    reason: `the loop count ${String(copy['count'])} cannot be determined: ${isUnknownValue(count) ? count.reason : 'it is not a number'}`,
  };
  const type = typeof raw['type'] === 'string' ? fullType(baseType(raw['type']), parent) : undefined;
  if (type) gap.type = type;
  gap.segments = nameSegments(raw, loopScope, parent, type);
  result.gaps.push(gap);
}

function fullType(type: string, parent: Parent | undefined): string {
  if (!parent || /^[^/]*\.[^/]*\//.test(type)) return type;
  return `${parent.type}/${type}`;
}

/** Splits an evaluated name at `/`; unknown pieces become unknown segments. Nested children get the parent's. */
export function nameSegments(
  raw: Record<string, unknown>,
  scope: ArmScope,
  parent: Parent | undefined,
  type: string | undefined,
): NameSegment[] {
  const rawName = raw['name'];
  const value = typeof rawName === 'string' ? evaluateString(rawName, scope) : undefined;
  const own = value === undefined ? [] : splitName(value, typeof rawName === 'string' ? rawName : '');
  const levels = type ? type.split('/').length - 1 : own.length;
  if (parent && own.length < levels) return [...parent.segments, ...own];
  return own;
}

function splitName(value: ArmValue, expression: string): NameSegment[] {
  if (typeof value === 'string') return value.split('/').map((text) => ({ text }));
  if (!(value instanceof PartialString)) {
    const reason = isUnknownValue(value) ? value.reason : 'the name is not a string';
    const text = value instanceof Unknown && value.expression ? `[${value.expression}]` : expression;
    return [{ text, unknown: `${expression}: ${reason}` }];
  }
  const segments: NameSegment[] = [{ text: '' }];
  for (const part of value.parts) {
    const current = segments[segments.length - 1] as NameSegment;
    if (part instanceof Unknown) {
      current.text += `[${part.expression ?? '?'}]`;
      current.unknown ??= `${expression}: ${part.reason}`;
      continue;
    }
    const [first = '', ...rest] = part.split('/');
    current.text += first;
    for (const text of rest) segments.push({ text });
  }
  return segments;
}

function walkInstance(
  raw: Record<string, unknown>,
  pointer: string,
  symbol: string | undefined,
  scope: ArmScope,
  parent: Parent | undefined,
  result: WalkResult,
  inheritedCondition: string | undefined,
): void {
  let conditionUnknown = inheritedCondition;
  if ('condition' in raw) {
    const condition = evaluateDeep(raw['condition'], scope);
    if (condition === false) return;
    if (condition !== true) {
      const reason = isUnknownValue(condition) ? condition.reason : 'it is not a boolean';
      conditionUnknown ??= `deployed only when ${String(raw['condition'])}, which cannot be determined: ${reason}`;
    }
  }
  const rawType = raw['type'];
  if (typeof rawType !== 'string') return;
  const typeValue = evaluateString(rawType, scope);
  if (typeof typeValue !== 'string') {
    result.gaps.push({
      pointer,
      what: 'a resource',
      reason: `its type ${rawType} cannot be determined`,
    });
    return;
  }
  const type = fullType(baseType(typeValue), parent);
  const segments = nameSegments(raw, scope, parent, type);
  const instance: ResourceInstance = { pointer, type, segments, raw, scope };
  if (conditionUnknown) instance.conditionUnknown = conditionUnknown;
  if (symbol) instance.symbolicName = symbol;
  result.instances.push(instance);
  if (type.toLowerCase() === 'microsoft.resources/deployments') {
    walkDeployment(raw, pointer, scope, result, conditionUnknown);
  }
  walkResources(
    raw['resources'],
    joinPointer(pointer, 'resources'),
    scope,
    { type, segments },
    result,
    conditionUnknown,
  );
}

function walkDeployment(
  raw: Record<string, unknown>,
  pointer: string,
  scope: ArmScope,
  result: WalkResult,
  conditionUnknown: string | undefined,
): void {
  const properties = isRecord(raw['properties']) ? raw['properties'] : {};
  const template = properties['template'];
  if (!isRecord(template)) {
    if (properties['templateLink'] !== undefined) {
      result.gaps.push({
        pointer,
        what: 'a linked template',
        reason:
          'templates linked by URI or template spec are not read; compile them into the template (bicep build) instead',
      });
    }
    return;
  }
  const options = isRecord(properties['expressionEvaluationOptions'])
    ? properties['expressionEvaluationOptions']
    : {};
  const inner = typeof options['scope'] === 'string' && options['scope'].toLowerCase() === 'inner';
  const templatePointer = joinPointer(pointer, 'properties', 'template');
  if (!inner) {
    // Outer scope: the nested template's expressions read the parent's parameters and variables.
    walkResources(
      template['resources'],
      joinPointer(templatePointer, 'resources'),
      scope,
      undefined,
      result,
      conditionUnknown,
    );
    return;
  }
  const given = new Map<string, ParameterValue>();
  const values = isRecord(properties['parameters']) ? properties['parameters'] : {};
  for (const [name, entry] of Object.entries(values)) {
    if (!isRecord(entry)) continue;
    given.set(
      name.toLowerCase(),
      'value' in entry
        ? { value: evaluateDeep(stripSecretParameter(name, entry['value']), scope) }
        : { value: new Unknown(`parameter '${name}' of the nested deployment is a Key Vault reference`) },
    );
  }
  enterTemplate(template, templatePointer, given, result, conditionUnknown);
}

/** The evaluated properties of a resource (secrets removed first), or of the whole body when it has none. */
export function evaluateBody(
  instance: ResourceInstance,
  omit: readonly string[] = [],
): { value: ArmObject; pointer: string } {
  try {
    return evaluateBodyUnbounded(instance, omit);
  } catch (error) {
    const properties = isRecord(instance.raw['properties']);
    throw setBase(error, properties ? joinPointer(instance.pointer, 'properties') : instance.pointer);
  }
}

function evaluateBodyUnbounded(
  instance: ResourceInstance,
  omit: readonly string[],
): { value: ArmObject; pointer: string } {
  const properties = instance.raw['properties'];
  if (isRecord(properties)) {
    const kept = Object.fromEntries(Object.entries(properties).filter(([k]) => !omit.includes(k)));
    const value = evaluateDeep(stripSecrets(kept), instance.scope);
    return { value: isArmObject(value) ? value : {}, pointer: joinPointer(instance.pointer, 'properties') };
  }
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(instance.raw)) if (!META_KEYS.has(k)) body[k] = v;
  const value = evaluateDeep(stripSecrets(body), instance.scope);
  return { value: isArmObject(value) ? value : {}, pointer: instance.pointer };
}
