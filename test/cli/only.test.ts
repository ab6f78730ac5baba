/**
 * `scan --only <rule-id>`: exactly the named rules run (repeatable, comma-separated); an unknown id is a usage error
 * with a "did you mean"; it cannot be combined with --tag or with `--rule <id>=off` for a rule it names; it wins
 * over a config (or rule set) that turns the rule off, which then runs at its default level; and every report
 * states the rules it left out.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULE_IDS, builtinRules } from '../../rules';
import { cli } from '../helpers/cli';
import { makeTempDir } from '../helpers/temp';

const SAMPLE = path.resolve(__dirname, '../../examples/contoso/snapshot.json');
const NOW = ['--now', '2026-12-01T00:00:00Z'];

interface SarifRun {
  tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } };
  invocations: { toolConfigurationNotifications?: { message: { text: string } }[] }[];
  properties: { configuration: Record<string, unknown> };
}

function sarifRun(stdout: string): SarifRun {
  const run = (JSON.parse(stdout) as { runs: SarifRun[] }).runs[0];
  if (!run) throw new Error('no SARIF run');
  return run;
}

/** The built-in rules carrying `tag`. */
const BUILTIN_RULES_WITH_TAG = (tag: string) =>
  Object.values(builtinRules)
    .filter((r) => r.meta.tags.includes(tag))
    .map((r) => r.id);

const ran = (run: SarifRun) => run.tool.driver.rules.map((r) => r.id).sort();

describe('scan --only', () => {
  const dir = makeTempDir('only');

  it('runs exactly the named rules, repeated or comma-separated', async () => {
    const result = await cli([
      'scan',
      SAMPLE,
      '--only',
      'client-secret-expiry,redirect-uri-safe',
      '--only',
      'api-validate-jwt',
      '--format',
      'sarif',
      '--no-config',
      ...NOW,
    ]);
    expect(result.code).toBe(1);
    expect(ran(sarifRun(result.stdout))).toEqual([
      'api-validate-jwt',
      'client-secret-expiry',
      'redirect-uri-safe',
    ]);
  });

  it('an unknown rule id is a usage error (exit 2) with a did-you-mean, before any source is read', async () => {
    const result = await cli([
      'scan',
      'does-not-exist.json',
      '--only',
      'client-secret-expire,redirect-uri-safe',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--only client-secret-expire: unknown rule 'client-secret-expire'; did you mean 'client-secret-expiry'\?/,
    );
    expect(result.stderr).not.toMatch(/does-not-exist/);
    const empty = await cli(['scan', SAMPLE, '--only', ' , ', '--no-config']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--only: name at least one rule id');
  });

  it('cannot be combined with --tag, nor with --rule <id>=off for a rule it names', async () => {
    const tag = await cli([
      'scan',
      SAMPLE,
      '--only',
      'redirect-uri-safe',
      '--tag',
      'security',
      '--no-config',
    ]);
    expect(tag.code).toBe(2);
    expect(tag.stderr).toContain('--only cannot be combined with --tag');
    const off = await cli(['scan', SAMPLE, '--only', 'redirect-uri-safe', '--rule', 'redirect-uri-safe=off']);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain(
      '--only redirect-uri-safe and --rule redirect-uri-safe=off contradict each other',
    );
    // --rule for a rule it names, at a level, is fine: the level applies.
    const level = await cli([
      'scan',
      SAMPLE,
      '--only',
      'redirect-uri-safe',
      '--rule',
      'redirect-uri-safe=warning',
      '--format',
      'sarif',
      '--no-config',
      ...NOW,
    ]);
    expect(sarifRun(level.stdout).tool.driver.rules).toEqual([
      expect.objectContaining({ id: 'redirect-uri-safe', defaultConfiguration: { level: 'warning' } }),
    ]);
  });

  it("wins over the config's 'off' (the rule runs at its default level) and keeps a level the config sets", async () => {
    const config = path.join(dir, 'off.json');
    writeFileSync(
      config,
      JSON.stringify({ rules: { 'redirect-uri-safe': 'off', 'client-secret-expiry': 'note' } }),
    );
    const result = await cli(
      [
        'scan',
        SAMPLE,
        '--config',
        config,
        '--only',
        'redirect-uri-safe,client-secret-expiry',
        '--format',
        'sarif',
        ...NOW,
      ],
      { cwd: dir },
    );
    const run = sarifRun(result.stdout);
    expect(run.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration.level])).toEqual([
      ['client-secret-expiry', 'note'],
      ['redirect-uri-safe', 'error'],
    ]);
    // Not reported as off: it ran. The lowered level still is.
    expect(run.properties.configuration['rulesOff']).toEqual([]);
    expect(run.properties.configuration['lowered']).toEqual([
      { ruleId: 'client-secret-expiry', from: 'error', to: 'note' },
    ]);
  });

  it('works with a rule set in effect', async () => {
    const result = await cli([
      'scan',
      SAMPLE,
      '--rule-set',
      '2026-12',
      '--only',
      'redirect-uri-safe',
      '--format',
      'sarif',
      '--no-config',
      ...NOW,
    ]);
    const run = sarifRun(result.stdout);
    expect(ran(run)).toEqual(['redirect-uri-safe']);
    expect(run.properties.configuration['ruleSet']).toEqual({ name: '2026-12', outside: [] });
  });

  it('every report states the rules it did not run; without --only nothing is said', async () => {
    const others = BUILTIN_RULE_IDS.filter((id) => id !== 'redirect-uri-safe').sort();
    const base = ['scan', SAMPLE, '--only', 'redirect-uri-safe', '--no-config', '--fail-on', 'none', ...NOW];
    const text = await cli(base);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual([
      'Config: none (defaults)',
      `  --only redirect-uri-safe: ${others.length} other rules not run: ${others.join(', ')}`,
    ]);
    const json = JSON.parse((await cli([...base, '--format', 'json'])).stdout) as {
      configuration: Record<string, unknown>;
    };
    expect(json.configuration['only']).toEqual({ rules: ['redirect-uri-safe'], notRun: others });
    const sarif = sarifRun((await cli([...base, '--format', 'sarif'])).stdout);
    expect(sarif.properties.configuration['only']).toEqual({ rules: ['redirect-uri-safe'], notRun: others });
    expect(sarif.invocations[0]?.toolConfigurationNotifications?.map((n) => n.message.text)).toContain(
      `--only redirect-uri-safe: ${others.length} other rules not run: ${others.join(', ')}`,
    );
    const plain = JSON.parse(
      (await cli(['scan', SAMPLE, '--no-config', '--fail-on', 'none', '--format', 'json', ...NOW])).stdout,
    ) as { configuration: Record<string, unknown> };
    expect(plain.configuration).not.toHaveProperty('only');
  });
});

describe('scan --tag', () => {
  it('every report states the rules without the tag, which did not run', async () => {
    const tagged = BUILTIN_RULES_WITH_TAG('portal');
    const others = BUILTIN_RULE_IDS.filter((id) => !tagged.includes(id)).sort();
    expect(tagged.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    const line = `--tag portal: ${others.length} rules without the tag not run: ${others.join(', ')}`;
    const base = ['scan', SAMPLE, '--tag', 'portal', '--no-config', '--fail-on', 'none', ...NOW];
    const text = await cli(base);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual(['Config: none (defaults)', `  ${line}`]);
    const json = JSON.parse((await cli([...base, '--format', 'json'])).stdout) as {
      configuration: Record<string, unknown>;
    };
    expect(json.configuration['tags']).toEqual({ tags: ['portal'], notRun: others });
    const sarif = sarifRun((await cli([...base, '--format', 'sarif'])).stdout);
    expect(sarif.invocations[0]?.toolConfigurationNotifications?.map((n) => n.message.text)).toContain(line);
    expect(ran(sarif)).toEqual([...tagged].sort());
  });
});
