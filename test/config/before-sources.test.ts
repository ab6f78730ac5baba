/**
 * Configuration before sources (issue 11): the rule settings, `--rule` ids, tags, rule options, the rule set and
 * failOnNotEvaluated are resolved before any source is read, so a typo is reported at once (exit 2), with every
 * other configuration problem, and never waits for (or is hidden by) the sources.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const CONTOSO = path.join(REPO_ROOT, 'examples/contoso/snapshot.json');

describe('configuration problems are reported before any source is read', () => {
  it('an unknown --rule with a missing source reports the rule, not the file', async () => {
    const cwd = makeTempDir('config-first');
    const run = await cli(['scan', 'missing.json', '--rule', 'typo=off', '--no-config'], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--rule typo: unknown rule 'typo'");
    expect(run.stderr).not.toContain('missing.json');
    expect(run.stdout).toBe('');
  });

  it('every configuration problem is reported together, config and command line alike', async () => {
    const cwd = makeTempDir('config-all');
    writeFileSync(
      path.join(cwd, '.auditrc.json'),
      JSON.stringify({
        ruleSet: '2026-13',
        rules: { 'client-secret-expiri': 'off', 'client-secret-expiry': { options: { warnDays: -1 } } },
        failOnNotEvaluated: ['redirect-uri-saf'],
      }),
    );
    const run = await cli(
      ['scan', 'missing.json', '--rule', 'redirect-uri-safer=note', '--tag', 'secuirty'],
      { cwd },
    );
    expect(run.code).toBe(2);
    for (const problem of [
      ".auditrc.json: ruleSet: unknown rule set '2026-13'; did you mean '2026-12'?",
      ".auditrc.json: rules.client-secret-expiri: unknown rule 'client-secret-expiri'; did you mean 'client-secret-expiry'?",
      '.auditrc.json: rules.client-secret-expiry.options.warnDays: must be >= ',
      "--rule redirect-uri-safer: unknown rule 'redirect-uri-safer'; did you mean 'redirect-uri-safe'?",
      "--tag secuirty: no rule has this tag; did you mean 'security'?",
      ".auditrc.json: failOnNotEvaluated: unknown rule 'redirect-uri-saf'",
    ]) {
      expect(run.stderr).toContain(problem);
    }
    expect(run.stderr).not.toContain('missing.json');
  });

  it('an unknown --fail-on-not-evaluated rule, before the sources too', async () => {
    const run = await cli([
      'scan',
      'missing.json',
      '--no-config',
      '--fail-on-not-evaluated',
      'api-validate-jw',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("did you mean 'api-validate-jwt'?");
  });

  it('a valid configuration goes on to read the sources', async () => {
    const run = await cli([
      'scan',
      CONTOSO,
      '--no-config',
      '--rule',
      'redirect-uri-safe=off',
      '--tag',
      'security',
    ]);
    expect([0, 1]).toContain(run.code);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toBe('');
  });
});
