/**
 * A scope string that backend-scope-exposed checks (an authorization server's default scope, or an API's scope
 * override), the fixes that rewrite it, and the checks of the string alone: bare scopes and one resource per
 * request. The checks against the backend app stay in the rule.
 */
import { violation, type FixHint, type Violation } from './contract';
import { clip, fit, fitList } from './message';
import { findScope, preferredIdentifier } from './queries';
import { valuesOf } from './evidence';
import { targetsMicrosoftGraph } from '../../src/entra/first-party';
import type { App, AuthServer, Entity, Evidence, Model, ScopeRef } from '../../src/model/types';

/** A scope string to check: an authorization server's default scope or an API's per-server override. */
export interface ScopeTarget {
  entity: Entity;
  path: string;
  label: string;
  /** The names quoted in `label`, which a message may shorten (`labelOf`). */
  names: string[];
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

export function target(t: Omit<ScopeTarget, 'request' | 'resolved'>, server: AuthServer): ScopeTarget {
  const request = valuesOf(server, ...ENDPOINTS);
  const resolved = [...request, ...(t.backend ? valuesOf(t.backend, ...BACKEND_FIELDS) : [])];
  return { ...t, request, resolved };
}

/** The target's label with its names passed through `name` (a message shortens them when it must). */
export function labelOf(t: ScopeTarget, name: (value: string) => string): string {
  return t.names.reduce((label, n) => label.replace(`'${n}'`, `'${name(n)}'`), t.label);
}

export function explicit(entries: ScopeRef[]): (ScopeRef & { resource: string })[] {
  return entries.filter((e): e is ScopeRef & { resource: string } => e.resource !== undefined);
}

/** Identifies the resource of an entry for the "one resource per request" rule; bare scopes go to Graph. */
export function groupOf(e: ScopeRef): { key: string; label: string } {
  if (targetsMicrosoftGraph(e.resource) || e.kind === 'bare')
    return { key: 'graph', label: 'Microsoft Graph' };
  if (e.app) return { key: `app:${e.app.id}`, label: e.resource ?? e.app.name };
  return { key: `uri:${(e.resource ?? '').toLowerCase().replace(/\/+$/, '')}`, label: e.resource ?? '' };
}

/** `<App ID URI>/<first enabled scope>` of an app, for messages. */
export function exampleScope(app: App): string {
  const scope = app.scopes.find((s) => s.isEnabled !== false)?.value ?? '<scope>';
  return `${preferredIdentifier(app)}/${scope}`;
}

/** What a bare scope should read: qualified with the App ID URI of the app that exposes it, if any. */
export function qualifiedFor(value: string, backend: App | undefined, model: Model): string | undefined {
  const owner =
    backend && findScope(backend, value) ? backend : model.applications.find((a) => findScope(a, value));
  return owner ? `${preferredIdentifier(owner)}/${value}` : undefined;
}

/** The scope string with the space-separated entry `raw` replaced by `by` (removed when `by` is empty). */
export function replaceEntry(scope: string, raw: string, by: string): string {
  return scope
    .split(/\s+/)
    .filter((s) => s !== '')
    .map((s) => (s === raw ? by : s))
    .filter((s) => s !== '')
    .join(' ');
}

/** A fix that sets the scope string to `value`, with `text` saying so. */
export function setScope(t: ScopeTarget, text: string, value: string): FixHint {
  return { text, property: { path: t.path, value } };
}

export function* checkBareEntries(t: ScopeTarget, entries: ScopeRef[], model: Model): Generator<Violation> {
  for (const e of entries.filter((x) => x.kind === 'bare')) {
    const qualified = qualifiedFor(e.raw, t.backend, model);
    const uri = t.backend ? preferredIdentifier(t.backend) : 'api://<appId>';
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} contains the bare scope '${e.raw}'; expected '${qualified ?? `${uri}/<scope>`}'.`,
        `${labelOf(t, n)} contains the bare scope '${clip(e.raw, 40)}'; expected a scope qualified with an App ID URI.`,
      ]),
      {
        path: t.path,
        key: `bare:${e.raw}`,
        evidence: t.request,
        detail: `Entra resolves a scope without an App ID URI against Microsoft Graph: AADSTS650053 (the application asked for scope '${e.raw}' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'), or a Graph token that validate-jwt rejects.`,
        fix: qualified
          ? setScope(t, `Replace '${e.raw}' with '${qualified}'.`, replaceEntry(t.scope, e.raw, qualified))
          : { text: `Qualify '${e.raw}' with the backend app's App ID URI (${uri}/<scope>), or remove it.` },
      },
    );
  }
}

/** Scopes of one request must name one resource; bare scopes count as Microsoft Graph next to explicit ones. */
export function* checkOneResource(t: ScopeTarget, entries: ScopeRef[]): Generator<Violation> {
  const resources = explicit(entries);
  const counted = resources.length > 0 ? entries.filter((e) => e.kind !== 'oidc') : [];
  const groups = new Map(counted.map((e) => [groupOf(e).key, groupOf(e).label]));
  if (groups.size > 1) {
    const resources = [...groups.values()];
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} '${t.scope}' requests scopes of ${resources.length} resources (${fitList(resources, 80, (r) => r)}); expected one.`,
        `${labelOf(t, n)} requests scopes of ${resources.length} resources (${fitList(resources, 100, (r) => r)}); expected one.`,
        `${labelOf(t, n)} requests scopes of ${resources.length} resources (${fitList(resources, 60, (r) => r)}); expected one.`,
      ]),
      {
        path: t.path,
        key: 'mixed-resources',
        evidence: t.resolved,
        detail:
          'One token is issued for one resource: Entra rejects the request with AADSTS28000 or AADSTS700022 ' +
          "(the input parameter scope isn't valid because it contains more than one resource).",
        // Which entries are the API's own is clear only to the user: described, not applied.
        fix: { text: "Request the backend API's scopes only (OpenID Connect scopes may stay)." },
      },
    );
  } else if (entries.length > 0 && entries.every((e) => e.kind === 'oidc')) {
    const example = t.backend ? exampleScope(t.backend) : undefined;
    const text = `Add the backend API's scope${example ? ` ${example}` : ''} to the scope.`;
    yield violation(
      t.entity,
      fit((n) => [
        `${labelOf(t, n)} '${t.scope}' requests only OpenID Connect scopes; expected the backend API's scope${example ? ` ${example}` : ''}.`,
        `${labelOf(t, n)} '${clip(t.scope, 40)}' requests only OpenID Connect scopes; expected the backend API's scope.`,
      ]),
      {
        path: t.path,
        key: 'no-api-scope',
        evidence: t.request,
        detail:
          'The access token is then issued for Microsoft Graph, which validate-jwt rejects (IDX10511 signature ' +
          'validation failed, or IDX10214 audience validation failed): the caller gets 401.',
        fix: example && !example.includes('<') ? setScope(t, text, `${t.scope.trim()} ${example}`) : { text },
      },
    );
  }
}
