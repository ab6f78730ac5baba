import {
  checked,
  defineRule,
  notEvaluated,
  UNREAD_EVIDENCE,
  violation,
  wantsEvidence,
  type FixHint,
  type RuleOutput,
} from './support/contract';
import { clip, fit } from './support/message';
import { appLookupOf, clientLinkOf, valuesOf } from './support/evidence';
import type { App, AuthServer, Evidence, Model } from '../src/model/types';
import { unknownAt } from '../src/model/unknown';

const ACCESS_PATH = 'web/implicitGrantSettings/enableAccessTokenIssuance';
const ID_PATH = 'web/implicitGrantSettings/enableIdTokenIssuance';

function usesImplicit(server: AuthServer): boolean {
  return server.grantTypes.includes('implicit');
}

/**
 * The response type the developer portal requests in the implicit flow: `id_token` when the server's scopes
 * include `openid`, else `token` (api-management-developer-portal src/services/oauthService.ts).
 */
function implicitResponseType(server: AuthServer): 'token' | 'id_token' {
  return server.scopes.some((s) => s.raw.toLowerCase() === 'openid') ? 'id_token' : 'token';
}

/** That the server uses the app with the implicit grant, and which response type it asks for. */
function implicitUseOf(server: AuthServer): Evidence[] {
  return [...valuesOf(server, 'properties/grantTypes', 'properties/defaultScope'), ...clientLinkOf(server)];
}

/** The authorization servers of a model by client app, and those whose client app is not in the data. */
interface ServersByClient {
  byApp: Map<App, { index: number; server: AuthServer }[]>;
  unknownClient: { index: number; server: AuthServer }[];
  collections: Evidence[];
}
const serversByClient = new WeakMap<Model, ServersByClient>();

/** Built once per model: each app's servers would otherwise be found by a walk over all servers per app. */
function serversOf(model: Model): ServersByClient {
  const cached = serversByClient.get(model);
  if (cached) return cached;
  const byApp = new Map<App, { index: number; server: AuthServer }[]>();
  const unknownClient: { index: number; server: AuthServer }[] = [];
  model.authorizationServers.forEach((server, index) => {
    const app = server.clientApp;
    // A server of an unknown client matters only where its clientId is itself unknown (evidence is read for the
    // first unknown value it touches, model/unknown.ts): listing the known ones for every app is quadratic.
    if (app === undefined) {
      if (unknownAt(server, 'properties/clientId') !== undefined) unknownClient.push({ index, server });
    } else {
      const list = byApp.get(app);
      if (list) list.push({ index, server });
      else byApp.set(app, [{ index, server }]);
    }
  });
  const collections = model.services.map((parent): Evidence => ({
    collection: 'authorizationServers',
    parent,
  }));
  const built = { byApp, unknownClient, collections };
  serversByClient.set(model, built);
  return built;
}

/**
 * That no authorization server uses the app with the implicit grant: every service's server list is complete,
 * no server of this app uses the implicit grant, and no server of an unknown client could be this app's (in the
 * order of the servers).
 */
function noImplicitUseOf(app: App, model: Model): Evidence[] {
  const { byApp, unknownClient, collections } = serversOf(model);
  const own = byApp.get(app) ?? [];
  const evidence: Evidence[] = [...collections];
  let i = 0;
  let j = 0;
  while (i < own.length || j < unknownClient.length) {
    const mine = own[i];
    const other = unknownClient[j];
    if (mine && (!other || mine.index < other.index)) {
      evidence.push(...valuesOf(mine.server, 'properties/grantTypes'));
      i++;
    } else if (other) {
      evidence.push(...valuesOf(other.server, 'properties/clientId'));
      j++;
    }
  }
  return evidence;
}

/**
 * The one step for a server that needs issuance the app has off: move the server to the authorization code grant
 * (what the rule recommends over switching issuance on), its other grants kept.
 */
function toAuthorizationCode(server: AuthServer, issuance: string): FixHint {
  const rest = server.grantTypes.filter((g) => g !== 'implicit');
  const value = rest.includes('authorizationCode') ? rest : [...rest, 'authorizationCode'];
  return {
    text: `Switch authorization server '${server.name}' from the implicit grant to the authorization code grant (or, if the implicit grant is required, enable ${issuance} on the app).`,
    property: { entity: server, path: 'properties/grantTypes', value },
  };
}

/** Implicit servers that need a setting the client app has switched off (the test console fails at /authorize). */
function* missingIssuance(app: App, servers: AuthServer[], wanted: boolean): Generator<RuleOutput> {
  for (const server of servers) {
    const key = `${server.service.name}/${server.name}`;
    const evidence = implicitUseOf(server);
    if (wanted) yield checked(app, [...valuesOf(app, 'web/implicitGrantSettings'), ...evidence]);
    if (implicitResponseType(server) === 'token' && !app.implicitGrant.accessTokens) {
      yield violation(
        app,
        fit((n) => [
          `Authorization server '${n(server.name)}' uses the implicit grant, but its client app '${n(app.name)}' has enableAccessTokenIssuance off; expected on, or no implicit grant.`,
          `Authorization server '${clip(n(server.name), 40)}' uses the implicit grant, but its client app '${clip(n(app.name), 40)}' has enableAccessTokenIssuance off; expected on, or no implicit grant.`,
        ]),
        {
          path: ACCESS_PATH,
          key,
          severity: 'error',
          evidence,
          detail:
            "The developer portal requests response_type 'token', which Entra refuses while " +
            "web.implicitGrantSettings.enableAccessTokenIssuance is off: AADSTS700051 (response_type 'token' is not enabled for the application).",
          fix: toAuthorizationCode(server, 'access-token issuance (enableAccessTokenIssuance)'),
        },
      );
    }
    if (implicitResponseType(server) === 'id_token' && !app.implicitGrant.idTokens) {
      yield violation(
        app,
        fit((n) => [
          `Authorization server '${n(server.name)}' uses the implicit grant with the openid scope, but its client app '${n(app.name)}' has enableIdTokenIssuance off; expected on, or no implicit grant.`,
          `Authorization server '${clip(n(server.name), 40)}' uses the implicit grant with the openid scope, but its client app '${clip(n(app.name), 40)}' has enableIdTokenIssuance off; expected on, or no implicit grant.`,
        ]),
        {
          path: ID_PATH,
          key,
          severity: 'error',
          evidence,
          detail:
            "With the openid scope the developer portal requests response_type 'id_token', which Entra refuses while " +
            "web.implicitGrantSettings.enableIdTokenIssuance is off: AADSTS700054 (response_type 'id_token' is not enabled for the application).",
          fix: toAuthorizationCode(server, 'ID-token issuance (enableIdTokenIssuance)'),
        },
      );
    }
  }
}

/** Implicit issuance switched on although no authorization server of the data needs it. */
function* unneededIssuance(app: App, model: Model, wanted: boolean): Generator<RuleOutput> {
  const apimKnown = model.coverage.apim;
  // Without evidence read (nothing it cites is unknown), not worked out for each of a tenant's apps.
  const evidence = !wanted ? UNREAD_EVIDENCE : apimKnown ? noImplicitUseOf(app, model) : [];
  // Issuance switched off passes as long as no server needs it: that rests on the servers too.
  if (wanted) yield checked(app, [...valuesOf(app, 'web/implicitGrantSettings'), ...evidence]);
  const context = apimKnown
    ? 'no APIM authorization server uses it with the implicit grant'
    : 'no APIM data was given to show a need for it';
  const name = clip(app.name, 60);
  if (app.implicitGrant.accessTokens) {
    yield violation(
      app,
      `Application '${name}' has enableAccessTokenIssuance on although ${context}; expected off.`,
      {
        path: ACCESS_PATH,
        key: 'enableAccessTokenIssuance',
        evidence,
        detail:
          'With web.implicitGrantSettings.enableAccessTokenIssuance on, anyone can get access tokens for the app ' +
          'returned in the redirect URL fragment, where browser history and logs can leak them (OAuth 2.0 Security ' +
          'Best Current Practice).',
        fix: {
          text: 'Turn access-token issuance off (web.implicitGrantSettings.enableAccessTokenIssuance false) and use the authorization code grant.',
          property: { path: ACCESS_PATH, value: false },
        },
      },
    );
  }
  if (app.implicitGrant.idTokens) {
    yield violation(
      app,
      `Application '${name}' has enableIdTokenIssuance on although ${context}; expected off.`,
      {
        path: ID_PATH,
        key: 'enableIdTokenIssuance',
        severity: 'note',
        evidence,
        detail:
          'With web.implicitGrantSettings.enableIdTokenIssuance on, the authorization endpoint returns ID tokens in ' +
          'the redirect URL, which only a hybrid sign-in flow needs.',
        fix: {
          text: 'Turn ID-token issuance off (web.implicitGrantSettings.enableIdTokenIssuance false) unless a hybrid sign-in flow needs ID tokens from the authorization endpoint.',
          property: { path: ID_PATH, value: false },
        },
      },
    );
  }
}

function* checkApp(app: App, model: Model, wanted: boolean): Generator<RuleOutput> {
  const servers = (serversOf(model).byApp.get(app) ?? []).map((s) => s.server).filter(usesImplicit);
  if (servers.length > 0) yield* missingIssuance(app, servers, wanted);
  else yield* unneededIssuance(app, model, wanted);
}

export default defineRule({
  id: 'implicit-grant-disabled',
  meta: {
    title:
      'Implicit-grant token issuance is off, except where an APIM authorization server uses the implicit grant',
    severity: 'warning',
    tags: ['security', 'entra'],
    securitySeverity: 5.0,
    requires: ['entra'],
    declaresEvidence: true,
    // The servers' values through clientLinkOf / implicitUseOf, and appLookupOf's appIds.
    cites: {
      apimService: ['authorizationServers'],
      authorizationServer: [''],
      application: ['web/implicitGrantSettings', 'appId'],
    },
  },
  *check(model, ctx) {
    const wanted = wantsEvidence(ctx);
    for (const server of model.authorizationServers) {
      if (!usesImplicit(server) || server.clientApp) continue;
      yield notEvaluated(
        `Authorization server '${server.name}' uses the implicit grant, but its client app (clientId ${server.clientId ?? 'not set'}) is not among the applications given, so its implicit-grant settings cannot be checked.`,
        server,
        [...valuesOf(server, 'properties/clientId'), ...appLookupOf(model, 'appId')],
      );
    }
    for (const app of model.applications) yield* checkApp(app, model, wanted);
  },
});
