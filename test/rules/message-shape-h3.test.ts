/**
 * Findings people act on (issue 15): every violation of the policy, token-validation, redirect-URI and source rules
 * has a one-line message of at most MESSAGE_LIMIT characters, a detail (why it fails at runtime) and a fix (the one
 * step), over inputs that make each kind of violation of each rule fire. A policy edit replaces a range of its text.
 */
import apiValidateJwt from '../../rules/api-validate-jwt';
import jwtAudience from '../../rules/jwt-audience-matches-token-version';
import jwtIssuer from '../../rules/jwt-issuer-matches-token-version';
import jwtRequiredScope from '../../rules/jwt-required-scope';
import jwtValidationStrict from '../../rules/jwt-validation-strict';
import policyBaseInherited from '../../rules/policy-base-inherited';
import policyLiteralSecret from '../../rules/policy-literal-secret';
import policyParseError from '../../rules/policy-parse-error';
import redirectUriSafe from '../../rules/redirect-uri-safe';
import sourcesConsistent from '../../rules/sources-consistent';
import { MESSAGE_LIMIT, type AnyRule, type Violation } from '../../rules/support/contract';
import {
  BACKEND_APP_ID,
  clientRedirectUris,
  loadSampleDoc,
  applyOverlay,
  buildModel,
  runRule,
  TENANT_ID,
  violations,
  type Overlay,
} from '../helpers/sample';
import {
  fixturePolicy,
  loadWith,
  load,
  permissionScope,
  policyXml,
  rawxml,
  requiredClaims,
  SAMPLE_AUDIENCES,
  SAMPLE_OPENID_CONFIG,
  VALIDATE_JWT,
  withGlobalValidateJwt,
  withRandomColorPolicy,
} from '../helpers/policies';

const V1_ISSUER = `https://sts.windows.net/${TENANT_ID}/`;
const V1_METADATA = `https://login.microsoftonline.com/${TENANT_ID}/.well-known/openid-configuration`;
const V2_METADATA = `https://login.microsoftonline.com/${TENANT_ID}/v2.0/.well-known/openid-configuration`;
const V1_BACKEND: Overlay = { backendApp: { api: { requestedAccessTokenVersion: null } } };
const NO_VALIDATION = rawxml(policyXml({ inbound: '<cors />', backend: '<forward-request />' }));

const globalPolicy = (inbound: string): Overlay => ({
  service: { policy: rawxml(policyXml({ inbound, backend: '<forward-request />' })) },
});
const jwt = (attributes: string, body = `${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}`): Overlay =>
  withGlobalValidateJwt(body, ` ${attributes}`);
const withIssuers = (urls: string[], issuers: string[]): Overlay =>
  withGlobalValidateJwt(
    urls.map((u) => `<openid-config url="${u}" />`).join('') +
      SAMPLE_AUDIENCES +
      (issuers.length > 0
        ? `<issuers>${issuers.map((i) => `<issuer>${i}</issuer>`).join('')}</issuers>`
        : ''),
  );
const claim = (name: string, values: string[], attributes?: string) =>
  withGlobalValidateJwt(
    `${SAMPLE_OPENID_CONFIG}${SAMPLE_AUDIENCES}${requiredClaims(name, values, attributes)}`,
  );
const scope = permissionScope;
const product = (inbound: string) => ({
  name: 'colors-starter',
  properties: { displayName: 'Colors Starter', subscriptionRequired: true },
  apis: ['colors-api'],
  policy: rawxml(policyXml({ inbound })),
});
const IP_FILTER = '<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>';
const apiValidates = (validation: string): Overlay => ({
  service: { policy: NO_VALIDATION },
  api: {
    properties: { authenticationSettings: null },
    policy: rawxml(policyXml({ inbound: `<base />${validation}` })),
  },
});

/** Inputs (overlays of the fixed sample, or the broken sample) that make each kind of violation fire. */
const CASES: readonly [AnyRule, readonly (Overlay | 'contoso')[]][] = [
  [
    apiValidateJwt,
    [
      'contoso',
      withRandomColorPolicy(rawxml(policyXml({ inbound: '<rate-limit calls="5" renewal-period="60" />' }))),
      { service: { policy: NO_VALIDATION } },
      globalPolicy(
        `<choose><when condition="@(context.Request.Method != &quot;GET&quot;)">${VALIDATE_JWT}</when></choose>`,
      ),
      { service: { policy: NO_VALIDATION, products: [product(`<base />${VALIDATE_JWT}`)] } },
      { service: { products: [product('<quota calls="10" renewal-period="60" />')] } },
      {
        service: { policy: NO_VALIDATION },
        ...withRandomColorPolicy(
          rawxml(policyXml({ inbound: '<set-header name="X" exists-action="override" />' })),
        ),
      },
    ],
  ],
  [
    jwtAudience,
    [
      'contoso',
      withGlobalValidateJwt(
        `${SAMPLE_OPENID_CONFIG}<audiences><audience>api://${BACKEND_APP_ID}</audience></audiences>`,
      ),
      V1_BACKEND,
      withGlobalValidateJwt(SAMPLE_OPENID_CONFIG),
      apiValidates(
        `<validate-jwt header-name="Authorization">${SAMPLE_OPENID_CONFIG}<audiences><audience>00000003-0000-0000-c000-000000000000</audience></audiences></validate-jwt>`,
      ),
      { service: { policy: rawxml(fixturePolicy('validate-azure-ad-token.xml')) } },
    ],
  ],
  [
    jwtIssuer,
    [
      'contoso',
      V1_BACKEND,
      withIssuers([V1_METADATA], []),
      withIssuers([V2_METADATA], [V1_ISSUER]),
      { ...V1_BACKEND, ...withIssuers([V1_METADATA], [V1_ISSUER.replace(/\/$/, '')]) },
      withIssuers([V2_METADATA], [`https://login.microsoftonline.com/${TENANT_ID}/`]),
      {
        snapshot: { applications: null },
        ...apiValidates(
          `<validate-jwt header-name="Authorization"><openid-config url="${V2_METADATA}" />${SAMPLE_AUDIENCES}` +
            `<issuers><issuer>${V1_ISSUER}</issuer></issuers></validate-jwt>`,
        ),
      },
      globalPolicy(
        '<validate-azure-ad-token tenant-id="72f988bf-86f1-41af-91ab-2d7cd011db47"><client-application-ids><application-id>c</application-id></client-application-ids></validate-azure-ad-token>',
      ),
    ],
  ],
  [
    jwtRequiredScope,
    [
      'contoso',
      claim('scp', [`api://${BACKEND_APP_ID}/Colors.Read`]),
      claim('scp', ['user_impersonation']),
      {
        ...claim('scp', ['Colors.Read']),
        backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read', false)] } },
      },
      claim('scp', ['colors.read']),
      claim('scp', ['Colors.Read'], 'match="any"'),
      { api: { policy: rawxml(fixturePolicy('validate-jwt-tabs.xml')) } },
      {
        backendApp: { api: { oauth2PermissionScopes: [scope('Colors.Read'), scope('Colors.Write')] } },
        ...claim('scp', ['Colors.Write']),
      },
    ],
  ],
  [
    jwtValidationStrict,
    [
      jwt('require-signed-tokens="false"'),
      jwt('require-expiration-time="false"'),
      jwt('failed-validation-httpcode="403"'),
      globalPolicy(`<validate-jwt header-name="Authorization">${SAMPLE_OPENID_CONFIG}</validate-jwt>`),
      globalPolicy(
        `<validate-jwt header-name="Authorization" require-scheme="Basic">${SAMPLE_OPENID_CONFIG}</validate-jwt>`,
      ),
      jwt(
        '',
        `${SAMPLE_OPENID_CONFIG}<issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys>${SAMPLE_AUDIENCES}`,
      ),
      jwt(
        '',
        `<issuer-signing-keys><key>{{colors-backend-key}}</key></issuer-signing-keys>${SAMPLE_AUDIENCES}<issuers><issuer>${V1_ISSUER}</issuer></issuers>`,
      ),
    ],
  ],
  [
    policyBaseInherited,
    [
      {
        ...withRandomColorPolicy(rawxml(policyXml({ inbound: '<set-header name="X-Random" />' }))),
        ...globalPolicy(`${IP_FILTER}${VALIDATE_JWT}`),
      },
      {
        ...withRandomColorPolicy(rawxml(policyXml({ inbound: '<set-header name="X-Random" />' }))),
        ...globalPolicy(
          '<rate-limit-by-key calls="10" renewal-period="60" counter-key="@(context.Request.IpAddress)" />',
        ),
      },
    ],
  ],
  [
    policyLiteralSecret,
    [
      'contoso',
      {
        api: {
          policy: rawxml(
            policyXml({
              inbound:
                '<base /><validate-jwt header-name="Authorization"><issuer-signing-keys><key>c2VjcmV0LXNpZ25pbmcta2V5</key></issuer-signing-keys></validate-jwt>' +
                "<authentication-basic username='svc' password='hunter2hunter2!' />",
            }),
          ),
        },
      },
    ],
  ],
  [
    policyParseError,
    [
      'contoso',
      { api: { policy: rawxml(policyXml({ inbound: '<base /><include-fragment />' })) } },
      { api: { policy: rawxml('<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>') } },
      {
        service: {
          policyFragments: [
            {
              name: 'f0',
              properties: {
                format: 'rawxml',
                value: '<fragment><include-fragment fragment-id="f1" /></fragment>',
              },
            },
            {
              name: 'f1',
              properties: {
                format: 'rawxml',
                value: '<fragment><include-fragment fragment-id="f0" /></fragment>',
              },
            },
          ],
        },
      },
    ],
  ],
  [
    redirectUriSafe,
    [
      clientRedirectUris([
        'http://developer.contoso.com/cb',
        'https://*.contoso.com/cb',
        'developer.contoso.com/cb',
      ]),
      clientRedirectUris(
        [],
        ['msal1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6://auth', 'https://a.contoso.com/cb#x'],
        ['javascript:alert(1)'],
      ),
      clientRedirectUris([`http://developer.contoso.com/${'a'.repeat(400)}`]),
    ],
  ],
  [
    sourcesConsistent,
    [
      { secondSource: { clientApp: { web: { redirectUris: ['https://other.contoso.com/cb'] } } } },
      { secondSource: { api: { policy: rawxml(policyXml({ inbound: `<base />${IP_FILTER}` })) } } },
    ],
  ],
];

function violationsOf(rule: AnyRule, input: Overlay | 'contoso'): Violation[] {
  const model =
    input === 'contoso'
      ? load(loadSampleDoc('contoso')).model
      : 'secondSource' in input
        ? buildModel(applyOverlay(loadSampleDoc(), input))
        : loadWith(input).model;
  return violations(runRule(rule, model));
}

describe.each(CASES.map(([rule, inputs]) => [rule.id, rule, inputs] as const))(
  'message shape of %s',
  (_id, rule, inputs) => {
    const perInput = inputs.map((input) => violationsOf(rule, input));
    const found = perInput.flat();

    it('fires on each input (so the checks below check something)', () => {
      expect(perInput.map((v, i) => [i, v.length > 0])).toEqual(perInput.map((_, i) => [i, true]));
    });

    it('has one-line messages of at most MESSAGE_LIMIT characters', () => {
      const bad = found.filter((v) => v.message.length > MESSAGE_LIMIT || /[\r\n]/.test(v.message));
      expect(bad.map((v) => v.message)).toEqual([]);
    });

    it('has a detail (sentences, no line break) and a fix text on every violation', () => {
      const bad = found.filter(
        (v) => !v.detail?.trim() || /[\r\n]/.test(v.detail) || !v.fix?.text.trim() || !/[.)]$/.test(v.detail),
      );
      expect(bad.map((v) => v.message)).toEqual([]);
    });

    it('edits policy text only within a range of it', () => {
      const edits = found.flatMap((v) => (v.fix?.policy ? [v.fix.policy] : []));
      for (const edit of edits) {
        expect(edit.start).toBeGreaterThanOrEqual(0);
        expect(edit.end).toBeGreaterThanOrEqual(edit.start);
      }
    });
  },
);
