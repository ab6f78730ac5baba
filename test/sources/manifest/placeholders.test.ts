/**
 * Placeholders are unknown values, never literals (issue 9 §1): a redirect URI holding one is judged on its text
 * outside the placeholders, and `brk-multihub://<domain>` under spa (nested app authentication) is no finding.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import redirectUriSafe from '../../../rules/redirect-uri-safe';
import portal from '../../../rules/client-redirect-uri-matches-portal';
import { parseManifestText } from '../../../src/sources/manifest';
import { applyOverlay, clientRedirectUris, loadSampleDoc, runnerFor, violations } from '../../helpers/sample';
import { scanJson, scratchDir, type Report } from '../iac-helpers';

const FIXTURES = 'test/sources/manifest/fixtures/placeholders';
const APP_ID = '2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091';
const CALLBACK = 'https://contoso-apim.developer.azure-api.net/signin-oauth/code/callback/colors-oauth';
/** The sample's portal also has a custom domain: its callback too. */
const CUSTOM = 'https://developer.contoso.com/signin-oauth/code/callback/colors-oauth';

/** One app of a manifest text. */
function appOf(manifest: Record<string, unknown>) {
  const result = parseManifestText(JSON.stringify({ appId: APP_ID, ...manifest }, null, 2), 'app.json');
  if ('problems' in result) throw new Error(result.problems.join('\n'));
  const [app] = result.applications;
  if (!app) throw new Error('no application');
  return app;
}

/** Scans the given files (name -> JSON) written to a scratch folder, through the CLI. */
async function scanFiles(files: Record<string, unknown>, spec: (dir: string) => string[]): Promise<Report> {
  const dir = scratchDir();
  try {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(dir.dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(content, null, 2));
    }
    return (await scanJson(spec(dir.dir))).report;
  } finally {
    dir.cleanup();
  }
}

/** A manifest folder with one app whose spa redirect URIs are `uris`, scanned alone. */
function scanSpa(uris: string[], platform: 'spa' | 'web' = 'spa'): Promise<Report> {
  const manifest = { appId: APP_ID, displayName: 'orders-spa', [platform]: { redirectUris: uris } };
  return scanFiles({ 'app.json': manifest }, (dir) => [`manifest:${dir}`]);
}

const ofRule = (report: Report, ruleId: string) => ({
  findings: report.findings.filter((f) => f.ruleId === ruleId),
  notEvaluated: report.notEvaluated.filter((n) => n.ruleId === ruleId),
});

describe('placeholders in manifests: kept as written, marked, judged on their known text', () => {
  it('a redirect URI holding a placeholder is kept in its list and marked; the list stays known', () => {
    const app = appOf({
      web: { redirectUris: ['https://orders.example.com/cb', 'https://${{TAB_DOMAIN}}/auth-end.html'] },
    });
    expect(app.web?.redirectUris).toEqual([
      'https://orders.example.com/cb',
      'https://${{TAB_DOMAIN}}/auth-end.html',
    ]);
    expect(app.origin.unknown).toBeUndefined();
    expect(app.origin.placeholders).toEqual({
      'web/redirectUris/1': 'placeholder ${{TAB_DOMAIN}} is substituted at provision time',
    });
  });

  it('a list that is itself a placeholder stays unknown as a whole', () => {
    const app = appOf({ spa: { redirectUris: '${{SPA_URIS}}' } });
    expect(app.spa?.redirectUris).toBeUndefined();
    expect(app.origin.unknown).toEqual({
      'spa/redirectUris': 'placeholder ${{SPA_URIS}} is substituted at provision time',
    });
  });

  it('a Teams Toolkit aad.manifest.json with ${{TAB_DOMAIN}} redirect URIs (and brk-multihub) gives no finding', async () => {
    const report = (await scanJson([`manifest:${FIXTURES}`])).report;
    const safe = ofRule(report, 'redirect-uri-safe');
    expect(safe.findings).toEqual([]);
    expect(safe.notEvaluated).toEqual([]);
    expect(report.findings.filter((f) => f.resource.kind === 'application')).toEqual([]);
  });

  it('http on a host that is entirely a placeholder is not evaluated, not an error', async () => {
    const safe = ofRule(await scanSpa(['http://${{HOST}}/x']), 'redirect-uri-safe');
    expect(safe.findings).toEqual([]);
    expect(safe.notEvaluated.map((n) => n.reason)).toEqual([
      expect.stringMatching(/spa\/redirectUris\/0 of application 'orders-spa' .*placeholder \$\{\{HOST\}\}/),
    ]);
  });

  it('a scheme inside the placeholder (${{TAB_ENDPOINT}}/auth-end.html) is not evaluated either', async () => {
    const safe = ofRule(await scanSpa(['${{TAB_ENDPOINT}}/auth-end.html']), 'redirect-uri-safe');
    expect(safe.findings).toEqual([]);
    expect(safe.notEvaluated).toHaveLength(1);
  });

  it('a wildcard in the known part of https://${{HOST}}/* is still a finding', async () => {
    const safe = ofRule(await scanSpa(['https://${{HOST}}/*']), 'redirect-uri-safe');
    expect(safe.findings.map((f) => f.message)).toEqual([
      "Application 'orders-spa' has the spa redirect URI https://${{HOST}}/*, which contains the wildcard '*'; expected an exact https URI",
    ]);
    expect(safe.notEvaluated).toEqual([]);
  });

  it('a fragment in the known part is still a finding; characters of the placeholder itself are not', async () => {
    const safe = ofRule(
      await scanSpa(['https://#{Host}#/cb#done', 'https://$(Host)/cb']),
      'redirect-uri-safe',
    );
    expect(safe.findings.map((f) => f.message)).toEqual([
      expect.stringContaining("https://#{Host}#/cb#done, which has a fragment ('#')"),
    ]);
  });

  it('plain http stays a finding when no substitution of the host can make it loopback', async () => {
    const safe = ofRule(await scanSpa(['http://${{ENV}}.contoso.com/x']), 'redirect-uri-safe');
    expect(safe.findings.map((f) => f.message)).toEqual([
      expect.stringContaining('uses plain http on a non-loopback host'),
    ]);
  });
});

describe('brk-multihub (nested app authentication)', () => {
  const run = runnerFor(redirectUriSafe);

  it('brk-multihub://<domain> under spa is no finding', () => {
    expect(run(clientRedirectUris([CALLBACK], ['brk-multihub://orders.example.com']))).toEqual([]);
  });

  it('under web it is a custom scheme that belongs under spa', () => {
    const [v, ...rest] = violations(run(clientRedirectUris([CALLBACK, 'brk-multihub://orders.example.com'])));
    expect(rest).toEqual([]);
    expect(v?.path).toBe('web/redirectUris/1');
    expect(v?.message).toMatch(
      /brk-multihub:\/\/orders\.example\.com, which uses a custom scheme; expected under spa/,
    );
    expect(v?.fix?.text).toBe('Register it under spa, as nested app authentication requires.');
  });

  it('no rule reports it under spa', async () => {
    const doc = applyOverlay(
      loadSampleDoc(),
      clientRedirectUris([CALLBACK, CUSTOM], ['brk-multihub://orders.example.com']),
    );
    const report = await scanFiles({ 'tenant.json': doc }, (dir) => [`snapshot:${dir}/tenant.json`]);
    expect(report.findings).toEqual([]);
  });
});

describe('client-redirect-uri-matches-portal with placeholder URIs', () => {
  /** The fixed sample whose client app registers `web` (marked as holding placeholders where they do). */
  function scanClient(web: string[]): Promise<Report> {
    const marks = Object.fromEntries(
      web.flatMap((uri, i) => (uri.includes('${{') ? [[`web/redirectUris/${i}`, 'placeholder']] : [])),
    );
    const doc = applyOverlay(loadSampleDoc(), {
      ...clientRedirectUris(web),
      clientApp: { ...(clientRedirectUris(web).clientApp as object), $placeholders: marks },
    });
    return scanFiles({ 'tenant.json': doc }, (dir) => [`snapshot:${dir}/tenant.json`]);
  }

  it('a placeholder host compared with the portal host: not evaluated for that comparison', async () => {
    const rule = ofRule(
      await scanClient(['https://${{PORTAL_HOST}}/signin-oauth/code/callback/colors-oauth']),
      portal.id,
    );
    expect(rule.findings).toEqual([]);
    expect(rule.notEvaluated.map((n) => n.reason)).toEqual([
      expect.stringContaining('web/redirectUris/0 of application'),
    ]);
  });

  it('a placeholder URI that cannot be the callback counts as another URI: the callback is missing', async () => {
    const rule = ofRule(await scanClient([CUSTOM, 'https://${{TAB_DOMAIN}}/auth-end.html']), portal.id);
    expect(rule.notEvaluated).toEqual([]);
    expect(rule.findings.map((f) => f.message)).toEqual([
      expect.stringContaining(`lacks the authorization code callback ${CALLBACK}`),
    ]);
  });

  it('a placeholder URI next to the literal callback changes nothing', async () => {
    const report = await scanClient([CALLBACK, CUSTOM, 'https://${{TAB_DOMAIN}}/auth-end.html']);
    expect(report.findings).toEqual([]);
    expect(report.notEvaluated).toEqual([]);
  });
});

describe('placeholders are never literals across sources', () => {
  it('two manifests with the same ${{TAB_ENDPOINT}} URI neither agree nor contradict on it', async () => {
    const app = (uris: string[]) => ({ appId: APP_ID, displayName: 'orders', web: { redirectUris: uris } });
    const report = await scanFiles(
      {
        'a/app.json': app(['${{TAB_ENDPOINT}}/auth-end.html']),
        'b/app.json': app(['${{TAB_ENDPOINT}}/auth-end.html', 'https://orders.example.com/cb']),
      },
      (dir) => [`manifest:${dir}/a`, `manifest:${dir}/b`],
    );
    expect(ofRule(report, 'sources-consistent').findings).toEqual([]);
  });

  it('an identifier URI holding a placeholder correlates with nothing, not even the same placeholder', () => {
    const app = appOf({ identifierUris: ['api://${{TAB_DOMAIN}}/orders', 'api://orders.example.com'] });
    expect(app.identifierUris).toHaveLength(2);
    expect(app.origin.placeholders).toEqual({
      'identifierUris/0': 'placeholder ${{TAB_DOMAIN}} is substituted at provision time',
    });
  });
});
