/**
 * The backend app registration decides the access-token format: `api.requestedAccessTokenVersion` must be 2 so
 * the gateway receives v2 tokens (issuer `https://login.microsoftonline.com/<tid>/v2.0`, audience = appId).
 */
import {
  checked,
  defineRule,
  notEvaluated,
  violation,
  type RuleOutput,
  wantsEvidence,
} from './support/contract';
import { anyOf, appLookupOf, backendLinkOf, clientLinkOf, valuesOf } from './support/evidence';
import { groupServersByApp, preferredIdentifier } from './support/queries';
import type { App, AuthServer, Model } from '../src/model/types';
import { fit, fitList } from './support/message';

const PERSONAL_ACCOUNT_AUDIENCES = ['AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];
const PATH = 'api/requestedAccessTokenVersion';

/** How the app's declared value reads in a message. */
function describeDeclaredVersion(app: App): string {
  return app.requestedAccessTokenVersion === null
    ? 'leaves api.requestedAccessTokenVersion unset (null, meaning 1)'
    : `declares api.requestedAccessTokenVersion ${app.requestedAccessTokenVersion}`;
}

/** Sets the version to 2: the same step for every kind of violation of this rule. */
const FIX = {
  text: 'Set api.requestedAccessTokenVersion to 2 (accessTokenAcceptedVersion in the app manifest).',
  property: { path: PATH, value: 2 },
};

/** The servers that use an app, as many as fit in a message. */
function serverList(servers: AuthServer[], name: (value: string) => string): string {
  return fitList(
    servers.map((s) => name(s.name)),
    60,
  );
}

/** The audience a v1 token carries: the resource identifier exactly as the server requests it. */
function v1Audience(app: App, servers: AuthServer[]): string {
  for (const server of servers) {
    const scope = server.scopes.find((s) => s.app === app && s.resource);
    if (scope?.resource) return scope.resource;
    const resource = server.props.tokenBodyParameters?.find((p) => p.name === 'resource')?.value;
    if (resource) return resource;
  }
  return preferredIdentifier(app);
}

function tenantOf(model: Model, servers: AuthServer[]): string {
  const fromEndpoint = servers
    .map((s) => s.tokenEndpoint?.tenant ?? s.authorizationEndpoint?.tenant)
    .find(Boolean);
  return model.tenantId ?? fromEndpoint ?? '<tenant-id>';
}

/** A v2 app passes on its declared version alone; any other passes or fails on its sign-in audience too. */
function* personalAccountChecks(model: Model, wanted: boolean): Generator<RuleOutput> {
  for (const app of model.applications) {
    if (app.accessTokenVersion === 2) {
      if (wanted) yield checked(app, valuesOf(app, PATH));
      continue;
    }
    const evidence = valuesOf(app, 'signInAudience');
    if (!PERSONAL_ACCOUNT_AUDIENCES.includes(app.signInAudience)) {
      if (wanted) yield checked(app, [...valuesOf(app, PATH), ...evidence]);
      continue;
    }
    yield violation(
      app,
      fit(
        (n) =>
          `App registration '${n(app.name)}' has signInAudience ${app.signInAudience} but ${describeDeclaredVersion(app)}; ` +
          'expected 2.',
      ),
      {
        path: PATH,
        key: 'signInAudience',
        evidence,
        detail:
          'Entra requires api.requestedAccessTokenVersion 2 for apps that accept personal Microsoft accounts: it ' +
          'rejects the app registration update, and personal accounts cannot get tokens for the app.',
        fix: FIX,
      },
    );
  }
}

export default defineRule({
  id: 'app-access-token-version',
  meta: {
    title: 'Backend app registrations issue v2 access tokens',
    severity: 'error',
    tags: ['entra', 'tokens'],
    requires: ['entra', 'apim'],
    declaresEvidence: true,
    // Apps' values, and the servers' links to them (appLookupOf, backendLinkOf, clientLinkOf).
    cites: { application: [''], authorizationServer: [''] },
  },
  *check(model, ctx) {
    const wanted = wantsEvidence(ctx);
    yield* personalAccountChecks(model, wanted);

    const backends = groupServersByApp(model.authorizationServers, 'backendApp');
    for (const server of backends.missing) {
      yield notEvaluated(
        `Authorization server '${server.name}' has no identifiable backend app registration (its default scope ` +
          `'${server.props.defaultScope ?? ''}' matches none of the applications given and no link is configured), ` +
          'so the access-token version cannot be checked.',
        server,
        [
          ...valuesOf(server, 'properties/defaultScope', 'properties/tokenBodyParameters'),
          ...appLookupOf(model, 'identifier'),
        ],
      );
    }
    for (const [app, servers] of backends.byApp) {
      // The app is the backend of at least one server; the service's name or portal host play no part.
      const evidence = anyOf(servers.map(backendLinkOf));
      if (app.accessTokenVersion === 2) {
        if (wanted) yield checked(app, [...valuesOf(app, PATH), ...evidence]);
        continue;
      }
      yield violation(
        app,
        fit(
          (n) =>
            `Backend app registration '${n(app.name)}' (used by authorization server ${serverList(servers, n)}) ` +
            `${describeDeclaredVersion(app)}; expected 2.`,
        ),
        {
          path: PATH,
          key: 'backend',
          evidence,
          detail:
            `The gateway receives v1 access tokens with issuer https://sts.windows.net/${tenantOf(model, servers)}/ ` +
            `and audience ${v1Audience(app, servers)}, which fail v2 validation in validate-jwt with IDX10205 ` +
            '(issuer validation failed) and IDX10214 (audience validation failed): the caller gets 401.',
          fix: FIX,
        },
      );
    }

    const clients = groupServersByApp(model.authorizationServers, 'clientApp');
    for (const server of clients.missing) {
      yield notEvaluated(
        `Authorization server '${server.name}' has clientId '${server.clientId ?? ''}', which matches none of the ` +
          'applications given, so the client app token version cannot be checked.',
        server,
        [...valuesOf(server, 'properties/clientId'), ...appLookupOf(model, 'appId')],
      );
    }
    for (const [app, servers] of clients.byApp) {
      // A backend app (or an app already invalid for its audience) is reported above with an error.
      if (app.accessTokenVersion === 2 || backends.byApp.has(app)) continue;
      if (PERSONAL_ACCOUNT_AUDIENCES.includes(app.signInAudience)) continue;
      const evidence = [...valuesOf(app, 'signInAudience'), ...anyOf(servers.map(clientLinkOf))];
      yield violation(
        app,
        fit((n) => [
          `Client app registration '${n(app.name)}' (used by authorization server ${serverList(servers, n)}) ` +
            `${describeDeclaredVersion(app)}; expected 2, as the APIM guidance sets on both app registrations.`,
          `Client app registration '${n(app.name)}' (used by authorization server ${serverList(servers, n)}) ` +
            `${describeDeclaredVersion(app)}; expected 2.`,
        ]),
        {
          path: PATH,
          key: 'client',
          severity: 'warning',
          evidence,
          detail:
            "The APIM guidance sets 2 on both app registrations, but only the backend app's value decides the " +
            'access-token format the gateway validates, so this alone ' +
            'breaks no call; a client left on v1 is a setup that drifts from the guidance and from its backend.',
          fix: FIX,
        },
      );
    }
  },
});
