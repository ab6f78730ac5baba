/**
 * The ARM template functions the offline evaluator knows. Functions whose result only a deployment knows
 * (resourceGroup(), reference(), uniqueString(), utcNow(), list*()...) return `Unknown`; so does any function
 * this table lacks. Names are case-insensitive, as in ARM.
 */
import { evaluateNode } from '../expressions';
import type { ExprNode } from '../parse';
import { type ArmValue, type Env, isUnknownValue, Unknown } from '../values';
import { ArmLimitError, chargeResult, enterCall, leaveCall } from '../limits';
import { type Lazy, type Eager } from './support';
import { DEPLOYMENT_ONLY, LAZY_DEPLOYMENT, EAGER_DEPLOYMENT } from './deployment';
import { LAZY_LOGICAL, EAGER_LOGICAL } from './logical';
import { EAGER_STRING } from './string';
import { EAGER_ARRAY } from './array';
import { EAGER_OBJECT } from './object';
import { EAGER_NUMERIC } from './numeric';
import { LAZY_LAMBDA, EAGER_LAMBDA } from './lambda';

export function callFunction(name: string, args: readonly ExprNode[], env: Env): ArmValue {
  enterCall(name);
  try {
    return callUnbounded(name, args, env);
  } catch (error) {
    // V8 refuses strings over ~512 M characters with a RangeError; past the checks below it is still a limit.
    if (error instanceof RangeError) throw new ArmLimitError(`${name}(): ${error.message}`);
    throw error;
  } finally {
    leaveCall();
  }
}

function callUnbounded(name: string, args: readonly ExprNode[], env: Env): ArmValue {
  const key = name.toLowerCase();
  if (DEPLOYMENT_ONLY.includes(key) || key.startsWith('list')) {
    return new Unknown(`${name}() is known only at deployment`, `${name}()`);
  }
  const lazy = LAZY[key];
  if (lazy) return lazy(args, env);
  const eager = EAGER[key];
  if (!eager) {
    return new Unknown(
      key.includes('.')
        ? `user-defined function ${name}() is not evaluated offline`
        : `function ${name}() is not evaluated offline`,
    );
  }
  const values = args.map((a) => evaluateNode(a, env));
  const unknown = values.find(isUnknownValue);
  if (unknown && !TOLERATES_UNKNOWN_ARGS.has(key)) return new Unknown(unknown.reason);
  const result = eager(values, env);
  chargeResult(name, result);
  return result;
}

/** Functions that move values around without looking at them: unknown arguments stay inside the result. */
const TOLERATES_UNKNOWN_ARGS = new Set([
  'concat',
  'format',
  'createarray',
  'createobject',
  'array',
  'tolower',
  'toupper',
  'resourceid',
  'subscriptionresourceid',
  'tenantresourceid',
]);

const LAZY: Record<string, Lazy> = { ...LAZY_DEPLOYMENT, ...LAZY_LOGICAL, ...LAZY_LAMBDA };
const EAGER: Record<string, Eager> = {
  ...EAGER_DEPLOYMENT,
  ...EAGER_LOGICAL,
  ...EAGER_STRING,
  ...EAGER_ARRAY,
  ...EAGER_OBJECT,
  ...EAGER_NUMERIC,
  ...EAGER_LAMBDA,
};
