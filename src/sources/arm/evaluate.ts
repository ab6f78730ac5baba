/**
 * ARM template expressions (`"[concat(parameters('a'), '/x')]"`) evaluated offline: the parser (`parse.ts`), the
 * evaluator (`expressions.ts`) and ARM's function table (`functions/`) put together for the template walker.
 */
import { evaluateNode } from './expressions';
import { callFunction } from './functions';
import { addPath, checkCopyCount } from './limits';
import { ExprSyntaxError, isExpression, parseExpression } from './parse';
import { isUnknownValue, Unknown, type ArmObject, type ArmScope, type ArmValue } from './values';

/** Evaluates one template string: an expression, the `[[` escape, or a literal. */
export function evaluateString(value: string, scope: ArmScope): ArmValue {
  if (!isExpression(value)) return value.startsWith('[[') ? value.slice(1) : value;
  const node = parseExpression(value.slice(1, -1));
  if (node instanceof ExprSyntaxError) return new Unknown(`cannot parse the expression (${node.message})`);
  return evaluateNode(node, { scope, lambdaVariables: new Map(), call: callFunction });
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
