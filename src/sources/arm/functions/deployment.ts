/**
 * Functions that read the deployment's inputs (`parameters`, `variables`, `copyIndex`, `reference`) and build
 * resource ids; what only a deployment knows (resourceGroup(), utcNow()...) is listed in `DEPLOYMENT_ONLY`.
 */
import { evaluateNode } from '../expressions';
import type { ExprNode } from '../parse';
import { type ArmValue, type Env, Unknown } from '../values';
import { fail, joinPieces, type Lazy, type Eager } from './support';

export const DEPLOYMENT_ONLY = [
  'resourcegroup',
  'subscription',
  'tenant',
  'deployment',
  'environment',
  'managementgroup',
  'deployer',
  'utcnow',
  'newguid',
  'uniquestring',
  'guid',
  'pickzones',
  'providers',
  'extensionresourceid',
  'managementgroupresourceid',
];

/** `parameters('x')` / `variables('x')`; an unknown result remembers which input it was. */
function named(
  kind: string,
  args: readonly ExprNode[],
  env: Env,
  read: (name: string) => ArmValue,
): ArmValue {
  const name = evaluateNode(args[0] ?? { kind: 'string', value: '' }, env);
  if (typeof name !== 'string') return fail(`${kind}() needs a name`);
  const value = read(name);
  return value instanceof Unknown && !value.expression
    ? new Unknown(value.reason, `${kind}('${name}')`)
    : value;
}

function resourceIdOf(values: ArmValue[], scopeSegments: number): ArmValue {
  const typeIndex = values.findIndex((v) => typeof v === 'string' && /^[^/]+\.[^/]+\/[^/]/.test(v));
  if (typeIndex < 0) return fail('resourceId() without a resource type');
  const scopeArgs = values.slice(0, typeIndex);
  const type = values[typeIndex] as string;
  const names = values.slice(typeIndex + 1);
  const [namespace, ...types] = type.split('/');
  const pieces: ArmValue[] = [];
  if (scopeSegments >= 1) {
    pieces.push('/subscriptions/');
    pieces.push(
      scopeArgs.length >= scopeSegments
        ? (scopeArgs[0] ?? null)
        : new Unknown('the subscription is known only at deployment'),
    );
  }
  if (scopeSegments >= 2) {
    pieces.push('/resourceGroups/');
    pieces.push(
      scopeArgs.length >= 1
        ? (scopeArgs[scopeArgs.length - 1] ?? null)
        : new Unknown('the resource group is known only at deployment'),
    );
  }
  pieces.push(`/providers/${namespace ?? ''}`);
  types.forEach((t, i) => pieces.push(`/${t}/`, names[i] ?? new Unknown('resourceId() lacks a name')));
  return joinPieces(pieces);
}

export const LAZY_DEPLOYMENT: Record<string, Lazy> = {
  parameters: (args, env) => named('parameters', args, env, (n) => env.scope.parameter(n)),
  variables: (args, env) => named('variables', args, env, (n) => env.scope.variable(n)),
  copyindex: (args, env) => {
    const values = args.map((a) => evaluateNode(a, env));
    const loop = typeof values[0] === 'string' ? values[0] : undefined;
    const offset = values.find((v): v is number => typeof v === 'number') ?? 0;
    const index = env.scope.copyIndex(loop);
    return index instanceof Unknown ? index : index + offset;
  },
  reference: (args, env) =>
    env.scope.reference(evaluateNode(args[0] ?? { kind: 'ident', name: 'null' }, env)),
};

export const EAGER_DEPLOYMENT: Record<string, Eager> = {
  resourceid: (values) => resourceIdOf(values, 2),
  subscriptionresourceid: (values) => resourceIdOf(values, 1),
  tenantresourceid: (values) => resourceIdOf(values, 0),
};
