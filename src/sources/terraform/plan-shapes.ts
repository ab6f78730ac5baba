/**
 * The shapes of a Terraform plan (planned resources, rebuilt values, `.tf` blocks) and the pure lookups into them
 * (a value by path, an attribute's configuration expression, its `.tf` text), shared by plan.ts and
 * rebuild.ts so that neither of the two imports the other.
 */
import type { HclAttribute, HclBlock } from './hcl-scan';
import { isRecord as isObject } from '../../util/json';

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

/** An attribute found in a `.tf` block: its expression text, and the heredoc when it is one. */
export interface AttributeSource {
  located: LocatedBlock;
  attribute: HclAttribute;
  expression: string;
}

/** The configuration of a value: its `configuration` expression, and its `.tf` attribute when the text is known. */
export interface ConfiguredExpression {
  expression: unknown;
  source: AttributeSource | undefined;
}

/** What rebuilding an unknown value reads from the plan (`TerraformPlan` implements it). */
export interface PlanLookup {
  readonly resources: readonly PlannedResource[];
  /** The managed resource instance at a full address. */
  resourceAt(address: string): PlannedResource | undefined;
  /** The values of the data resource instance at a full address (prior state first, then the plan). */
  dataAt(address: string): Json | undefined;
  /** Top-level plan fields such as `variables`. */
  field(name: string): unknown;
  isUnknown(resource: PlannedResource, tokens: readonly PathToken[]): boolean;
  /** The configuration of an attribute of a resource instance. */
  attributeExpression(resource: PlannedResource, tokens: readonly PathToken[]): ConfiguredExpression;
  /** The argument `name` of module call `call` in the module at `parentPath`. */
  moduleArgument(parentPath: readonly string[], call: string, name: string): ConfiguredExpression;
  /** The `value` of output `output` of the module at `modulePath`. */
  moduleOutput(modulePath: readonly string[], output: string): ConfiguredExpression;
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
 * The configuration expression of an attribute path (`['api', 0, 'oauth2_permission_scope', 1, 'id']`). Nested
 * blocks are lists of block expressions in source order; a planned set element is matched to its block by the
 * block's constant attributes, else by position when the counts agree.
 */
export function expressionAt(
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
export function attributeSource(
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
