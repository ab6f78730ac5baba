/**
 * `--fail-on-not-evaluated` / `failOnNotEvaluated` (issue 9 §2): a gate can fail (exit 1) when named rules abstain,
 * and every report names the security rules that were not (fully) evaluated. Minimal input: the fixed sample
 * without its app registrations, so that the Entra rules are not run.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtinRules } from '../../rules';
import { isSecurityRule } from '../../rules/support/contract';
import { cli } from '../helpers/cli';
import { loadSampleDoc } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const NOW = ['--now', '2026-11-25T12:00:00Z'];

/** A folder with `apim-only.json` (the fixed sample, APIM side only) and the given config. */
function folder(config?: Record<string, unknown>): string {
  const dir = makeTempDir('gate');
  const doc = loadSampleDoc('contoso-fixed');
  delete doc.applications;
  writeFileSync(path.join(dir, 'apim-only.json'), JSON.stringify(doc, null, 2));
  if (config) writeFileSync(path.join(dir, '.auditrc.json'), JSON.stringify(config, null, 2));
  return dir;
}

const scan = (cwd: string, ...args: string[]) => cli(['scan', 'apim-only.json', ...NOW, ...args], { cwd });

/** The security rules the JSON summary names: at least the Entra ones, which cannot run without apps. */
async function securityNotEvaluated(dir: string): Promise<string[]> {
  const json = JSON.parse((await scan(dir, '--format', 'json')).stdout) as {
    summary: { securityRulesNotEvaluated: string[] };
  };
  const named = json.summary.securityRulesNotEvaluated;
  expect(named).toEqual(
    expect.arrayContaining(['client-secret-expiry', 'implicit-grant-disabled', 'redirect-uri-safe']),
  );
  const rules = Object.values(builtinRules);
  for (const id of named) {
    const rule = rules.find((r) => r.id === id);
    expect([id, rule !== undefined && isSecurityRule(rule.meta)]).toEqual([id, true]);
  }
  return named;
}

describe('--fail-on-not-evaluated', () => {
  it('without it, rules that abstain do not fail the gate, but the summary names the security ones', async () => {
    const dir = folder();
    const result = await scan(dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No findings.');
    const security = await securityNotEvaluated(dir);
    expect(result.stdout).toContain(`Security rules not (fully) evaluated: ${security.join(', ')}.`);
  });

  it('security: exit 1 when a security rule is not evaluated, naming it', async () => {
    const dir = folder();
    const result = await scan(dir, '--fail-on-not-evaluated', 'security');
    expect(result.code).toBe(1);
    const security = await securityNotEvaluated(dir);
    expect(result.stderr).toContain(
      `Exit 1: not (fully) evaluated, and named by failOnNotEvaluated: ${security.join(', ')}\n`,
    );
  });

  it('rule ids: only the named rules count', async () => {
    expect((await scan(folder(), '--fail-on-not-evaluated', 'auth-server-grant-types')).code).toBe(0);
    const named = await scan(
      folder(),
      '--fail-on-not-evaluated',
      'auth-server-grant-types,redirect-uri-safe',
    );
    expect(named.code).toBe(1);
    expect(named.stderr).toMatch(/named by failOnNotEvaluated: redirect-uri-safe\n/);
  });

  it('the config key, replaced by the option (none turns the gate off)', async () => {
    const dir = folder({ failOnNotEvaluated: 'all' });
    expect((await scan(dir)).code).toBe(1);
    expect((await scan(dir, '--fail-on-not-evaluated', 'none')).code).toBe(0);
    expect((await scan(folder({ failOnNotEvaluated: ['app-access-token-version'] }))).code).toBe(1);
  });

  it('an unknown rule id is a usage error (exit 2) with a suggestion, before any source is read', async () => {
    const option = await cli(['scan', 'missing.json', '--fail-on-not-evaluated', 'redirect-uri-safer'], {
      cwd: folder(),
    });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain(
      "--fail-on-not-evaluated: unknown rule 'redirect-uri-safer'; did you mean 'redirect-uri-safe'?",
    );
    const config = await scan(folder({ failOnNotEvaluated: ['none', 'security'] }));
    expect(config.code).toBe(2);
    expect(config.stderr).toContain(
      '.auditrc.json: failOnNotEvaluated: none cannot be combined with other values',
    );
    const schema = await scan(folder({ failOnNotEvaluated: 'sometimes' }));
    expect(schema.code).toBe(2);
    expect(schema.stderr).toContain(
      'failOnNotEvaluated: must be all, security, none, or a list of rule ids (and security / all)',
    );
  });

  it('the JSON summary and the SARIF run properties name the security rules not evaluated', async () => {
    const dir = folder();
    const json = JSON.parse((await scan(dir, '--format', 'json')).stdout) as {
      summary: { rulesNotEvaluated: { notRun: string[]; partly: string[] } };
    };
    const security = await securityNotEvaluated(dir);
    const { notRun, partly } = json.summary.rulesNotEvaluated;
    expect([...notRun, ...partly]).toEqual(expect.arrayContaining(security));
    const sarif = JSON.parse((await scan(dir, '--format', 'sarif')).stdout) as {
      runs: { properties: { securityRulesNotEvaluated: string[] } }[];
    };
    expect(sarif.runs[0]?.properties.securityRulesNotEvaluated).toEqual(security);
  });
});
