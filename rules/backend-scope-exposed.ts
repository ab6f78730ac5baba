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
} from './support/contract';
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
import type { App, AuthServer, Entity, Evidence, Model, ScopeRef } from '../src/model/types';

/** A scope string to check: an authorization server's default scope or an API's per-server override. */
interface ScopeTarget {
  entity: Entity;
  path: string;
  label: string;
  scope: string;
  /** The app the scope must target (a config link or v1 `resource` may name it when the scope does not). */
  backend: App | undefined;
  /** False for v1 endpoints, which name the API in the `resource` parameter and ignore API scopes. */
  scopeMatters: boolean;
  /** What makes `backend` the app to check (the scope names it, or the server's backend link). */
  link: Evidence[];
  /** What a judgement of the scope string alone rests on besides it: the server's endpoints (v1 or v2). */
  request: Evidence[];
  /** What a judgement against the backend app rests on: `request` and the backend's identifiers and scopes. */
  resolved: Evidence[];
}

const ENDPOINTS = ['properties/authorizationEndpoint', 'properties/tokenEndpoint'];
const BACKEND_FIELDS = ['appId', 'identifierUris', 'api/oauth2PermissionScopes'];

function target(t: Omit<ScopeTarget, 'request' | 'resolved'>, server: AuthServer): ScopeTarget {
  const request = valuesOf(server, ...ENDPOINTS);
  const resolved = [...request, ...(t.backend ? valuesOf(t.backend, ...BACKEND_FIELDS) : [])];
  return { ...t, request, resolved };
}

function explicit(entries: ScopeRef[]): (ScopeRef & { resource: string })[] {
  return entries.filter((e): e is ScopeRef & { resource: string } => e.resource !== undefined);
}

/** Identifies the resource of an entry for the "one resource per request" rule; bare scopes go to Graph. */
function groupOf(e: ScopeRef): { key: string; label: string } {
  if (targetsMicrosoftGraph(e.resource) || e.kind === 'bare')
    return { key: 'graph', label: 'Microsoft Graph' };
  if (e.app) return { key: `app:${e.app.id}`, label: e.resource ?? e.app.name };
  return { key: `uri:${(e.resource ?? '').toLowerCase().replace(/\/+$/, '')}`, label: e.resource ?? '' };
}

/** `<App ID URI>/<first enabled scope>` of an app, for messages. */
function exampleScope(app: App): string {
  const scope = app.scopes.find((s) => s.isEnabled !== false)?.value ?? '<scope>';
  return `${preferredIdentifier(app)}/${scope}`;
}

/** What a bare scope should read: qualified with the App ID URI of the app that exposes it, if any. */
function suggestionFor(value: string, backend: App | undefined, model: Model): string {
  const owner =
    backend && findScope(backend, value) ? backend : model.applications.find((a) => findScope(a, value));
  if (owner) return `use ${preferredIdentifier(owner)}/${value}`;
  return `qualify it with the backend app's App ID URI (${backend ? preferredIdentifier(backend) : 'api://<appId>'}/<scope>) or remove it`;
}

function* checkBareEntries(t: ScopeTarget, entries: ScopeRef[], model: Model): Generator<Violation> {
  for (const e of entries.filter((x) => x.kind === 'bare')) {
    yield violation(
      t.entity,
      `${t.label} contains the bare scope '${e.raw}', which Entra resolves against Microsoft Graph (AADSTS650053); ${suggestionFor(e.raw, t.backend, model)}.`,
      { path: t.path, key: `bare:${e.raw}`, evidence: t.request },
    );
  }
}

/** Scopes of one request must name one resource; bare scopes count as Microsoft Graph next to explicit ones. */
function* checkOneResource(t: ScopeTarget, entries: ScopeRef[]): Generator<Violation> {
  const resources = explicit(entries);
  const counted = resources.length > 0 ? entries.filter((e) => e.kind !== 'oidc') : [];
  const groups = new Map(counted.map((e) => [groupOf(e).key, groupOf(e).label]));
  if (groups.size > 1) {
    yield violation(
      t.entity,
      `${t.label} '${t.scope}' requests scopes of more than one resource (${[...groups.values()].join(', ')}); request the backend API's scopes only (AADSTS28000/AADSTS700022).`,
      { path: t.path, key: 'mixed-resources', evidence: t.resolved },
    );
  } else if (entries.length > 0 && entries.every((e) => e.kind === 'oidc')) {
    const fix = t.backend ? ` ${exampleScope(t.backend)}` : '';
    yield violation(
      t.entity,
      `${t.label} '${t.scope}' requests only OpenID Connect scopes, so the access token is issued for Microsoft Graph; add the backend API's scope${fix}.`,
      { path: t.path, key: 'no-api-scope', evidence: t.request },
    );
  }
}

/** One `<resource>/<value>` entry against the backend app: right resource, App ID URI set, scope exposed and enabled. */
function* checkResourceEntry(t: ScopeTarget, e: ScopeRef & { resource: string }): Generator<Violation> {
  const backend = t.backend;
  const at = (key: string) => ({ path: t.path, key, evidence: t.resolved });
  if (targetsMicrosoftGraph(e.resource) || (backend && e.app !== backend)) {
    const target = backend ? `backend app '${backend.name}'` : 'a backend API';
    const fix = backend ? exampleScope(backend) : "the backend API's scope";
    yield violation(
      t.entity,
      `${t.label} targets ${e.resource}, not ${target}; request ${fix}.`,
      at(`other-resource:${e.resource}`),
    );
    return;
  }
  if (!backend) return;
  if (!resourceIdentifiers(backend).some((id) => sameResource(id, e.resource))) {
    // api://<appId> while the app has another App ID URI; an app without any URI is reported on the app.
    if (backend.identifierUris.length === 0) return;
    yield violation(
      t.entity,
      `${t.label} uses ${e.resource}, which is not an Application ID URI of backend app '${backend.name}' (${backend.identifierUris.join(', ')}); use ${preferredIdentifier(backend)}/${e.value ?? '.default'} (AADSTS500011).`,
      at(`unset-uri:${e.resource}`),
    );
    return;
  }
  if (e.kind !== 'resource' || !e.value) return;
  const scope = findScope(backend, e.value);
  if (!scope) {
    const enabled = backend.scopes.filter((s) => s.isEnabled !== false).map((s) => s.value);
    yield violation(
      t.entity,
      `${t.label} requests '${e.raw}', but backend app '${backend.name}' exposes no scope '${e.value}' (enabled scopes: ${enabled.join(', ') || 'none'}) (AADSTS70011).`,
      at(`missing:${e.raw}`),
    );
  } else if (scope.isEnabled === false) {
    yield violation(
      t.entity,
      `${t.label} requests '${e.raw}', which is disabled on backend app '${backend.name}'; enable the scope or request an enabled one (AADSTS70011).`,
      at(`disabled:${e.raw}`),
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
    yield violation(
      t.entity,
      `${t.label} is empty, but v2 endpoints require a scope; set it to ${example} (AADSTS900144).`,
      { path: t.path, key: 'empty', evidence: t.request },
    );
    return;
  }
  if (t.scope.includes(',')) {
    yield violation(
      t.entity,
      `${t.label} '${t.scope}' separates scopes with commas; separate them with spaces (AADSTS70011).`,
      { path: t.path, key: 'comma-separated', evidence: t.request },
    );
  }
  yield* checkEntries(t, resolveScopes(t.scope, model), model);
}

function* checkBackendApp(app: App, link: Evidence[]): Generator<RuleOutput> {
  yield checked(app, [...valuesOf(app, 'identifierUris', 'api/oauth2PermissionScopes'), ...link]);
  if (app.identifierUris.length === 0) {
    yield violation(
      app,
      `Backend app '${app.name}' has no Application ID URI; set api://${app.appId ?? '<appId>'} under Expose an API so that its scopes resolve (AADSTS500011).`,
      { path: 'identifierUris', key: 'identifierUris', evidence: link },
    );
  }
  if (!app.scopes.some((s) => s.isEnabled !== false)) {
    yield violation(
      app,
      `Backend app '${app.name}' exposes no enabled delegated scope (${app.scopes.length} defined); add and enable one, e.g. Colors.Read, under Expose an API.`,
      { path: 'api/oauth2PermissionScopes', key: 'enabled-scope', evidence: link },
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

function* checkTarget(t: ScopeTarget, model: Model, seen: Set<App>): Generator<RuleOutput> {
  if (t.backend && !seen.has(t.backend)) {
    seen.add(t.backend);
    yield* checkBackendApp(t.backend, t.link);
  }
  yield checked(t.entity, [...valuesOf(t.entity, t.path), ...t.resolved]);
  const found = [...checkScopeString(t, model)];
  yield* found;
  if (!t.backend && found.length === 0)
    yield notEvaluated(unresolvedReason(t.label, t.scope, model), t.entity, [
      ...valuesOf(t.entity, t.path),
      ...appLookupOf(model, 'identifier'),
    ]);
}

function* checkServer(server: AuthServer, model: Model, seen: Set<App>): Generator<RuleOutput> {
  const scope = server.props.defaultScope ?? '';
  const backend = server.backendApp ?? scopeTargetApp(scope, model);
  const label = `Authorization server '${server.name}' default scope`;
  const scopeMatters = !usesV1EndpointsOnly(server);
  const link = server.backendApp ? backendLinkOf(server) : valuesOf(server, 'properties/defaultScope');
  yield* checkTarget(
    target(
      { entity: server, path: 'properties/defaultScope', label, scope, backend, scopeMatters, link },
      server,
    ),
    model,
    seen,
  );
  const clientId = server.clientId?.toLowerCase();
  if (backend && (server.clientApp === backend || (clientId && clientId === backend.appId?.toLowerCase()))) {
    yield violation(
      server,
      `Authorization server '${server.name}' uses app '${backend.name}' as both client and backend; register a separate client app and use its appId as the client ID (AADSTS90009).`,
      { path: 'properties/clientId', key: 'client-is-backend', evidence: link },
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
            scope: override,
            backend: scopeTargetApp(override, model, backend),
            scopeMatters,
            link: [...valuesOf(api, path), ...link],
          },
          server,
        ),
        model,
        seen,
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
  },
  *check(model) {
    const seen = new Set<App>();
    for (const server of model.authorizationServers) {
      if (foreignLoginHosts(server)) {
        yield notEvaluated(
          `Authorization server '${server.name}' does not sign in with Microsoft Entra ID; its scopes are not Entra scopes.`,
          server,
        );
        continue;
      }
      yield* checkServer(server, model, seen);
    }
  },
});
