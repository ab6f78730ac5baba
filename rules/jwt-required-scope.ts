/**
 * Token validation checks a scope (`scp`) or app role (`roles`), and the scope values it requires are values the
 * backend app really exposes, written bare (`Colors.Read`) as they appear in the token, never as the full
 * `api://<app>/Colors.Read` string a client requests.
 */
import { checked, defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
import { classifyScope } from '../src/entra/endpoints';
import { findScope, foreignLoginHosts, resolveScopes } from './support/queries';
import type { Api, App, AuthServer, Evidence, Model } from '../src/model/types';
import {
  correlate,
  noBackendReason,
  tokenIssuerOf,
  type Backend,
  type Correlation,
} from './support/audience-apps';
import {
  describeUse,
  locateInUse,
  readValidation,
  statementEntity,
  tokenValidations,
  type ClaimCheck,
  type ValidationConfig,
  type ValidationUse,
  type ValueElement,
  serverReferences,
} from './support/jwt';
import { describeOpaque } from './support/policy-texts';
import {
  configEvidence,
  extendUnique,
  serverEndpointsEvidence,
  uniqueEvidence,
} from './support/policy-evidence';
import { unreadableInboundNotChecked } from './support/outputs';

const SCOPE_CLAIMS = ['scp', 'http://schemas.microsoft.com/identity/claims/scope'];
const ROLE_CLAIMS = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
/** Claims naming the calling client app: `azp` in v2.0 tokens, `appid` in v1.0 tokens. */
const CALLER_CLAIMS = ['azp', 'appid'];

/** `api://app/Colors.Read` -> `Colors.Read`; undefined for a value that is already bare. */
function bareFormOf(value: string): string | undefined {
  if (!value.includes('/')) return undefined;
  const parsed = classifyScope(value);
  return parsed.value ?? value.slice(value.lastIndexOf('/') + 1);
}

function exposedList(app: App): string {
  const values = app.scopes.filter((s) => s.isEnabled !== false && s.value).map((s) => `'${s.value}'`);
  return values.length > 0 ? `it exposes ${values.join(', ')}` : 'it exposes no scopes';
}

/** The bare scope values the server's token requests ask of `app`; undefined when it asks for `.default`. */
function requestedValues(
  server: AuthServer,
  app: App,
  apis: readonly Api[],
  model: Model,
): string[] | undefined {
  const refs = [
    ...server.scopes,
    // An API's scope override replaces the server's default scope for that API.
    ...(serverReferences(apis).get(server) ?? []).flatMap(({ ref }) =>
      ref.scope ? resolveScopes(ref.scope, model) : [],
    ),
  ].filter((s) => s.app === app);
  if (refs.some((s) => s.kind === 'default')) return undefined;
  return refs.flatMap((s) => (s.kind === 'resource' && s.value ? [s.value] : []));
}

/** Required values that cannot be compared: the backend behind a server, or behind the use, is not known. */
function* backendsUnknown(use: ValidationUse, correlation: Correlation, model: Model): Generator<RuleOutput> {
  const { backends, unknownServers } = correlation;
  for (const server of unknownServers) {
    yield notEvaluated(
      foreignLoginHosts(server)
        ? `Authorization server '${server.name}' signs in with another identity provider; the scopes ${use.kind} requires are not compared with exposed ones.`
        : `The backend app behind authorization server '${server.name}' is not in the data, so the scopes that ` +
            `${use.kind} requires cannot be compared with the scopes it exposes.`,
      server,
    );
  }
  if (backends.length === 0 && unknownServers.length === 0) {
    if (correlation.unmatched.length > 0 || correlation.opaque.length > 0) {
      yield notEvaluated(
        noBackendReason(model, 'Required scopes are not compared with the scopes the backend app exposes'),
        statementEntity(use.statement.source),
      );
    }
  }
}

/** Each required value the backend app does not expose, enabled and spelt exactly as required. */
function* notExposed(
  use: ValidationUse,
  claim: ClaimCheck,
  values: ValueElement[],
  app: App,
  exposed: Evidence[],
): Generator<RuleOutput> {
  for (const v of values) {
    const scope = findScope(app, v.value.value);
    if (scope && scope.isEnabled !== false && scope.value === v.value.value) continue;
    const problem = !scope
      ? `backend app '${app.name}' exposes no scope '${v.value.value}' (${exposedList(app)})`
      : scope.isEnabled === false
        ? `scope '${scope.value ?? ''}' of backend app '${app.name}' is disabled, so no token carries it`
        : `the backend app '${app.name}' exposes it as '${scope.value ?? ''}' and claim values are compared exactly`;
    yield violation(
      statementEntity(use.statement.source),
      `${describeUse(use)} requires ${claim.name} '${v.value.value}', but ${problem}; every token fails with ` +
        'TokenClaimValueNotAllowed (401); require a scope the backend exposes and the client requests.',
      {
        ...locateInUse(use, v.element, `exposed:${app.appId ?? app.id}:${v.value.value}`),
        evidence: exposed,
      },
    );
  }
}

/** Each v2.0 authorization server whose token requests ask for none (or not all) of the required values. */
function* notRequested(
  use: ValidationUse,
  claim: ClaimCheck,
  values: ValueElement[],
  { app, servers }: Backend,
  exposed: Evidence[],
  model: Model,
): Generator<RuleOutput> {
  for (const server of servers) {
    const versions = [server.authorizationEndpoint?.version, server.tokenEndpoint?.version];
    if (versions.some((x) => x !== 'v2')) continue; // v1 requests name a resource; tokens carry all consented scopes
    const requested = requestedValues(server, app, use.apis, model);
    if (!requested || requested.length === 0) continue;
    const required = values.map((v) => v.value.value);
    const ok =
      claim.match === 'any'
        ? required.some((r) => requested.includes(r))
        : required.every((r) => requested.includes(r));
    if (ok) continue;
    yield violation(
      statementEntity(use.statement.source),
      `${describeUse(use)} requires ${claim.name} ${claim.match === 'any' ? 'one of' : 'all of'} ` +
        `${required.map((r) => `'${r}'`).join(', ')}, but authorization server '${server.name}' requests only ` +
        `${requested.map((r) => `'${r}'`).join(', ')}, so the developer portal's tokens fail with 401; request the ` +
        "scope in the server's default scope, or require what it requests.",
      {
        ...locateInUse(use, claim.element, `requested:${server.name}`),
        severity: 'warning',
        evidence: extendUnique(exposed, serverEndpointsEvidence(server)),
      },
    );
  }
}

function* checkExposed(
  use: ValidationUse,
  claim: ClaimCheck,
  values: ValueElement[],
  correlation: Correlation,
  model: Model,
  base: readonly Evidence[],
) {
  if (values.length > 0) yield* backendsUnknown(use, correlation, model);
  for (const backend of correlation.backends) {
    const { app, evidence: found } = backend;
    const exposed = uniqueEvidence([...base, ...found, { entity: app, path: 'api/oauth2PermissionScopes' }]);
    yield* notExposed(use, claim, values, app, exposed);
    if (values.length > 0) yield* notRequested(use, claim, values, backend, exposed, model);
  }
}

function* checkClaim(
  use: ValidationUse,
  claim: ClaimCheck,
  isScope: boolean,
  correlation: Correlation,
  model: Model,
  base: readonly Evidence[],
): Generator<RuleOutput> {
  const source = use.statement.source;
  const opaque = claim.values.filter((v) => v.value.opaque);
  for (const v of opaque) {
    yield notEvaluated(
      `${describeUse(use)} requires ${claim.name} ${describeOpaque(v.value)}, which is not known offline.`,
      statementEntity(source),
    );
  }
  const known = claim.values.filter((v) => !v.value.opaque);
  const bare: ValueElement[] = [];
  for (const v of known) {
    const suggestion = bareFormOf(v.value.value);
    if (suggestion === undefined) {
      bare.push(v);
      continue;
    }
    yield violation(
      statementEntity(source),
      `${describeUse(use)} requires ${claim.name} '${v.value.value}', but the ${claim.name} claim carries bare ` +
        `values such as '${suggestion}' (the resource part of a requested scope never appears in it), so every ` +
        `token fails with TokenClaimValueNotAllowed (401); use <value>${suggestion}</value>.`,
      { ...locateInUse(use, v.element, `uri:${v.value.value}`), evidence: base },
    );
  }
  if (!isScope) return;
  if (claim.separator === undefined && known.length > 0) {
    yield violation(
      statementEntity(source),
      `${describeUse(use)} checks ${claim.name} without separator=" ", so it compares the whole claim: a token ` +
        `that carries two scopes ('${known[0]?.value.value ?? ''} Other.Scope') fails; add separator=" " to the claim.`,
      { ...locateInUse(use, claim.element, 'separator'), severity: 'warning', evidence: base },
    );
  }
  yield* checkExposed(use, claim, bare, correlation, model, base);
}

/** Whether the validation admits only named client apps: an authorization control in its own right. */
function restrictsCallers(config: ValidationConfig): boolean {
  if (config.clientApplicationIds.length > 0) return true;
  return config.claims.some((c) => CALLER_CLAIMS.includes(c.name.toLowerCase()) && c.values.length > 0);
}

function* checkUse(use: ValidationUse, model: Model): Generator<RuleOutput> {
  const config = readValidation(use.statement);
  const entity = statementEntity(use.statement.source);
  const issuer = tokenIssuerOf(use, config);
  const base = uniqueEvidence([...configEvidence(config), ...issuer.evidence]);
  if (issuer.kind === 'foreign') {
    yield checked(entity, base); // not an Entra token: scp / roles mean what that provider says
    return;
  }
  const correlation = correlate(use, config, model);
  const scopes = config.claims.filter((c) => SCOPE_CLAIMS.includes(c.name));
  const roles = config.claims.filter((c) => ROLE_CLAIMS.includes(c.name));
  const entra = issuer.kind === 'entra' || correlation.backends.length > 0;
  const unchecked = scopes.length === 0 && roles.length === 0 && !restrictsCallers(config);
  if (unchecked && !entra) {
    yield notEvaluated(
      'Whether this validation admits Microsoft Entra tokens is not known offline (its metadata and issuers are ' +
        'not written out), so tokens of any client passing it is not judged.',
      entity,
    );
  } else if (unchecked) {
    const callers =
      use.kind === 'validate-jwt' ? 'an azp (v2.0) or appid (v1.0) claim' : '<client-application-ids>';
    yield violation(
      entity,
      `${describeUse(use)} checks no scope (scp), app role (roles) or calling app, so any token issued for its ` +
        'audience passes, including app-only tokens that any application in the tenant can get with the client ' +
        'credentials grant; add <required-claims><claim name="scp" match="any" separator=" "> with the scope ' +
        `the API needs (or a roles claim for app-only callers), or admit only known callers with ${callers}.`,
      { ...locateInUse(use, use.statement.element, 'no-scope'), severity: 'warning', evidence: base },
    );
  }
  for (const claim of scopes) yield* checkClaim(use, claim, true, correlation, model, base);
  for (const claim of roles) yield* checkClaim(use, claim, false, correlation, model, base);
  const read = [
    ...base,
    ...correlation.backends.flatMap((b) => [
      ...b.evidence,
      { entity: b.app, path: 'api/oauth2PermissionScopes' },
      ...b.servers.flatMap(serverEndpointsEvidence),
    ]),
  ];
  yield checked(entity, uniqueEvidence(read));
}

export default defineRule({
  id: 'jwt-required-scope',
  meta: {
    title: 'validate-jwt requires a scope or role the backend exposes, as a bare value',
    severity: 'error',
    tags: ['apim', 'entra', 'policy', 'tokens', 'security', 'scope'],
    securitySeverity: 6.0,
    requires: ['apim'],
    declaresEvidence: true,
  },
  *check(model) {
    yield* unreadableInboundNotChecked(model, 'Required scopes in this policy are not checked');
    for (const use of tokenValidations(model)) yield* checkUse(use, model);
  },
});
