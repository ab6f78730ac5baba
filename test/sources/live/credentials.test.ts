/**
 * Federated credentials against the emulator: GitHub Actions OIDC (a fresh GitHub ID token per Entra token)
 * and workload identity (a token file), with the real identity SDK; and what a refused one says.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../../helpers/cli';
import {
  CONTOSO_SERVICE_ID,
  FEDERATED_ID,
  GITHUB_REQUEST_TOKEN,
  GITHUB_SUBJECT,
  startFixture,
  type LiveFixture,
} from './helpers';

let fixture: LiveFixture;
let noSecret: Record<string, string>;
beforeAll(async () => {
  fixture = await startFixture();
  noSecret = { ...fixture.env, AZURE_CLIENT_ID: FEDERATED_ID };
  delete noSecret['AZURE_CLIENT_SECRET'];
});
afterAll(() => fixture.emulator.close());
beforeEach(() => fixture.emulator.reset());

const LIVE = [
  '--source',
  'graph',
  '--source',
  `azure:${CONTOSO_SERVICE_ID}`,
  '--fail-on',
  'none',
  '--now',
  '2026-11-25T12:00:00Z',
];

function assertion(subject: string): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none' })}.${part({ sub: subject, aud: 'api://AzureADTokenExchange', exp: now + 600 })}.x`;
}

it('GitHub Actions OIDC: asks GitHub for an ID token per Entra token, never logs the request token', async () => {
  const env = {
    ...noSecret,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${fixture.emulator.url}/_github/idtoken?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: GITHUB_REQUEST_TOKEN,
  };
  const run = await cli(['scan', ...LIVE, '--verbose'], { env });
  expect(run.code).toBe(0);
  const github = fixture.emulator.requests.filter((r) => r.url.startsWith('/_github/'));
  // One per Entra token at least (two sources, two audiences); MSAL may ask for the assertion more than once.
  expect(github.length).toBeGreaterThanOrEqual(2);
  expect(new Set(github.map((r) => r.url))).toEqual(
    new Set(['/_github/idtoken?api-version=2.0&audience=api://AzureADTokenExchange']),
  );
  expect(run.stderr).not.toContain(GITHUB_REQUEST_TOKEN);
});

it('a federated subject that does not match: exit 2, what to fix', async () => {
  const file = path.join(fixture.dir, 'wrong-subject.jwt');
  writeFileSync(file, assertion('repo:contoso/other:ref:refs/heads/main'));
  const run = await cli(['scan', ...LIVE], { env: { ...noSecret, AZURE_FEDERATED_TOKEN_FILE: file } });
  expect(run.code).toBe(2);
  expect(run.stderr.trim()).toBe(
    `apim-oauth-audit: Could not get a token for Azure Resource Manager with workload identity ${FEDERATED_ID} (AZURE_FEDERATED_TOKEN_FILE): no federated identity credential matches the presented token (AADSTS70021): add one for this workflow (issuer and subject) to the app registration.`,
  );
});

it('workload identity: a federated token file', async () => {
  const file = path.join(fixture.dir, 'token.jwt');
  writeFileSync(file, assertion(GITHUB_SUBJECT));
  const run = await cli(['scan', ...LIVE], { env: { ...noSecret, AZURE_FEDERATED_TOKEN_FILE: file } });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
});
