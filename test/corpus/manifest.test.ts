/** The manifest source on third-party files: PowerShell SDK output (ScubaGear), a Teams Toolkit template, Graph model rows. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeText, loadManifests, looksLikeManifest, parseManifestText } from '../../src/sources/manifest';
import { auditErrorOf } from '../helpers/errors';
import { REPO_ROOT } from '../helpers/sample';
import { CORPUS_REL } from './corpus';

const CORPUS = `${CORPUS_REL}/manifests`;
const load = (location: string) =>
  loadManifests(path.join(REPO_ROOT, location), `manifest:${location}`, REPO_ROOT);

describe('manifest source on the corpus', () => {
  it('reads PowerShell output: UTF-16 with BOM, PascalCase keys, /Date(ms)/ dates', () => {
    const mock = load(`${CORPUS}/scubagear-MockApplications.json`);
    expect(mock.applications.length).toBeGreaterThan(1);
    expect(mock.applications[0]?.appId).toBe('10000000-0000-0000-0000-000000000000');
    expect(mock.applications[0]?.requiredResourceAccess?.[0]?.resourceAppId).toBe(
      '00000003-0000-0000-c000-000000000000',
    );
    const hybrid = load(`${CORPUS}/scubagear-MockDedicatedHybridAppRegistration.json`);
    expect(hybrid.applications[0]?.keyCredentials?.[0]?.startDateTime).toBe('2024-12-04T20:22:22.000Z');
    expect(hybrid.applications[0]?.origin.paths?.['keyCredentials/0/endDateTime']).toBe(
      '/KeyCredentials/0/EndDateTime',
    );
  });

  it('reads a legacy template with placeholders (corpus) and rejects a model row without appId', () => {
    const text = readFileSync(
      path.join(REPO_ROOT, CORPUS, 'teams-toolkit-template-m365-tab-aad.manifest.json.tpl'),
      'utf8',
    );
    const result = parseManifestText(text, 'aad.manifest.json');
    if ('problems' in result) throw new Error(result.problems.join('\n'));
    const [app] = result.applications;
    // Placeholders are unknown values, never literals.
    expect(app?.api?.preAuthorizedApplications?.[0]?.delegatedPermissionIds).toBeUndefined();
    expect(app?.origin.unknown?.['api/preAuthorizedApplications/0/delegatedPermissionIds']).toBe(
      'placeholder ${{AAD_APP_ACCESS_AS_USER_PERMISSION_ID}} is substituted at provision time',
    );
    // A redirect URI holding one is kept as written and marked, so that its known text can be judged.
    expect(app?.spa?.redirectUris).toEqual([
      '${{TAB_ENDPOINT}}/auth-end.html?clientId=${{AAD_APP_CLIENT_ID}}',
      '${{TAB_ENDPOINT}}/blank-auth-end.html',
    ]);
    expect(app?.origin.unknown?.['spa/redirectUris']).toBeUndefined();
    expect(app?.origin.placeholders?.['spa/redirectUris/0']).toMatch(/\$\{\{TAB_ENDPOINT\}\}/);
    expect(app?.api?.preAuthorizedApplications).toHaveLength(8);
    const error = auditErrorOf(() => load(`${CORPUS}/zerotrustassessment-Application-model.json`));
    expect(error.details[0]).toMatch(/zerotrustassessment-Application-model\.json:17:16: .*appId/);
  });

  it('detects PowerShell output as manifests', () => {
    expect(
      looksLikeManifest(
        decodeText(readFileSync(path.join(REPO_ROOT, CORPUS, 'scubagear-MockApplications.json'))),
      ),
    ).toBe(true);
  });
});
