/**
 * ARM template expressions (`"[concat(parameters('a'), '/x')]"`): a parser and an offline evaluator. What only a
 * deployment knows (resourceGroup(), reference(), uniqueString(), a parameter without a value...) evaluates to an
 * `Unknown` that carries why; it is never guessed. Strings assembled from known and unknown pieces stay a
 * `PartialString`, so a child resource name such as `concat(parameters('apim'), '/colors-api')` still yields
 * its known segment.
 */
import { callFunction } from './functions';
import { addPath, checkCopyCount } from './limits';

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

export interface Env {
  scope: ArmScope;
  lambdaVariables: ReadonlyMap<string, ArmValue>;
}

// ----- Parsing ---------------------------------------------------------------------------------------------

export type ExprNode =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'ident'; name: string }
  | { kind: 'call'; name: string; args: ExprNode[] }
  | { kind: 'member'; object: ExprNode; name: string; optional: boolean }
  | { kind: 'index'; object: ExprNode; index: ExprNode; optional: boolean };

class ExprSyntaxError extends Error {}

const MAX_EXPRESSION_DEPTH = 200;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parse(): ExprNode {
    const node = this.expression();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected '${this.text[this.pos] ?? ''}'`);
    return node;
  }

  private fail(message: string): never {
    throw new ExprSyntaxError(`${message} at character ${this.pos + 1}`);
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  private expect(char: string): void {
    if (this.peek() !== char) this.fail(`expected '${char}'`);
    this.pos++;
  }

  private expression(): ExprNode {
    // Each level recurses: a hostile `concat(concat(concat(...` must not overflow the stack.
    if (++this.depth > MAX_EXPRESSION_DEPTH) this.fail(`nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    const node = this.postfix(this.primary());
    this.depth--;
    return node;
  }

  private postfix(start: ExprNode): ExprNode {
    let node = start;
    // A member or index chain nests the tree one level per link, and evaluation recurses down it: bounded like
    // nesting, so `json('{}').a.a.a…` cannot overflow the stack.
    for (let links = 0; ; links++) {
      if (links > MAX_EXPRESSION_DEPTH)
        this.fail(`a member or index chain longer than ${MAX_EXPRESSION_DEPTH} links`);
      const c = this.peek();
      if (c === '.') {
        this.pos++;
        const optional = this.text[this.pos] === '?';
        if (optional) this.pos++;
        node = { kind: 'member', object: node, name: this.identifier(), optional };
      } else if (c === '[' || (c === '?' && this.text[this.pos + 1] === '[')) {
        const optional = c === '?';
        this.pos += optional ? 2 : 1;
        const index = this.expression();
        this.expect(']');
        node = { kind: 'index', object: node, index, optional };
      } else {
        return node;
      }
    }
  }

  private identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.text.slice(this.pos));
    if (!match) this.fail('expected a name');
    this.pos += match[0].length;
    return match[0];
  }

  private primary(): ExprNode {
    const c = this.peek();
    if (c === "'") return { kind: 'string', value: this.stringLiteral() };
    if (/[-0-9]/.test(c)) {
      const match = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.pos));
      if (!match) this.fail('expected a number');
      this.pos += match[0].length;
      return { kind: 'number', value: Number(match[0]) };
    }
    let name = this.identifier();
    // User-defined functions are called as `namespace.function(...)`.
    while (this.text[this.pos] === '.' && /^\.[A-Za-z_]\w*\s*\(/.test(this.text.slice(this.pos))) {
      this.pos++;
      name += '.' + this.identifier();
    }
    if (this.peek() !== '(') return { kind: 'ident', name };
    this.pos++;
    const args: ExprNode[] = [];
    if (this.peek() !== ')') {
      for (;;) {
        args.push(this.expression());
        if (this.peek() !== ',') break;
        this.pos++;
      }
    }
    this.expect(')');
    return { kind: 'call', name, args };
  }

  private stringLiteral(): string {
    this.pos++; // opening quote
    let value = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string');
      this.pos++;
      if (c !== "'") {
        value += c;
      } else if (this.text[this.pos] === "'") {
        value += "'";
        this.pos++;
      } else {
        return value;
      }
    }
  }
}

const parsedCache = new Map<string, ExprNode | ExprSyntaxError>();

/** Parses an expression body (without the surrounding brackets); syntax errors come back as an error value. */
export function parseExpression(text: string): ExprNode | ExprSyntaxError {
  let parsed = parsedCache.get(text);
  if (!parsed) {
    try {
      parsed = new Parser(text).parse();
    } catch (error) {
      if (!(error instanceof ExprSyntaxError)) throw error;
      parsed = error;
    }
    if (parsedCache.size > 20000) parsedCache.clear();
    parsedCache.set(text, parsed);
  }
  return parsed;
}

/** Whether a template string is an expression: `[...]`, but not the `[[` escape of a literal `[`. */
export function isExpression(value: string): boolean {
  return value.startsWith('[') && value.endsWith(']') && !value.startsWith('[[');
}

// ----- Evaluation ------------------------------------------------------------------------------------------

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

/** Evaluates one template string: an expression, the `[[` escape, or a literal. */
export function evaluateString(value: string, scope: ArmScope): ArmValue {
  if (!isExpression(value)) return value.startsWith('[[') ? value.slice(1) : value;
  const node = parseExpression(value.slice(1, -1));
  if (node instanceof ExprSyntaxError) return new Unknown(`cannot parse the expression (${node.message})`);
  return evaluateNode(node, { scope, lambdaVariables: new Map() });
}

/**
 * Evaluates a template JSON value deeply: every expression string inside objects and arrays. A property-level
 * `copy` array (`"copy": [{ "name", "count", "input" }]`) expands into the named properties.
 */
export function evaluateDeep(value: unknown, scope: ArmScope): ArmValue {
  if (typeof value === 'string') return evaluateString(value, scope);
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      try {
        return evaluateDeep(v, scope);
      } catch (error) {
        throw addPath(error, i);
      }
    });
  }
  if (value && typeof value === 'object') {
    const result: ArmObject = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      try {
        if (key === 'copy' && Array.isArray(v)) Object.assign(result, expandPropertyCopies(v, scope));
        else result[key] = evaluateDeep(v, scope);
      } catch (error) {
        throw addPath(error, key);
      }
    }
    return result;
  }
  return (value ?? null) as ArmValue;
}

function expandPropertyCopies(copies: unknown[], scope: ArmScope): ArmObject {
  const result: ArmObject = {};
  for (const [index, copy] of copies.entries()) {
    if (!copy || typeof copy !== 'object') continue;
    const { name, count, input } = copy as { name?: unknown; count?: unknown; input?: unknown };
    if (typeof name !== 'string') continue;
    const n = evaluateDeep(count, scope);
    if (typeof n !== 'number') {
      result[name] = isUnknownValue(n) ? new Unknown(n.reason) : new Unknown('copy count is not a number');
      continue;
    }
    try {
      checkCopyCount(n, name);
    } catch (error) {
      throw addPath(addPath(error, 'count'), index);
    }
    const items: ArmValue[] = [];
    for (let i = 0; i < n; i++) {
      try {
        items.push(evaluateDeep(input, withCopyIndex(scope, name, i)));
      } catch (error) {
        throw addPath(addPath(error, 'input'), index);
      }
    }
    result[name] = items;
  }
  return result;
}

/** A scope in which `copyIndex()` / `copyIndex('<loop>')` is `index`. */
export function withCopyIndex(scope: ArmScope, loop: string, index: number | Unknown): ArmScope {
  return {
    parameter: (n) => scope.parameter(n),
    variable: (n) => scope.variable(n),
    reference: (t) => scope.reference(t),
    valueOrigin: (kind, name) => scope.valueOrigin?.(kind, name),
    copyIndex: (name) =>
      name === undefined || name.toLowerCase() === loop.toLowerCase() ? index : scope.copyIndex(name),
  };
}

export function evaluateNode(node: ExprNode, env: Env): ArmValue {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.value;
    case 'ident': {
      const name = node.name.toLowerCase();
      if (name === 'true') return true;
      if (name === 'false') return false;
      if (name === 'null') return null;
      return new Unknown(`'${node.name}' is not a value`);
    }
    case 'call':
      return callFunction(node.name, node.args, env);
    case 'member':
      return member(evaluateNode(node.object, env), node.name, node.optional);
    case 'index': {
      const object = evaluateNode(node.object, env);
      const index = evaluateNode(node.index, env);
      if (typeof index === 'string') return member(object, index, node.optional);
      if (typeof index === 'number') return element(object, index, node.optional);
      return isUnknownValue(index) ? new Unknown(index.reason) : new Unknown('index is not a number or name');
    }
  }
}

export function member(object: ArmValue, name: string, optional: boolean): ArmValue {
  if (object instanceof Unknown) {
    return new Unknown(object.reason, object.expression && `${object.expression}.${name}`);
  }
  if (object instanceof PartialString) return new Unknown(object.reason);
  if (object instanceof ResourceHandle) return object.get(name);
  if (isArmObject(object)) {
    const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key !== undefined) return object[key] ?? null;
    return optional ? null : new Unknown(`the object has no property '${name}'`);
  }
  if (object === null && optional) return null;
  return new Unknown(`cannot read property '${name}' of a ${describeType(object)}`);
}

export function element(object: ArmValue, index: number, optional: boolean): ArmValue {
  if (isUnknownValue(object)) return new Unknown(object.reason);
  if (Array.isArray(object)) {
    const item = object[index];
    if (item !== undefined) return item;
    return optional ? null : new Unknown(`index ${index} is outside the array`);
  }
  if (object === null && optional) return null;
  return new Unknown(`cannot index a ${describeType(object)}`);
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
