import rule from '../../rules/client-api-permission';
import { RuleTester } from '../../src';
import {
  AT,
  BACKEND_APP_ID,
  sampleInput,
  TEST_NOW,
  modelWithSecondServer,
  notEvaluatedOutputs,
  onlyNotEvaluated,
  runnerFor,
  runRule,
  UNKNOWN_CLIENT,
  violations,
  type Overlay,
} from '../helpers/sample';
import { setFix, textFix } from '../helpers/fixes';

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

const DEFAULT: Overlay = {
  authorizationServer: { properties: { defaultScope: `api://${BACKEND_APP_ID}/.default` } },
};
const V1_RESOURCE: Overlay = {
  authorizationServer: {
    properties: { defaultScope: null, tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }] },
  },
};
const STALE = '0f0f0f0f-1111-4222-8333-444444444444';
const RECREATED = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';
const NO_BACKEND_ENTRY = clientRequests(GRAPH);
const ROLE_INSTEAD = clientRequests({
  resourceAppId: BACKEND_APP_ID,
  resourceAccess: [{ id: SCOPE_ID, type: 'Role' }],
});
const ROLE_ONLY_DEFAULT: Overlay = {
  ...DEFAULT,
  ...clientRequests({ resourceAppId: BACKEND_APP_ID, resourceAccess: [{ id: 'x', type: 'Role' }] }),
};
const WITH_STALE = clientRequests({
  resourceAppId: BACKEND_APP_ID,
  resourceAccess: [
    { id: SCOPE_ID, type: 'Scope' },
    { id: STALE, type: 'Scope' },
  ],
});
const REQUIRED = `${AT.clientApp}/requiredResourceAccess`;
const ADD_SCOPE = `Add { "id": "${SCOPE_ID}", "type": "Scope" } for backend appId ${BACKEND_APP_ID} to requiredResourceAccess.`;
const SCOPE_ENTRY = { id: SCOPE_ID, type: 'Scope' };

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    {
      name: 'appIds and scope ids matched case-insensitively',
      input: sampleInput(
        clientRequests({
          resourceAppId: BACKEND_APP_ID.toUpperCase(),
          resourceAccess: [{ id: SCOPE_ID.toUpperCase(), type: 'Scope' }],
        }),
      ),
    },
    { name: '.default when a scope of the backend is listed', input: sampleInput(DEFAULT) },
    {
      name: 'a v1 resource parameter when a scope of the backend is listed',
      input: sampleInput(V1_RESOURCE),
    },
    {
      name: 'application permissions are not judged',
      input: sampleInput(
        clientRequests({
          resourceAppId: BACKEND_APP_ID,
          resourceAccess: [
            { id: SCOPE_ID, type: 'Scope' },
            { id: 'role-id', type: 'Role' },
          ],
        }),
      ),
    },
  ],
  invalid: [
    {
      name: 'a client app without an entry for the backend (the default scope must be listed)',
      input: sampleInput(NO_BACKEND_ENTRY),
      errors: [
        {
          path: REQUIRED,
          severity: 'error',
          resource: 'oauth-client-app',
          message:
            `Client app 'oauth-client-app' lacks delegated permission Colors.Read (id ${SCOPE_ID}) ` +
            "of backend app 'oauth-backend-app' for authorization server 'colors-oauth'.",
          detail: new RegExp(
            `^(?!.*AADSTS90094).*backend app 'oauth-backend-app' \\(appId ${BACKEND_APP_ID}\\).*` +
              'AADSTS65001.*AADSTS65005/AADSTS650057',
          ),
          // A new entry for the backend, after the Graph entry.
          fix: setFix(ADD_SCOPE, REQUIRED, [
            GRAPH,
            { resourceAppId: BACKEND_APP_ID, resourceAccess: [SCOPE_ENTRY] },
          ]),
        },
      ],
    },
    {
      name: 'the backend entry, when it lacks the scope',
      input: sampleInput(clientRequests({ resourceAppId: BACKEND_APP_ID, resourceAccess: [] }, GRAPH)),
      errors: [
        {
          path: `${REQUIRED}/0/resourceAccess`,
          severity: 'error',
          message: /Colors\.Read/,
          // Added to the backend's own entry.
          fix: setFix(ADD_SCOPE, REQUIRED, [
            { resourceAppId: BACKEND_APP_ID, resourceAccess: [SCOPE_ENTRY] },
            GRAPH,
          ]),
        },
      ],
    },
    {
      name: 'the scope id listed as Role',
      input: sampleInput(ROLE_INSTEAD),
      errors: [
        {
          path: `${REQUIRED}/0/resourceAccess`,
          severity: 'error',
          message: /lacks delegated permission Colors\.Read \(listed as Role\) of backend app/,
          detail: /\(its id is listed with type Role instead of Scope\)/,
          fix: setFix(ADD_SCOPE, REQUIRED, [
            { resourceAppId: BACKEND_APP_ID, resourceAccess: [{ id: SCOPE_ID, type: 'Role' }, SCOPE_ENTRY] },
          ]),
        },
      ],
    },
    {
      name: 'the admin-consent hint for Admins-only scopes',
      input: sampleInput({ ...backendScopes(colorsRead({ type: 'Admin' })), ...NO_BACKEND_ENTRY }),
      errors: [{ path: REQUIRED, detail: /'Colors\.Read' is an Admins-only scope.*AADSTS90094/ }],
    },
    {
      name: '.default without any delegated permission of the backend',
      input: sampleInput({ ...DEFAULT, ...NO_BACKEND_ENTRY }),
      errors: [
        {
          path: REQUIRED,
          severity: 'error',
          message:
            "Client app 'oauth-client-app' has no delegated permission of backend app 'oauth-backend-app'; " +
            `authorization server 'colors-oauth' requests 'api://${BACKEND_APP_ID}/.default'.`,
          detail:
            /only grants the permissions listed in requiredResourceAccess, so sign-in fails with AADSTS65001/,
          // Which scope the client should get is the user's choice.
          fix: textFix(
            `Add a delegated permission (type Scope) of backend appId ${BACKEND_APP_ID} to requiredResourceAccess (enabled scopes: 'Colors.Read').`,
          ),
        },
      ],
    },
    {
      name: '.default with only application permissions (Role) of the backend',
      input: sampleInput(ROLE_ONLY_DEFAULT),
      errors: [{ path: `${REQUIRED}/0/resourceAccess`, message: /has no delegated permission of/ }],
    },
    {
      name: 'a v1 resource parameter without any delegated permission',
      input: sampleInput({ ...V1_RESOURCE, ...NO_BACKEND_ENTRY }),
      errors: [{ path: REQUIRED, message: /'colors-oauth' names it as the resource/ }],
    },
    {
      name: 'a requested id the backend does not expose (stale, a warning)',
      input: sampleInput(WITH_STALE),
      errors: [
        {
          path: `${REQUIRED}/0/resourceAccess/1/id`,
          severity: 'warning',
          message: new RegExp(
            `requests delegated permission id ${STALE} .*exposes no scope with that id; expected`,
          ),
          detail: /removed or re-created/,
          fix: setFix(
            `Remove permission id ${STALE} from requiredResourceAccess and request the current scope id.`,
            REQUIRED,
            [{ resourceAppId: BACKEND_APP_ID, resourceAccess: [SCOPE_ENTRY] }],
          ),
        },
      ],
    },
    {
      name: 'a re-created scope, as missing and stale',
      input: sampleInput(backendScopes(colorsRead({ id: RECREATED }))),
      errors: [
        {
          path: `${REQUIRED}/0/resourceAccess`,
          severity: 'error',
          message: new RegExp(`id ${RECREATED}\\)`),
        },
        {
          path: `${REQUIRED}/0/resourceAccess/0/id`,
          severity: 'warning',
          message: new RegExp(`requests delegated permission id ${SCOPE_ID}`),
        },
      ],
    },
  ],
});

describe('client-api-permission', () => {
  it('declares its severity', () => {
    expect(rule.meta.severity).toBe('error');
  });

  // The key tells findings at one path apart (fingerprints), and the rule's path is relative to its entity; the
  // RuleTester sees neither.
  it.each([
    ['no entry for the backend', NO_BACKEND_ENTRY, [[`scope:${SCOPE_ID}`, 'requiredResourceAccess']]],
    [
      'the scope id as Role',
      ROLE_INSTEAD,
      [[`scope:${SCOPE_ID}`, 'requiredResourceAccess/0/resourceAccess']],
    ],
    [
      '.default without a delegated permission',
      { ...DEFAULT, ...NO_BACKEND_ENTRY },
      [[`resource:${BACKEND_APP_ID}`, 'requiredResourceAccess']],
    ],
    [
      '.default with only Role',
      ROLE_ONLY_DEFAULT,
      [[`resource:${BACKEND_APP_ID}`, 'requiredResourceAccess/0/resourceAccess']],
    ],
    ['a stale id', WITH_STALE, [[`stale:${STALE}`, 'requiredResourceAccess/0/resourceAccess/1/id']]],
    [
      'a re-created scope',
      backendScopes(colorsRead({ id: RECREATED })),
      [
        [`scope:${RECREATED}`, 'requiredResourceAccess/0/resourceAccess'],
        [`stale:${SCOPE_ID}`, 'requiredResourceAccess/0/resourceAccess/0/id'],
      ],
    ],
  ] as [string, Overlay, [string, string][]][])(
    'keys and places the findings of %s',
    (_name, overlay, want) => {
      expect(violations(run(overlay)).map((v) => [v.key, v.path])).toEqual(want);
    },
  );

  it('reports each client app and scope once for servers sharing them', () => {
    expect(violations(runRule(rule, modelWithSecondServer(NO_BACKEND_ENTRY)))).toHaveLength(1);
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
