import rule from '../../rules/jwt-validation-strict';
import { RuleTester } from '../../src';
import { AT, notEvaluatedOutputs, sampleInput, TEST_NOW, violations, type Overlay } from '../helpers/sample';
import {
  fixturePolicy,
  loadedRunnerFor,
  policyXml,
  positionInInput,
  rawxml,
  SAMPLE_AUDIENCES,
  SAMPLE_OPENID_CONFIG,
  withGlobalValidateJwt,
} from '../helpers/policies';
import { policyEdit } from './policy-fix';

/** The fixed sample with a global validate-jwt carrying `attributes` and `body`. */
function withJwt(attributes: string, body = `${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}`): Overlay {
  return withGlobalValidateJwt(body, ` ${attributes}`);
}

const run = loadedRunnerFor(rule);

const GLOBAL_POLICY = `${AT.service}/policy/value`;
const globalPolicy = (inbound: string): Overlay => ({
  service: { policy: rawxml(policyXml({ inbound, backend: '<forward-request />' })) },
});
const ATTRIBUTES = [
  ['require-signed-tokens', 'unsigned tokens (alg "none") are accepted'],
  ['require-expiration-time', 'tokens without an exp claim are accepted'],
] as const;
const symmetricOverlay = withJwt(
  '',
  '<issuer-signing-keys><key>{{colors-backend-key}}</key></issuer-signing-keys>' +
    SAMPLE_AUDIENCES +
    '<issuers><issuer>https://sts.windows.net/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/</issuer></issuers>',
);
const symmetricInstead = sampleInput(symmetricOverlay);

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    {
      name: 'the attributes set to true',
      input: sampleInput(withJwt('require-signed-tokens="true" require-expiration-time="true"')),
    },
    {
      name: 'no scheme asked when the token comes from a query parameter',
      input: sampleInput(
        globalPolicy(
          `<validate-jwt query-parameter-name="token">${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}</validate-jwt>`,
        ),
      ),
    },
    {
      name: 'certificate and RSA keys',
      input: sampleInput(
        withJwt(
          '',
          `${SAMPLE_OPENID_CONFIG}<issuer-signing-keys><key certificate-id="c1" /><key n="abc" e="AQAB" /></issuer-signing-keys>${SAMPLE_AUDIENCES}`,
        ),
      ),
    },
    {
      name: 'an attribute taken from a secret named value, not evaluated',
      input: sampleInput(withJwt('require-expiration-time="{{colors-backend-key}}"')),
      notEvaluated: [/sets require-expiration-time to named value \{\{colors-backend-key\}\} \(secret\)/],
    },
  ],
  invalid: [
    ...ATTRIBUTES.map(([attribute]) => {
      const input = sampleInput(withJwt(`${attribute}="false"`));
      return {
        name: `${attribute}="false", at the validate-jwt element`,
        input,
        errors: [
          {
            path: GLOBAL_POLICY,
            ...positionInInput(input, '<validate-jwt'),
            resource: 'contoso-apim',
            message: `validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') sets ${attribute}="false"; expected true (the default)`,
          },
        ],
      };
    }),
    {
      name: 'a status code other than 401',
      input: sampleInput(withJwt('failed-validation-httpcode="403"')),
      errors: [{ path: GLOBAL_POLICY, message: /answers a failed validation with HTTP 403; expected 401$/ }],
    },
    {
      name: 'a status code other than 401 for validate-azure-ad-token',
      input: sampleInput({
        service: {
          policy: rawxml(
            fixturePolicy('validate-azure-ad-token.xml').replace(
              'failed-validation-httpcode="401"',
              'failed-validation-httpcode="500"',
            ),
          ),
        },
      }),
      errors: [{ path: GLOBAL_POLICY, message: /validate-azure-ad-token in the global policy.*HTTP 500/ }],
    },
    {
      name: 'the Authorization header read without require-scheme, as a warning',
      input: sampleInput(
        globalPolicy(
          `<validate-jwt header-name="Authorization">${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}</validate-jwt>`,
        ),
      ),
      errors: [
        {
          path: GLOBAL_POLICY,
          severity: 'warning',
          message: /reads the Authorization header without require-scheme/,
        },
      ],
    },
    {
      name: 'another scheme than Bearer',
      input: sampleInput(
        globalPolicy(
          `<validate-jwt header-name="Authorization" require-scheme="Basic">${SAMPLE_OPENID_CONFIG}</validate-jwt>`,
        ),
      ),
      errors: [{ path: GLOBAL_POLICY, message: /requires the scheme 'Basic'/ }],
    },
    {
      name: 'a symmetric key that replaces openid-config for Entra tokens, at the key',
      input: symmetricInstead,
      errors: [
        {
          path: GLOBAL_POLICY,
          ...positionInInput(symmetricInstead, '<key>'),
          message:
            /accepts an inline symmetric signing key \(<issuer-signing-keys><key>\) for Microsoft Entra tokens/,
        },
      ],
    },
    {
      name: 'a symmetric key next to openid-config (anyone with the key can mint tokens)',
      input: sampleInput(
        withJwt(
          '',
          `${SAMPLE_OPENID_CONFIG}<issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys>${SAMPLE_AUDIENCES}`,
        ),
      ),
      errors: [{ path: GLOBAL_POLICY, message: /accepts an inline symmetric signing key/ }],
    },
    {
      // No Entra issuer anywhere: the shared key is how that issuer signs. Only the missing scheme is reported.
      name: 'symmetric keys of a non-Entra issuer accepted (fixture method-authorization)',
      input: sampleInput({
        service: { policy: rawxml(fixturePolicy('method-authorization.xml')) },
        api: { properties: { authenticationSettings: null } },
      }),
      errors: [1, 2, 3].map(() => ({
        path: GLOBAL_POLICY,
        severity: 'warning' as const,
        message: /without require-scheme/,
      })),
    },
  ],
});

describe('jwt-validation-strict', () => {
  // The key tells findings in one policy apart (fingerprints), and the entity kind is the model's; the RuleTester
  // sees neither.
  it.each(ATTRIBUTES.map(([attribute]) => attribute))(
    'keys %s="false" by the validate-jwt and attribute',
    (attribute) => {
      const [v, ...rest] = violations(run(withJwt(`${attribute}="false"`)).outputs);
      expect(rest).toEqual([]);
      expect(v?.entity.kind).toBe('apimService');
      expect(v?.key).toBe(`validate-jwt#0:${attribute}`);
    },
  );

  it.each(ATTRIBUTES)('explains %s="false" and removes the attribute', (attribute, consequence) => {
    const loaded = run(withJwt(`${attribute}="false"`));
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toContain(consequence);
    expect(v?.fix?.text).toBe(
      `Remove ${attribute}="false" from <validate-jwt> (the attribute defaults to true).`,
    );
    expect(v?.fix?.policy?.origin.pointer).toBe(GLOBAL_POLICY);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(before.replace(` ${attribute}="false"`, ''));
  });

  it('sets failed-validation-httpcode to 401', () => {
    const loaded = run(withJwt('failed-validation-httpcode="403"'));
    const [v] = violations(loaded.outputs);
    expect(v?.message).toBe(
      "validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') answers a failed validation with HTTP 403; expected 401",
    );
    expect(v?.detail).toMatch(/with 403 they do not fetch a new token/);
    expect(v?.fix?.text).toMatch(/^Set failed-validation-httpcode="401"/);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(
      before.replace('failed-validation-httpcode="403"', 'failed-validation-httpcode="401"'),
    );
  });

  it('adds require-scheme="Bearer" after the last attribute', () => {
    const loaded = run(
      globalPolicy(`<validate-jwt header-name="Authorization">${SAMPLE_OPENID_CONFIG}</validate-jwt>`),
    );
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toMatch(/accepts the token under any scheme/);
    expect(v?.fix?.text).toBe('Add require-scheme="Bearer" to <validate-jwt>.');
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(
      before.replace(
        '<validate-jwt header-name="Authorization">',
        '<validate-jwt header-name="Authorization" require-scheme="Bearer">',
      ),
    );
  });

  it('replaces another scheme by Bearer', () => {
    const loaded = run(
      globalPolicy(
        `<validate-jwt header-name="Authorization" require-scheme="Basic">${SAMPLE_OPENID_CONFIG}</validate-jwt>`,
      ),
    );
    const [v] = violations(loaded.outputs);
    expect(v?.message).toMatch(/requires the scheme 'Basic' in the Authorization header; expected 'Bearer'$/);
    expect(v?.detail).toMatch(/RFC 6750/);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(before.replace('require-scheme="Basic"', 'require-scheme="Bearer"'));
  });

  it('removes a symmetric key container next to openid-config', () => {
    const keys = '<issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys>';
    const loaded = run(withJwt('', `${SAMPLE_OPENID_CONFIG}${keys}${SAMPLE_AUDIENCES}`));
    const [v] = violations(loaded.outputs);
    expect(v?.detail).toMatch(/anyone who knows it can mint tokens/);
    expect(v?.fix?.text).toMatch(/^Remove the symmetric <key>/);
    const { before, after } = policyEdit(loaded.doc, v);
    expect(after).toBe(before.replace(keys, ''));
  });

  it("describes, without an edit, the metadata that replaces a symmetric key (the tenant is the user's)", () => {
    const [v] = violations(run(symmetricOverlay).outputs);
    expect(v?.detail).toMatch(/IDX10503/);
    expect(v?.fix?.text).toMatch(/^Replace <issuer-signing-keys> by <openid-config url=/);
    expect(v?.fix?.policy).toBeUndefined();
  });

  it('reports a policy given as a link as not evaluated', () => {
    const { outputs } = run({
      api: { policy: { format: 'xml-link', value: 'https://contoso.com/api.xml' } },
    });
    expect(violations(outputs)).toEqual([]);
    const [n] = notEvaluatedOutputs(outputs);
    expect(n?.entity?.name).toBe('colors-api');
    expect(n?.reason).toContain('https://contoso.com/api.xml');
  });
});
