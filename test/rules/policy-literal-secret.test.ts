import rule from '../../rules/policy-literal-secret';
import { notEvaluatedOutputs, violations } from '../helpers/sample';
import { loadedRunnerFor, locationOf, policyXml, positionInJson, rawxml } from '../helpers/policies';

const run = loadedRunnerFor(rule);
const SIGNING_KEY = 'c2VjcmV0LXNpZ25pbmcta2V5';
const HEADER_KEY = '0123456789abcdef0123456789abcdef';

function apiPolicy(inbound: string) {
  return { api: { policy: rawxml(policyXml({ inbound: `<base />${inbound}` })) } };
}

function validateJwt(body: string): string {
  return `<validate-jwt header-name='Authorization'>${body}</validate-jwt>`;
}

describe('policy-literal-secret', () => {
  it('accepts the fixed sample', () => {
    expect(run({}).outputs).toEqual([]);
  });

  it('reports the literal backend key of the broken sample, at its <value>, redacted', () => {
    const { outputs, inventory, text } = run({}, {}, 'contoso');
    const found = violations(outputs);
    expect(found).toHaveLength(1);
    const [v] = found;
    expect(v?.entity.kind).toBe('api');
    expect(v?.entity.name).toBe('colors-api');
    expect(v?.severity).toBe('warning');
    expect(v?.message).toBe(
      "The API policy of 'colors-api' holds a literal value of header 'X-Backend-Key' in <set-header> " +
        '([redacted: 32 characters]); store it in a secret named value (or a named value backed by a Key Vault ' +
        'secret) and reference it as {{name}}.',
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<value>7f3c9a1e5b2d'));
  });

  it('reports a symmetric issuer signing key as an error at its <key>, without its value', () => {
    const { outputs, inventory, text } = run(
      apiPolicy(validateJwt(`<issuer-signing-keys><key>${SIGNING_KEY}</key></issuer-signing-keys>`)),
    );
    const [v, ...rest] = violations(outputs);
    expect(rest).toEqual([]);
    expect(v?.severity).toBe('error');
    expect(v?.message).toBe(
      "The API policy of 'colors-api' holds a literal issuer signing key in <issuer-signing-keys> " +
        '([redacted: 24 characters]); store it in a secret named value (or a named value backed by a Key Vault ' +
        'secret) and reference it as {{name}}.',
    );
    expect(v?.message).not.toContain(SIGNING_KEY);
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, `<key>${SIGNING_KEY}`));
  });

  it('reports decryption keys and basic-authentication passwords as errors; two keys are two findings', () => {
    const { outputs, inventory, text } = run(
      apiPolicy(
        validateJwt(
          '<decryption-keys><key>ZGVjcnlwdGlvbi1rZXktMQ==</key><key>ZGVjcnlwdGlvbi1rZXktMg==</key></decryption-keys>',
        ) + "<authentication-basic username='svc' password='hunter2-backend' />",
      ),
    );
    const found = violations(outputs);
    expect(found.map((v) => [v.severity, v.key])).toEqual([
      ['error', 'decryption-keys::0'],
      ['error', 'decryption-keys::1'],
      ['error', 'authentication-basic::0'],
    ]);
    expect(found[2]?.message).toContain(
      'a literal password in <authentication-basic> ([redacted: 15 characters])',
    );
    expect(locationOf(found[2]!, inventory)).toEqual(positionInJson(text, '<authentication-basic'));
    expect(found.map((v) => v.message).join('\n')).not.toMatch(/ZGVj|hunter2/);
  });

  it('reports credential headers and query parameters (set-header, check-header, set-query-parameter) as warnings', () => {
    const { outputs } = run(
      apiPolicy(
        `<set-header name='Ocp-Apim-Subscription-Key' exists-action='override'><value>${HEADER_KEY}</value></set-header>` +
          "<check-header name='Authorization' failed-check-httpcode='401' failed-check-error-message='no' ignore-case='false'>" +
          '<value>Bearer static-token-value</value></check-header>' +
          "<set-query-parameter name='api-key' exists-action='override'><value>qp-secret-1234</value></set-query-parameter>",
      ),
    );
    const found = violations(outputs);
    expect(found.map((v) => [v.severity, v.key])).toEqual([
      ['warning', 'set-header:ocp-apim-subscription-key:0'],
      ['warning', 'check-header:authorization:0'],
      ['warning', 'set-query-parameter:api-key:0'],
    ]);
    expect(found[1]?.message).toContain(
      "a literal value of header 'Authorization' in <check-header> ([redacted: 25 characters])",
    );
    expect(found[2]?.message).toContain(
      "a literal value of query parameter 'api-key' in <set-query-parameter>",
    );
  });

  it('does not report named-value references, expressions, certificate or RSA keys, or other headers', () => {
    const { outputs } = run(
      apiPolicy(
        validateJwt(
          "<issuer-signing-keys><key>{{signing-key}}</key><key certificate-id='jwt-cert' /><key n='0vx7agoebGc' e='AQAB' /></issuer-signing-keys>",
        ) +
          "<set-header name='Authorization' exists-action='override'><value>Bearer {{backend-token}}</value></set-header>" +
          "<set-header name='X-Api-Key' exists-action='override'><value>@(context.Variables.GetValueOrDefault<string>(\"k\"))</value></set-header>" +
          "<set-header name='Cache-Control' exists-action='override'><value>no-store</value></set-header>" +
          "<authentication-basic username='svc' password='{{backend-password}}' />",
      ),
    );
    expect(outputs).toEqual([]);
  });

  it('reports a secret in a policy fragment on the fragment', () => {
    const { outputs, inventory, text } = run({
      service: {
        policyFragments: [
          {
            name: 'backend-auth',
            properties: {
              format: 'rawxml',
              value: `<fragment><set-header name='x-functions-key' exists-action='override'><value>fn-key-0a1b2c3d</value></set-header></fragment>`,
            },
          },
        ],
      },
    });
    const [v] = violations(outputs);
    expect(v?.entity.kind).toBe('policyFragment');
    expect(v?.message).toContain(
      "Policy fragment 'backend-auth' holds a literal value of header 'x-functions-key'",
    );
    expect(locationOf(v!, inventory)).toEqual(positionInJson(text, '<value>fn-key-0a1b2c3d'));
  });

  it('reports a policy it cannot read as not evaluated', () => {
    const { outputs } = run({
      api: { policy: { format: 'rawxml-link', value: 'https://contoso.com/api.xml' } },
    });
    expect(violations(outputs)).toEqual([]);
    expect(notEvaluatedOutputs(outputs)[0]?.reason).toBe(
      "The API policy of 'colors-api' is given only as a link (https://contoso.com/api.xml), which cannot be read " +
        'offline; literal secrets in it are not checked.',
    );
  });
});
