/**
 * Issue 10, trust model: whatever weakens the gate is visible in every format (the config file in effect,
 * suppressions with their count and wildcard ones, rules off, lowered levels, a failOn weaker than error), and
 * suppressions are bounded: a rule id (not `*` for both rule and resource), a non-blank justification, an expiry at
 * most 365 days ahead unless `maxSuppressionDays` says otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import path from 'node:path';
import { parseConfig } from '../../src/config/file';
import { cli } from '../helpers/cli';
import { auditErrorOf } from '../helpers/errors';
import { REPO_ROOT } from '../helpers/sample';
import { makeTempDir } from '../helpers/temp';

const CONTOSO = path.join(REPO_ROOT, 'examples/contoso/snapshot.json');
const NOW_ISO = '2026-11-25T12:00:00Z';
const NOW = ['--now', NOW_ISO];
const now = new Date(NOW_ISO);

function suppression(extra: Record<string, unknown>): string {
  return JSON.stringify({
    suppressions: [
      {
        rule: 'redirect-uri-safe',
        resource: 'application:oauth-client-app',
        justification: 'Accepted until the migration, ticket PLAT-1.',
        expires: '2027-01-31',
        ...extra,
      },
    ],
  });
}

const problems = (text: string) =>
  auditErrorOf(() => parseConfig(text, '.auditrc.json', undefined, now)).details;

describe('suppressions are bounded', () => {
  it('a suppression with * for both rule and resource is rejected', () => {
    expect(problems(suppression({ rule: '*', resource: '*' }))).toEqual([
      expect.stringMatching(
        /^\.auditrc\.json:1:\d+: suppressions\[0\]: '\*' for both rule and resource would silence every finding/,
      ),
    ]);
    // A wildcard on one side only is allowed (and reported as a wildcard suppression).
    expect(() => parseConfig(suppression({ resource: '*' }), '.auditrc.json', undefined, now)).not.toThrow();
  });

  it('a blank justification is rejected', () => {
    expect(problems(suppression({ justification: '            ' }))).toEqual([
      expect.stringMatching(/suppressions\[0\]\.justification: must not be blank/),
    ]);
  });

  it('an expiry is required', () => {
    expect(problems(suppression({ expires: undefined }))).toEqual([
      expect.stringMatching(
        /suppressions\[0\]: missing required key 'expires' \(a date at most 365 days ahead/,
      ),
    ]);
  });

  it('an expiry 400 days ahead is rejected, unless maxSuppressionDays allows it', () => {
    const later = new Date(now.getTime() + 400 * 86_400_000).toISOString().slice(0, 10);
    expect(problems(suppression({ expires: later }))).toEqual([
      expect.stringMatching(
        new RegExp(
          `suppressions\\[0\\]\\.expires: ${later} is more than 365 days ahead .*maxSuppressionDays`,
        ),
      ),
    ]);
    const allowed = JSON.parse(suppression({ expires: later })) as Record<string, unknown>;
    allowed['maxSuppressionDays'] = 400;
    expect(() => parseConfig(JSON.stringify(allowed), '.auditrc.json', undefined, now)).not.toThrow();
    const exact = new Date(now.getTime() + 365 * 86_400_000).toISOString().slice(0, 10);
    expect(() => parseConfig(suppression({ expires: exact }), '.auditrc.json', undefined, now)).not.toThrow();
  });

  it('the CLI rejects it with exit 2, located', async () => {
    const cwd = makeTempDir('suppress-400');
    writeFileSync(path.join(cwd, '.auditrc.json'), suppression({ expires: '2028-01-01' }));
    const run = await cli(['scan', CONTOSO, ...NOW], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /\.auditrc\.json:1:\d+: suppressions\[0\]\.expires: 2028-01-01 is more than 365 days/,
    );
  });
});

describe('whatever weakens the gate is visible in every format', () => {
  const config = {
    failOn: 'none',
    rules: { 'redirect-uri-safe': 'off', 'client-secret-expiry': 'note' },
    suppressions: [
      {
        rule: 'implicit-grant-disabled',
        resource: '*',
        justification: 'Legacy SPA until its rewrite, ticket PLAT-2.',
        expires: '2027-02-28',
      },
      {
        rule: 'api-https-only',
        resource: 'api:echo',
        justification: 'Internal echo API behind a private endpoint.',
        expires: '2027-02-28',
      },
    ],
  };

  function weakened(): string {
    const cwd = makeTempDir('weak');
    writeFileSync(path.join(cwd, '.auditrc.json'), JSON.stringify(config, null, 2));
    return cwd;
  }

  it('text: the header states the config file, suppressions (count, wildcard), rules off, lowered levels, failOn none', async () => {
    const run = await cli(['scan', CONTOSO, ...NOW], { cwd: weakened() });
    expect(run.code).toBe(0);
    const header = run.stdout.split('\n').slice(0, 5);
    expect(header).toEqual([
      'Config: .auditrc.json',
      '  2 suppressions, 1 with a wildcard: implicit-grant-disabled on *',
      '  rules off: redirect-uri-safe',
      '  levels lowered: client-secret-expiry error -> note',
      '  failOn none: findings never fail the run',
    ]);
  });

  it('--fail-on none and --rule x=off on the command line are stated too', async () => {
    const cwd = makeTempDir('weak-cli');
    const run = await cli(['scan', CONTOSO, '--fail-on', 'none', '--rule', 'redirect-uri-safe=off', ...NOW], {
      cwd,
    });
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([
      'Config: none (defaults)',
      '  rules off: redirect-uri-safe',
      '  failOn none: findings never fail the run',
    ]);
  });

  it('JSON: a configuration object', async () => {
    const run = await cli(['scan', CONTOSO, '--format', 'json', ...NOW], { cwd: weakened() });
    const report = JSON.parse(run.stdout) as { configuration: unknown };
    expect(report.configuration).toEqual({
      file: '.auditrc.json',
      failOn: 'none',
      suppressions: {
        count: 2,
        wildcard: [
          {
            rule: 'implicit-grant-disabled',
            resource: '*',
            justification: 'Legacy SPA until its rewrite, ticket PLAT-2.',
            expires: '2027-02-28',
          },
        ],
      },
      rulesOff: ['redirect-uri-safe'],
      lowered: [{ ruleId: 'client-secret-expiry', from: 'error', to: 'note' }],
    });
  });

  it('SARIF: run properties and toolConfigurationNotifications', async () => {
    const run = await cli(['scan', CONTOSO, '--format', 'sarif', ...NOW], { cwd: weakened() });
    const log = JSON.parse(run.stdout) as {
      runs: {
        properties: { configuration: { file: string; failOn: string } };
        invocations: { toolConfigurationNotifications: { level: string; message: { text: string } }[] }[];
      }[];
    };
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const schema = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'),
    ) as object;
    const validate = ajv.compile(schema);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const [first] = log.runs;
    expect(first?.properties.configuration).toMatchObject({ file: '.auditrc.json', failOn: 'none' });
    expect(first?.invocations[0]?.toolConfigurationNotifications.map((n) => n.message.text)).toEqual([
      '2 suppressions, 1 with a wildcard: implicit-grant-disabled on *',
      'rules off: redirect-uri-safe',
      'levels lowered: client-secret-expiry error -> note',
      'failOn none: findings never fail the run',
    ]);
  });
});
