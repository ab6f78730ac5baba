/**
 * The client app registration lists the delegated permission (scope) of the backend app that the authorization
 * server's default scope asks for, so users or admins can consent to it; stale permission ids are flagged.
 */
import { checked, defineRule, notEvaluated, violation, type RuleOutput } from './support/contract';
import type { PermissionScope } from '../src/inventory/types';
import { appLookupOf, backendLinkOf, clientLinkOf, valuesOf } from './support/evidence';
import type { App, AuthServer, Evidence } from '../src/model/types';

interface Requested {
  entryIndex: number;
  accessIndex: number;
  id: string;
  type: string | undefined;
}

const sameId = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** The first item of each key, in first-seen order (as `find` would answer for that key). */
function firstByKey<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined && !index.has(key)) index.set(key, item);
  }
  return index;
}

/** Every permission the client requests on the backend, with its position in `requiredResourceAccess`. */
function requestedOn(client: App, backendAppId: string): { entries: number[]; requested: Requested[] } {
  const entries: number[] = [];
  const requested: Requested[] = [];
  client.requiredResourceAccess.forEach((entry, entryIndex) => {
    if (!sameId(entry.resourceAppId, backendAppId)) return;
    entries.push(entryIndex);
    (entry.resourceAccess ?? []).forEach((access, accessIndex) => {
      if (access.id) requested.push({ entryIndex, accessIndex, id: access.id, type: access.type });
    });
  });
  return { entries, requested };
}

function describeBackend(backend: App): string {
  return `backend app '${backend.name}' (appId ${backend.appId ?? '?'})`;
}

/** Where the missing permission belongs: the backend's entry, else the list itself. */
function missingPath(entries: number[]): string {
  return entries[0] === undefined
    ? 'requiredResourceAccess'
    : `requiredResourceAccess/${entries[0]}/resourceAccess`;
}

const CONSENT_ERRORS = 'sign-in fails with AADSTS65001 (no consent) or AADSTS65005/AADSTS650057 (not listed)';

/**
 * What every conclusion about the client's permissions on the backend rests on: the permissions it requests, the
 * scopes the backend exposes, and the server that ties the two together (never the service's name or host).
 */
function evidenceOf(server: AuthServer, client: App, backend: App): Evidence[] {
  return [
    ...valuesOf(client, 'requiredResourceAccess'),
    ...valuesOf(backend, 'appId', 'api/oauth2PermissionScopes'),
    ...valuesOf(server, 'properties/defaultScope'),
    ...clientLinkOf(server),
    ...backendLinkOf(server),
  ];
}

function missingScope(
  server: AuthServer,
  client: App,
  backend: App,
  scope: PermissionScope,
  found: ReturnType<typeof requestedOn>,
): RuleOutput {
  const asRole = found.requested.some((r) => sameId(r.id, scope.id) && r.type !== 'Scope');
  const admin =
    scope.type === 'Admin'
      ? `; '${scope.value ?? ''}' is an Admins-only scope, so an administrator must also grant consent (AADSTS90094)`
      : '';
  return violation(
    client,
    `Client app '${client.name}' does not request the delegated permission ${scope.value ?? ''} (id ${scope.id ?? '?'}) ` +
      `of ${describeBackend(backend)} that authorization server '${server.name}' asks for` +
      (asRole ? ' (the id is listed with type Role instead of Scope)' : '') +
      `; add { "id": "${scope.id ?? ''}", "type": "Scope" } to requiredResourceAccess, otherwise ${CONSENT_ERRORS}` +
      `${admin}.`,
    {
      path: missingPath(found.entries),
      key: `scope:${(scope.id ?? '').toLowerCase()}`,
      evidence: evidenceOf(server, client, backend),
    },
  );
}

function* checkPair(
  server: AuthServer,
  client: App,
  backend: App,
  backendAppId: string,
): Generator<RuleOutput> {
  const evidence = evidenceOf(server, client, backend);
  yield checked(client, evidence);
  const found = requestedOn(client, backendAppId);
  const refs = server.scopes.filter((s) => s.app === backend);
  // Keyed once per pair: an app may expose, and a client request, thousands of scopes.
  const enabledByValue = firstByKey(
    backend.scopes.filter((s) => s.isEnabled !== false && s.value !== undefined),
    (s) => s.value?.toLowerCase(),
  );
  const scopeIds = new Set(backend.scopes.flatMap((s) => (s.id === undefined ? [] : [s.id.toLowerCase()])));
  const requestedScopes = new Set(
    found.requested.filter((r) => r.type === 'Scope').map((r) => r.id.toLowerCase()),
  );
  for (const ref of refs.filter((s) => s.kind === 'resource')) {
    const scope = ref.value === undefined ? undefined : enabledByValue.get(ref.value.toLowerCase());
    if (!scope) {
      yield notEvaluated(
        `Default scope '${ref.raw}' of authorization server '${server.name}' is not an enabled scope of ` +
          `${describeBackend(backend)} (see backend-scope-exposed), so the client's permission for it cannot be checked.`,
        server,
      );
    } else if (scope.id === undefined || !requestedScopes.has(scope.id.toLowerCase())) {
      yield missingScope(server, client, backend, scope, found);
    }
  }
  // `.default` and v1 `resource` requests get the statically listed permissions: at least one must exist.
  const needsAny = refs.length === 0 || refs.some((s) => s.kind === 'default');
  if (needsAny && !found.requested.some((r) => r.type === 'Scope')) {
    const how =
      refs.length === 0
        ? 'names it as the resource'
        : `requests '${refs.find((s) => s.kind === 'default')?.raw ?? ''}'`;
    yield violation(
      client,
      `Client app '${client.name}' requests no delegated permission of ${describeBackend(backend)}, but authorization ` +
        `server '${server.name}' ${how}, which only grants the permissions listed in requiredResourceAccess; add a ` +
        `delegated permission (type Scope) of the backend, otherwise ${CONSENT_ERRORS}.`,
      { path: missingPath(found.entries), key: `resource:${backendAppId.toLowerCase()}`, evidence },
    );
  }
  for (const r of found.requested) {
    if (r.type !== 'Scope' || scopeIds.has(r.id.toLowerCase())) continue;
    yield violation(
      client,
      `Client app '${client.name}' requests delegated permission id ${r.id} of ${describeBackend(backend)}, which ` +
        'exposes no scope with that id (removed or re-created); remove it and request the current scope id.',
      {
        path: `requiredResourceAccess/${r.entryIndex}/resourceAccess/${r.accessIndex}/id`,
        key: `stale:${r.id.toLowerCase()}`,
        severity: 'warning',
        evidence,
      },
    );
  }
}

export default defineRule({
  id: 'client-api-permission',
  meta: {
    title: "Client app registrations request the backend app's scope",
    severity: 'error',
    tags: ['entra', 'consent'],
    requires: ['entra', 'apim'],
    declaresEvidence: true,
  },
  *check(model) {
    const seen = new Set<string>();
    for (const server of model.authorizationServers) {
      const { clientApp: client, backendApp: backend } = server;
      if (!client || !backend?.appId) {
        const missing = !client ? `client app (clientId '${server.clientId ?? ''}')` : 'backend app';
        yield notEvaluated(
          `Authorization server '${server.name}' has no identifiable ${missing} among the applications given, so ` +
            "the client's API permissions cannot be checked.",
          server,
          [
            ...valuesOf(server, 'properties/clientId', 'properties/defaultScope'),
            ...appLookupOf(model, 'identifier'),
          ],
        );
        continue;
      }
      for (const output of checkPair(server, client, backend, backend.appId)) {
        // Servers sharing a client and backend would repeat the same finding.
        const id = output.type === 'violation' ? `${output.entity.id}|${output.key ?? ''}` : undefined;
        if (id !== undefined && seen.has(id)) continue;
        if (id !== undefined) seen.add(id);
        yield output;
      }
    }
  },
});
