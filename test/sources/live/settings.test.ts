/**
 * The pure parts of the live sources: settings and clouds from config + environment, `azure:<id>` scopes,
 * Retry-After parsing, failure descriptions, credential selection and its one-line explanations.
 */
import { AuditError } from '../../../src/errors';
import { parseAzureScope } from '../../../src/sources/live/azure-scope';
import { createCredential, explainCredentialError } from '../../../src/sources/live/credentials';
import { describeFailure } from '../../../src/sources/live/failures';
import { resolveLiveSettings } from '../../../src/sources/live/settings';
import { Limiter, LiveTransport, retryAfterMs, TransportError } from '../../../src/sources/live/transport';
import { REPO_ROOT } from '../../helpers/sample';

const resolve = (env: Record<string, string> = {}, live = {}) => resolveLiveSettings(live, env, REPO_ROOT);

function auditError(run: () => unknown): AuditError {
  try {
    run();
  } catch (error) {
    if (error instanceof AuditError) return error;
    throw error;
  }
  throw new Error('expected an AuditError');
}

describe('settings', () => {
  it('defaults: public cloud, 8 requests at a time, 30 s timeout, 4 retries', () => {
    const s = resolve();
    expect(s.cloud).toEqual({
      name: 'AzurePublic',
      custom: false,
      authorityHost: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.com',
      resourceManagerEndpoint: 'https://management.azure.com',
      graphScope: 'https://graph.microsoft.com/.default',
      resourceManagerScope: 'https://management.azure.com/.default',
    });
    expect([s.concurrency, s.timeoutMs, s.maxRetries, s.includeAllRevisions]).toEqual([8, 30000, 4, false]);
  });

  it.each([
    [
      'AzureUSGovernment',
      'https://login.microsoftonline.us',
      'https://graph.microsoft.us',
      'https://management.usgovcloudapi.net',
    ],
    [
      'AzureChina',
      'https://login.partner.microsoftonline.cn',
      'https://microsoftgraph.chinacloudapi.cn',
      'https://management.chinacloudapi.cn',
    ],
  ])('sovereign cloud %s from config or environment', (name, login, graph, arm) => {
    for (const s of [resolve({}, { cloud: name }), resolve({ APIM_AUDIT_CLOUD: name })]) {
      expect(s.cloud).toMatchObject({
        name,
        authorityHost: login,
        graphEndpoint: graph,
        resourceManagerEndpoint: arm,
      });
      expect(s.cloud.graphScope).toBe(`${graph}/.default`);
    }
  });

  it('a custom cloud from config: its endpoints and token scopes', () => {
    const s = resolve(
      {},
      {
        cloud: {
          authorityHost: 'https://login.example.test/',
          graphEndpoint: 'https://graph.example.test',
          resourceManagerEndpoint: 'https://arm.example.test',
        },
      },
    );
    expect(s.cloud).toEqual({
      name: 'Custom',
      custom: true,
      authorityHost: 'https://login.example.test',
      graphEndpoint: 'https://graph.example.test',
      resourceManagerEndpoint: 'https://arm.example.test',
      graphScope: 'https://graph.example.test/.default',
      resourceManagerScope: 'https://arm.example.test/.default',
    });
  });

  it('environment endpoints override the config; a named cloud keeps its identity and scopes', () => {
    const env = {
      APIM_AUDIT_AUTHORITY_HOST: 'https://127.0.0.1:8443',
      APIM_AUDIT_GRAPH_ENDPOINT: 'https://127.0.0.1:8443',
      APIM_AUDIT_ARM_ENDPOINT: 'https://127.0.0.1:8443',
      APIM_AUDIT_CLOUD: 'AzurePublic',
    };
    const s = resolve(env, { cloud: 'AzureChina' });
    expect(s.cloud).toMatchObject({
      name: 'AzurePublic',
      custom: true,
      graphEndpoint: 'https://127.0.0.1:8443',
      graphScope: 'https://graph.microsoft.com/.default',
      resourceManagerScope: 'https://management.azure.com/.default',
    });
    const scoped = resolve({
      ...env,
      APIM_AUDIT_GRAPH_SCOPE: 'api://graph/.default',
      APIM_AUDIT_ARM_SCOPE: 'api://arm/.default',
    });
    expect([scoped.cloud.graphScope, scoped.cloud.resourceManagerScope]).toEqual([
      'api://graph/.default',
      'api://arm/.default',
    ]);
  });

  it('environment overrides of tenant, client, limits', () => {
    const s = resolve(
      {
        APIM_AUDIT_TENANT_ID: 'contoso.onmicrosoft.com',
        APIM_AUDIT_CLIENT_ID: 'mi',
        APIM_AUDIT_CONCURRENCY: '3',
        APIM_AUDIT_TIMEOUT_SECONDS: '2.5',
        APIM_AUDIT_MAX_RETRIES: '0',
      },
      { tenantId: 'other', concurrency: 16, includeAllRevisions: true },
    );
    expect([s.tenantId, s.clientId, s.concurrency, s.timeoutMs, s.maxRetries, s.includeAllRevisions]).toEqual(
      ['contoso.onmicrosoft.com', 'mi', 3, 2500, 0, true],
    );
  });

  it.each([
    [{ APIM_AUDIT_CONCURRENCY: 'lots' }, 'APIM_AUDIT_CONCURRENCY=lots: must be an integer from 1 to 64.'],
    [
      { APIM_AUDIT_TIMEOUT_SECONDS: '0' },
      'APIM_AUDIT_TIMEOUT_SECONDS=0: must be a number from 0.001 to 600.',
    ],
    [
      { APIM_AUDIT_CLOUD: 'AzureGermany' },
      /^APIM_AUDIT_CLOUD=AzureGermany: must be one of AzurePublic, AzureUSGovernment, AzureChina/,
    ],
    [
      { APIM_AUDIT_GRAPH_ENDPOINT: 'https://graph.example.test' },
      'A custom cloud needs all three endpoints: APIM_AUDIT_GRAPH_ENDPOINT is set but APIM_AUDIT_AUTHORITY_HOST, APIM_AUDIT_ARM_ENDPOINT are not.',
    ],
    [
      {
        APIM_AUDIT_AUTHORITY_HOST: 'http://login.test',
        APIM_AUDIT_GRAPH_ENDPOINT: 'https://g.test',
        APIM_AUDIT_ARM_ENDPOINT: 'https://a.test',
      },
      "APIM_AUDIT_AUTHORITY_HOST: 'http://login.test' must be an https:// URL (the SDKs refuse tokens over http).",
    ],
    [{ APIM_AUDIT_CA_FILE: 'no/such/file.pem' }, /^APIM_AUDIT_CA_FILE=no\/such\/file\.pem: ENOENT/],
    [{ APIM_AUDIT_CA_FILE: 'package.json' }, 'APIM_AUDIT_CA_FILE=package.json: no PEM certificate in it'],
  ])('rejects %j (exit 2)', (env, message) => {
    const error = auditError(() => resolve(env));
    expect(error.code).toBe('config-invalid');
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });
});

describe('azure:<id>', () => {
  const sub = '2b7e0c5d-1f3a-4e6b-9d8c-5a4b3c2d1e0f';
  it.each([
    [sub, { kind: 'subscription', subscriptionId: sub }],
    [`/subscriptions/${sub}/`, { kind: 'subscription', subscriptionId: sub }],
    [`/subscriptions/${sub}/resourcegroups/rg-1`, { kind: 'resourceGroup', resourceGroup: 'rg-1' }],
    [
      `/subscriptions/${sub}/resourceGroups/rg-1/providers/microsoft.apimanagement/service/apim-1`,
      { kind: 'service', resourceGroup: 'rg-1', serviceName: 'apim-1' },
    ],
  ])('%s', (id, expected) => {
    expect(parseAzureScope(id, `azure:${id}`)).toMatchObject(expected);
  });

  it.each([
    '',
    'contoso',
    '/subscriptions/xyz',
    `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Web/sites/x`,
  ])('rejects %j', (id) => {
    expect(auditError(() => parseAzureScope(id, `azure:${id}`)).message).toMatch(
      /^Source 'azure:.*': azure:<id> takes an API Management service resource id/,
    );
  });
});

describe('transport pieces', () => {
  it('Retry-After: seconds, HTTP date, ms variants, capped at 5 minutes', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': '0' })).toBe(0);
    expect(retryAfterMs({ 'retry-after': '7' })).toBe(7000);
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' })).toBe(250);
    expect(retryAfterMs({ 'x-ms-retry-after-ms': '40' })).toBe(40);
    expect(retryAfterMs({ 'retry-after': '86400' })).toBe(300_000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });

  it('the limiter runs at most n tasks at once, in order', async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        limiter.run(async () => {
          active++;
          most = Math.max(most, active);
          order.push(n);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
  });

  it('describes failures of every SDK shape', () => {
    const rest = Object.assign(new Error('denied'), {
      name: 'RestError',
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    expect(describeFailure(rest, 5).reason).toBe('HTTP 403 Forbidden (AuthorizationFailed)');
    const busy = Object.assign(new Error('busy'), { name: 'RestError', statusCode: 503 });
    expect(describeFailure(busy, 5).reason).toBe('HTTP 503 Service Unavailable after 5 attempts');
    const graph = Object.assign(new Error(''), {
      name: 'GraphError',
      statusCode: -1,
      body: 'LiveTransportError: timed out after 1 s (3 attempts)',
    });
    expect(describeFailure(graph, 3)).toMatchObject({
      status: undefined,
      reason: 'timed out after 1 s (3 attempts)',
    });
    expect(
      describeFailure(
        new TransportError('connection failed (ECONNRESET: socket hang up) (2 attempts)', 'network', 2),
        2,
      ).reason,
    ).toBe('connection failed (ECONNRESET: socket hang up) (2 attempts)');
  });
});

describe('credentials', () => {
  const settings = resolve();
  const noHttp = new LiveTransport({ ...settings, concurrency: 1 }, () => undefined);
  const described = (env: Record<string, string>) => createCredential(settings, env, noHttp).describe;

  it('picks the environment service principal, certificate, workload identity, else DefaultAzureCredential', () => {
    const base = { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'app' };
    expect(described({ ...base, AZURE_CLIENT_SECRET: 's' })).toBe(
      'the environment service principal app (AZURE_CLIENT_ID + AZURE_CLIENT_SECRET)',
    );
    expect(described({ ...base, AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem' })).toBe(
      'the environment service principal app (AZURE_CLIENT_ID + AZURE_CLIENT_CERTIFICATE_PATH)',
    );
    expect(described({ ...base, AZURE_FEDERATED_TOKEN_FILE: '/token' })).toBe(
      'workload identity app (AZURE_FEDERATED_TOKEN_FILE)',
    );
    const github = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://github.test/idtoken',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'r',
    };
    expect(described({ ...base, ...github })).toBe(
      'GitHub Actions OIDC federated with app app (AZURE_CLIENT_ID + id-token: write)',
    );
    // Without AZURE_CLIENT_ID the job's azure/login session (Azure CLI) is used, through DefaultAzureCredential.
    expect(described(github)).toMatch(/^DefaultAzureCredential/);
    expect(described({})).toBe(
      'DefaultAzureCredential (managed identity, Azure CLI, Azure PowerShell, Azure Developer CLI)',
    );
  });

  it('a service principal needs a tenant', () => {
    const error = auditError(() =>
      createCredential(settings, { AZURE_CLIENT_ID: 'a', AZURE_CLIENT_SECRET: 's' }, noHttp),
    );
    expect(error.code).toBe('credential-failed');
    expect(error.message).toMatch(/^AZURE_CLIENT_SECRET is set but AZURE_TENANT_ID is not/);
  });

  it('explains failures in one line with what to do', () => {
    const credential = createCredential(settings, {}, noHttp);
    const unavailable = Object.assign(new Error('ChainedTokenCredential authentication failed.'), {
      name: 'AggregateAuthenticationError',
      errors: [
        Object.assign(new Error('Azure CLI could not be found. Please visit https://aka.ms/azure-cli'), {
          name: 'CredentialUnavailableError',
        }),
      ],
    });
    const line = explainCredentialError(unavailable, credential, 'Microsoft Graph');
    expect(line).toBe(
      'Could not get a token for Microsoft Graph with DefaultAzureCredential (managed identity, Azure CLI, Azure PowerShell, Azure Developer CLI): no credential is available. Run `az login` (with --tenant <tenant>), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or run where a managed identity is assigned.',
    );
    expect(line).not.toContain('\n');
    const federated = new Error(
      'invalid_client: AADSTS70021: No matching federated identity record found for presented assertion.',
    );
    expect(explainCredentialError(federated, credential, 'Azure Resource Manager')).toMatch(
      /: no federated identity credential matches the presented token \(AADSTS70021\): add one for this workflow/,
    );
    const tenant = new Error('AADSTS90002: Tenant contoso.example not found.');
    expect(explainCredentialError(tenant, credential, 'x')).toMatch(
      /the tenant was not found \(AADSTS90002\)/,
    );
  });
});
