/**
 * Issue 9 §2 on real source shapes: an APIOps folder without a service name (the name is unknown, see
 * src/sources/apiops/) leaves only what rests on the developer-portal host not evaluated. Minimal inputs of
 * this suite: one hand-written authorization server, and two app registrations in a snapshot.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { audit } from '../../src/audit';
import type { AuditResult } from '../../src/engine/types';
import { makeTempDir } from '../helpers/temp';

const TENANT = '11111111-2222-4333-8444-555555555555';
const CLIENT = 'c1c1c1c1-0000-4000-8000-000000000001';
const BACKEND = 'b2b2b2b2-0000-4000-8000-000000000002';
const SCOPE_ID = '5c5c5c5c-0000-4000-8000-000000000003';
const NOW = new Date('2026-06-01T00:00:00Z');

function server(name: string) {
  return {
    properties: {
      displayName: name,
      authorizationEndpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`,
      tokenEndpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
      grantTypes: ['authorizationCode'],
      authorizationMethods: ['GET'],
      defaultScope: `api://${BACKEND}/Data.Read`,
      clientId: CLIENT,
    },
  };
}

/**
 * Backend: v1 tokens and no App ID URI. Client: an expired secret, no permission on the backend, and the given
 * web and spa redirect URIs.
 */
function apps(web: string[], spa: string[] = []) {
  return {
    kind: 'apim-oauth-audit/snapshot',
    version: 1,
    tenantId: TENANT,
    applications: [
      {
        id: 'a0000000-0000-4000-8000-00000000000b',
        appId: BACKEND,
        displayName: 'data-api',
        identifierUris: [],
        api: {
          requestedAccessTokenVersion: null,
          oauth2PermissionScopes: [{ id: SCOPE_ID, value: 'Data.Read', type: 'User', isEnabled: true }],
        },
      },
      {
        id: 'a0000000-0000-4000-8000-00000000000c',
        appId: CLIENT,
        displayName: 'portal-client',
        web: { redirectUris: web },
        spa: { redirectUris: spa },
        passwordCredentials: [
          { keyId: 'k0000000-0000-4000-8000-000000000001', endDateTime: '2026-01-01T00:00:00Z' },
        ],
        requiredResourceAccess: [],
      },
    ],
  };
}

/** An APIOps folder without serviceInformation.json and without #<name>: the service's name is unknown. */
async function scan(serverName: string, web: string[], spa: string[] = []): Promise<AuditResult> {
  const dir = makeTempDir('evidence');
  const write = (file: string, value: unknown) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), JSON.stringify(value, null, 2));
  };
  write(`apim/authorizationServers/${serverName}/authorizationServerInformation.json`, server(serverName));
  write('apps.json', apps(web, spa));
  const { result } = await audit({ cwd: dir, sources: ['apiops:apim', 'snapshot:apps.json'], now: NOW });
  return result;
}

const ruleIds = (result: AuditResult) => [...new Set(result.findings.map((f) => f.ruleId))].sort();
const notEvaluated = (result: AuditResult, ruleId: string) =>
  result.notEvaluated.filter((n) => n.ruleId === ruleId).map((n) => n.reason);
const messages = (result: AuditResult, ruleId: string) =>
  result.findings.filter((f) => f.ruleId === ruleId).map((f) => f.message);

const CODE_PATH = '/signin-oauth/code/callback/entra-auth';

describe('an APIOps folder without a service name', () => {
  it('still evaluates the rules that need no portal host', async () => {
    const result = await scan('entra-auth', [`https://portal.example.com${CODE_PATH}`]);
    for (const id of [
      'client-secret-expiry',
      'app-access-token-version',
      'backend-scope-exposed',
      'client-api-permission',
    ]) {
      expect({ id, found: ruleIds(result).includes(id), notEvaluated: notEvaluated(result, id) }).toEqual({
        id,
        found: true,
        notEvaluated: [],
      });
    }
  });

  it('client-redirect-uri-matches-portal: a code callback under spa and none under web is on the wrong platform', async () => {
    const result = await scan('entra-auth', [], [`https://portal.example.com${CODE_PATH}`]);
    expect(messages(result, 'client-redirect-uri-matches-portal')).toEqual([
      expect.stringMatching(
        /registers https:\/\/<developer portal host>\/signin-oauth\/code\/callback\/entra-auth .*under spa; expected web\./,
      ),
    ]);
  });

  it('client-redirect-uri-matches-portal: a server name in the wrong letter case is a near miss', async () => {
    const result = await scan('Entra-Auth', [
      'https://portal.example.com/signin-oauth/code/callback/Entra-Auth',
    ]);
    expect(messages(result, 'client-redirect-uri-matches-portal')).toEqual([
      expect.stringMatching(
        /registers https:\/\/portal\.example\.com\/signin-oauth\/code\/callback\/Entra-Auth; expected .*\/callback\/entra-auth\.$/,
      ),
    ]);
  });

  it('client-redirect-uri-matches-portal: no callback with the path at all is missing, whatever the host', async () => {
    const result = await scan('entra-auth', ['https://portal.example.com/other']);
    expect(messages(result, 'client-redirect-uri-matches-portal')).toEqual([
      expect.stringMatching(
        /lacks the authorization code callback https:\/\/<developer portal host>\/signin-oauth\/code\/callback\/entra-auth under web/,
      ),
    ]);
  });

  it('client-redirect-uri-matches-portal: the right path under web passes, leaving only the host comparison not evaluated', async () => {
    const result = await scan('entra-auth', [`https://portal.example.com${CODE_PATH}`]);
    expect(messages(result, 'client-redirect-uri-matches-portal')).toEqual([]);
    expect(notEvaluated(result, 'client-redirect-uri-matches-portal')).toEqual([
      expect.stringMatching(
        /^Not fully evaluated: name of apimService 'apim' .*the service name is not given/,
      ),
    ]);
  });
});
