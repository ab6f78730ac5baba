/**
 * The effective-policy chains the audit attaches for the HTML report: only for operations policy findings point
 * at, with the line that lost the token validation marked, bounded, and redacted.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { audit } from '../../src/audit';
import { CHAIN_LIMITS } from '../../src/engine/policy-chains';
import type { ChainScope, PolicyChain } from '../../src/engine/policy-chain-types';
import { policyXml } from '../helpers/policies';
import { REPO_ROOT, TEST_NOW, applyOverlay, loadSampleDoc } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const APIOPS = ['apiops:examples/apiops-real/apimartifacts', 'manifest:examples/apiops-real/entra'];

async function chainsOf(sources: readonly string[], cwd = REPO_ROOT, policyChains = true) {
  const { result } = await audit({ cwd, sources, noConfig: true, now: TEST_NOW, policyChains });
  return result;
}

function chainOf(chains: readonly PolicyChain[], operation: string): PolicyChain {
  const chain = chains.find((c) => c.operations.includes(operation));
  if (!chain)
    throw new Error(`no chain for ${operation}: ${chains.map((c) => c.operations.join()).join('; ')}`);
  return chain;
}

function scope(chain: PolicyChain, name: ChainScope['scope']): ChainScope {
  const found = chain.paths[0]?.scopes.find((s) => s.scope === name);
  if (!found) throw new Error(`no ${name} scope`);
  return found;
}

describe('policy chains behind policy findings', () => {
  it('are attached only when asked', async () => {
    expect((await chainsOf(APIOPS, REPO_ROOT, false)).policyChains).toBeUndefined();
  });

  it('mark the operation inbound without <base /> and the validate-jwt it drops (apiops-real pricing-api)', async () => {
    const result = await chainsOf(APIOPS);
    const chains = result.policyChains?.chains ?? [];
    const pricing = chainOf(chains, 'pricing-api/update-price');
    const finding = result.findings.find((f) => f.ruleId === 'api-validate-jwt');
    expect(pricing.findings).toEqual([finding?.fingerprint]);
    const [path0] = pricing.paths;
    expect(path0?.validation).toBe('lost');
    expect(path0?.summary).toBe(
      "the operation policy of 'pricing-api/update-price' has no <base /> in inbound, so validate-jwt of the API policy of 'pricing-api' does not run.",
    );
    expect(path0?.scopes.map((s) => [s.scope, s.name, s.state])).toEqual([
      ['global', 'apimartifacts', 'policy'],
      ['api', 'pricing-api', 'policy'],
      ['operation', 'pricing-api/update-price', 'policy'],
    ]);
    const [inbound] = scope(pricing, 'operation').inbound;
    expect(inbound).toMatchObject({ depth: 0, text: '<inbound>', mark: 'lost', finding: true });
    expect(inbound?.location).toEqual({
      file: 'examples/apiops-real/apimartifacts/apis/pricing-api/operations/update-price/policy.xml',
      line: 2,
      column: 3,
    });
    const dropped = scope(pricing, 'api').inbound.filter((l) => l.mark === 'dropped');
    expect(dropped.map((l) => l.text.slice(0, 13))).toEqual(['<validate-jwt']);
    expect(dropped[0]?.note).toBe(
      "does not run on this path: the operation policy of 'pricing-api/update-price' has no <base /> in inbound",
    );
  });

  it('mark the <include-fragment> whose validate-jwt a missing <base /> drops', async () => {
    const dir = makeTempDir('policy-chains-fragment');
    cpSync(path.join(REPO_ROOT, 'examples/apiops-real'), dir, { recursive: true });
    const operation = path.join(dir, 'apimartifacts/apis/catalog-api/operations/list-products');
    mkdirSync(operation, { recursive: true });
    writeFileSync(
      path.join(operation, 'policy.xml'),
      policyXml({ inbound: '<set-header name="X-A" exists-action="override"><value>1</value></set-header>' }),
    );
    const result = await chainsOf(['apiops:apimartifacts', 'manifest:entra'], dir);
    const catalog = chainOf(result.policyChains?.chains ?? [], 'catalog-api/list-products');
    expect(catalog.paths[0]?.validation).toBe('lost');
    const dropped = scope(catalog, 'api').inbound.filter((l) => l.mark === 'dropped');
    expect(dropped.map((l) => l.text)).toEqual(['<include-fragment fragment-id="entra-validation" />']);
    expect(dropped[0]?.note).toContain("(in policy fragment 'entra-validation')");
    expect(scope(catalog, 'operation').inbound[0]).toMatchObject({ mark: 'lost', finding: true });
  });

  it('show a validation that runs as such, and only operations findings point at', async () => {
    const result = await chainsOf(APIOPS);
    const chains = result.policyChains?.chains ?? [];
    const billing = chainOf(chains, 'billing-api/list-invoices');
    expect(billing.paths.map((p) => p.validation)).toEqual(['validated']);
    expect(scope(billing, 'api').inbound.filter((l) => l.mark === 'runs')).toHaveLength(1);
    // orders-api has no finding: no chain.
    expect(chains.some((c) => c.api === 'orders-api')).toBe(false);
    expect(result.policyChains?.omittedChains).toBe(0);
  });

  it('never rebuild a literal secret of a policy, and redact the secrets the data holds', async () => {
    const key = 'c2VjcmV0LXNpZ25pbmcta2V5';
    const header = 'canary-subscription-key-5f1d9e';
    const inbound =
      '<base /><validate-jwt header-name="Authorization">' +
      `<issuer-signing-keys><key>${key}</key></issuer-signing-keys></validate-jwt>` +
      `<set-header name="Ocp-Apim-Subscription-Key" exists-action="override"><value>${header}</value></set-header>`;
    const doc = applyOverlay(loadSampleDoc(), {
      api: { policy: { format: 'rawxml', value: policyXml({ inbound }) } },
    });
    const dir = makeTempDir('policy-chains-secrets');
    writeFileSync(path.join(dir, 'snapshot.json'), JSON.stringify(doc, null, 2));
    const result = await chainsOf(['snapshot.json'], dir);
    const text = JSON.stringify(result.policyChains);
    expect(result.policyChains?.chains.length).toBeGreaterThan(0);
    expect(text).not.toContain(key);
    expect(text).not.toContain(header);
    expect(text).toContain('[redacted]');
  });

  it('are capped, with a count of what was left out', async () => {
    const doc = loadSampleDoc('contoso');
    const service = (doc.apim as { apis: { name: string; id: string }[] }[])[0]!;
    const [template] = service.apis;
    // A global policy longer than one outline: every chain would take its whole share of lines.
    const global = (service as unknown as { policy: { value: string } }).policy;
    const headers = Array.from(
      { length: 40 },
      (_, i) => `<set-header name="x-${i}" exists-action="override"><value>v</value></set-header>`,
    );
    global.value = global.value.replace('<inbound>', `<inbound>${headers.join('')}`);
    const extra = CHAIN_LIMITS.chains + 5 - service.apis.length;
    for (let i = 0; i < extra; i++) {
      service.apis.push({
        ...structuredClone(template!),
        name: `copy-${i}`,
        id: `${template!.id}-copy-${i}`,
      });
    }
    const dir = makeTempDir('policy-chains-cap');
    writeFileSync(path.join(dir, 'snapshot.json'), JSON.stringify(doc, null, 2));
    const view = (await chainsOf(['snapshot.json'], dir)).policyChains;
    expect(view?.chains).toHaveLength(CHAIN_LIMITS.chains);
    expect(view?.omittedChains).toBeGreaterThan(0);
    expect(view?.omittedOperations).toBeGreaterThanOrEqual(view?.omittedChains ?? 0);
    // The outlines of the whole view share one budget; what it cuts is counted.
    const scopes = (view?.chains ?? []).flatMap((c) => c.paths.flatMap((p) => p.scopes));
    const lines = scopes.reduce((n, s) => n + s.inbound.length, 0);
    expect(lines).toBeLessThanOrEqual(CHAIN_LIMITS.totalLines);
    expect(lines).toBeGreaterThan(CHAIN_LIMITS.totalLines / 2);
    expect(scopes.some((s) => s.state === 'policy' && s.inbound.length === 0 && s.omittedLines > 0)).toBe(
      true,
    );
  });
});
