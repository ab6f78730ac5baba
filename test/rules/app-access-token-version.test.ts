import rule from '../../rules/app-access-token-version';
import { RuleTester } from '../../src';
import {
  AT,
  buildModel,
  BACKEND_APP_ID,
  TENANT_ID,
  modelWithSecondServer,
  onlyNotEvaluated,
  runnerFor,
  runRule,
  sampleInput,
  TEST_NOW,
  UNKNOWN_CLIENT,
  violations,
  type Overlay,
  escaped,
} from '../helpers/sample';
import { setFix } from '../helpers/fixes';

const run = runnerFor(rule);
const VERSION = 'api/requestedAccessTokenVersion';
/** Where the engine locates an unset version: the merge patch deletes a null, so at the app's `api` object. */
const UNSET = 'api';
const BACKEND_NULL: Overlay = { backendApp: { api: { requestedAccessTokenVersion: null } } };
const PERSONAL = ['AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];
const STEP = 'Set api.requestedAccessTokenVersion to 2 (accessTokenAcceptedVersion in the app manifest).';
const setTo2 = (app: string) => setFix(STEP, `${app}/${VERSION}`, 2);

/** The sample plus an app registration that no authorization server uses. */
function withConsumerApp() {
  const doc = sampleInput();
  doc.applications?.push({
    id: '11111111-2222-4333-8444-555555555555',
    appId: '99999999-8888-4777-8666-555555555555',
    displayName: 'consumer-app',
    signInAudience: 'PersonalMicrosoftAccount',
  });
  return doc;
}

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    {
      name: 'personal-account audiences with version 2',
      input: sampleInput({ clientApp: { signInAudience: 'AzureADandPersonalMicrosoftAccount' } }),
    },
  ],
  invalid: [
    {
      name: 'a backend app without requestedAccessTokenVersion (null means v1)',
      input: sampleInput(BACKEND_NULL),
      errors: [
        {
          path: `${AT.backendApp}/${UNSET}`,
          severity: 'error',
          resource: 'oauth-backend-app',
          message:
            "Backend app registration 'oauth-backend-app' (used by authorization server 'colors-oauth') leaves " +
            'api.requestedAccessTokenVersion unset (null, meaning 1); expected 2.',
          detail: new RegExp(
            [
              escaped(`issuer https://sts.windows.net/${TENANT_ID}/`),
              escaped(`audience api://${BACKEND_APP_ID}`),
              'IDX10205',
              'IDX10214',
            ].join('.*'),
          ),
          fix: setTo2(AT.backendApp),
        },
      ],
    },
    {
      name: 'a backend app that declares version 1',
      input: sampleInput({ backendApp: { api: { requestedAccessTokenVersion: 1 } } }),
      errors: [
        {
          path: `${AT.backendApp}/${VERSION}`,
          message: /declares api\.requestedAccessTokenVersion 1; expected 2\.$/,
          fix: setTo2(AT.backendApp),
        },
      ],
    },
    {
      name: 'the tenant from the endpoints when the snapshot has no tenantId',
      input: sampleInput({ ...BACKEND_NULL, snapshot: { tenantId: null } }),
      errors: [
        {
          path: `${AT.backendApp}/${UNSET}`,
          detail: new RegExp(escaped(`https://sts.windows.net/${TENANT_ID}/`)),
        },
      ],
    },
    {
      name: 'the v1 resource parameter as the audience when the backend is found through it',
      input: sampleInput({
        ...BACKEND_NULL,
        authorizationServer: {
          properties: {
            defaultScope: null,
            tokenBodyParameters: [{ name: 'resource', value: BACKEND_APP_ID }],
          },
        },
      }),
      errors: [{ path: `${AT.backendApp}/${UNSET}`, detail: new RegExp(`audience ${BACKEND_APP_ID}, `) }],
    },
    {
      name: 'a client app that is not on version 2, as a warning',
      input: sampleInput({ clientApp: { api: { requestedAccessTokenVersion: null } } }),
      errors: [
        {
          path: `${AT.clientApp}/${UNSET}`,
          severity: 'warning',
          resource: 'oauth-client-app',
          message:
            "Client app registration 'oauth-client-app' (used by authorization server 'colors-oauth') leaves " +
            'api.requestedAccessTokenVersion unset (null, meaning 1); expected 2.',
          detail:
            /^The APIM guidance sets 2 on both app registrations, but only the backend app's value decides the access-token format/,
          fix: setTo2(AT.clientApp),
        },
      ],
    },
    {
      name: 'an app used as client and backend, once, as the backend',
      input: sampleInput({
        ...BACKEND_NULL,
        authorizationServer: { properties: { clientId: BACKEND_APP_ID } },
      }),
      errors: [
        { path: `${AT.backendApp}/${UNSET}`, severity: 'error', message: /^Backend app/, detail: /IDX10205/ },
      ],
    },
    ...PERSONAL.map((audience) => ({
      name: `version 2 required for ${audience} (error, not the client warning)`,
      input: sampleInput({
        clientApp: { signInAudience: audience, api: { requestedAccessTokenVersion: null } },
      }),
      errors: [
        {
          path: `${AT.clientApp}/${UNSET}`,
          severity: 'error' as const,
          resource: 'oauth-client-app',
          message: `App registration 'oauth-client-app' has signInAudience ${audience} but leaves api.requestedAccessTokenVersion unset (null, meaning 1); expected 2.`,
          detail:
            /^Entra requires api\.requestedAccessTokenVersion 2 for apps that accept personal Microsoft accounts/,
          fix: setTo2(AT.clientApp),
        },
      ],
    })),
    {
      name: 'apps that no authorization server uses',
      input: withConsumerApp(),
      errors: [
        {
          path: '/applications/2',
          resource: 'consumer-app',
          message: /signInAudience PersonalMicrosoftAccount/,
          // The consumer app has no `api` object: the fix creates it.
          fix: setTo2('/applications/2'),
        },
      ],
    },
  ],
});

describe('app-access-token-version', () => {
  it('reports each app once when several authorization servers use it', () => {
    const model = modelWithSecondServer({
      backendApp: { api: { requestedAccessTokenVersion: null } },
      clientApp: { api: { requestedAccessTokenVersion: null } },
    });
    const found = violations(runRule(rule, model));
    expect(found.map((v) => `${v.entity.name}:${v.key}`).sort()).toEqual([
      'oauth-backend-app:backend',
      'oauth-client-app:client',
    ]);
    expect(found.find((v) => v.key === 'backend')?.message).toContain("'colors-oauth', 'colors-oauth-2'");
  });

  // The key tells apart the findings of one app at one path (fingerprints); the RuleTester does not see it.
  it.each([
    ['a backend app', BACKEND_NULL, ['backend']],
    ['a client app', { clientApp: { api: { requestedAccessTokenVersion: null } } }, ['client']],
    [
      'an app used as client and backend',
      { ...BACKEND_NULL, authorizationServer: { properties: { clientId: BACKEND_APP_ID } } },
      ['backend'],
    ],
    ...PERSONAL.map((audience) => [
      `a ${audience} app`,
      { clientApp: { signInAudience: audience, api: { requestedAccessTokenVersion: null } } },
      ['signInAudience'],
    ]),
  ] as [string, Overlay, string[]][])('keys the finding of %s, at the version', (_name, overlay, keys) => {
    const found = violations(run(overlay));
    expect(found.map((v) => v.key)).toEqual(keys);
    expect(found.map((v) => v.path)).toEqual(keys.map(() => VERSION));
  });

  it('keys the finding of an app that no authorization server uses', () => {
    const found = violations(runRule(rule, buildModel(withConsumerApp())));
    expect(found.map((v) => v.key)).toEqual(['signInAudience']);
    expect(found[0]?.path).toBe(VERSION);
  });

  describe('not evaluated', () => {
    it('when the default scope names no known app', () => {
      const ne = onlyNotEvaluated(
        run({
          authorizationServer: { properties: { defaultScope: 'api://unknown-api/Colors.Read' } },
        }),
      );
      expect(ne?.entity?.kind).toBe('authorizationServer');
      expect(ne?.entity?.name).toBe('colors-oauth');
      expect(ne?.reason).toContain('no identifiable backend app registration');
    });

    it('when the clientId names no known app', () => {
      const ne = onlyNotEvaluated(run(UNKNOWN_CLIENT));
      expect(ne?.entity?.name).toBe('colors-oauth');
      expect(ne?.reason).toContain("clientId '00000000-0000-4000-8000-000000000000'");
    });
  });
});
