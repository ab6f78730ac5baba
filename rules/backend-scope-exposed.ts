/**
 * The backend app exposes an App ID URI and an enabled scope, and every scope an authorization server (or an
 * API's scope override) requests resolves to an enabled scope of that one backend app.
 */
import {
  checked,
  defineRule,
  notEvaluated,
  violation,
  type RuleOutput,
  type Violation,
  wantsEvidence,
} from './support/contract';
import { listNames } from './support/jwt';
import { clip, fit, fitList } from './support/message';
import { resourceIdentifiers, sameResource } from '../src/entra/endpoints';
import { appLookupOf, backendLinkOf, valuesOf } from './support/evidence';
import {
  findScope,
  foreignLoginHosts,
  preferredIdentifier,
  resolveScopes,
  scopeTargetApp,
  usesV1EndpointsOnly,
} from './support/queries';
import { targetsMicrosoftGraph } from '../src/entra/first-party';
import {
  checkBareEntries,
  checkOneResource,
  exampleScope,
  explicit,
  labelOf,
  replaceEntry,
  setScope,
  target,
  type ScopeTarget,
} from './support/scope-target';
import type { App, AuthServer, Evidence, Model, ScopeRef } from '../src/model/types';

/** One `<resource>/<value>` entry against the backend app: right resource, App ID URI set, scope exposed and enabled. */
function* checkResourceEntry(t: ScopeTarget, e: ScopeRef & { resource: string }): Generator<Violation> {
  const backend = t.backend;
  const at = (key: string) => ({ path: t.path, key, evidence: t.resolved });
  if (targetsMicrosoftGraph(e.resource) || (backend && e.app !== backend)) {
    const target = backend ? `backend app '${backend.name}'` : 'a backend API';
    const wanted = backend ? exampleScope(backend) : "the backend API's scope";
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} targets ${e.resource}, not ${target}; expected ${wanted}.`,
        `${labelOf(t, n)} targets ${clip(e.resource, 60)}, not ${target}; expected ${wanted}.`,
      ]),
      {
        ...at(`other-resource:${e.resource}`),
        detail:
          'The token is issued for the other resource, so its audience is not the backend API and validate-jwt ' +
          'rejects it (IDX10214 audience validation failed, or IDX10511 for a Microsoft Graph token): 401.',
        // Which scope of the backend the user meant is not known: described, not applied.
        fix: { text: `Request ${wanted} instead of '${e.raw}'.` },
      },
    );
    return;
  }
  if (!backend) return;
  if (!resourceIdentifiers(backend).some((id) => sameResource(id, e.resource))) {
    // api://<appId> while the app has another App ID URI; an app without any URI is reported on the app.
    if (backend.identifierUris.length === 0) return;
    const qualified = `${preferredIdentifier(backend)}/${e.value ?? '.default'}`;
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} uses ${e.resource}, which is not an Application ID URI of backend app '${n(backend.name)}'; expected ${qualified}.`,
        `${labelOf(t, n)} uses ${e.resource}, not an App ID URI of '${n(backend.name)}'; expected ${qualified}.`,
        `${labelOf(t, n)} uses ${e.resource}, not an App ID URI of the backend app; expected ${qualified}.`,
        `${labelOf(t, n)} uses ${clip(e.resource, 50)}, not an App ID URI of the backend app; expected ${clip(qualified, 60)}.`,
      ]),
      {
        ...at(`unset-uri:${e.resource}`),
        detail:
          `The Application ID URIs of backend app '${backend.name}' are ${backend.identifierUris.join(', ')}; Entra finds no resource ` +
          `named ${e.resource}: AADSTS500011 (The resource principal named ${e.resource} was not found in the tenant).`,
        fix: setScope(t, `Replace '${e.raw}' with '${qualified}'.`, replaceEntry(t.scope, e.raw, qualified)),
      },
    );
    return;
  }
  if (e.kind !== 'resource' || !e.value) return;
  const scope = findScope(backend, e.value);
  if (!scope) {
    const enabled = backend.scopes.flatMap((s) =>
      s.isEnabled !== false && s.value !== undefined ? [s.value] : [],
    );
    const list = enabled.length > 0 ? fitList(enabled, 60) : 'none';
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} requests '${e.raw}', but backend app '${n(backend.name)}' exposes no scope '${e.value}' (enabled scopes: ${list}).`,
        `${labelOf(t, n)} requests '${e.raw}'; backend app '${n(backend.name)}' exposes no such scope (enabled: ${list}).`,
        `${labelOf(t, n)} requests '${e.raw}'; backend app '${n(backend.name)}' exposes no such scope.`,
        `${labelOf(t, n)} requests '${clip(e.raw, 60)}'; backend app '${clip(n(backend.name), 40)}' exposes no such scope.`,
      ]),
      {
        ...at(`missing:${e.raw}`),
        detail: `Entra rejects a scope the API does not expose: AADSTS70011 (The provided value for the input parameter 'scope' isn't valid).`,
        // A misspelling or a scope still to be exposed: only the user knows which.
        fix: {
          text:
            `Request an enabled scope of backend app '${backend.name}'` +
            (enabled.length > 0 ? ` (${listNames(enabled)})` : '') +
            `, or expose '${e.value}' under Expose an API.`,
        },
      },
    );
  } else if (scope.isEnabled === false) {
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} requests '${e.raw}', which is disabled on backend app '${n(backend.name)}'; expected an enabled scope.`,
        `${labelOf(t, n)} requests '${clip(e.raw, 60)}', disabled on backend app '${clip(n(backend.name), 40)}'; expected an enabled scope.`,
      ]),
      {
        ...at(`disabled:${e.raw}`),
        detail: `Entra rejects a disabled scope: AADSTS70011 (The provided value for the input parameter 'scope' isn't valid).`,
        fix: {
          text: `Enable the scope '${e.value}' on backend app '${backend.name}', or request an enabled one.`,
        },
      },
    );
  }
}

function* checkEntries(t: ScopeTarget, entries: ScopeRef[], model: Model): Generator<Violation> {
  yield* checkBareEntries(t, entries, model);
  const mixed = [...checkOneResource(t, entries)];
  yield* mixed;
  if (mixed.some((v) => v.key === 'mixed-resources')) return;
  for (const e of explicit(entries)) yield* checkResourceEntry(t, e);
}

function* checkScopeString(t: ScopeTarget, model: Model): Generator<Violation> {
  if (!t.scopeMatters) return;
  if (t.scope.trim() === '') {
    const example = t.backend ? exampleScope(t.backend) : 'api://<backend appId>/<scope>';
    const text = `Set the scope to ${example}.`;
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} is empty; expected ${example}.`,
        `${labelOf(t, n)} is empty; expected a scope of the backend API.`,
      ]),
      {
        path: t.path,
        key: 'empty',
        evidence: t.request,
        detail:
          "v2 endpoints require a scope: AADSTS900144 (The request body must contain the following parameter: 'scope'), " +
          'or AADSTS28003 when the code is redeemed.',
        fix: example.includes('<') ? { text } : setScope(t, text, example),
      },
    );
    return;
  }
  if (t.scope.includes(',')) {
    const spaced = t.scope
      .split(/[\s,]+/)
      .filter((s) => s !== '')
      .join(' ');
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} '${t.scope}' separates scopes with commas; expected '${spaced}'.`,
        `${labelOf(t, n)} '${clip(t.scope, 80)}' separates scopes with commas; expected spaces.`,
      ]),
      {
        path: t.path,
        key: 'comma-separated',
        evidence: t.request,
        detail:
          "Entra reads the comma-separated list as one invalid scope: AADSTS70011 (The provided value for the input parameter 'scope' isn't valid).",
        fix: setScope(t, 'Separate the scopes with spaces.', spaced),
      },
    );
  }
  yield* checkEntries(t, resolveScopes(t.scope, model), model);
}

function* checkBackendApp(app: App, link: Evidence[], wanted: boolean): Generator<RuleOutput> {
  if (wanted) yield checked(app, [...valuesOf(app, 'identifierUris', 'api/oauth2PermissionScopes'), ...link]);
  if (app.identifierUris.length === 0) {
    const uri = `api://${app.appId ?? '<appId>'}`;
    const text = `Set the Application ID URI ${uri} (identifierUris, Expose an API).`;
    yield violation(app, `Backend app '${clip(app.name, 80)}' has no Application ID URI; expected ${uri}.`, {
      path: 'identifierUris',
      key: 'identifierUris',
      evidence: link,
      detail:
        'Its scopes (api://<appId>/<scope>) resolve to nothing: AADSTS500011 (The resource principal named ' +
        `${uri} was not found in the tenant).`,
      fix: app.appId ? { text, property: { path: 'identifierUris', value: [uri] } } : { text },
    });
  }
  if (!app.scopes.some((s) => s.isEnabled !== false)) {
    yield violation(
      app,
      `Backend app '${clip(app.name, 80)}' exposes no enabled delegated scope (${app.scopes.length} defined); expected at least one.`,
      {
        path: 'api/oauth2PermissionScopes',
        key: 'enabled-scope',
        evidence: link,
        detail:
          "A delegated token for the API needs a scope to request; without one Entra rejects the request: AADSTS70011 (The provided value for the input parameter 'scope' isn't valid).",
        // A new scope needs an id (a new GUID) and consent texts: described, not applied.
        fix: { text: 'Add and enable a delegated scope, e.g. Colors.Read, under Expose an API.' },
      },
    );
  }
}

/** Why no backend app could be judged. */
function unresolvedReason(label: string, scope: string, model: Model): string {
  const unknown = explicit(resolveScopes(scope, model)).filter(
    (e) => !e.app && !targetsMicrosoftGraph(e.resource),
  );
  if (unknown.length > 0) {
    const names = unknown.map((e) => e.resource).join(', ');
    return `${label} names resource ${names}, which matches no application in the Entra data (the app may be in a tenant or export not given); the backend app could not be checked.`;
  }
  return `${label} names no backend app: no API scope and no resource token body parameter; the backend app could not be checked.`;
}

function* checkTarget(t: ScopeTarget, model: Model, seen: Set<App>, wanted: boolean): Generator<RuleOutput> {
  if (t.backend && !seen.has(t.backend)) {
    seen.add(t.backend);
    yield* checkBackendApp(t.backend, t.link, wanted);
  }
  if (wanted) yield checked(t.entity, [...valuesOf(t.entity, t.path), ...t.resolved]);
  const found = [...checkScopeString(t, model)];
  yield* found;
  if (!t.backend && found.length === 0)
    yield notEvaluated(unresolvedReason(t.label, t.scope, model), t.entity, [
      ...valuesOf(t.entity, t.path),
      ...appLookupOf(model, 'identifier'),
    ]);
}

function* checkServer(
  server: AuthServer,
  model: Model,
  seen: Set<App>,
  wanted: boolean,
): Generator<RuleOutput> {
  const scope = server.props.defaultScope ?? '';
  const backend = server.backendApp ?? scopeTargetApp(scope, model);
  const label = `Authorization server '${server.name}' default scope`;
  const scopeMatters = !usesV1EndpointsOnly(server);
  const link = server.backendApp ? backendLinkOf(server) : valuesOf(server, 'properties/defaultScope');
  yield* checkTarget(
    target(
      {
        entity: server,
        path: 'properties/defaultScope',
        label,
        names: [server.name],
        scope,
        backend,
        scopeMatters,
        link,
      },
      server,
    ),
    model,
    seen,
    wanted,
  );
  const clientId = server.clientId?.toLowerCase();
  if (backend && (server.clientApp === backend || (clientId && clientId === backend.appId?.toLowerCase()))) {
    yield violation(
      server,
      fit((n) => [
        `Authorization server '${n(server.name)}' uses app '${n(backend.name)}' as both client and backend; expected a separate client app.`,
        `Authorization server '${clip(n(server.name), 60)}' uses app '${clip(n(backend.name), 60)}' as both client and backend; expected a separate client app.`,
      ]),
      {
        path: 'properties/clientId',
        key: 'client-is-backend',
        evidence: link,
        detail:
          'An app that requests a token for itself by an api:// URI is refused: AADSTS90009 (Application is requesting a token for itself; supported only if resource is specified using the GUID based App Identifier).',
        fix: { text: 'Register a separate client app and use its appId as the client ID.' },
      },
    );
  }
  for (const api of server.apis) {
    for (const ref of api.oauth2) {
      const override = ref.scope?.trim();
      if (ref.target !== server || !override) continue;
      const path = ref.path.replace(/authorizationServerId$/, 'scope');
      yield* checkTarget(
        target(
          {
            entity: api,
            path,
            label: `API '${api.name}' scope for authorization server '${server.name}'`,
            names: [api.name, server.name],
            scope: override,
            backend: scopeTargetApp(override, model, backend),
            scopeMatters,
            link: [...valuesOf(api, path), ...link],
          },
          server,
        ),
        model,
        seen,
        wanted,
      );
    }
  }
}

export default defineRule({
  id: 'backend-scope-exposed',
  meta: {
    title: 'Authorization servers request an enabled scope exposed by the backend app',
    severity: 'error',
    tags: ['entra', 'apim', 'authorization-server', 'scope'],
    requires: ['entra', 'apim'],
    declaresEvidence: true,
    // The API's scope override, the apps' values, and the servers' scopes, endpoints and links.
    cites: { api: ['properties/authenticationSettings'], application: [''], authorizationServer: [''] },
  },
  *check(model, ctx) {
    const wanted = wantsEvidence(ctx);
    const seen = new Set<App>();
    for (const server of model.authorizationServers) {
      if (foreignLoginHosts(server)) {
        yield notEvaluated(
          `Authorization server '${server.name}' does not sign in with Microsoft Entra ID; its scopes are not Entra scopes.`,
          server,
        );
        continue;
      }
      yield* checkServer(server, model, seen, wanted);
    }
  },
});
