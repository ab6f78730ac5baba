import rule from '../../rules/client-api-permission';
import {
  BACKEND_APP_ID,
  modelWithSecondServer,
  notEvaluatedOutputs,
  onlyNotEvaluated,
  runnerFor,
  runRule,
  UNKNOWN_CLIENT,
  violations,
  type Overlay,
} from '../helpers/sample';

const SCOPE_ID = '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7';
const GRAPH = {
  resourceAppId: '00000003-0000-0000-c000-000000000000',
  resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }],
};

function clientRequests(...entries: Record<string, unknown>[]): Overlay {
  return { clientApp: { requiredResourceAccess: entries } };
}

function backendScopes(...scopes: Record<string, unknown>[]): Overlay {
  return { backendApp: { api: { oauth2PermissionScopes: scopes } } };
}

const colorsRead = (extra: Record<string, unknown> = {}) => ({
  id: SCOPE_ID,
  value: 'Colors.Read',
  type: 'User',
  isEnabled: true,
  ...extra,
});

const run = runnerFor(rule);

describe('client-api-permission', () => {
  it('accepts the fixed sample', () => {
    expect(run()).toEqual([]);
  });

  describe('the default scope must be listed (error)', () => {
    it('reports a client app without an entry for the backend', () => {
      const found = violations(run(clientRequests(GRAPH)));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.entity.kind).toBe('application');
      expect(v?.entity.name).toBe('oauth-client-app');
      expect(v?.path).toBe('requiredResourceAccess');
      expect(v?.key).toBe(`scope:${SCOPE_ID}`);
      expect(v?.severity).toBeUndefined();
      expect(rule.meta.severity).toBe('error');
      expect(v?.message).toContain(`delegated permission Colors.Read (id ${SCOPE_ID})`);
      expect(v?.message).toContain(`backend app 'oauth-backend-app' (appId ${BACKEND_APP_ID})`);
      expect(v?.message).toContain("authorization server 'colors-oauth'");
      expect(v?.message).toMatch(/AADSTS65001.*AADSTS65005\/AADSTS650057/);
      expect(v?.message).not.toContain('AADSTS90094');
    });

    it('points at the backend entry when it lacks the scope', () => {
      const found = violations(
        run({
          ...clientRequests({ resourceAppId: BACKEND_APP_ID, resourceAccess: [] }, GRAPH),
        }),
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.path).toBe('requiredResourceAccess/0/resourceAccess');
    });

    it('says when the scope id is listed as Role', () => {
      const [v] = violations(
        run(
          clientRequests({ resourceAppId: BACKEND_APP_ID, resourceAccess: [{ id: SCOPE_ID, type: 'Role' }] }),
        ),
      );
      expect(v?.key).toBe(`scope:${SCOPE_ID}`);
      expect(v?.message).toContain('listed with type Role instead of Scope');
    });

    it('adds the admin-consent hint for Admins-only scopes', () => {
      const [v] = violations(
        run({ ...backendScopes(colorsRead({ type: 'Admin' })), ...clientRequests(GRAPH) }),
      );
      expect(v?.message).toContain("'Colors.Read' is an Admins-only scope");
      expect(v?.message).toContain('AADSTS90094');
    });

    it('matches appIds and scope ids case-insensitively', () => {
      expect(
        run(
          clientRequests({
            resourceAppId: BACKEND_APP_ID.toUpperCase(),
            resourceAccess: [{ id: SCOPE_ID.toUpperCase(), type: 'Scope' }],
          }),
        ),
      ).toEqual([]);
    });

    it('reports each client app and scope once for servers sharing them', () => {
      expect(violations(runRule(rule, modelWithSecondServer(clientRequests(GRAPH))))).toHaveLength(1);
    });
  });

  describe('.default and v1 resource need at least one delegated permission (error)', () => {
    const DEFAULT: Overlay = {
      authorizationServer: { properties: { defaultScope: `api://${BACKEND_APP_ID}/.default` } },
    };
    const V1_RESOURCE: Overlay = {
      authorizationServer: {
        properties: {
          defaultScope: null,
          tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }],
        },
      },
    };

    it('accepts .default when a scope of the backend is listed', () => {
      expect(run(DEFAULT)).toEqual([]);
    });

    it('reports .default without any delegated permission of the backend', () => {
      const found = violations(run({ ...DEFAULT, ...clientRequests(GRAPH) }));
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.path).toBe('requiredResourceAccess');
      expect(v?.key).toBe(`resource:${BACKEND_APP_ID}`);
      expect(v?.message).toContain('requests no delegated permission of');
      expect(v?.message).toContain(`requests 'api://${BACKEND_APP_ID}/.default'`);
    });

    it('does not count application permissions (Role)', () => {
      const found = violations(
        run({
          ...DEFAULT,
          ...clientRequests({ resourceAppId: BACKEND_APP_ID, resourceAccess: [{ id: 'x', type: 'Role' }] }),
        }),
      );
      expect(found.map((v) => v.key)).toEqual([`resource:${BACKEND_APP_ID}`]);
      expect(found[0]?.path).toBe('requiredResourceAccess/0/resourceAccess');
    });

    it('reports a v1 resource parameter without any delegated permission', () => {
      const found = violations(run({ ...V1_RESOURCE, ...clientRequests(GRAPH) }));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toContain("'colors-oauth' names it as the resource");
      expect(run(V1_RESOURCE)).toEqual([]);
    });
  });

  describe('stale permission ids (warning)', () => {
    it('warns about a requested id the backend does not expose', () => {
      const stale = '0f0f0f0f-1111-4222-8333-444444444444';
      const found = violations(
        run(
          clientRequests({
            resourceAppId: BACKEND_APP_ID,
            resourceAccess: [
              { id: SCOPE_ID, type: 'Scope' },
              { id: stale, type: 'Scope' },
            ],
          }),
        ),
      );
      expect(found).toHaveLength(1);
      const [v] = found;
      expect(v?.severity).toBe('warning');
      expect(v?.path).toBe('requiredResourceAccess/0/resourceAccess/1/id');
      expect(v?.key).toBe(`stale:${stale}`);
      expect(v?.message).toContain(`requests delegated permission id ${stale}`);
      expect(v?.message).toContain('exposes no scope with that id');
    });

    it('reports a re-created scope as missing and stale', () => {
      const found = violations(
        run(backendScopes(colorsRead({ id: '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e' }))),
      );
      expect(found.map((v) => [v.key, v.severity ?? 'error'])).toEqual([
        ['scope:5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e', 'error'],
        [`stale:${SCOPE_ID}`, 'warning'],
      ]);
    });

    it('does not judge application permissions', () => {
      expect(
        run(
          clientRequests({
            resourceAppId: BACKEND_APP_ID,
            resourceAccess: [
              { id: SCOPE_ID, type: 'Scope' },
              { id: 'role-id', type: 'Role' },
            ],
          }),
        ),
      ).toEqual([]);
    });
  });

  describe('not evaluated', () => {
    it('when the backend app is not identifiable', () => {
      const ne = onlyNotEvaluated(
        run({
          authorizationServer: { properties: { defaultScope: 'api://unknown/Colors.Read' } },
        }),
      );
      expect(ne?.entity?.kind).toBe('authorizationServer');
      expect(ne?.entity?.name).toBe('colors-oauth');
      expect(ne?.reason).toContain('no identifiable backend app');
    });

    it('when the client app is not identifiable', () => {
      const ne = onlyNotEvaluated(run(UNKNOWN_CLIENT));
      expect(ne?.reason).toContain(
        "no identifiable client app (clientId '00000000-0000-4000-8000-000000000000')",
      );
    });

    it.each([
      ['disabled', backendScopes(colorsRead({ isEnabled: false }))],
      [
        'not exposed',
        { authorizationServer: { properties: { defaultScope: `api://${BACKEND_APP_ID}/Colors.Write` } } },
      ],
    ])('when the default scope is %s on the backend', (_name, overlay) => {
      const outputs = run(overlay);
      expect(violations(outputs).filter((v) => v.key?.startsWith('scope:'))).toEqual([]);
      const [ne] = notEvaluatedOutputs(outputs);
      expect(ne?.entity?.name).toBe('colors-oauth');
      expect(ne?.reason).toContain('is not an enabled scope of');
    });
  });
});
