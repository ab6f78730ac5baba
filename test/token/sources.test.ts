/**
 * `token` through every source kind: the Colors scenario of examples/contoso as a snapshot, an APIOps folder, an
 * ARM template, a Terraform plan and the live `graph` + `azure:` sources (the emulator), each giving the same
 * diagnosis with the policy element located in that source's own file; and examples/apiops-real (named values,
 * a fragment, validate-azure-ad-token, a dropped <base />).
 */
import { cli } from '../helpers/cli';
import { BACKEND_APP_ID, TENANT_ID } from '../helpers/sample';
import { CONTOSO_SERVICE_ID, startFixture, type LiveFixture } from '../sources/live/helpers';
import {
  APIOPS_COLORS,
  APIOPS_COLORS_APPS,
  ARM_COLORS,
  ARM_COLORS_PARAMETERS,
} from '../sources/colors-fixtures';
import { at, mint } from './mint';

const NOW = '2026-12-03T12:00:00Z';
const CLIENT = '1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6';
const window = {
  iat: at('2026-12-03T11:30:00Z'),
  nbf: at('2026-12-03T11:30:00Z'),
  exp: at('2026-12-03T12:30:00Z'),
};

/** What the sample's backend (requestedAccessTokenVersion unset) really issues: a v1.0 token. */
const V1 = mint({
  aud: `api://${BACKEND_APP_ID}`,
  iss: `https://sts.windows.net/${TENANT_ID}/`,
  ver: '1.0',
  tid: TENANT_ID,
  scp: 'Colors.Read',
  appid: CLIENT,
  ...window,
});
const V2 = mint({
  aud: BACKEND_APP_ID,
  iss: `https://login.microsoftonline.com/${TENANT_ID}/v2.0`,
  ver: '2.0',
  tid: TENANT_ID,
  scp: 'Colors.Read',
  azp: CLIENT,
  ...window,
});

const KINDS: [kind: string, sources: string[], file: RegExp][] = [
  ['snapshot', ['snapshot:examples/contoso/snapshot.json'], /examples\/contoso\/snapshot\.json:\d+:\d+/],
  [
    'apiops',
    [`apiops:${APIOPS_COLORS}`, `snapshot:${APIOPS_COLORS_APPS}`],
    /fixtures\/colors\/policy\.xml:\d+:\d+/,
  ],
  ['arm', [`arm:${ARM_COLORS}#${ARM_COLORS_PARAMETERS}`], /arm\/fixtures\/colors\.json:\d+:\d+/],
  [
    'terraform',
    ['terraform:test/sources/terraform/fixtures/colors/plan.json'],
    /terraform\/fixtures\/colors\/modules\/apim\/policies\.tf:\d+:\d+/,
  ],
];

async function token(sources: string[], jwt: string, rest: string[] = [], env: Record<string, string> = {}) {
  const args = sources.flatMap((s) => ['--source', s]);
  return cli(['token', ...args, '--api', 'colors-api', '--now', NOW, '--no-config', ...rest, jwt], { env });
}

const failures = (stdout: string) =>
  [...stdout.matchAll(/(?:first failure|also fails): (\S+)/g)].map((m) => m[1]);

function expectColorsDiagnosis(
  v1: { code: number; stdout: string; stderr: string },
  v2: typeof v1,
  file: RegExp,
) {
  expect(v1.stderr).toBe('');
  expect(v1.code).toBe(1);
  expect(failures(v1.stdout)).toEqual(['IDX10214', 'IDX10205', 'TokenClaimValueNotAllowed']);
  expect(v1.stdout).toMatch(/set api\.requestedAccessTokenVersion to 2 on backend app 'oauth-backend-app'/);
  expect(v1.stdout).toMatch(
    new RegExp(
      `validate-jwt in the global policy of service '[^']+' \\([^)]*${file.source}\\): fails \\(401\\)`,
    ),
  );
  expect(v2.code).toBe(1);
  expect(failures(v2.stdout)).toEqual(['TokenClaimValueNotAllowed']);
  expect(v2.stdout).toMatch(/use <value>Colors\.Read<\/value>/);
}

describe.each(KINDS)('%s', (_kind, sources, file) => {
  it('v1.0 token: IDX10214, IDX10205 and the scp mismatch, with the Entra fix; v2.0: only scp', async () => {
    const v1 = await token(sources, V1, ['--method', 'GET', '--url', '/colors']);
    const v2 = await token(sources, V2, ['--operation', 'get-colors']);
    expectColorsDiagnosis(v1, v2, file);
  });

  it('get-random-color drops <base />: no validation runs, the token passes (exit 0)', async () => {
    const run = await token(sources, V1, ['--method', 'GET', '--url', '/colors/colors/random']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Operation: colors-api\/get-random-color/);
    expect(run.stdout).toMatch(/No validate-jwt or validate-azure-ad-token runs on this path/);
  });
});

describe('live: graph + azure:<service id> (the emulator)', () => {
  let fixture: LiveFixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.emulator.close());

  it('gives the diagnosis of the files; the policy is named by its resource (no file)', async () => {
    const sources = ['graph', `azure:${CONTOSO_SERVICE_ID}`];
    const v1 = await token(sources, V1, ['--operation', 'get-colors'], fixture.env);
    const v2 = await token(sources, V2, ['--operation', 'get-colors'], fixture.env);
    expect(v1.stderr).toBe('');
    expect(v1.code).toBe(1);
    expect(failures(v1.stdout)).toEqual(['IDX10214', 'IDX10205', 'TokenClaimValueNotAllowed']);
    expect(v1.stdout).toMatch(/validate-jwt in the global policy of service 'contoso-apim': fails \(401\)/);
    expect(failures(v2.stdout)).toEqual(['TokenClaimValueNotAllowed']);
    // The token went nowhere: the emulator saw only the reads of the sources.
    expect(fixture.emulator.requests.map((r) => `${r.url}`).join('\n')).not.toContain(V1.split('.')[1] ?? '');
  });
});

describe('examples/apiops-real', () => {
  const SOURCES = ['apiops:examples/apiops-real/apimartifacts', 'manifest:examples/apiops-real/entra'];
  const TENANT = '7d3c1f2e-5b4a-4c9d-8e7f-6a5b4c3d2e1f';
  const ORDERS = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98';
  const ordersToken = (extra: Record<string, unknown> = {}) =>
    mint({
      aud: ORDERS,
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      ver: '2.0',
      tid: TENANT,
      scp: 'Orders.Read',
      azp: '9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4',
      ...window,
      ...extra,
    });
  const run = (api: string, op: string, jwt: string) =>
    cli([
      'token',
      ...SOURCES.flatMap((s) => ['-s', s]),
      '--api',
      api,
      '--operation',
      op,
      '--now',
      NOW,
      '--no-config',
      jwt,
    ]);

  it('named values resolved: orders-api passes a v2.0 token; the fragment of catalog-api is located in its file', async () => {
    const orders = await run('orders-api', 'list-orders', ordersToken());
    expect(orders.stderr).toBe('');
    expect(orders.code).toBe(0);
    const catalog = await run('catalog-api', 'list-products', ordersToken({ scp: 'Other' }));
    expect(catalog.code).toBe(1);
    expect(catalog.stdout).toMatch(
      /validate-jwt in policy fragment 'entra-validation' \(included by the API policy of 'catalog-api'\) \(examples\/apiops-real\/apimartifacts\/policy fragments\/entra-validation\/policy\.xml:2:3\)/,
    );
  });

  it('validate-azure-ad-token (inventory-api) accepts its client, rejects another', async () => {
    expect((await run('inventory-api', 'list-items', ordersToken())).code).toBe(0);
    const other = await run(
      'inventory-api',
      'list-items',
      ordersToken({ azp: '99999999-9999-9999-9999-999999999999' }),
    );
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/client application not allowed/);
  });

  it('payments-api accepts only api://fabrikam-orders: IDX10214 for the v2.0 token of that app', async () => {
    const payments = await run('payments-api', 'create-payment', ordersToken());
    expect(payments.code).toBe(1);
    expect(failures(payments.stdout)).toEqual(['IDX10214']);
    expect(payments.stdout).toMatch(
      /backend app 'fabrikam-orders-api', in the other form: add <audience>3c2b1a09/,
    );
  });
});
