/**
 * Token validation checks a scope (`scp`) or app role (`roles`), and the scope values it requires are values the
 * backend app really exposes, written bare (`Colors.Read`) as they appear in the token, never as the full
 * `api://<app>/Colors.Read` string a client requests.
 */
import {
  checked,
  defineRule,
  notEvaluated,
  UNREAD_EVIDENCE,
  wantsEvidence,
  type RuleOutput,
} from './support/contract';
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
  citing,
  extendUnique,
  POLICY_CITES,
  serverEndpointsEvidence,
  uniqueEvidence,
  VALIDATION_CITES,
  validationEvidence,
} from './support/policy-evidence';
import { unreadableInboundNotChecked, useMessage, useViolation } from './support/outputs';
import { addAttribute, replaceElementText, sourceText } from './support/policy-edits';

const SCOPE_CLAIMS = ['scp', 'http://schemas.microsoft.com/identity/claims/scope'];
const ROLE_CLAIMS = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
/** Claims naming the calling client app: `azp` in v2.0 tokens, `appid` in v1.0 tokens. */
const CALLER_CLAIMS = ['azp', 'appid'];

/** What the gateway answers a token whose claim fails the check (LastError reason and the 401 message). */
function rejected(claim: string): string {
  return `TokenClaimValueNotAllowed (401 "Claim ${claim} value of ... is not allowed. Access denied.")`;
}

/** `api://app/Colors.Read` -> `Colors.Read`; undefined for a value that is already bare. */
function bareFormOf(value: string): string | undefined {
  if (!value.includes('/')) return undefined;
  const parsed = classifyScope(value);
  return parsed.value ?? value.slice(value.lastIndexOf('/') + 1);
}

function exposedList(app: App): string {
  const values = app.scopes.filter((s) => s.isEnabled !== false && s.value).map((s) => `'${s.value}'`);
  return values.length > 0 ? `exposes only ${values.join(', ')}` : 'exposes no scopes';
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
  exposed: readonly Evidence[],
): Generator<RuleOutput> {
  for (const v of values) {
    const scope = findScope(app, v.value.value);
    if (scope && scope.isEnabled !== false && scope.value === v.value.value) continue;
    const required = v.value.value;
    const problem = !scope
      ? `backend app '${app.name}' ${exposedList(app)}`
      : scope.isEnabled === false
        ? `scope '${scope.value ?? ''}' of backend app '${app.name}' is disabled`
        : `backend app '${app.name}' exposes it as '${scope.value ?? ''}'`;
    const why = !scope
      ? 'No token carries a scope the backend app does not expose'
      : scope.isEnabled === false
        ? 'No token carries a disabled scope'
        : 'Claim values are compared exactly, case included';
    const spelt = scope && scope.isEnabled !== false ? scope.value : undefined;
    const replace = spelt
      ? replaceElementText(sourceText(use.statement.source), v.element, spelt)
      : undefined;
    yield useViolation(
      use,
      statementEntity(use.statement.source),
      useMessage(use, `requires ${claim.name} '${required}', but ${problem}`),
      {
        ...locateInUse(use, v.element, `exposed:${app.appId ?? app.id}:${required}`),
        evidence: exposed,
        detail: `${why}, so every token fails with ${rejected(claim.name)}.`,
        fix: spelt
          ? {
              text: `Require '${spelt}', as the backend app exposes it.`,
              ...(replace ? { policy: replace } : {}),
            }
          : scope
            ? {
                text: `Enable scope '${scope.value ?? ''}' of backend app '${app.name}', or require a scope it exposes enabled.`,
              }
            : {
                text: `Require a scope backend app '${app.name}' exposes and the client requests (or expose '${required}' on it).`,
              },
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
  exposed: readonly Evidence[],
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
    yield useViolation(
      use,
      statementEntity(use.statement.source),
      useMessage(
        use,
        `requires ${claim.name} ${claim.match === 'any' ? 'one of' : 'all of'} ` +
          `${required.map((r) => `'${r}'`).join(', ')}, but authorization server '${server.name}' requests only ` +
          `${requested.map((r) => `'${r}'`).join(', ')}`,
      ),
      {
        ...locateInUse(use, claim.element, `requested:${server.name}`),
        severity: 'warning',
        evidence:
          exposed === UNREAD_EVIDENCE
            ? UNREAD_EVIDENCE
            : extendUnique(exposed, serverEndpointsEvidence(server)),
        detail:
          `A token carries only the scopes its request asked for, so the tokens the developer portal gets through ` +
          `'${server.name}' fail with ${rejected(claim.name)}.`,
        fix: {
          text: `Request the required scope in the default scope of authorization server '${server.name}', or require what it requests.`,
        },
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
    // Not worked out when the engine reads no evidence (validationEvidence gave the unread list for the base).
    const exposed =
      base === UNREAD_EVIDENCE
        ? UNREAD_EVIDENCE
        : uniqueEvidence([...base, ...found, { entity: app, path: 'api/oauth2PermissionScopes' }]);
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
    const replace = replaceElementText(sourceText(source), v.element, suggestion);
    yield useViolation(
      use,
      statementEntity(source),
      useMessage(use, `requires ${claim.name} '${v.value.value}'; expected the bare value '${suggestion}'`),
      {
        ...locateInUse(use, v.element, `uri:${v.value.value}`),
        evidence: base,
        detail:
          `The ${claim.name} claim carries bare values such as '${suggestion}' (the resource part of a requested ` +
          `scope never appears in it), so every token fails with ${rejected(claim.name)}.`,
        fix: { text: `Use <value>${suggestion}</value>.`, ...(replace ? { policy: replace } : {}) },
      },
    );
  }
  if (!isScope) return;
  if (claim.separator === undefined && known.length > 0) {
    const add = addAttribute(sourceText(source), claim.element, 'separator', ' ');
    yield useViolation(
      use,
      statementEntity(source),
      useMessage(use, `checks ${claim.name} without separator=" "; expected separator=" "`),
      {
        ...locateInUse(use, claim.element, 'separator'),
        severity: 'warning',
        evidence: base,
        detail:
          `Without a separator the whole claim is compared, so a token that carries two scopes ` +
          `('${known[0]?.value.value ?? ''} Other.Scope') fails with ${rejected(claim.name)}.`,
        fix: { text: 'Add separator=" " to the claim.', ...(add ? { policy: add } : {}) },
      },
    );
  }
  yield* checkExposed(use, claim, bare, correlation, model, base);
}

/** Whether the validation admits only named client apps: an authorization control in its own right. */
function restrictsCallers(config: ValidationConfig): boolean {
  if (config.clientApplicationIds.length > 0) return true;
  return config.claims.some((c) => CALLER_CLAIMS.includes(c.name.toLowerCase()) && c.values.length > 0);
}

function* checkUse(use: ValidationUse, model: Model, evidence: boolean): Generator<RuleOutput> {
  const config = readValidation(use.statement);
  const entity = statementEntity(use.statement.source);
  const issuer = tokenIssuerOf(use, config);
  const base = validationEvidence(config, issuer, evidence);
  if (issuer.kind === 'foreign') {
    if (evidence) yield checked(entity, base); // not an Entra token: scp / roles mean what that provider says
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
    yield useViolation(
      use,
      entity,
      useMessage(
        use,
        `checks no scope (scp), app role (roles) or calling app; expected a required scp or ` + 'roles claim',
      ),
      {
        ...locateInUse(use, use.statement.element, 'no-scope'),
        severity: 'warning',
        evidence: base,
        detail:
          'Any token issued for its audience passes, including app-only tokens that any application in the ' +
          'tenant can get with the client credentials grant.',
        fix: {
          text:
            'Add <required-claims><claim name="scp" match="any" separator=" "> with the scope the API needs (or a ' +
            `roles claim for app-only callers), or admit only known callers with ${callers}.`,
        },
      },
    );
  }
  for (const claim of scopes) yield* checkClaim(use, claim, true, correlation, model, base);
  for (const claim of roles) yield* checkClaim(use, claim, false, correlation, model, base);
  if (!evidence) return;
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
    cites: citing(POLICY_CITES, VALIDATION_CITES),
  },
  *check(model, ctx) {
    yield* unreadableInboundNotChecked(model, 'Required scopes in this policy are not checked');
    for (const use of tokenValidations(model)) yield* checkUse(use, model, wantsEvidence(ctx));
  },
});
