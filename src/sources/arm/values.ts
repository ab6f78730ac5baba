/**
 * The values of the offline ARM evaluator. What only a deployment knows (resourceGroup(), reference(),
 * uniqueString(), a parameter without a value...) evaluates to an `Unknown` that carries why; it is never guessed.
 * Strings assembled from known and unknown pieces stay a `PartialString`, so a child resource name such as
 * `concat(parameters('apim'), '/colors-api')` still yields its known segment.
 */
import type { ExprNode } from './parse';

/** A value the template does not determine offline, with the reason. */
export class Unknown {
  constructor(
    readonly reason: string,
    /** The sub-expression that is unknown (e.g. `parameters('apimName')`), when it is a named input. */
    readonly expression?: string,
  ) {}
}

/** A string made of known text and unknown pieces (e.g. `concat(parameters('missing'), '/api')`). */
export class PartialString {
  constructor(readonly parts: readonly (string | Unknown)[]) {}

  /** The first reason a piece is unknown. */
  get reason(): string {
    return this.parts.find((p): p is Unknown => p instanceof Unknown)?.reason ?? 'unknown';
  }
}

/** `lambda('x', body)` of languageVersion 2.0 templates, applied by map/filter/reduce/sort/toObject. */
export class Lambda {
  constructor(
    readonly params: readonly string[],
    readonly body: ExprNode,
    readonly env: Env,
  ) {}
}

/** Property access on a deployed resource (`reference('clientApp').appId`), answered by the template walker. */
export class ResourceHandle {
  constructor(
    readonly describe: string,
    readonly get: (property: string) => ArmValue,
  ) {}
}

export type ArmValue =
  | null
  | boolean
  | number
  | string
  | ArmValue[]
  | { [key: string]: ArmValue }
  | Unknown
  | PartialString
  | Lambda
  | ResourceHandle;

export type ArmObject = { [key: string]: ArmValue };

/** What an expression can read from its template: parameters, variables, loops and declared resources. */
export interface ArmScope {
  parameter(name: string): ArmValue;
  variable(name: string): ArmValue;
  /** The current index of the named (or innermost) copy loop. */
  copyIndex(loop: string | undefined): number | Unknown;
  /** `reference(x)`: a handle for a resource declared in the template, or Unknown. */
  reference(target: ArmValue): ArmValue;
  /** Where a parameter's / variable's literal string value lives (for locating policies taken from it). */
  valueOrigin?(
    kind: 'parameters' | 'variables',
    name: string,
  ): { file: 'template' | 'parameters'; pointer: string } | undefined;
}

/** Calls one template function; the evaluator receives ARM's table (`functions/`) through its `Env`. */
export type CallFunction = (name: string, args: readonly ExprNode[], env: Env) => ArmValue;

export interface Env {
  scope: ArmScope;
  lambdaVariables: ReadonlyMap<string, ArmValue>;
  /** The function table calls (`name(args)`) go to; a lambda keeps the one it was created with. */
  call: CallFunction;
}

// ----- Predicates -----------------------------------------------------------------------------------------

export function isUnknownValue(value: ArmValue): value is Unknown | PartialString {
  return value instanceof Unknown || value instanceof PartialString;
}

export function isArmObject(value: ArmValue | undefined): value is ArmObject {
  return (
    value !== undefined &&
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Unknown) &&
    !(value instanceof PartialString) &&
    !(value instanceof Lambda) &&
    !(value instanceof ResourceHandle)
  );
}

export function describeType(value: ArmValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Lambda) return 'lambda';
  if (value instanceof ResourceHandle) return 'resource';
  if (isUnknownValue(value)) return 'unknown value';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** The first unknown anywhere inside a value (arrays and objects included), or undefined. */
export function firstUnknown(value: ArmValue): Unknown | PartialString | undefined {
  if (isUnknownValue(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstUnknown(item);
      if (found) return found;
    }
  } else if (isArmObject(value)) {
    for (const item of Object.values(value)) {
      const found = firstUnknown(item);
      if (found) return found;
    }
  }
  return undefined;
}
