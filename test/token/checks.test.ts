/**
 * `token`: each check of the gateway, with v1.0 and v2.0 tokens minted here (alg none, or HS256 with a throwaway
 * key), against the fixed sample with its global inbound policy replaced (test/token/helpers.ts). Exit 0 when the
 * token passes, 1 when rejected, 3 when something the checks need is unknown.
 */
import { at } from './mint';
import {
  BACKEND_APP_ID,
  CLIENT_APP_ID,
  runToken,
  TENANT_ID,
  V1_CONFIG,
  V2_CONFIG,
  V2_ISSUER,
  v1Claims,
  v2Claims,
  validateJwt,
} from './helpers';

const V2_POLICY = validateJwt(
  `      <openid-config url="${V2_CONFIG}" />
      <audiences><audience>${BACKEND_APP_ID}</audience></audiences>
      <required-claims>
        <claim name="scp" match="any" separator=" "><value>Colors.Read</value></claim>
      </required-claims>`,
);

const firstFailure = (stdout: string) => /first failure: ([^\n]*)/.exec(stdout)?.[1] ?? '';

describe('a consistent v2.0 policy', () => {
  it('passes a v2.0 token (unsigned and HS256 alike) and says the signature is not verified', async () => {
    for (const alg of ['none', 'HS256'] as const) {
      const run = await runToken({ inbound: V2_POLICY }, v2Claims(), [], { alg });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /signature is not verified, nothing is sent over the network and no key is fetched/,
      );
      expect(run.stdout).toMatch(/Verdict: the token passes every check/);
      expect(run.stdout).toContain('aud: 6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d');
    }
  });

  it('rejects a v1.0 token: audience (IDX10214) first, issuer (IDX10205) too, with the Entra fix', async () => {
    const run = await runToken({ inbound: V2_POLICY, backendVersion: null }, v1Claims());
    expect(run.code).toBe(1);
    expect(firstFailure(run.stdout)).toMatch(/^IDX10214 \(TokenAudienceNotAllowed\): aud 'api:\/\/6a5b/);
    expect(run.stdout).toMatch(
      /also fails: IDX10205 \(TokenIssuerNotAllowed\): iss 'https:\/\/sts\.windows\.net\//,
    );
    expect(run.stdout).toMatch(/openid-config\)/);
    expect(run.stdout).toMatch(
      /set api\.requestedAccessTokenVersion to 2 on backend app 'oauth-backend-app'/,
    );
    // file:line of the validate-jwt in the snapshot that holds it
    expect(run.stdout).toMatch(
      /validate-jwt in the global policy of service 'contoso-apim' \(.*snapshot\.json:\d+:\d+\): fails \(401\)/,
    );
  });
});

describe('issuers', () => {
  it('a v1.0 openid-config publishes the v1.0 issuer: a v1.0 token passes, a v2.0 token fails IDX10205', async () => {
    const policy = validateJwt(
      `      <openid-config url="${V1_CONFIG}" />
      <audiences><audience>api://${BACKEND_APP_ID}</audience><audience>${BACKEND_APP_ID}</audience></audiences>`,
    );
    expect((await runToken({ inbound: policy, backendVersion: null }, v1Claims())).code).toBe(0);
    const v2 = await runToken({ inbound: policy }, v2Claims());
    expect(v2.code).toBe(1);
    expect(firstFailure(v2.stdout)).toContain(`IDX10205 (TokenIssuerNotAllowed): iss '${V2_ISSUER}'`);
    expect(v2.stdout).toMatch(/The backend issues v2\.0 tokens/);
  });

  it('explicit <issuers> of another tenant: IDX10205 naming both tenants', async () => {
    const other = '11111111-2222-3333-4444-555555555555';
    const policy = validateJwt(
      `      <issuers><issuer>https://login.microsoftonline.com/${other}/v2.0</issuer></issuers>`,
    );
    const run = await runToken({ inbound: policy }, v2Claims());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(`token is from tenant ${TENANT_ID}, and the validation accepts tenant ${other}`),
    );
  });

  it('a multi-tenant openid-config is undecided offline (exit 3)', async () => {
    const policy = validateJwt(
      `      <openid-config url="https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration" />`,
    );
    const run = await runToken({ inbound: policy }, v2Claims());
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/undecided \(issuer\): .*multi-tenant metadata/);
  });

  it('an issuer in a secret named value is undecided (exit 3) and names it', async () => {
    const policy = validateJwt(`      <issuers><issuer>{{issuer-secret}}</issuer></issuers>`);
    const run = await runToken(
      { inbound: policy, namedValues: [{ name: 'issuer-secret', secret: true }] },
      v2Claims(),
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/named value 'issuer-secret' is not known offline/);
    expect(run.stdout).toMatch(/Verdict: undecided/);
  });
});

describe('audiences', () => {
  it('v2.0: the GUID passes, an api:// audience alone fails IDX10214; v1.0: the reverse', async () => {
    const guid = validateJwt(`      <audiences><audience>${BACKEND_APP_ID}</audience></audiences>`);
    const uri = validateJwt(`      <audiences><audience>api://${BACKEND_APP_ID}</audience></audiences>`);
    expect((await runToken({ inbound: guid }, v2Claims())).code).toBe(0);
    expect((await runToken({ inbound: uri, backendVersion: null }, v1Claims())).code).toBe(0);
    const v2 = await runToken({ inbound: uri }, v2Claims());
    expect(v2.code).toBe(1);
    expect(v2.stdout).toMatch(/add <audience>6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d<\/audience>, its appId/);
    const v1 = await runToken({ inbound: guid, backendVersion: null }, v1Claims());
    expect(v1.code).toBe(1);
    expect(firstFailure(v1.stdout)).toMatch(/^IDX10214/);
  });

  it('a Microsoft Graph token: aud of Graph, and its nonce header fails the signature (IDX10511)', async () => {
    const guid = validateJwt(`      <audiences><audience>${BACKEND_APP_ID}</audience></audiences>`);
    const run = await runToken(
      { inbound: guid },
      v2Claims({ aud: '00000003-0000-0000-c000-000000000000' }),
      [],
      { header: { nonce: 'abc' } },
    );
    expect(run.code).toBe(1);
    expect(firstFailure(run.stdout)).toMatch(/^IDX10511/);
    expect(run.stdout).toMatch(/The token is for Microsoft Graph/);
  });
});

describe('lifetime', () => {
  it('expired: IDX10223; within clock-skew: passes', async () => {
    const expired = v2Claims({ exp: at('2026-12-03T11:58:00Z') });
    const strict = await runToken({ inbound: V2_POLICY }, expired);
    expect(strict.code).toBe(1);
    expect(firstFailure(strict.stdout)).toMatch(
      /^IDX10223 \(TokenExpired\): the token expired: exp 2026-12-03T11:58:00.000Z, at 2026-12-03T12:00:00.000Z/,
    );
    const skewed = V2_POLICY.replace('require-scheme="Bearer"', 'require-scheme="Bearer" clock-skew="300"');
    expect((await runToken({ inbound: skewed }, expired)).code).toBe(0);
  });

  it('not yet valid: IDX10222; --now moves the clock', async () => {
    const future = v1Claims({ nbf: at('2026-12-03T12:10:00Z') });
    const policy = validateJwt(`      <audiences><audience>api://${BACKEND_APP_ID}</audience></audiences>`);
    const run = await runToken({ inbound: policy, backendVersion: null }, future);
    expect(run.code).toBe(1);
    expect(firstFailure(run.stdout)).toMatch(/^IDX10222/);
    expect(
      (await runToken({ inbound: policy, backendVersion: null }, future, ['--now', '2026-12-03T12:15:00Z']))
        .code,
    ).toBe(0);
  });

  it('no exp: fails unless require-expiration-time="false"', async () => {
    const claims = v2Claims();
    delete claims['exp'];
    expect((await runToken({ inbound: V2_POLICY }, claims)).stdout).toMatch(/first failure: IDX10225/);
    const lax = V2_POLICY.replace(
      'require-scheme="Bearer"',
      'require-scheme="Bearer" require-expiration-time="false"',
    );
    expect((await runToken({ inbound: lax }, claims)).code).toBe(0);
  });
});

describe('required claims', () => {
  const claimPolicy = (claim: string) => validateJwt(`      <required-claims>${claim}</required-claims>`);

  it('scp with match="any" and a separator: passes on one scope, fails on a full scope URI with the bare-value fix', async () => {
    const any = claimPolicy(
      '<claim name="scp" match="any" separator=" "><value>Colors.Write</value><value>Colors.Read</value></claim>',
    );
    expect((await runToken({ inbound: any }, v2Claims({ scp: 'Colors.Read Other.Scope' }))).code).toBe(0);
    const full = claimPolicy(
      `<claim name="scp" match="any" separator=" "><value>api://${BACKEND_APP_ID}/Colors.Read</value></claim>`,
    );
    const run = await runToken({ inbound: full }, v1Claims());
    expect(run.code).toBe(1);
    expect(firstFailure(run.stdout)).toMatch(/^TokenClaimValueNotAllowed/);
    expect(run.stdout).toMatch(/use <value>Colors\.Read<\/value>/);
  });

  it('match="all": every value must be there (separator splits the claim)', async () => {
    const all = claimPolicy(
      '<claim name="scp" match="all" separator=" "><value>Colors.Read</value><value>Colors.Write</value></claim>',
    );
    expect((await runToken({ inbound: all }, v2Claims({ scp: 'Colors.Write Colors.Read' }))).code).toBe(0);
    expect((await runToken({ inbound: all }, v2Claims({ scp: 'Colors.Read' }))).code).toBe(1);
    // Without the separator the claim is one value, which equals neither.
    const unsplit = all.replace(' separator=" "', '');
    expect((await runToken({ inbound: unsplit }, v2Claims({ scp: 'Colors.Write Colors.Read' }))).code).toBe(
      1,
    );
  });

  it('scp on an app-only token: TokenClaimNotFound, it carries roles', async () => {
    const run = await runToken(
      { inbound: claimPolicy('<claim name="scp"><value>Colors.Read</value></claim>') },
      v2Claims({ scp: undefined, roles: ['Colors.Reader'] }),
    );
    expect(run.code).toBe(1);
    expect(firstFailure(run.stdout)).toMatch(/^TokenClaimNotFound.*no scp claim/);
    expect(run.stdout).toMatch(/app-only/);
  });

  it('azp on a v1.0 token: TokenClaimNotFound, v1.0 tokens carry appid; client ids checked through azp (v2.0)', async () => {
    const azp = claimPolicy(`<claim name="azp"><value>${CLIENT_APP_ID}</value></claim>`);
    expect((await runToken({ inbound: azp }, v2Claims())).code).toBe(0);
    const v1 = await runToken({ inbound: azp, backendVersion: null }, v1Claims());
    expect(v1.code).toBe(1);
    expect(v1.stdout).toMatch(/v1\.0 tokens carry the client id as appid/);
    const other = await runToken({ inbound: azp }, v2Claims({ azp: '99999999-9999-9999-9999-999999999999' }));
    expect(firstFailure(other.stdout)).toMatch(/^TokenClaimValueNotAllowed.*azp '99999999/);
  });

  it('a claim outside the named ones is named, its value never shown', async () => {
    const groups = claimPolicy('<claim name="groups" match="any"><value>admins</value></claim>');
    const run = await runToken({ inbound: groups }, v2Claims({ groups: ['private-group-value'] }));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/a groups claim \(value not shown\)/);
    expect(run.stdout).not.toContain('private-group-value');
  });
});

describe('header and scheme', () => {
  it('the validation reads another header: TokenNotPresent; --header sends the token there', async () => {
    const policy = validateJwt(
      `      <audiences><audience>${BACKEND_APP_ID}</audience></audiences>`,
      'header-name="X-Token"',
    );
    const run = await runToken({ inbound: policy }, v2Claims());
    expect(run.code).toBe(1);
    expect(firstFailure(run.stdout)).toMatch(
      /^TokenNotPresent \("JWT not present\."\): it reads the token from the X-Token header/,
    );
    expect((await runToken({ inbound: policy }, v2Claims(), ['--header', 'X-Token'])).code).toBe(0);
  });

  it('a query parameter: TokenNotPresent; another scheme: rejected', async () => {
    const query = validateJwt('', 'query-parameter-name="access_token"');
    expect(firstFailure((await runToken({ inbound: query }, v2Claims())).stdout)).toMatch(
      /query parameter 'access_token'/,
    );
    const scheme = validateJwt('', 'header-name="Authorization" require-scheme="JWT"');
    expect(firstFailure((await runToken({ inbound: scheme }, v2Claims())).stdout)).toMatch(
      /require-scheme is 'JWT'/,
    );
  });

  it('check-header on Authorization with fixed values: no token passes', async () => {
    const policy = `    <check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="Not allowed"><value>Bearer abc</value></check-header>\n${V2_POLICY}`;
    const run = await runToken({ inbound: policy }, v2Claims());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1\. check-header in the global policy.*: fails \(401\)/);
  });

  it('a set-header replacing Authorization before the validation makes it undecided', async () => {
    const policy = `    <set-header name="Authorization" exists-action="override"><value>Bearer x</value></set-header>\n${V2_POLICY}`;
    const run = await runToken({ inbound: policy }, v2Claims());
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(
      /<set-header> in the global policy of service 'contoso-apim' at .*snapshot\.json:\d+ replaces the Authorization header/,
    );
  });
});

describe('validate-azure-ad-token', () => {
  const ad = (clients: string, extra = '') =>
    `    <validate-azure-ad-token tenant-id="${TENANT_ID}">
      <client-application-ids>${clients}</client-application-ids>
      <backend-application-ids><application-id>${BACKEND_APP_ID}</application-id></backend-application-ids>${extra}
    </validate-azure-ad-token>`;

  it('accepts v2.0 (azp) and v1.0 (appid, v1.0 issuer) tokens of an allowed client of its tenant', async () => {
    const policy = ad(`<application-id>${CLIENT_APP_ID}</application-id>`);
    expect((await runToken({ inbound: policy }, v2Claims())).code).toBe(0);
    expect((await runToken({ inbound: policy }, v1Claims({ aud: BACKEND_APP_ID }))).code).toBe(0);
  });

  it('another client: rejected, naming the client-application-ids', async () => {
    const run = await runToken(
      { inbound: ad('<application-id>99999999-9999-9999-9999-999999999999</application-id>') },
      v2Claims(),
    );
    expect(run.code).toBe(1);
    expect(firstFailure(run.stdout)).toMatch(/client application not allowed.*azp '1d2e3f4a/);
    expect(run.stdout).toMatch(/\(client app 'oauth-client-app'\)/);
  });

  it('a token of another tenant: IDX10205', async () => {
    const run = await runToken(
      { inbound: ad(`<application-id>${CLIENT_APP_ID}</application-id>`) },
      v2Claims({ iss: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0' }),
    );
    expect(firstFailure(run.stdout)).toMatch(/^IDX10205.*is not an issuer of tenant-id/);
  });
});

describe('<choose>', () => {
  const when = (condition: string) =>
    `    <choose>\n      <when condition="${condition}">\n${V2_POLICY}\n      </when>\n    </choose>`;

  it('decides a condition on the method: a POST-only validation does not run for GET', async () => {
    const run = await runToken(
      { inbound: when('@(context.Request.Method == &quot;POST&quot;)') },
      v1Claims(),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/No validate-jwt or validate-azure-ad-token runs on this path/);
    const get = await runToken(
      { inbound: when('@(context.Request.Method == &quot;GET&quot; &amp;&amp; true)') },
      v1Claims(),
    );
    expect(get.code).toBe(1);
  });

  it('decides a condition on a token claim read with AsJwt()', async () => {
    const condition =
      '@(context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;,&quot;&quot;).AsJwt()?.Claims.GetValueOrDefault(&quot;ver&quot;,&quot;&quot;) == &quot;2.0&quot;)';
    expect((await runToken({ inbound: when(condition) }, v1Claims())).code).toBe(0);
    expect((await runToken({ inbound: when(condition) }, v2Claims())).code).toBe(0);
    expect((await runToken({ inbound: when(condition) }, v2Claims({ scp: 'Other' }))).code).toBe(1);
  });

  it('a condition it cannot decide is reported as undecided (exit 3)', async () => {
    const run = await runToken(
      { inbound: when('@(context.Request.IpAddress.StartsWith(&quot;10.&quot;))') },
      v2Claims(),
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/choose in the global policy.*: undecided/);
    expect(run.stdout).toMatch(/cannot be decided from the request and the token/);
  });
});

describe('call paths and operations', () => {
  it('finds the operation by method and URL, with or without the API path; --product picks a call path', async () => {
    const { writeScenario } = await import('./helpers');
    const { cli } = await import('../helpers/cli');
    const { mint } = await import('./mint');
    const file = writeScenario({ inbound: V2_POLICY });
    const token = mint(v2Claims());
    for (const url of ['/colors', '/colors/colors', `https://contoso-apim.azure-api.net/colors/colors?x=1`]) {
      const run = await cli([
        'token',
        '-s',
        `snapshot:${file}`,
        '--api',
        'colors-api',
        '--method',
        'GET',
        '--url',
        url,
        '--now',
        '2026-12-03T12:00:00Z',
        '--no-config',
        token,
      ]);
      expect({ url, code: run.code, op: /Operation: (\S+)/.exec(run.stdout)?.[1] }).toEqual({
        url,
        code: 0,
        op: 'colors-api/get-colors',
      });
    }
    const random = await cli([
      'token',
      '-s',
      `snapshot:${file}`,
      '--api',
      'colors-api',
      '--method',
      'GET',
      '--url',
      '/colors/random',
      '--now',
      '2026-12-03T12:00:00Z',
      '--no-config',
      token,
    ]);
    expect(random.stdout).toContain('Operation: colors-api/get-random-color');
    const none = await cli([
      'token',
      '-s',
      `snapshot:${file}`,
      '--api',
      'colors-api',
      '--method',
      'DELETE',
      '--url',
      '/colors',
      '--no-config',
      token,
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /no operation of API 'colors-api' matches DELETE \/colors \(operations: GET \/colors, GET \/colors\/random\)/,
    );
    const product = await cli([
      'token',
      '-s',
      `snapshot:${file}`,
      '--api',
      'colors-api',
      '--operation',
      'get-colors',
      '--product',
      'nope',
      '--no-config',
      token,
    ]);
    expect(product.code).toBe(2);
    expect(product.stderr).toMatch(/no call path .* for product 'nope'/);
  });
});

describe('values known only at run time', () => {
  it('an audience that is a policy expression is undecided (exit 3), with the reason', async () => {
    const policy = validateJwt(
      `      <audiences><audience>@(context.Variables.GetValueOrDefault&lt;string&gt;("aud"))</audience></audiences>`,
    );
    const run = await runToken({ inbound: policy }, v2Claims());
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/undecided \(audience\): .*a policy expression decides it at run time/);
  });
});

describe('literal secrets of the policies', () => {
  it('are redacted from the output, as in every report of scan', async () => {
    const secret = 'Zk4v9Qm2Lr8Tx1Wp';
    const policy = `    <set-header name="x-api-key" exists-action="override"><value>${secret}</value></set-header>
${validateJwt(`      <required-claims><claim name="scp"><value>${secret}</value></claim></required-claims>`)}`;
    const run = await runToken({ inbound: policy }, v2Claims());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/TokenClaimValueNotAllowed/);
    expect(run.stdout).not.toContain(secret);
  });
});

describe('token version', () => {
  it('a v1.0 token for a backend the data says issues v2.0 tokens: get a new token', async () => {
    const run = await runToken({ inbound: V2_POLICY }, v1Claims({ aud: BACKEND_APP_ID }));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /Backend app 'oauth-backend-app' issues v2\.0 tokens \(api\.requestedAccessTokenVersion 2\), and this token is v1\.0: it was issued before that setting changed/,
    );
  });
});
