/**
 * The client app registration lists the delegated permission (scope) of the backend app that the authorization
 * server's default scope asks for, so users or admins can consent to it; stale permission ids are flagged.
 */
import {
  checked,
  defineRule,
  notEvaluated,
  violation,
  type FixValue,
  type RuleOutput,
} from './support/contract';
import { listNames } from './support/jwt';
import { clip, fit } from './support/message';
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

const CONSENT_ERRORS =
  'sign-in fails with AADSTS65001 (the user or administrator has not consented) or AADSTS65005/AADSTS650057 ' +
  "(the resource is not listed in the requested permissions of the client's application registration)";

/** An entry of `requiredResourceAccess` as a fix value (ids and types only: it holds no secret). */
type AccessEntry = { resourceAppId?: string; resourceAccess: { id?: string; type?: string }[] };

function accessList(client: App): AccessEntry[] {
  return client.requiredResourceAccess.map((entry) => ({
    ...(entry.resourceAppId !== undefined ? { resourceAppId: entry.resourceAppId } : {}),
    resourceAccess: (entry.resourceAccess ?? []).map((a) => ({
      ...(a.id !== undefined ? { id: a.id } : {}),
      ...(a.type !== undefined ? { type: a.type } : {}),
    })),
  }));
}

/** `requiredResourceAccess` with `{ id, type: Scope }` added to the backend's entry (a new entry when it has none). */
function withScope(client: App, backendAppId: string, entries: number[], id: string): FixValue {
  const list = accessList(client);
  const added = { id, type: 'Scope' };
  const at = entries[0];
  if (at === undefined) return [...list, { resourceAppId: backendAppId, resourceAccess: [added] }];
  return list.map((entry, i) =>
    i === at ? { ...entry, resourceAccess: [...entry.resourceAccess, added] } : entry,
  );
}

/** `requiredResourceAccess` without the permission at [entryIndex].resourceAccess[accessIndex]. */
function withoutAccess(client: App, entryIndex: number, accessIndex: number): FixValue {
  return accessList(client).map((entry, i) =>
    i === entryIndex
      ? { ...entry, resourceAccess: entry.resourceAccess.filter((_, j) => j !== accessIndex) }
      : entry,
  );
}

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
      ? ` '${scope.value ?? ''}' is an Admins-only scope, so an administrator must also grant consent (AADSTS90094: Need admin approval).`
      : '';
  const role = asRole ? ' (its id is listed with type Role instead of Scope)' : '';
  const text = `Add { "id": "${scope.id ?? ''}", "type": "Scope" } for backend appId ${backend.appId ?? '?'} to requiredResourceAccess.`;
  return violation(
    client,
    fit((n) => [
      `Client app '${n(client.name)}' lacks delegated permission ${scope.value ?? ''} (id ${scope.id ?? '?'}` +
        `${asRole ? ', listed as Role' : ''}) of backend app '${n(backend.name)}' for authorization server '${n(server.name)}'.`,
      `Client app '${n(client.name)}' lacks delegated permission ${scope.value ?? ''}${asRole ? ' (listed as Role)' : ''} ` +
        `of backend app '${n(backend.name)}' for authorization server '${n(server.name)}'.`,
      `Client app '${clip(n(client.name), 40)}' lacks delegated permission ${clip(scope.value ?? '', 40)} ` +
        `of backend app '${clip(n(backend.name), 40)}' for authorization server '${clip(n(server.name), 40)}'.`,
    ]),
    {
      path: missingPath(found.entries),
      key: `scope:${(scope.id ?? '').toLowerCase()}`,
      evidence: evidenceOf(server, client, backend),
      detail:
        `The scope is not in the client's requiredResourceAccess for ${describeBackend(backend)}${role}, so ` +
        `${CONSENT_ERRORS}.${admin}`,
      fix:
        scope.id === undefined || backend.appId === undefined
          ? { text }
          : {
              text,
              property: {
                path: 'requiredResourceAccess',
                value: withScope(client, backend.appId, found.entries, scope.id),
              },
            },
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
    const enabled = [...enabledByValue.values()].map((s) => s.value ?? '');
    yield violation(
      client,
      fit((n) => [
        `Client app '${n(client.name)}' has no delegated permission of backend app '${n(backend.name)}'; ` +
          `authorization server '${n(server.name)}' ${how}.`,
        `Client app '${clip(n(client.name), 40)}' has no delegated permission of backend app ` +
          `'${clip(n(backend.name), 40)}'; authorization server '${clip(n(server.name), 40)}' ${how}.`,
      ]),
      {
        path: missingPath(found.entries),
        key: `resource:${backendAppId.toLowerCase()}`,
        evidence,
        detail:
          `A request for ${describeBackend(backend)} as a whole (.default or a v1 resource) only grants the ` +
          `permissions listed in requiredResourceAccess, so ${CONSENT_ERRORS}.`,
        // Which of the backend's scopes the client should get is the user's choice: described, not applied.
        fix: {
          text:
            `Add a delegated permission (type Scope) of backend appId ${backendAppId} to requiredResourceAccess` +
            (enabled.length > 0 ? ` (enabled scopes: ${listNames(enabled)}).` : '.'),
        },
      },
    );
  }
  for (const r of found.requested) {
    if (r.type !== 'Scope' || scopeIds.has(r.id.toLowerCase())) continue;
    yield violation(
      client,
      fit((n) => [
        `Client app '${n(client.name)}' requests delegated permission id ${r.id} of backend app '${n(backend.name)}', ` +
          'which exposes no scope with that id; expected a current scope id.',
        `Client app '${clip(n(client.name), 40)}' requests delegated permission id ${r.id} of backend app ` +
          `'${clip(n(backend.name), 40)}', which exposes no scope with that id; expected a current scope id.`,
      ]),
      {
        path: `requiredResourceAccess/${r.entryIndex}/resourceAccess/${r.accessIndex}/id`,
        key: `stale:${r.id.toLowerCase()}`,
        severity: 'warning',
        evidence,
        detail:
          `The scope was removed or re-created on ${describeBackend(backend)}, so the permission grants nothing ` +
          'and consent prompts list a permission that no longer exists.',
        fix: {
          text: `Remove permission id ${r.id} from requiredResourceAccess and request the current scope id.`,
          property: {
            path: 'requiredResourceAccess',
            value: withoutAccess(client, r.entryIndex, r.accessIndex),
          },
        },
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
