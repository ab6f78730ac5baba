/**
 * The audiences a token validation accepts match the `aud` the backend's tokens really carry. A v2.0 access token
 * always carries the backend app's appId (GUID); a v1.0 token carries the resource identifier the client asked
 * for (an App ID URI such as `api://<appId>`, or the GUID). A mismatch rejects every token with IDX10214.
 */
import { defineRule, notEvaluated, violation, type RuleOutput } from '../src/engine/types';
import { isGuid } from '../src/model/entra';
import { foreignLoginHosts, resolveScopes } from '../src/model/queries';
import type { Api, App, AuthServer, Model } from '../src/model/types';
import {
  backendsOf,
  describeUse,
  locateInUse,
  readValidation,
  statementEntity,
  tokenValidations,
  type ApiBackend,
  type ValidationConfig,
  type ValidationUse,
  type ValueElement,
} from '../src/policy/jwt';
import { describeOpaque } from '../src/policy/named-values';
import { unreadableInboundNotChecked } from '../src/policy/rule-support';

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
function requestedIdentifiers(server: AuthServer, app: App, apis: readonly Api[], model: Model): Requested[] {
  const versions = [server.authorizationEndpoint?.version, server.tokenEndpoint?.version];
  const scopes = versions.some((v) => v !== 'v1');
  const resource = versions.some((v) => v !== 'v2');
  const out: Requested[] = [];
  const add = (identifier: string, why: string) => {
    if (!out.some((r) => r.identifier === identifier)) out.push({ identifier, why });
  };
  if (scopes) {
    // An API's scope override replaces the server's default scope for that API.
    for (const api of apis) {
      for (const ref of api.oauth2.filter((r) => r.target === server)) {
        const refs = ref.scope ? resolveScopes(ref.scope, model) : server.scopes;
        const why = ref.scope ? `scope override of API '${api.name}'` : 'default scope';
        for (const s of refs) if (s.app === app && s.resource) add(s.resource, `${why} '${s.raw}'`);
      }
    }
  }
  if (resource) {
    const value = server.props.tokenBodyParameters?.find((p) => p.name === 'resource')?.value;
    const matches =
      value !== undefined &&
      (sameAudience(value, app.appId ?? '') || app.identifierUris.some((u) => u === value));
    if (value !== undefined && matches) add(value, 'resource parameter');
  }
  return out;
}

interface Expected {
  /** Every identifier that can be a token's aud; all of them must be accepted. */
  identifiers: Requested[];
  reason: string;
  fix: string;
}

function expectedFor(backend: ApiBackend, apis: readonly Api[], model: Model): Expected | undefined {
  const { app } = backend;
  const declared = app.requestedAccessTokenVersion ?? 'null';
  if (app.accessTokenVersion === 2) {
    if (!app.appId) return undefined;
    return {
      identifiers: [{ identifier: app.appId, why: 'v2.0 tokens always carry the appId' }],
      reason: `backend app '${app.name}' issues v2.0 access tokens (api.requestedAccessTokenVersion ${declared}), whose aud is always its appId '${app.appId}'`,
      fix: `add <audience>${app.appId}</audience>`,
    };
  }
  const identifiers = backend.servers.flatMap((s) =>
    requestedIdentifiers(s, app, apis, model).map((r) => ({ ...r, why: `${r.why} of '${s.name}'` })),
  );
  const unique = identifiers.filter(
    (r, i) => identifiers.findIndex((o) => o.identifier === r.identifier) === i,
  );
  if (unique.length === 0) return undefined;
  return {
    identifiers: unique,
    reason:
      `backend app '${app.name}' issues v1.0 access tokens (api.requestedAccessTokenVersion ${declared}), whose aud ` +
      `is the identifier the client requested: ${unique.map((r) => `'${r.identifier}' (${r.why})`).join(', ')}`,
    fix:
      `accept ${unique.map((r) => `'${r.identifier}'`).join(' and ')}, or better set api.requestedAccessTokenVersion ` +
      `to 2 on the backend app so that aud is always its appId${app.appId ? ` '${app.appId}'` : ''}`,
  };
}

/** Checks one list of accepted values against the expectation; undefined when it passes or cannot be judged. */
function* checkList(
  use: ValidationUse,
  what: string,
  anchor: ValueElement['element'],
  values: ValueElement[],
  expected: Expected,
  key: string,
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
  yield violation(
    statementEntity(source),
    `${describeUse(use)} accepts ${what} ${accepted}, but ${expected.reason}; tokens with aud ${failing} fail with ` +
      `IDX10214 (audience validation failed); ${expected.fix}.`,
    locateInUse(use, anchor, key),
  );
}

function* checkUse(use: ValidationUse, config: ValidationConfig, model: Model): Generator<RuleOutput> {
  const { backends } = backendsOf(use.apis);
  if (backends.length === 0) return;
  const { element, source } = use.statement;
  const audClaims = config.claims.filter((c) => c.name === 'aud');
  const hasBackendIds = config.backendApplicationIds.length > 0;
  if (config.audiences.length === 0 && audClaims.length === 0 && !hasBackendIds) {
    yield violation(
      statementEntity(source),
      `${describeUse(use)} checks no audience, so it accepts a token issued by the same issuer for any other API ` +
        `(for example Microsoft Graph); ${use.kind === 'validate-jwt' ? 'add <audiences>' : 'add <backend-application-ids> or <audiences>'} ` +
        `with the backend's identifier${backends[0]?.app.appId ? ` ('${backends[0].app.appId}' for v2.0 tokens)` : ''}.`,
      locateInUse(use, element, 'no-audience'),
    );
    return;
  }
  for (const backend of backends) {
    const expected = expectedFor(backend, use.apis, model);
    if (!expected) continue;
    const appKey = backend.app.appId ?? backend.app.id;
    const [firstAudience] = config.audiences;
    if (firstAudience) {
      yield* checkList(use, 'audiences', firstAudience.element, config.audiences, expected, `aud:${appKey}`);
    }
    for (const claim of audClaims) {
      yield* checkList(use, 'aud claim values', claim.element, claim.values, expected, `claim:${appKey}`);
    }
    const [firstBackendId] = config.backendApplicationIds;
    if (firstBackendId && backend.app.appId) {
      yield* checkList(
        use,
        'backend-application-ids',
        firstBackendId.element,
        config.backendApplicationIds,
        {
          identifiers: [{ identifier: backend.app.appId, why: 'appId' }],
          reason: `the backend app '${backend.app.name}' has appId '${backend.app.appId}'`,
          fix: `add <application-id>${backend.app.appId}</application-id>`,
        },
        `backend-ids:${appKey}`,
      );
    }
  }
}

function* unknownBackends(model: Model): Generator<RuleOutput> {
  for (const use of tokenValidations(model)) {
    for (const server of backendsOf(use.apis).unknown) {
      yield notEvaluated(
        foreignLoginHosts(server)
          ? `Authorization server '${server.name}' signs in with another identity provider; token audiences are not checked.`
          : `The backend app registration behind authorization server '${server.name}' is not in the data, so the ` +
              `audiences of ${use.kind} cannot be compared with its tokens; add the app to the audited data or link it in the config (links).`,
        server,
      );
    }
  }
}

export default defineRule({
  id: 'jwt-audience-matches-token-version',
  meta: {
    title: 'validate-jwt audiences match the aud of the access tokens the backend app issues',
    severity: 'error',
    tags: ['apim', 'entra', 'policy', 'tokens', 'security'],
    securitySeverity: 6.5,
    requires: ['entra', 'apim'],
  },
  *check(model) {
    yield* unreadableInboundNotChecked(model, 'Token audiences in this policy are not checked');
    yield* unknownBackends(model);
    for (const use of tokenValidations(model)) yield* checkUse(use, readValidation(use.statement), model);
  },
});
