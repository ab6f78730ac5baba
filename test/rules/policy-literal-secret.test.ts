import rule from '../../rules/policy-literal-secret';
import { RuleTester } from '../../src';
import { AT, loadSampleDoc, sampleInput, TEST_NOW, violations, type Overlay } from '../helpers/sample';
import { loadedRunnerFor, policyXml, positionInInput, rawxml } from '../helpers/policies';

const run = loadedRunnerFor(rule);
const SIGNING_KEY = 'c2VjcmV0LXNpZ25pbmcta2V5';
const HEADER_KEY = '0123456789abcdef0123456789abcdef';

function apiPolicy(inbound: string) {
  return { api: { policy: rawxml(policyXml({ inbound: `<base />${inbound}` })) } };
}

function validateJwt(body: string): string {
  return `<validate-jwt header-name='Authorization'>${body}</validate-jwt>`;
}

const SIGNING = apiPolicy(
  validateJwt(`<issuer-signing-keys><key>${SIGNING_KEY}</key></issuer-signing-keys>`),
);
const DECRYPTION_AND_BASIC = apiPolicy(
  validateJwt(
    '<decryption-keys><key>ZGVjcnlwdGlvbi1rZXktMQ==</key><key>ZGVjcnlwdGlvbi1rZXktMg==</key></decryption-keys>',
  ) + "<authentication-basic username='svc' password='hunter2-backend' />",
);
const CREDENTIAL_HEADERS = apiPolicy(
  `<set-header name='Ocp-Apim-Subscription-Key' exists-action='override'><value>${HEADER_KEY}</value></set-header>` +
    "<check-header name='Authorization' failed-check-httpcode='401' failed-check-error-message='no' ignore-case='false'>" +
    '<value>Bearer static-token-value</value></check-header>' +
    "<set-query-parameter name='api-key' exists-action='override'><value>qp-secret-1234</value></set-query-parameter>",
);
const FRAGMENT: Overlay = {
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
};
const API_POLICY = `${AT.api}/policy/value`;
/** No message shows the secrets themselves. */
const hiding = (pattern: string) => new RegExp(`^(?!.*(ZGVj|hunter2|${SIGNING_KEY}))${pattern}`);

const broken = loadSampleDoc('contoso');
const signing = sampleInput(SIGNING);
const decryption = sampleInput(DECRYPTION_AND_BASIC);
const fragment = sampleInput(FRAGMENT);

new RuleTester({ now: TEST_NOW }).run(rule, {
  valid: [
    { name: 'the fixed sample', input: sampleInput() },
    {
      name: 'named-value references, expressions, certificate or RSA keys, and other headers',
      input: sampleInput(
        apiPolicy(
          validateJwt(
            "<issuer-signing-keys><key>{{signing-key}}</key><key certificate-id='jwt-cert' /><key n='0vx7agoebGc' e='AQAB' /></issuer-signing-keys>",
          ) +
            "<set-header name='Authorization' exists-action='override'><value>Bearer {{backend-token}}</value></set-header>" +
            "<set-header name='X-Api-Key' exists-action='override'><value>@(context.Variables.GetValueOrDefault<string>(\"k\"))</value></set-header>" +
            "<set-header name='Cache-Control' exists-action='override'><value>no-store</value></set-header>" +
            "<authentication-basic username='svc' password='{{backend-password}}' />",
        ),
      ),
    },
    {
      name: 'a policy it cannot read, not evaluated',
      input: sampleInput({
        api: { policy: { format: 'rawxml-link', value: 'https://contoso.com/api.xml' } },
      }),
      notEvaluated: [
        "The API policy of 'colors-api' is given only as a link (https://contoso.com/api.xml), which cannot be read " +
          'offline; literal secrets in it are not checked.',
      ],
    },
  ],
  invalid: [
    {
      name: 'the literal backend key of the broken sample, at its <value>, redacted',
      input: broken,
      errors: [
        {
          path: `${AT.api}/policy/value`,
          ...positionInInput(broken, '<value>7f3c9a1e5b2d'),
          severity: 'warning',
          resource: 'colors-api',
          message:
            "The API policy of 'colors-api' holds a literal value of header 'X-Backend-Key' in <set-header> " +
            '([redacted: 32 characters]); expected a {{named value}} reference',
        },
      ],
    },
    {
      name: 'a symmetric issuer signing key, as an error at its <key>, without its value',
      input: signing,
      errors: [
        {
          path: API_POLICY,
          ...positionInInput(signing, `<key>${SIGNING_KEY}`),
          severity: 'error',
          message:
            "The API policy of 'colors-api' holds a literal issuer signing key in <issuer-signing-keys> " +
            '([redacted: 24 characters]); expected a {{named value}} reference',
        },
      ],
    },
    {
      name: 'decryption keys and basic-authentication passwords as errors; two keys are two findings',
      input: decryption,
      errors: [
        {
          ...positionInInput(decryption, '<key>ZGVjcnlwdGlvbi1rZXktMQ'),
          severity: 'error',
          message: hiding('.*a literal token decryption key in <decryption-keys>'),
        },
        {
          ...positionInInput(decryption, '<key>ZGVjcnlwdGlvbi1rZXktMg'),
          severity: 'error',
          message: hiding('.*a literal token decryption key in <decryption-keys>'),
        },
        {
          ...positionInInput(decryption, '<authentication-basic'),
          severity: 'error',
          message: hiding(
            '.*a literal password in <authentication-basic> \\(\\[redacted: 15 characters\\]\\)',
          ),
        },
      ],
    },
    {
      name: 'credential headers and query parameters (set-header, check-header, set-query-parameter), as warnings',
      input: sampleInput(CREDENTIAL_HEADERS),
      errors: [
        {
          path: API_POLICY,
          severity: 'warning',
          message: /a literal value of header 'Ocp-Apim-Subscription-Key' in <set-header>/,
        },
        {
          path: API_POLICY,
          severity: 'warning',
          message:
            /a literal value of header 'Authorization' in <check-header> \(\[redacted: 25 characters\]\)/,
        },
        {
          path: API_POLICY,
          severity: 'warning',
          message: /a literal value of query parameter 'api-key' in <set-query-parameter>/,
        },
      ],
    },
    {
      name: 'a secret in a policy fragment, on the fragment',
      input: fragment,
      errors: [
        {
          path: `${AT.service}/policyFragments/0/properties/value`,
          ...positionInInput(fragment, '<value>fn-key-0a1b2c3d'),
          resource: 'backend-auth',
          message: /^Policy fragment 'backend-auth' holds a literal value of header 'x-functions-key'/,
        },
      ],
    },
  ],
});

describe('policy-literal-secret', () => {
  // The key tells findings in one policy apart (fingerprints); the RuleTester does not see it.
  it.each([
    [
      'decryption keys and a password',
      DECRYPTION_AND_BASIC,
      ['decryption-keys::0', 'decryption-keys::1', 'authentication-basic::0'],
    ],
    [
      'credential headers and query parameters',
      CREDENTIAL_HEADERS,
      [
        'set-header:ocp-apim-subscription-key:0',
        'check-header:authorization:0',
        'set-query-parameter:api-key:0',
      ],
    ],
  ] as [string, Overlay, string[]][])('keys the findings of %s', (_name, overlay, keys) => {
    expect(violations(run(overlay).outputs).map((v) => v.key)).toEqual(keys);
  });

  it.each([
    ['a signing key', SIGNING, 'mint tokens that this validation accepts'],
    ['a decryption key', DECRYPTION_AND_BASIC, 'decrypt the encrypted tokens this validation reads'],
    ['a credential header', CREDENTIAL_HEADERS, 'call what the credential opens'],
  ] as [string, Overlay, string][])(
    'says what reading %s allows and where to store it, never the value',
    (_name, overlay, allows) => {
      const [v] = violations(run(overlay).outputs);
      expect(v?.detail).toMatch(/^Policy text is not a secret store/);
      expect(v?.detail).toContain(allows);
      expect(v?.fix?.text).toMatch(/^Store the value in a secret named value/);
      expect(v?.fix?.policy).toBeUndefined();
      expect(v?.fix?.property).toBeUndefined();
      expect(`${v?.message} ${v?.detail} ${v?.fix?.text}`).not.toMatch(
        new RegExp(`${SIGNING_KEY}|ZGVj|hunter2|0a1b2c3d`),
      );
    },
  );

  it('reports a secret in a policy fragment on the fragment entity', () => {
    const [v] = violations(run(FRAGMENT).outputs);
    expect(v?.entity.kind).toBe('policyFragment');
  });
});
