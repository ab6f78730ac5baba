/**
 * The CLI end to end against the emulator serving the bundled sample tenant: the live scan finds what the
 * file scan finds, `snapshot` then `scan` equals the live scan, a read failure is a gap with exit 3, a bad
 * credential is one clear line with exit 2, and nothing secret is printed or written.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../../helpers/cli';
import { REPO_ROOT } from '../../helpers/sample';
import { CLIENT_SECRET, CONTOSO_FILE, CONTOSO_SERVICE_ID, startFixture, type LiveFixture } from './helpers';

interface Report {
  complete: boolean;
  findings: { ruleId: string; message: string; resource: { id: string } }[];
  notEvaluated: { ruleId: string; reason: string; resources: { id: string }[] }[];
  gaps: { source: string; what: string; reason: string }[];
}

const NOW = ['--now', '2026-11-25T12:00:00Z'];
const LIVE = ['--source', 'graph', '--source', `azure:${CONTOSO_SERVICE_ID}`];

let fixture: LiveFixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.emulator.close());
beforeEach(() => fixture.emulator.reset());

async function scan(sources: string[], env: Record<string, string> = fixture.env) {
  const run = await cli(['scan', ...sources, '--format', 'json', '--fail-on', 'none', ...NOW], { env });
  return { ...run, report: run.stdout ? (JSON.parse(run.stdout) as Report) : undefined };
}

const triples = (report: Report | undefined) =>
  (report?.findings ?? []).map((f) => [f.ruleId, f.resource.id, f.message].join(' | ')).sort();

let fileFindings: string[];
beforeAll(async () => {
  const file = await scan([path.join(REPO_ROOT, CONTOSO_FILE)]);
  fileFindings = triples(file.report);
  expect(fileFindings.length).toBeGreaterThan(10);
});

it('a live scan of the emulated sample tenant gives the findings of scanning the sample file', async () => {
  const live = await scan(LIVE);
  expect(live.stderr).toBe('');
  expect(live.code).toBe(0);
  expect(live.report?.complete).toBe(true);
  expect(triples(live.report)).toEqual(fileFindings);
  // The Entra side was read by appId (the apps APIM references), in one request.
  const graph = fixture.emulator.requests.filter((r) => r.url.startsWith('/v1.0/'));
  expect(graph.map((r) => r.url)).toEqual([
    expect.stringMatching(/^\/v1\.0\/applications\?\$filter=appId in \(/),
  ]);
});

it('snapshot then scan of the snapshot equals the live scan; the snapshot holds no secret', async () => {
  const out = path.join(fixture.dir, 'tenant.json');
  const snapshot = await cli(['snapshot', ...LIVE, '--output', out], { env: fixture.env });
  expect(snapshot.code).toBe(0);
  expect(snapshot.stderr).toMatch(/Wrote snapshot \(2 applications, 1 APIM services\)/);
  const text = readFileSync(out, 'utf8');
  const doc = JSON.parse(text) as { tenantId: string; cloud: string };
  expect(doc.tenantId).toBe('4f1e7a52-3c2b-4d8e-9a61-0b5c3d2e1f00');
  expect(doc.cloud).toBe('AzurePublic');
  expect(text).not.toContain(CLIENT_SECRET);
  expect(text).not.toMatch(/secretText|"origin"|access_token|eyJ/);
  const offline = await scan([out]);
  const live = await scan(LIVE);
  expect(triples(offline.report)).toEqual(triples(live.report));
  expect(triples(offline.report)).toEqual(fileFindings);
});

it('--verbose logs each request (method, path, status, duration) and never a token or secret', async () => {
  const run = await cli(['scan', ...LIVE, '--format', 'json', '--fail-on', 'none', '--verbose', ...NOW], {
    env: fixture.env,
  });
  expect(run.code).toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toContainEqual(
    expect.stringMatching(
      /^azure: GET \/subscriptions\/.*\/apis\/colors-api\/policies\/policy\?api-version=2024-05-01&format=rawxml 200 \d+ms$/,
    ),
  );
  expect(lines).toContainEqual(
    expect.stringMatching(/^graph: GET \/v1\.0\/applications\?\$filter=.* 200 \d+ms$/),
  );
  expect(lines).toContainEqual(
    expect.stringMatching(/^azure: POST \/4f1e7a52-.*\/oauth2\/v2\.0\/token.* 200 \d+ms$/),
  );
  expect(run.stderr).not.toContain(CLIENT_SECRET);
  expect(run.stderr).not.toMatch(/Bearer|eyJ|access_token|client_secret/);
});

it('403 on one API policy: exit 3, the gap named, other findings still reported', async () => {
  fixture.emulator.faults.push({
    match: /\/apis\/colors-api\/policies\/policy/,
    status: 403,
    body: { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization.' } },
  });
  const run = await cli(['scan', ...LIVE, '--format', 'json', ...NOW], { env: fixture.env });
  expect(run.code).toBe(3);
  const report = JSON.parse(run.stdout) as Report;
  expect(report.complete).toBe(false);
  expect(report.gaps).toEqual([
    {
      source: `azure:${CONTOSO_SERVICE_ID}`,
      what: `policy of API colors-api in service contoso-apim (${CONTOSO_SERVICE_ID}/apis/colors-api/policies/policy)`,
      reason: 'HTTP 403 Forbidden (AuthorizationFailed) (no read access)',
    },
  ]);
  // Findings that do not rest on that policy are still reported...
  const found = triples(report);
  const unaffected = fileFindings.filter((f) => !f.includes('/apis/colors-api'));
  expect(found).toEqual(expect.arrayContaining(unaffected));
  // ...none is made up from the policy that could not be read, and what rests on it is not evaluated.
  expect(found.filter((f) => !fileFindings.includes(f))).toEqual([]);
  expect(report.notEvaluated).toContainEqual(
    expect.objectContaining({
      reason: expect.stringContaining('not read: HTTP 403 Forbidden (AuthorizationFailed)'),
      resources: expect.arrayContaining([
        expect.objectContaining({ id: `${CONTOSO_SERVICE_ID}/apis/colors-api` }),
      ]),
    }),
  );
  const text = await cli(['scan', ...LIVE, ...NOW], { env: fixture.env });
  expect(text.code).toBe(3);
  expect(text.stdout).toContain('colors-api');
});

it('a rejected client secret: exit 2 and one line that names the credential and the fix', async () => {
  const run = await cli(['scan', ...LIVE, ...NOW], { env: { ...fixture.env, AZURE_CLIENT_SECRET: 'wrong' } });
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toBe(
    'apim-oauth-audit: Could not get a token for Azure Resource Manager with the environment service principal 5f0c2b7e-9d1a-4c3b-8e6f-2a1b0c9d8e7f (AZURE_CLIENT_ID + AZURE_CLIENT_SECRET): the client secret was rejected (AADSTS7000215, invalid client secret): set AZURE_CLIENT_SECRET to the value (not the id) of a current secret of the app registration.',
  );
});

it('an untrusted TLS certificate: exit 2 pointing at APIM_AUDIT_CA_FILE, no retries', async () => {
  const env = { ...fixture.env };
  delete env['APIM_AUDIT_CA_FILE'];
  const run = await cli(['scan', ...LIVE, ...NOW], { env });
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(
      /^apim-oauth-audit: Could not get a token for Azure Resource Manager with .*: 127\.0\.0\.1:\d+: TLS certificate not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\); behind a TLS-inspecting proxy, set APIM_AUDIT_CA_FILE to its CA certificate \(PEM\)\.$/,
    ),
  ]);
  // The handshake fails before any request reaches the emulator.
  expect(fixture.emulator.requests).toEqual([]);
});

it('no Graph permission: exit 2 naming Application.Read.All', async () => {
  fixture.emulator.faults.push({
    match: /^GET \/v1\.0\/applications/,
    status: 403,
    body: {
      error: {
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      },
    },
  });
  const run = await cli(['scan', '--source', 'graph', ...NOW], { env: fixture.env });
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(
    /^apim-oauth-audit: Microsoft Graph refused to list app registrations to the environment service principal .* \(HTTP 403 Forbidden \(Authorization_RequestDenied\)\): grant the service principal of app .* the Microsoft Graph permission Application\.Read\.All/,
  );
});

it('no role on the APIM scope: exit 2 naming the role', async () => {
  fixture.emulator.faults.push({
    match: /service\/contoso-apim\?/,
    status: 403,
    body: { error: { code: 'AuthorizationFailed', message: 'does not have authorization' } },
  });
  const run = await cli(['scan', '--source', `azure:${CONTOSO_SERVICE_ID}`, ...NOW], { env: fixture.env });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('assign the service principal of app');
  expect(run.stderr).toContain(
    'the role "API Management Service Reader Role" (or "Reader") on /subscriptions/',
  );
});

it('a subscription or resource group id reads every service below it', async () => {
  const sub = CONTOSO_SERVICE_ID.split('/').slice(0, 3).join('/');
  const rg = CONTOSO_SERVICE_ID.split('/').slice(0, 5).join('/');
  for (const scope of [sub, rg, sub.split('/')[2] ?? '']) {
    const run = await scan(['--source', 'graph', '--source', `azure:${scope}`]);
    expect(run.code).toBe(0);
    expect(triples(run.report)).toEqual(fileFindings);
  }
  const missing = await cli(
    ['scan', '--source', `azure:${rg}/providers/Microsoft.ApiManagement/service/nope`],
    {
      env: fixture.env,
    },
  );
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(
    /\/service\/nope was not found \(HTTP 404 Not Found \(ResourceNotFound\)\); check the id\.$/m,
  );
  const bad = await cli(['scan', '--source', 'azure:/subscriptions/not-a-guid'], { env: fixture.env });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/azure:<id> takes an API Management service resource id/);
});

it('shows progress on a terminal as one line rewritten in place, ended before the report; quiet otherwise', async () => {
  const out = path.join(fixture.dir, 'progress.json');
  const tty = await cli(['snapshot', ...LIVE, '--output', out], { env: fixture.env, stderrTty: true });
  expect(tty.code).toBe(0);
  const [progress, ...rest] = tty.stderr.split('\n');
  expect(progress).toMatch(/^\r.*: \d+\/\d+/);
  expect(progress?.split('\r').filter(Boolean).length).toBeGreaterThan(1);
  expect(rest.join('\n')).toMatch(/^Wrote snapshot/);
  const quiet = await cli(['snapshot', ...LIVE, '--output', out], { env: fixture.env });
  expect(quiet.stderr).not.toContain('\r');
});
