/**
 * The audiences a token validation accepts match the `aud` the backend's tokens really carry. A v2.0 access token
 * always carries the backend app's appId (GUID); a v1.0 token carries the resource identifier the client asked
 * for (an App ID URI such as `api://<appId>`, or the GUID). A mismatch rejects every token with IDX10214.
 */
import { checked, defineRule, notEvaluated, wantsEvidence, type RuleOutput } from './support/contract';
import { isGuid, resourceIdentifiers } from '../src/entra/endpoints';
import { foreignLoginHosts, resolveScopes } from './support/queries';
import type { App, AuthServer, Evidence, Model } from '../src/model/types';
import {
  correlate,
  noBackendReason,
  tokenIssuerOf,
  type Backend,
  type Correlation,
} from './support/audience-apps';
import {
  describeApis,
  describeUse,
  locateInUse,
  shortUse,
  readValidation,
  statementEntity,
  tokenValidations,
  type ValidationConfig,
  type ValidationUse,
  type ValueElement,
  serverReferences,
  type ServerReference,
} from './support/jwt';
import { describeOpaque } from './support/policy-texts';
import {
  citing,
  POLICY_CITES,
  serverBackendEvidence,
  serverEndpointsEvidence,
  uniqueEvidence,
  VALIDATION_CITES,
  validationEvidence,
} from './support/policy-evidence';
import { firstPartyAudiences, noAudience } from './support/audience-findings';
import { firstFitting, unreadableInboundNotChecked, useViolation } from './support/outputs';
import { insertLast, sourceText, xmlEscape } from './support/policy-edits';
import { childElements } from '../src/policy/parser';
import type { PolicyElement } from '../src/policy/types';

/** An identifier a token's aud may hold, and why. */
interface Requested {
  identifier: string;
  why: string;
}

function sameAudience(a: string, b: string): boolean {
  return isGuid(a) && isGuid(b) ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * What a v1.0 token's aud can be: the resource the authorization server's requests name, per endpoint version
 * (v2.0 endpoints: the resource part of the scopes; v1.0 endpoints: the `resource` body parameter).
 */
function requestedIdentifiers(
  server: AuthServer,
  app: App,
  refs: ReadonlyMap<AuthServer, ServerReference[]>,
  model: Model,
): Requested[] {
  const versions = [server.authorizationEndpoint?.version, server.tokenEndpoint?.version];
  const scopes = versions.some((v) => v !== 'v1');
  const resource = versions.some((v) => v !== 'v2');
  const out: Requested[] = [];
  const seen = new Set<string>();
  const add = (identifier: string, why: string) => {
    if (seen.has(identifier)) return;
    seen.add(identifier);
    out.push({ identifier, why });
  };
  if (scopes) {
    // An API's scope override replaces the server's default scope for that API.
    for (const { api, ref } of refs.get(server) ?? []) {
      const scopes = ref.scope ? resolveScopes(ref.scope, model) : server.scopes;
      const why = ref.scope ? `scope override of API '${api.name}'` : 'default scope';
      for (const s of scopes) if (s.app === app && s.resource) add(s.resource, `${why} '${s.raw}'`);
    }
  }
  if (resource) {
    const value = server.props.tokenBodyParameters?.find((p) => p.name === 'resource')?.value;
    const matches =
      value !== undefined &&
      (sameAudience(value, app.appId ?? '') || resourceIdentifiers(app).includes(value));
    if (value !== undefined && matches) add(value, 'resource parameter');
  }
  return out;
}

interface Expected {
  /** Every identifier that can be a token's aud; all of them must be accepted. */
  identifiers: Requested[];
  /** Why those are the token's aud (a clause for the detail). */
  reason: string;
  /** `v2.0 tokens of backend app 'x'`, for messages. */
  tokens: string;
  version: 'v1.0' | 'v2.0';
  /** The better step for v1.0 tokens (after accepting the identifiers), or '' for v2.0 tokens. */
  better: string;
  /** What the expectation rests on: the app's version and identifiers, and how it was found. */
  evidence: Evidence[];
}

function expectedFor(
  backend: Backend,
  refs: ReadonlyMap<AuthServer, ServerReference[]>,
  model: Model,
): Expected | undefined {
  const { app } = backend;
  const declared = app.requestedAccessTokenVersion ?? 'null';
  const evidence: Evidence[] = [
    ...backend.evidence,
    { entity: app, path: 'api/requestedAccessTokenVersion' },
    { entity: app, path: 'appId' },
  ];
  if (app.accessTokenVersion === 2) {
    if (!app.appId) return undefined;
    return {
      identifiers: [{ identifier: app.appId, why: 'v2.0 tokens always carry the appId' }],
      reason: `${describeBackend(backend)} issues v2.0 access tokens (api.requestedAccessTokenVersion ${declared}), whose aud is always its appId '${app.appId}'`,
      tokens: `v2.0 tokens of backend app '${app.name}'`,
      version: 'v2.0',
      better: '',
      evidence,
    };
  }
  const identifiers = backend.servers.flatMap((s) =>
    requestedIdentifiers(s, app, refs, model).map((r) => ({ ...r, why: `${r.why} of '${s.name}'` })),
  );
  const firsts = new Set<string>();
  const unique = identifiers.filter((r) => !firsts.has(r.identifier) && firsts.add(r.identifier));
  if (unique.length === 0) return undefined;
  return {
    identifiers: unique,
    reason:
      `backend app '${app.name}' issues v1.0 access tokens (api.requestedAccessTokenVersion ${declared}), whose aud ` +
      `is the identifier the client requested: ${unique.map((r) => `'${r.identifier}' (${r.why})`).join(', ')}`,
    tokens: `v1.0 tokens of backend app '${app.name}'`,
    version: 'v1.0',
    better:
      ', or better set api.requestedAccessTokenVersion to 2 on the backend app so that aud is always its appId' +
      `${app.appId ? ` '${app.appId}'` : ''}`,
    evidence: [
      ...evidence,
      { entity: app, path: 'identifierUris' },
      ...backend.servers.flatMap((s) => [...serverBackendEvidence(s), ...serverEndpointsEvidence(s)]),
    ],
  };
}

/** Where the identifiers a list lacks go: its element (`<audiences>`, a claim) and the name of an entry. */
interface ListTarget {
  container: PolicyElement | undefined;
  item: 'audience' | 'application-id' | 'value';
  /** ` to <backend-application-ids>`, for the fix text. */
  where: string;
}

/** Checks one list of accepted values against the expectation; undefined when it passes or cannot be judged. */
function* checkList(
  use: ValidationUse,
  what: string,
  anchor: ValueElement['element'],
  values: ValueElement[],
  expected: Expected,
  key: string,
  base: readonly Evidence[],
  target: ListTarget,
): Generator<RuleOutput> {
  const known = values.filter((v) => !v.value.opaque).map((v) => v.value.value);
  const missing = expected.identifiers.filter((r) => !known.some((k) => sameAudience(k, r.identifier)));
  if (missing.length === 0) return;
  const opaque = values.filter((v) => v.value.opaque);
  const { source } = use.statement;
  if (opaque.length > 0) {
    yield notEvaluated(
      `${describeUse(use)} takes ${what} from ${opaque.map((o) => describeOpaque(o.value)).join(', ')}, which is not known offline.`,
      statementEntity(source),
    );
    return;
  }
  const accepted = known.length > 0 ? known.map((k) => `'${k}'`).join(', ') : 'none';
  const failing = missing.map((m) => `'${m.identifier}'`).join(', ');
  const entries = missing.map((m) => `<${target.item}>${xmlEscape(m.identifier)}</${target.item}>`).join('');
  const add = target.container ? insertLast(sourceText(source), target.container, entries) : undefined;
  yield useViolation(
    use,
    statementEntity(source),
    firstFitting(
      `${describeUse(use)} accepts ${what} ${accepted}, but ${expected.tokens} carry aud ${failing}`,
      `${shortUse(use)} accepts ${what} ${accepted}, but ${expected.tokens} carry aud ${failing}`,
      `${shortUse(use)} accepts ${what} ${accepted}; expected ${failing} (aud of ${expected.version} tokens)`,
      `${shortUse(use)} does not accept aud ${failing} of the ${expected.tokens}`,
    ),
    {
      ...locateInUse(use, anchor, key),
      evidence: uniqueEvidence([...base, ...expected.evidence]),
      detail:
        `It protects ${describeApis(use.apis)} and accepts ${what} ${accepted}, but ${expected.reason}: tokens ` +
        `with aud ${failing} fail with IDX10214 (audience validation failed), 401.`,
      fix: {
        text: `Add ${entries}${target.where}${expected.better}.`,
        ...(add ? { policy: add } : {}),
      },
    },
  );
}

/** `backend app 'x'`, saying how it was found when no authorization server leads to it. */
function describeBackend(backend: Backend): string {
  const how =
    backend.servers.length === 0 && backend.accepted[0] !== undefined
      ? ` (the app registration of the accepted audience '${backend.accepted[0]}')`
      : '';
  return `backend app '${backend.app.name}'${how}`;
}

function* unknownServers(use: ValidationUse, servers: readonly AuthServer[]): Generator<RuleOutput> {
  for (const server of servers) {
    yield notEvaluated(
      foreignLoginHosts(server)
        ? `Authorization server '${server.name}' signs in with another identity provider; token audiences are not checked.`
        : `The backend app registration behind authorization server '${server.name}' is not in the data, so the ` +
            `audiences of ${use.kind} cannot be compared with its tokens; add the app to the audited data or link it in the config (links).`,
      server,
    );
  }
}

/** The lists a use checks a backend's tokens against: what they are called and the fix that names its appId. */
function* checkBackend(
  use: ValidationUse,
  config: ValidationConfig,
  backend: Backend,
  expected: Expected,
  base: readonly Evidence[],
): Generator<RuleOutput> {
  const appKey = backend.app.appId ?? backend.app.id;
  // validate-azure-ad-token accepts a token whose aud is in either list; validate-jwt's aud claim is checked
  // on top of its audiences. How backend-application-ids match the App ID URI aud of v1.0 tokens is not
  // documented: such a list is judged for v2.0 tokens only.
  const ids = config.backendApplicationIds.length > 0;
  if (use.kind === 'validate-azure-ad-token' && ids && backend.app.accessTokenVersion !== 2) return;
  const audiences =
    use.kind === 'validate-azure-ad-token'
      ? [...config.backendApplicationIds, ...config.audiences]
      : config.audiences;
  const what = !ids
    ? 'audiences'
    : config.audiences.length === 0
      ? 'backend-application-ids'
      : 'backend-application-ids and audiences';
  const [first] = audiences;
  const list = (name: string) => childElements(use.statement.element).find((c) => c.name === name);
  const target: ListTarget = ids
    ? {
        container: list('backend-application-ids'),
        item: 'application-id',
        where: ' to <backend-application-ids>',
      }
    : { container: list('audiences'), item: 'audience', where: '' };
  if (first) {
    yield* checkList(use, what, first.element, audiences, expected, `aud:${appKey}`, base, target);
  }
  for (const claim of audClaimsOf(config)) {
    const where = { container: claim.element, item: 'value' as const, where: ' to the aud claim' };
    yield* checkList(
      use,
      'aud claim values',
      claim.element,
      claim.values,
      expected,
      `claim:${appKey}`,
      base,
      where,
    );
  }
}

function audClaimsOf(config: ValidationConfig) {
  return config.claims.filter((c) => c.name === 'aud');
}

/** Why a use that no backend was found for is not judged: opaque audiences, or audiences that match no app. */
function* withoutBackend(
  use: ValidationUse,
  { unmatched, opaque }: Pick<Correlation, 'unmatched' | 'opaque'>,
  model: Model,
): Generator<RuleOutput> {
  const entity = statementEntity(use.statement.source);
  const [firstOpaque] = opaque;
  if (firstOpaque) {
    yield notEvaluated(
      `${describeUse(use)} takes its audiences from ${describeOpaque(firstOpaque.value)}, which is not known ` +
        'offline, so they are not compared with the backend app registration.',
      entity,
    );
  } else if (unmatched.length > 0) {
    yield notEvaluated(
      noBackendReason(model, "Token audiences are not compared with the backend's token version"),
      entity,
    );
  }
}

function* checkUse(
  use: ValidationUse,
  config: ValidationConfig,
  model: Model,
  evidence: boolean,
): Generator<RuleOutput> {
  const entity = statementEntity(use.statement.source);
  const issuer = tokenIssuerOf(use, config);
  const base = validationEvidence(config, issuer, evidence);
  const read: Evidence[] = [...base];
  if (issuer.kind === 'foreign') {
    // Not an Entra token: its audiences follow that provider's rules.
    if (evidence) yield checked(entity, read);
    return;
  }
  yield* firstPartyAudiences(use, config, base);
  const correlation = correlate(use, config, model);
  const { backends, unknownServers: unknown } = correlation;
  yield* unknownServers(use, unknown);
  if (
    config.audiences.length === 0 &&
    audClaimsOf(config).length === 0 &&
    config.backendApplicationIds.length === 0
  ) {
    // validate-jwt without audiences skips the audience check; what validate-azure-ad-token then does is not
    // documented, so it is judged only against a known backend.
    if (backends.length > 0 || (use.kind === 'validate-jwt' && issuer.kind === 'entra')) {
      yield* noAudience(use, backends, base);
    } else if (evidence) yield checked(entity, read);
    return;
  }
  const refs = serverReferences(use.apis);
  for (const backend of backends) {
    const expected = expectedFor(backend, refs, model);
    read.push(...backend.evidence, { entity: backend.app, path: 'api/requestedAccessTokenVersion' });
    if (!expected) continue;
    read.push(...expected.evidence);
    yield* checkBackend(use, config, backend, expected, base);
  }
  if (evidence) yield checked(entity, uniqueEvidence(read));
  if (backends.length > 0 || unknown.length > 0) return;
  yield* withoutBackend(use, correlation, model);
}

export default defineRule({
  id: 'jwt-audience-matches-token-version',
  meta: {
    title: 'validate-jwt audiences match the aud of the access tokens the backend app issues',
    severity: 'error',
    tags: ['apim', 'entra', 'policy', 'tokens', 'security'],
    securitySeverity: 6.5,
    requires: ['apim'],
    declaresEvidence: true,
    cites: citing(POLICY_CITES, VALIDATION_CITES),
  },
  *check(model, ctx) {
    yield* unreadableInboundNotChecked(model, 'Token audiences in this policy are not checked');
    for (const use of tokenValidations(model))
      yield* checkUse(use, readValidation(use.statement), model, wantsEvidence(ctx));
  },
});
