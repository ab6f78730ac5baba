import rule from '../../rules/jwt-required-scope';
import { BACKEND_APP_ID, notEvaluatedOutputs, violations, type Overlay } from '../helpers/sample';
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

function jwt(claims: string): Overlay {
  return withGlobalValidateJwt(`${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}${claims}`);
}

const claim = (name: string, values: string[], attributes = 'match="any" separator=" "') =>
  `<required-claims><claim name="${name}" ${attributes}>${values.map((v) => `<value>${v}</value>`).join('')}</claim></required-claims>`;

const scope = (value: string, isEnabled = true) => ({
  id: `00000000-0000-0000-0000-${value.length.toString().padStart(12, '0')}`,
  value,
  type: 'User',
  isEnabled,
  adminConsentDisplayName: value,
  adminConsentDescription: value,
});

const run = loadedRunnerFor(rule);

describe('jwt-required-scope', () => {
  it('accepts the fixed sample (scp Colors.Read, bare, exposed, requested)', () => {
    expect(run({}).outputs).toEqual([]);
  });

  it('reports a scope written as the full api:// string, at the <value>', () => {
    const { outputs, inventory, text } = run(jwt(claim('scp', [`api://${BACKEND_APP_ID}/Colors.Read`])));
    expect(notEvaluatedOutputs(outputs)).toEqual([]);
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('apimService');
    expect(v?.message).toBe(
      `validate-jwt in the global policy of service 'contoso-apim' (API 'colors-api') requires scp ` +
        `'api://${BACKEND_APP_ID}/Colors.Read', but the scp claim carries bare values such as 'Colors.Read' (the ` +
        'resource part of a requested scope never appears in it), so every token fails with ' +
        'TokenClaimValueNotAllowed (401); use <value>Colors.Read</value>.',
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<value>api://'));
  });

  it('reports a scope the backend does not expose, naming what it exposes', () => {
    const found = violations(run(jwt(claim('scp', ['user_impersonation']))).outputs);
    const errors = found.filter((v) => v.severity === undefined);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(
      "requires scp 'user_impersonation', but backend app 'oauth-backend-app' exposes no scope 'user_impersonation' (it exposes 'Colors.Read')",
    );
  });

  it('reports a disabled scope and a scope spelled with another case', () => {
    const disabled = run({
      ...jwt(claim('scp', ['Colors.Read'])),
      backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read', false)] } },
    });
    expect(violations(disabled.outputs)[0]?.message).toContain(
      "scope 'Colors.Read' of backend app 'oauth-backend-app' is disabled",
    );
    const cased = violations(run(jwt(claim('scp', ['colors.read']))).outputs);
    expect(cased[0]?.message).toContain("exposes it as 'Colors.Read' and claim values are compared exactly");
  });

  it('warns when scp is checked without separator=" "', () => {
    const [v] = violations(run(jwt(claim('scp', ['Colors.Read'], 'match="any"'))).outputs);
    expect(v?.severity).toBe('warning');
    expect(v?.key).toBe('claim#0:separator');
    expect(v?.message).toContain('checks scp without separator=" "');
  });

  it('warns when neither scp nor roles is checked (fixture validate-jwt-tabs)', () => {
    const policy = fixturePolicy('validate-jwt-tabs.xml');
    const { outputs, inventory, text } = run({ api: { policy: rawxml(policy) } });
    const found = violations(outputs).filter((v) => v.key === 'validate-jwt#0:no-scope');
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe('warning');
    expect(found[0]?.entity.kind).toBe('api');
    expect(found[0]?.message).toContain('checks no scope (scp) or app role (roles)');
    expect(locationOf(found[0]!, inventory)).toEqual(positionInJson(text, '<validate-jwt'));
  });

  it('does not ask validate-azure-ad-token for a scope (client-application-ids restrict the callers)', () => {
    const { outputs } = run({
      service: {
        policy: rawxml(
          policyXml({
            inbound:
              '<validate-azure-ad-token tenant-id="{{tenant-id}}"><client-application-ids><application-id>c</application-id></client-application-ids></validate-azure-ad-token>',
          }),
        ),
      },
    });
    expect(outputs).toEqual([]);
  });

  it('checks roles for shape only', () => {
    expect(run(jwt(claim('roles', ['Colors.ReadAll'], 'match="any"'))).outputs).toEqual([]);
    const [v] = violations(
      run(jwt(claim('roles', [`api://${BACKEND_APP_ID}/Colors.ReadAll`], 'match="any"'))).outputs,
    );
    expect(v?.message).toContain('use <value>Colors.ReadAll</value>');
  });

  describe('scopes the authorization server requests', () => {
    const twoScopes: Overlay = {
      backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read'), scope('Colors.Write')] } },
    };

    it('warns when the server does not request the required scope', () => {
      const found = violations(run({ ...twoScopes, ...jwt(claim('scp', ['Colors.Write'])) }).outputs);
      expect(found).toHaveLength(1);
      expect(found[0]?.severity).toBe('warning');
      expect(found[0]?.message).toContain(
        "requires scp one of 'Colors.Write', but authorization server 'colors-oauth' requests only 'Colors.Read'",
      );
    });

    it('with match="all", warns when the server does not request every value', () => {
      const found = violations(
        run({
          ...twoScopes,
          ...jwt(claim('scp', ['Colors.Read', 'Colors.Write'], 'match="all" separator=" "')),
        }).outputs,
      );
      expect(found.map((v) => v.message)).toEqual([
        expect.stringContaining("requires scp all of 'Colors.Read', 'Colors.Write'"),
      ]);
    });

    it('does not judge a server that requests /.default', () => {
      const overlay: Overlay = {
        ...twoScopes,
        ...jwt(claim('scp', ['Colors.Write'])),
        authorizationServer: { properties: { defaultScope: `api://${BACKEND_APP_ID}/.default` } },
      };
      expect(run(overlay).outputs).toEqual([]);
    });
  });

  it('reports a value from a secret named value as not evaluated', () => {
    const { outputs } = run(jwt(claim('scp', ['{{colors-backend-key}}'])));
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toContain(
      'requires scp named value {{colors-backend-key}} (secret)',
    );
  });

  it('reports the scope comparison as not evaluated when the backend app is not in the data', () => {
    const { outputs } = run({
      authorizationServer: { properties: { defaultScope: 'api://someone-else/x' } },
    });
    expect(violations(outputs)).toEqual([]);
    const [n] = notEvaluatedOutputs(outputs);
    expect(n?.entity?.name).toBe('colors-oauth');
    expect(n?.reason).toContain('cannot be compared with the scopes it exposes');
  });
});
