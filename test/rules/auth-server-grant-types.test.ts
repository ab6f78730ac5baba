import rule from '../../rules/auth-server-grant-types';
import { RuleTester } from '../../src';
import { setFix } from '../helpers/fixes';
import { AT, runnerFor, sampleInput, TEST_NOW, violations, type Overlay } from '../helpers/sample';

function server(properties: Record<string, unknown>): Overlay {
  return { authorizationServer: { properties } };
}

const input = (properties: Record<string, unknown>) => sampleInput(server(properties));
const GRANT_TYPES = `${AT.authorizationServer}/properties/grantTypes`;
const METHODS = `${AT.authorizationServer}/properties/authorizationMethods`;

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    { name: 'authorization code with PKCE', input: input({ grantTypes: ['authorizationCodeWithPkce'] }) },
    {
      name: 'both code grants',
      input: input({ grantTypes: ['authorizationCode', 'authorizationCodeWithPkce'] }),
    },
    {
      name: 'different casing',
      input: input({ grantTypes: ['AuthorizationCode'], authorizationMethods: ['get'] }),
    },
    { name: 'GET only', input: input({ authorizationMethods: ['GET'] }) },
    { name: 'no authorizationMethods list', input: input({ authorizationMethods: null }) },
    {
      name: 'client credentials outside the test console',
      input: input({ grantTypes: ['authorizationCode', 'clientCredentials'], useInTestConsole: false }),
    },
  ],
  invalid: [
    {
      name: 'a server without the authorization code grant',
      input: input({ grantTypes: [] }),
      errors: [
        {
          path: GRANT_TYPES,
          severity: 'error',
          resource: 'colors-oauth',
          message:
            "Authorization server 'colors-oauth' enables the grant types none; expected authorizationCode.",
          detail: /the console cannot get a token for them and test calls fail with 401 \(JWT not present\)/,
          fix: setFix('Add authorizationCode to the grant types.', GRANT_TYPES, ['authorizationCode']),
        },
      ],
    },
    {
      name: 'a misspelled authorization code grant',
      input: input({ grantTypes: ['authorization_code'] }),
      errors: [
        {
          path: GRANT_TYPES,
          message: /enables the grant types 'authorization_code'; expected authorizationCode\.$/,
          fix: setFix('Add authorizationCode to the grant types.', GRANT_TYPES, [
            'authorization_code',
            'authorizationCode',
          ]),
        },
      ],
    },
    {
      name: 'the implicit grant, as a warning',
      input: input({ grantTypes: ['authorizationCode', 'implicit'] }),
      errors: [
        {
          path: `${GRANT_TYPES}/1`,
          severity: 'warning',
          message:
            "Authorization server 'colors-oauth' enables the implicit grant; expected authorizationCode instead.",
          detail: /the access token is returned in the redirect URL/,
          fix: setFix('Remove the implicit grant and use authorizationCode.', GRANT_TYPES, [
            'authorizationCode',
          ]),
        },
      ],
    },
    {
      name: 'the resource owner password grant, as an error',
      input: input({ grantTypes: ['resourceOwnerPassword', 'authorizationCode'] }),
      errors: [
        {
          path: `${GRANT_TYPES}/0`,
          severity: 'error',
          message: /enables the resourceOwnerPassword grant; expected authorizationCode instead/,
          detail: /bypasses MFA.*AADSTS50076/,
          fix: setFix('Remove the resourceOwnerPassword grant and use authorizationCode.', GRANT_TYPES, [
            'authorizationCode',
          ]),
        },
      ],
    },
    {
      name: 'client credentials in the test console, as a note',
      input: input({ grantTypes: ['authorizationCode', 'clientCredentials'] }),
      errors: [
        {
          path: `${GRANT_TYPES}/1`,
          severity: 'note',
          message:
            /enables the clientCredentials grant in the developer portal test console; expected user grants/,
          detail: /app-only token without user or scope/,
          fix: setFix('Remove the clientCredentials grant unless app-only calls are intended.', GRANT_TYPES, [
            'authorizationCode',
          ]),
        },
      ],
    },
    {
      name: 'every problem of a server with only discouraged grants',
      input: input({ grantTypes: ['implicit', 'resourceOwnerPassword', 'clientCredentials'] }),
      errors: [
        {
          path: GRANT_TYPES,
          severity: 'error',
          message:
            /grant types 'implicit', 'resourceOwnerPassword', 'clientCredentials'; expected authorizationCode/,
          fix: setFix('Add authorizationCode to the grant types.', GRANT_TYPES, [
            'implicit',
            'resourceOwnerPassword',
            'clientCredentials',
            'authorizationCode',
          ]),
        },
        // Removing a grant keeps the others; a code grant is added where none would be left.
        {
          path: `${GRANT_TYPES}/0`,
          severity: 'warning',
          message: /implicit grant/,
          fix: setFix('Remove the implicit grant and use authorizationCode.', GRANT_TYPES, [
            'resourceOwnerPassword',
            'clientCredentials',
            'authorizationCode',
          ]),
        },
        {
          path: `${GRANT_TYPES}/1`,
          severity: 'error',
          message: /resourceOwnerPassword/,
          detail: /bypasses MFA/,
        },
        {
          path: `${GRANT_TYPES}/2`,
          severity: 'note',
          message: /clientCredentials/,
          detail: /app-only token/,
        },
      ],
    },
    {
      name: 'authorization methods ["POST"] without GET',
      input: input({ authorizationMethods: ['POST'] }),
      errors: [
        {
          path: METHODS,
          message:
            "Authorization server 'colors-oauth' allows the authorization methods 'POST'; expected GET among them.",
          detail: /redirected to the authorization endpoint with GET/,
          fix: setFix('Add GET to the authorization methods.', METHODS, ['GET', 'POST']),
        },
      ],
    },
    {
      name: 'authorization methods [] without GET',
      input: input({ authorizationMethods: [] }),
      errors: [
        {
          path: METHODS,
          message: /allows the authorization methods none; expected GET among them/,
          fix: setFix('Add GET to the authorization methods.', METHODS, ['GET']),
        },
      ],
    },
  ],
});

describe('auth-server-grant-types', () => {
  const run = runnerFor(rule);

  it('declares its metadata', () => {
    expect(rule.meta.requires).toEqual(['apim']);
    expect(rule.meta.severity).toBe('error');
    expect(rule.meta.tags).toContain('security');
    expect(rule.meta.securitySeverity).toBeGreaterThan(0);
  });

  // The key tells findings at one path apart (fingerprints); the RuleTester does not see it.
  it.each([
    [{ grantTypes: [] }, ['authorizationCode']],
    [
      { grantTypes: ['implicit', 'resourceOwnerPassword', 'clientCredentials'] },
      ['authorizationCode', 'implicit', 'resourceOwnerPassword', 'clientCredentials'],
    ],
    [{ authorizationMethods: ['POST'] }, ['GET']],
  ])('keys the findings of %j', (properties, keys) => {
    expect(violations(run(server(properties))).map((v) => v.key)).toEqual(keys);
  });
});
