/**
 * Would the gateway accept this token for this operation (issue 14)? The effective inbound policy of each call path
 * is walked in order as the gateway runs it: each `validate-jwt` / `validate-azure-ad-token` / `check-header` in
 * turn, `<choose>` branches whose conditions can be decided from the request and the token (the others are
 * reported as undecided), policies that replace the token's header before a validation. Pure: the model, the
 * file positions (to name file:line) and the decoded claims in, a diagnosis out.
 */
import type { PositionIndex } from '../json/types';
import type { Model } from '../model/types';
import { locateTextOffset } from '../engine/locate';
import type { Location } from '../engine/types';
import {
  allStatements,
  type CallPath,
  type EffectiveStatement,
  type OperationPolicy,
} from '../policy/effective';
import { attr, childElements, elementText } from '../policy/parser';
import { resolveNamedValues } from '../policy/named-values';
import { describeSource, readValidation } from '../../rules/support/jwt';
import { describeUnreadable } from '../../rules/support/policy-texts';
import {
  audience,
  clientApplication,
  failureStatus,
  issuer,
  lifetime,
  requiredClaims,
  signature,
  tokenLocation,
  type CheckContext,
  type CheckResult,
  type Outcome,
} from './checks';
import { decideCondition, type ConditionFacts } from './conditions';
import type { DecodedToken } from './decode';
import type { RouteFacts } from './match-operation';

export interface TokenEvaluationInput {
  model: Model;
  files: Readonly<Record<string, PositionIndex>>;
  policy: OperationPolicy;
  route: RouteFacts;
  token: DecodedToken;
  /** The header the token is sent in (`Authorization`, as `Bearer <token>`; another header carries it bare). */
  header: string;
  now: Date;
  /** Only the call path of this product (`none`: the path without product policies); all paths when absent. */
  product?: string;
}

export interface Step {
  /** `validate-jwt`, `validate-azure-ad-token`, `check-header`, `choose`, `set-header`, `return-response`... */
  element: string;
  /** `the global policy of service 'contoso-apim'`. */
  where: string;
  location: Location | undefined;
  outcome: Outcome;
  /** What the gateway answers when the step fails (`401`). */
  status?: string;
  checks: CheckResult[];
  /** For a step that is not a validation: what it does to the request. */
  note?: string;
}

export interface PathDiagnosis {
  description: string;
  product: string | undefined;
  steps: Step[];
  /** `reject`: a step fails; `unknown`: none fails but one is undecided; `pass`: every step passes. */
  verdict: 'pass' | 'reject' | 'unknown';
  /** Why the path's policy is not fully known (unreadable policies, missing fragments). */
  unreadable: string[];
  /** Whether a token validation runs for this request on the path (in the branches taken). */
  validates: boolean;
}

export interface TokenDiagnosis {
  operation: string;
  paths: PathDiagnosis[];
  verdict: 'pass' | 'reject' | 'unknown';
}

const RELEVANT = new Set([
  'validate-jwt',
  'validate-azure-ad-token',
  'check-header',
  'return-response',
  'set-header',
  'authentication-managed-identity',
]);

export function evaluateToken(input: TokenEvaluationInput): TokenDiagnosis {
  const paths = input.policy.paths
    .filter((p) => {
      if (input.product === undefined) return true;
      if (input.product.toLowerCase() === 'none') return p.product === undefined;
      return p.product?.name.toLowerCase() === input.product.toLowerCase();
    })
    .map((p) => evaluatePath(p, input));
  const verdict = paths.some((p) => p.verdict === 'reject')
    ? 'reject'
    : paths.some((p) => p.verdict === 'unknown')
      ? 'unknown'
      : 'pass';
  return { operation: input.policy.label, paths, verdict };
}

interface Walk {
  input: TokenEvaluationInput;
  facts: ConditionFacts;
  ctx: CheckContext;
  steps: Step[];
  /** Set by a statement that replaces the token's header before a validation reads it. */
  replacedBy: string | undefined;
  /** Set by an unconditional return-response: nothing after it runs. */
  answered: boolean;
}

function evaluatePath(path: CallPath, input: TokenEvaluationInput): PathDiagnosis {
  const section = path.sections.inbound;
  const walk: Walk = {
    input,
    facts: {
      method: input.route.method,
      path: input.route.path,
      operationId: input.policy.operation?.name,
      apiName: input.policy.api.name,
      product: path.product?.name,
      tokenHeader: input.header.toLowerCase(),
      claims: input.token.claims,
    },
    ctx: { model: input.model, token: input.token, header: input.header, now: input.now },
    steps: [],
    replacedBy: undefined,
    answered: false,
  };
  visit(section.statements, walk);
  const unreadable = section.unreadable.map((u) => describeUnreadable(u));
  // What runs on this request: a validation in a branch not taken does not count.
  const validates = walk.steps.some(
    (s) => s.element === 'validate-jwt' || s.element === 'validate-azure-ad-token',
  );
  let verdict: PathDiagnosis['verdict'] = 'pass';
  if (walk.steps.some((s) => s.outcome === 'fail')) verdict = 'reject';
  else if (walk.steps.some((s) => s.outcome === 'unknown') || unreadable.length > 0) verdict = 'unknown';
  return {
    description: path.description,
    product: path.product?.name,
    steps: walk.steps,
    verdict,
    unreadable,
    validates,
  };
}

function locationOf(
  statement: EffectiveStatement,
  walk: Walk,
  offset = statement.element.offset,
): Location | undefined {
  const origin = statement.source.origin;
  if (!origin?.file) return undefined;
  return locateTextOffset({ origin, offset }, walk.input.files) ?? { file: origin.file };
}

function step(
  statement: EffectiveStatement,
  walk: Walk,
  rest: Omit<Step, 'element' | 'where' | 'location'>,
): Step {
  return {
    element: statement.element.name,
    where: describeSource(statement.source),
    location: locationOf(statement, walk),
    ...rest,
  };
}

function visit(statements: readonly EffectiveStatement[], walk: Walk): void {
  for (const statement of statements) {
    if (walk.answered) return;
    const name = statement.element.name;
    if (name === 'validate-jwt' || name === 'validate-azure-ad-token')
      walk.steps.push(validation(statement, walk));
    else if (name === 'check-header') walk.steps.push(checkHeader(statement, walk));
    else if (name === 'choose') choose(statement, walk);
    else if (statement.children) visit(statement.children, walk);
    else if (name === 'set-header' || name === 'authentication-managed-identity') replaces(statement, walk);
    else if (name === 'return-response') {
      walk.answered = true;
      walk.steps.push(
        step(statement, walk, {
          outcome: 'pass',
          checks: [],
          note: 'return-response answers the request here: the statements after it do not run, and the backend is not called',
        }),
      );
    }
  }
}

function validation(statement: EffectiveStatement, walk: Walk): Step {
  const config = readValidation(statement);
  if (walk.replacedBy !== undefined) {
    return step(statement, walk, {
      outcome: 'unknown',
      checks: [
        {
          check: 'token-location',
          outcome: 'unknown',
          message: `${walk.replacedBy} replaces the ${walk.input.header} header before this validation reads it: it validates that value, not the client's token`,
        },
      ],
    });
  }
  const location = tokenLocation(config, walk.ctx);
  const checks: CheckResult[] = [location];
  if (location.outcome === 'pass') {
    const sig = signature(walk.ctx);
    if (sig) checks.push(sig);
    checks.push(...lifetime(config, walk.ctx));
    const aud = audience(config, walk.ctx);
    if (aud) checks.push(aud);
    const iss = issuer(config, walk.ctx);
    if (iss) checks.push(iss);
    checks.push(...requiredClaims(config, walk.ctx));
    const client = clientApplication(config, walk.ctx);
    if (client) checks.push(client);
  }
  return step(statement, walk, { outcome: worst(checks), status: failureStatus(config), checks });
}

function worst(checks: readonly CheckResult[]): Outcome {
  if (checks.some((c) => c.outcome === 'fail')) return 'fail';
  if (checks.some((c) => c.outcome === 'unknown')) return 'unknown';
  return 'pass';
}

/** `<check-header name="..." failed-check-httpcode="401"><value>...</value></check-header>`. */
function checkHeader(statement: EffectiveStatement, walk: Walk): Step {
  const { element, source } = statement;
  const name = resolveNamedValues((attr(element, 'name') ?? '').trim(), source.namedValues);
  const status = attr(element, 'failed-check-httpcode')?.trim() || '401';
  if (name.opaque || name.value.toLowerCase() !== walk.input.header.toLowerCase()) {
    return step(statement, walk, {
      outcome: 'unknown',
      status,
      checks: [],
      note: `checks the request header '${name.value}', whose value token does not know`,
    });
  }
  const values = childElements(element)
    .filter((c) => c.name === 'value')
    .map((c) => resolveNamedValues(elementText(c).trim(), source.namedValues));
  if (values.length === 0) {
    return step(statement, walk, {
      outcome: 'pass',
      status,
      checks: [],
      note: `the ${name.value} header is present`,
    });
  }
  // The header's value holds the token itself, which a fixed <value> of a policy does not hold (a token changes
  // with every sign-in); only a value known at run time might.
  const outcome: Outcome = values.some((v) => v.opaque) ? 'unknown' : 'fail';
  return step(statement, walk, {
    outcome,
    status,
    checks:
      outcome === 'fail'
        ? [
            {
              check: 'token-location',
              outcome,
              error: `${status} from check-header ("${attr(element, 'failed-check-error-message') ?? 'check-header failed'}")`,
              message: `check-header compares the whole ${name.value} header (the token included) with fixed values, so no token passes`,
              fix: `Remove the check-header on ${name.value} (validate-jwt checks the token), or give it no <value> to check only that the header is present.`,
            },
          ]
        : [],
    ...(outcome !== 'fail' ? { note: `check-header on ${name.value}` } : {}),
  });
}

function choose(statement: EffectiveStatement, walk: Walk): void {
  const branches = statement.branches ?? [];
  const relevant = branches.some((b) =>
    allStatements(b.statements).some((s) => RELEVANT.has(s.element.name)),
  );
  for (const branch of branches) {
    const condition = branch.condition.condition;
    const decided = condition === undefined ? true : decideCondition(condition, walk.facts);
    if (decided === true) {
      visit(branch.statements, walk);
      return;
    }
    if (decided === undefined) {
      if (!relevant) return;
      walk.steps.push({
        element: 'choose',
        where: describeSource(statement.source),
        location: locationOf(statement, walk, branch.condition.element.offset),
        outcome: 'unknown',
        checks: [],
        note: `the <when> condition ${condition ?? ''} cannot be decided from the request and the token, and its branches hold token checks`,
      });
      return;
    }
  }
}

function replaces(statement: EffectiveStatement, walk: Walk): void {
  const { element } = statement;
  const header = walk.input.header.toLowerCase();
  if (element.name === 'authentication-managed-identity') {
    if (header !== 'authorization') return;
    const output = attr(element, 'output-token-variable-name');
    if (output !== undefined) return; // the token goes to a variable, the header is untouched
  } else {
    if ((attr(element, 'name') ?? '').trim().toLowerCase() !== header) return;
    const action = (attr(element, 'exists-action') ?? 'override').trim().toLowerCase();
    if (action === 'skip' || action === 'append') return;
  }
  const location = locationOf(statement, walk);
  const at = location?.file
    ? ` at ${location.file}${location.line !== undefined ? `:${location.line}` : ''}`
    : '';
  walk.replacedBy = `<${element.name}> in ${describeSource(statement.source)}${at}`;
}
