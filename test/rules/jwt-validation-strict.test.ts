import rule from '../../rules/jwt-validation-strict';
import { notEvaluatedOutputs, violations, type Overlay } from '../helpers/sample';
import {
  fixturePolicy,
  loadedRunnerFor,
  locationOf,
  policyXml,
  positionInJson,
  rawxml,
  SAMPLE_AUDIENCES,
  SAMPLE_OPENID_CONFIG,
  withGlobalValidateJwt,
} from '../helpers/policies';

/** The fixed sample with a global validate-jwt carrying `attributes` and `body`. */
function withJwt(attributes: string, body = `${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}`): Overlay {
  return withGlobalValidateJwt(body, ` ${attributes}`);
}

const run = loadedRunnerFor(rule);

describe('jwt-validation-strict', () => {
  it('accepts the fixed sample', () => {
    expect(run({}).outputs).toEqual([]);
  });

  it.each([
    ['require-signed-tokens', 'unsigned tokens (alg "none") are accepted'],
    ['require-expiration-time', 'tokens without an exp claim are accepted'],
  ])('reports %s="false" at the validate-jwt element', (attribute, consequence) => {
    const { outputs, inventory, text } = run(withJwt(`${attribute}="false"`));
    expect(notEvaluatedOutputs(outputs)).toEqual([]);
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('apimService');
    expect(v?.key).toBe(`validate-jwt#0:${attribute}`);
    expect(v?.message).toContain(
      `validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') sets ${attribute}="false", so ${consequence}`,
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<validate-jwt'));
  });

  it('accepts the attributes set to true', () => {
    expect(run(withJwt('require-signed-tokens="true" require-expiration-time="true"')).outputs).toEqual([]);
  });

  it('reports a status code other than 401, for validate-azure-ad-token too', () => {
    expect(violations(run(withJwt('failed-validation-httpcode="403"')).outputs)[0]?.message).toContain(
      'answers a failed validation with HTTP 403',
    );
    const aad = fixturePolicy('validate-azure-ad-token.xml');
    const { outputs } = run({
      service: {
        policy: rawxml(aad.replace('failed-validation-httpcode="401"', 'failed-validation-httpcode="500"')),
      },
    });
    const [v] = violations(outputs);
    expect(violations(outputs)).toHaveLength(1);
    expect(v?.message).toContain('validate-azure-ad-token in the global policy');
    expect(v?.message).toContain('HTTP 500');
  });

  it('warns when the Authorization header is read without require-scheme, and reports another scheme', () => {
    const missing = run({
      service: {
        policy: rawxml(
          policyXml({
            inbound: `<validate-jwt header-name="Authorization">${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}</validate-jwt>`,
            backend: '<forward-request />',
          }),
        ),
      },
    });
    const [w] = violations(missing.outputs);
    expect(w?.severity).toBe('warning');
    expect(w?.message).toContain('reads the Authorization header without require-scheme');
    const basic = run({
      service: {
        policy: rawxml(
          policyXml({
            inbound: `<validate-jwt header-name="Authorization" require-scheme="Basic">${SAMPLE_OPENID_CONFIG}</validate-jwt>`,
            backend: '<forward-request />',
          }),
        ),
      },
    });
    expect(violations(basic.outputs)[0]?.message).toContain("requires the scheme 'Basic'");
  });

  it('does not ask for a scheme when the token comes from another header or a query parameter', () => {
    const { outputs } = run({
      service: {
        policy: rawxml(
          policyXml({
            inbound: `<validate-jwt query-parameter-name="token">${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}</validate-jwt>`,
            backend: '<forward-request />',
          }),
        ),
      },
    });
    expect(outputs).toEqual([]);
  });

  describe('inline symmetric keys', () => {
    it('reports a symmetric key that replaces openid-config for Entra tokens, at the key', () => {
      const { outputs, inventory, text } = run(
        withJwt(
          '',
          '<issuer-signing-keys><key>{{colors-backend-key}}</key></issuer-signing-keys>' +
            SAMPLE_AUDIENCES +
            '<issuers><issuer>https://sts.windows.net/4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00/</issuer></issuers>',
        ),
      );
      const [v] = violations(outputs);
      expect(violations(outputs)).toHaveLength(1);
      expect(v?.message).toContain('accepts an inline symmetric signing key');
      expect(v?.message).toContain('instead of openid-config');
      expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<key>'));
    });

    it('reports a symmetric key next to openid-config (anyone with the key can mint tokens)', () => {
      const { outputs } = run(
        withJwt(
          '',
          `${SAMPLE_OPENID_CONFIG}<issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys>${SAMPLE_AUDIENCES}`,
        ),
      );
      expect(violations(outputs)[0]?.message).toContain('next to openid-config');
    });

    it('accepts certificate and RSA keys, and symmetric keys of a non-Entra issuer (fixture method-authorization)', () => {
      expect(
        run(
          withJwt(
            '',
            `${SAMPLE_OPENID_CONFIG}<issuer-signing-keys><key certificate-id="c1" /><key n="abc" e="AQAB" /></issuer-signing-keys>${SAMPLE_AUDIENCES}`,
          ),
        ).outputs,
      ).toEqual([]);
      const policy = fixturePolicy('method-authorization.xml');
      const { outputs } = run({
        service: { policy: rawxml(policy) },
        api: { properties: { authenticationSettings: null } },
      });
      // No Entra issuer anywhere: the shared key is how that issuer signs. Only the missing scheme is reported.
      expect(violations(outputs).map((v) => v.severity)).toEqual(['warning', 'warning', 'warning']);
      expect(violations(outputs).every((v) => v.message.includes('without require-scheme'))).toBe(true);
    });
  });

  it('reports an attribute taken from a secret named value as not evaluated', () => {
    const { outputs } = run({
      ...withJwt('require-expiration-time="{{colors-backend-key}}"'),
    });
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
      'sets require-expiration-time to named value {{colors-backend-key}} (secret)',
    );
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
