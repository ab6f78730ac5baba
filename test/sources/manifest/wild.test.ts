/**
 * App manifests as public repositories hold them (domain reference §11): Teams Toolkit / Microsoft 365 Agents
 * Toolkit `aad.manifest.json` files that mix legacy and Microsoft Graph keys and carry `${{VAR}}` placeholders,
 * pipeline token placeholders, manifests contradicting themselves, malformed values.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { InventoryApplication } from '../../../src/inventory/types';
import { loadManifests, parseManifestText } from '../../../src/sources/manifest';
import { placeholderReason } from '../../../src/util/placeholders';
import { loadSampleDoc, REPO_ROOT } from '../../helpers/sample';
import { auditErrorOf, auditFindings, scanJson, scratchDir, textAt } from '../iac-helpers';

const WILD = 'test/sources/manifest/fixtures/wild';
const TEAMS = `${WILD}/aad.manifest.json`;
const CONTRADICTING = `${WILD}/contradicting.json`;

const load = (location: string) =>
  loadManifests(path.join(REPO_ROOT, location), `manifest:${location}`, REPO_ROOT);

function only<T>(list: readonly T[]): T {
  expect(list).toHaveLength(1);
  return list[0] as T;
}

/** The problems of a manifest text, or a failure when it loads. */
function problemsOf(text: string, file = 'app.json'): string[] {
  const result = parseManifestText(text, file);
  if (!('problems' in result)) throw new Error('expected problems');
  return result.problems;
}

function appOf(text: string): InventoryApplication {
  const result = parseManifestText(text, 'app.json');
  if ('problems' in result) throw new Error(result.problems.join('\n'));
  return only(result.applications);
}

describe('Teams Toolkit aad.manifest.json: legacy keys mixed with Graph keys, ${{VAR}} placeholders', () => {
  it('loads: an app with an unknown appId, placeholders carried as unknown values, URIs kept as written and marked', () => {
    const inventory = load(TEAMS);
    const app = only(inventory.applications);
    expect(inventory.conflicts).toEqual([]);
    expect(app.appId).toBeUndefined();
    expect(app.id).toBeUndefined();
    expect(app.origin.graphObjectId).toBeUndefined();
    // URIs holding placeholders are kept as written, each marked, so that their known text can be judged.
    expect(app.identifierUris).toEqual(['api://${{TAB_DOMAIN}}/${{AAD_APP_CLIENT_ID}}']);
    expect(app.displayName).toBeUndefined();
    expect(app.web?.redirectUris).toEqual(['${{TAB_ENDPOINT}}/auth-end.html']);
    expect(app.origin.placeholders).toEqual({
      'identifierUris/0':
        'placeholders ${{TAB_DOMAIN}}, ${{AAD_APP_CLIENT_ID}} are substituted at provision time',
      'web/redirectUris/0': 'placeholder ${{TAB_ENDPOINT}} is substituted at provision time',
    });
    expect(app.api?.oauth2PermissionScopes?.[0]).not.toHaveProperty('id');
    expect(app.api?.preAuthorizedApplications?.[0]).toEqual({
      appId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
    });
    expect(app.origin.unknown).toEqual({
      id: 'placeholder ${{AAD_APP_OBJECT_ID}} is substituted at provision time',
      appId: 'placeholder ${{AAD_APP_CLIENT_ID}} is substituted at provision time',
      displayName: 'placeholder ${{APP_NAME_SUFFIX}} is substituted at provision time',
      'api/oauth2PermissionScopes/0/id':
        'placeholder ${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}} is substituted at provision time',
      'api/preAuthorizedApplications/0/delegatedPermissionIds':
        'placeholder ${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}} is substituted at provision time',
    });
    const elsewhere = { ...app, identifierUris: undefined, web: undefined, origin: undefined };
    expect(JSON.stringify(elsewhere)).not.toContain('${{');
  });

  it('reads each key by its format: legacy values at their legacy keys, Graph values at theirs', () => {
    const app = only(load(TEAMS).applications);
    // Legacy keys, translated.
    expect(app.api?.requestedAccessTokenVersion).toBe(2);
    expect(app.api?.oauth2PermissionScopes?.[0]?.value).toBe('access_as_user');
    expect(app.origin.paths?.['api/oauth2PermissionScopes/0/value']).toBe('/oauth2Permissions/0/value');
    expect(app.origin.paths?.['web/redirectUris']).toBe('/replyUrlsWithType');
    // Graph keys, where they are; the Spa entry of replyUrlsWithType says the same.
    expect(app.spa?.redirectUris).toEqual(['https://orders.example.com/blank-auth-end.html']);
    expect(app.origin.paths?.['spa/redirectUris']).toBeUndefined();
    expect(app.requiredResourceAccess?.[0]?.resourceAppId).toBe('00000003-0000-0000-c000-000000000000');
  });

  it('two projects with the same ${{AAD_APP_CLIENT_ID}} are two apps, never matched to each other', async () => {
    const dir = scratchDir();
    try {
      const projects = path.join(dir.dir, 'projects');
      for (const project of ['tab', 'bot']) {
        mkdirSync(path.join(projects, project), { recursive: true });
        copyFileSync(path.join(REPO_ROOT, TEAMS), path.join(projects, project, 'aad.manifest.json'));
      }
      const inventory = loadManifests(projects, 'manifest:projects', dir.dir);
      expect(inventory.applications).toHaveLength(2);
      // And with an APIM side whose servers name real client ids: no crash, no match, nothing judged on a guess.
      const doc = loadSampleDoc('contoso');
      delete doc.applications;
      const apim = path.join(dir.dir, 'apim.snapshot.json');
      writeFileSync(apim, JSON.stringify(doc, null, 2));
      const { code, report } = await scanJson([`manifest:${projects}`, `snapshot:${apim}`]);
      expect(code).toBe(0);
      expect(report.findings.filter((f) => f.ruleId === 'sources-consistent')).toEqual([]);
      expect(report.findings.filter((f) => f.resource.kind === 'application')).toEqual([]);
      expect(report.notEvaluated.map((n) => n.reason).join('\n')).toMatch(
        /appId of application .* \(placeholder \$\{\{AAD_APP_CLIENT_ID\}\} is substituted at provision time\)/,
      );
    } finally {
      dir.cleanup();
    }
  });

  it('is detected as a manifest from a bare path and scanned without an error', async () => {
    const { code, stderr } = await scanJson([TEAMS]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('a mixed manifest that contradicts itself', () => {
  it('is a sources-consistent finding naming both keys, not an exit 2; the Graph key is kept', async () => {
    const inventory = load(CONTRADICTING);
    expect(inventory.conflicts?.map((c) => c.path)).toEqual([
      'api/requestedAccessTokenVersion',
      'web/redirectUris',
    ]);
    const { code, report } = await scanJson([`manifest:${CONTRADICTING}`]);
    expect(code).toBe(0);
    const drift = report.findings.filter((f) => f.ruleId === 'sources-consistent');
    const found = await auditFindings([`manifest:${CONTRADICTING}`], 'sources-consistent');
    expect(drift).toHaveLength(2);
    const version = drift.find((f) => f.message.includes('api/requestedAccessTokenVersion'));
    expect(version?.location).toEqual({ file: CONTRADICTING, line: 14, column: 36 });
    const uris = drift.find((f) => f.message.includes('web/redirectUris'));
    // Both keys and where each is written, in the findings' detail.
    const [versionDetail, urisDetail] = ['api/requestedAccessTokenVersion', 'web/redirectUris'].map(
      (p) => found.find((f) => f.message.includes(p))?.detail ?? '',
    );
    expect(versionDetail).toContain(`${CONTRADICTING}:14:36`);
    expect(versionDetail).toContain(`${CONTRADICTING}:4:33`);
    expect(versionDetail).toMatch(
      /\(Microsoft Graph format keys\) has 1 .*\(legacy Azure AD Graph format keys\) has 2/,
    );
    expect(urisDetail).toContain(`${CONTRADICTING}:17:21`);
    expect(urisDetail).toContain(`${CONTRADICTING}:6:24`);
    expect(textAt(uris!.location)).toMatch(/^\["https:\/\/orders-apim/);
    // The audit judged the Graph key's list: the http URI only the legacy list has is not reported.
    expect(report.findings.filter((f) => f.ruleId === 'redirect-uri-safe')).toEqual([]);
  });

  it('is reported for a Teams Toolkit manifest whose appId is a placeholder; a placeholder side contradicts nothing', async () => {
    const file = `${WILD}/teams-contradicting.aad.manifest.json`;
    const inventory = load(file);
    const app = only(inventory.applications);
    // The Graph web.redirectUris is kept; the legacy Web reply URL holds a placeholder, so it says nothing.
    expect(app.web?.redirectUris).toEqual(['https://orders.example.com/auth-end.html']);
    expect(app.origin.unknown).not.toHaveProperty(['web/redirectUris']);
    const conflict = only(inventory.conflicts ?? []);
    expect(conflict.name).toBe(file);
    expect(conflict.path).toBe('api/requestedAccessTokenVersion');
    const { code, report } = await scanJson([`manifest:${file}`]);
    expect(code).toBe(0);
    const drift = only(report.findings.filter((f) => f.ruleId === 'sources-consistent'));
    expect(drift.message).toContain(`application ${file}:`);
    const [detail] = (await auditFindings([`manifest:${file}`], 'sources-consistent')).map((f) => f.detail);
    expect(detail).toContain(`${file}:8:36`);
    expect(detail).toContain(`${file}:5:33`);
    expect(drift.location).toEqual({ file, line: 8, column: 36 });
  });

  it('keys that agree (oauth2AllowImplicitFlow and implicitGrantSettings, Spa entries and spa) are no conflict', () => {
    expect(load(TEAMS).conflicts).toEqual([]);
    const app = only(load(CONTRADICTING).applications);
    expect(app.web?.implicitGrantSettings).toEqual({ enableAccessTokenIssuance: false });
    expect(app.displayName).toBe('orders-client');
  });
});

describe('malformed values', () => {
  it('are errors located at the key, never at 1:1, in the order of the file', () => {
    const error = auditErrorOf(() => load(`${WILD}/malformed.json`));
    expect(error.code).toBe('source-invalid');
    expect(error.details).toEqual([
      `${WILD}/malformed.json:4:33: accessTokenAcceptedVersion: expected 1, 2 or null, found the string "two"`,
      `${WILD}/malformed.json:5:21: identifierUris: expected a list of strings, found the string "api://orders-backend"`,
      `${WILD}/malformed.json:6:34: replyUrlsWithType[0].url: expected a string, found number 42`,
    ]);
  });

  it('an appId that is not a string, empty or null is located at the appId; a missing one at the object', () => {
    const at = (appId: string) =>
      problemsOf(`{\n  "name": "x",\n  "appId": ${appId},\n  "replyUrlsWithType": []\n}`);
    expect(at('42')).toEqual(['app.json:3:12: appId: expected a string, found number 42']);
    expect(at('""')).toEqual([
      'app.json:3:12: appId is empty; every manifest needs the Application (client) ID',
    ]);
    expect(at('null')).toEqual([
      'app.json:3:12: application has no appId (the Application (client) ID); every manifest needs one',
    ]);
    expect(problemsOf('[\n  {\n    "displayName": "x",\n    "web": {}\n  }\n]')).toEqual([
      'app.json:2:3: application has no appId (the Application (client) ID); every manifest needs one',
    ]);
  });

  it('in PowerShell output are named and located by their PascalCase keys', () => {
    const text =
      '{\n  "AppId": "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091",\n  "Api": { "RequestedAccessTokenVersion": 3 }\n}';
    expect(problemsOf(text)).toEqual([
      'app.json:3:43: Api.RequestedAccessTokenVersion: expected 1, 2 or null, found number 3',
    ]);
  });

  it('a nested value of the wrong type in a Graph manifest is located at that value', () => {
    const text =
      '{\n  "appId": "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091",\n  "web": { "redirectUris": ["https://a/cb", 7] }\n}';
    expect(problemsOf(text)).toEqual([
      'app.json:3:45: web.redirectUris[1]: expected a string, found number 7',
    ]);
  });
});

describe('pipeline and template placeholders', () => {
  it('#{Token}#, __Token__, $(var) and {{mustache}} make values unknown (URIs of lists: marked), each with its reason', () => {
    const [api, client] = load(`${WILD}/pipeline-tokens.json`).applications;
    expect(api?.identifierUris).toEqual(['api://__ApiHost__/orders']);
    expect(api?.api?.requestedAccessTokenVersion).toBeUndefined();
    expect(api?.web?.redirectUris).toEqual(['https://$(WebHost)/signin-oauth/code/callback/orders-oauth']);
    expect(api?.spa?.redirectUris).toEqual(['https://#{SpaHost}#/auth']);
    expect(api?.signInAudience).toBe('AzureADMyOrg');
    expect(api?.origin.unknown).toEqual({
      'api/requestedAccessTokenVersion':
        'placeholder #{TokenVersion}# is substituted at deployment time (token replacement)',
      'web/homePageUrl': 'placeholder {{portalHost}} is substituted when the template is instantiated',
    });
    expect(api?.origin.placeholders).toEqual({
      'identifierUris/0': 'placeholder __ApiHost__ is substituted at deployment time (token replacement)',
      'web/redirectUris/0': 'placeholder $(WebHost) is substituted at deployment time (pipeline variable)',
      'spa/redirectUris/0': 'placeholder #{SpaHost}# is substituted at deployment time (token replacement)',
    });
    // A token-replaced appId: an app with an unknown appId, like ${{AAD_APP_CLIENT_ID}}.
    expect(client?.appId).toBeUndefined();
    expect(client?.displayName).toBe('orders-client');
    expect(client?.origin.unknown).toEqual({
      appId: 'placeholder #{ClientAppId}# is substituted at deployment time (token replacement)',
    });
  });

  it('a placeholder where a number or boolean belongs is unknown, not a type error', () => {
    const app = appOf(
      '{ "appId": "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091", "name": "x", "accessTokenAcceptedVersion": "${{TOKEN_VERSION}}", "oauth2AllowImplicitFlow": "__ImplicitFlow__" }',
    );
    expect(app.api?.requestedAccessTokenVersion).toBeUndefined();
    expect(app.web?.implicitGrantSettings).toBeUndefined();
    expect(Object.keys(app.origin.unknown ?? {})).toEqual([
      'api/requestedAccessTokenVersion',
      'web/implicitGrantSettings/enableAccessTokenIssuance',
    ]);
  });

  it('a placeholder in one key of a contradicting pair: the Graph key is kept, unknown or not, and no conflict', () => {
    const graphUnknown = appOf(
      '{ "appId": "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091", "accessTokenAcceptedVersion": 1, "api": { "requestedAccessTokenVersion": "$(TokenVersion)" } }',
    );
    expect(graphUnknown.api?.requestedAccessTokenVersion).toBeUndefined();
    expect(graphUnknown.origin.unknown).toHaveProperty(['api/requestedAccessTokenVersion']);
    const legacyUnknown = appOf(
      '{ "appId": "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091", "accessTokenAcceptedVersion": "$(TokenVersion)", "api": { "requestedAccessTokenVersion": 2 } }',
    );
    expect(legacyUnknown.api?.requestedAccessTokenVersion).toBe(2);
    expect(legacyUnknown.origin.unknown).toBeUndefined();
  });

  it('values that only look like placeholders are kept', () => {
    for (const value of [
      'https://contoso.com/signin_oauth/code/callback',
      'api://11111111-1111-1111-1111-111111111111',
      'https://contoso.com/a__b',
      'https://contoso.com/{id}',
      '$var',
      '#{not closed',
    ])
      expect(placeholderReason(value)).toBeUndefined();
    expect(placeholderReason(['https://a/cb', 'https://#{Host}#/cb'])).toBe(
      'placeholder #{Host}# is substituted at deployment time (token replacement)',
    );
  });
});
