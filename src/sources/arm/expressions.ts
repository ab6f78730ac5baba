/**
 * The core of the offline ARM evaluator: an `ExprNode` tree (`parse.ts`) and an `Env` in, an `ArmValue` out.
 * Calls go to the function table the `Env` carries, so this module knows no function by name; `evaluate.ts`
 * puts the evaluator and ARM's table (`functions/`) together.
 */
import type { ExprNode } from './parse';
import {
  describeType,
  isArmObject,
  isUnknownValue,
  PartialString,
  ResourceHandle,
  Unknown,
  type ArmValue,
  type Env,
} from './values';

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
      return env.call(node.name, node.args, env);
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
