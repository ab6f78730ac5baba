/**
 * examples/apiops-real: an APIOps repository shaped like the public ones (no authorization servers, no service
 * name, validation written in the policies, two app manifests). The audit finds every planted defect, says nothing
 * about the APIs that are fine, and keeps the not-evaluated list short and grouped. The README shows this output.
 */
import { cli } from '../helpers/cli';
import { scanJson } from '../sources/iac-helpers';

const SOURCES = ['apiops:examples/apiops-real/apimartifacts', 'manifest:examples/apiops-real/entra'];
const APIS = 'examples/apiops-real/apimartifacts/apis';

describe('examples/apiops-real', () => {
  it('finds every planted defect and nothing on the APIs that are fine', async () => {
    const { code, report } = await scanJson(SOURCES);
    expect(code).toBe(0);
    expect(report.complete).toBe(true);
    expect(report.gaps).toEqual([]);
    const found = report.findings
      .map((f) => `${f.ruleId} ${f.severity} ${f.location.file ?? ''}:${f.location.line ?? 0}`)
      .sort();
    expect(found).toEqual(
      [
        // metadata of the service's tenant, issuer of another tenant (IDX10205 for the metadata's tokens)
        `jwt-issuer-matches-token-version warning ${APIS}/billing-api/policy.xml:10`,
        // a v2.0 backend accepted as api://... (IDX10214)
        `jwt-audience-matches-token-version error ${APIS}/payments-api/policy.xml:7`,
        // an operation that dropped <base /> and with it the API's validate-jwt
        `api-validate-jwt error ${APIS}/pricing-api/operations/update-price/policy.xml:2`,
        // tokens minted for Microsoft Graph accepted
        `jwt-audience-matches-token-version error ${APIS}/reports-api/policy.xml:7`,
        // https://login.microsoftonline.com/<tenant>/ is no issuer (IDX10205)
        `jwt-issuer-matches-token-version error ${APIS}/returns-api/policy.xml:10`,
        // https://sts.windows.net/<tenant> without the trailing / (IDX10205)
        `jwt-issuer-matches-token-version error ${APIS}/shipping-api/policy.xml:10`,
      ].sort(),
    );
    const fine = [
      'orders-api',
      'inventory-api',
      'catalog-api',
      'loyalty-api',
      'health',
      'legacy-soap',
      'partner-webhooks',
    ];
    for (const api of fine) {
      expect([api, report.findings.filter((f) => f.location.file?.startsWith(`${APIS}/${api}/`))]).toEqual([
        api,
        [],
      ]);
    }
  });

  it('keeps the not-evaluated list short and grouped', async () => {
    const { report } = await scanJson(SOURCES);
    expect(report.notEvaluated.map((n) => [n.ruleId, n.kind, n.resources.length])).toEqual([
      ['api-oauth-enabled', 'api', 9],
      ['implicit-grant-disabled', 'application', 2],
      ['jwt-audience-matches-token-version', 'api', 1],
      ['jwt-issuer-matches-token-version', 'api', 1],
      ['jwt-required-scope', 'api', 1],
    ]);
    // The servers the APIs name are not extracted by APIOps: the reason says how to add them.
    expect(report.notEvaluated[0]?.reason).toContain('APIOps does not extract authorization servers');
    expect(report.notEvaluated[0]?.reason).toContain('--source azure:');
    // The shipping API's backend app is not among the manifests.
    expect(report.notEvaluated[2]?.resources.map((r) => r.name)).toEqual(['shipping-api']);
  });

  it('fails a gate at the default --fail-on error, and names the security rules it could not fully evaluate', async () => {
    const run = await cli([
      'scan',
      ...SOURCES.flatMap((s) => ['--source', s]),
      '--now',
      '2026-12-01T00:00:00Z',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('6 findings: 5 errors, 1 warning, 0 notes.');
    expect(run.stdout).toContain(
      'Security rules not (fully) evaluated: api-oauth-enabled, implicit-grant-disabled, jwt-audience-matches-token-version, jwt-required-scope.',
    );
  });
});
