import path from 'node:path';
import { prepareAudit } from '../../src/audit';
import { didYouMean, keyPath, parseConfig, resolveRuleSettings } from '../../src/config/config';
import { builtinRegistry, ruleContractProblems } from '../../src/registry';
import { auditErrorOf } from '../helpers/errors';
import { REPO_ROOT } from '../helpers/sample';

describe('configuration', () => {
  it('.auditrc.example.json is valid, loads its plugin and resolves every rule setting', () => {
    const prepared = prepareAudit({
      cwd: REPO_ROOT,
      configFile: '.auditrc.example.json',
      plugins: true,
      now: new Date('2026-12-01T00:00:00Z'),
    });
    expect(prepared.registry.rules.map((r) => r.id)).toContain('api-https-only');
    const settings = resolveRuleSettings(prepared.registry.rules, prepared.config, {});
    expect(settings['client-secret-expiry']).toEqual({
      level: 'error',
      options: expect.objectContaining({ warnDays: 45, maxLifetimeDays: 180 }),
    });
    expect(settings['implicit-grant-disabled']?.level).toBe('warning');
  });

  it('every top-level key of the schema appears in .auditrc.example.json', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const schema = require('../../schemas/auditrc.schema.json') as { properties: Record<string, unknown> };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const example = require('../../.auditrc.example.json') as Record<string, unknown>;
    expect(Object.keys(example).sort()).toEqual(Object.keys(schema.properties).sort());
  });

  it('reports every problem at once with position and key path', () => {
    const text = [
      '{',
      '  "failOn": "sometimes",',
      '  "rules": { "client-secret-expiry": "warn" },',
      '  "suppressions": [{ "rule": "redirect-uri-safe", "resource": "x" }],',
      '  "colour": true',
      '}',
    ].join('\n');
    const error = auditErrorOf(() => parseConfig(text, '.auditrc.json'));
    expect(error.code).toBe('config-invalid');
    expect(error.details).toEqual(
      expect.arrayContaining([
        '.auditrc.json:2:13: failOn: must be one of error, warning, note, none',
        expect.stringMatching(
          /^\.auditrc\.json:3:38: rules\.client-secret-expiry: must be one of off, error, warning, note/,
        ),
        expect.stringMatching(
          /^\.auditrc\.json:4:\d+: suppressions\[0\]: missing required key 'justification'/,
        ),
        expect.stringMatching(/^\.auditrc\.json:5:13: colour: unknown key 'colour'/),
        expect.stringMatching(/^\.auditrc\.json:4:\d+: suppressions\[0\]: missing required key 'expires'/),
      ]),
    );
    expect(error.details).toHaveLength(5);
  });

  it('unknown rule ids get a "did you mean" suggestion, from config and from --rule', () => {
    const { rules } = builtinRegistry();
    const error = auditErrorOf(() =>
      resolveRuleSettings(
        rules,
        { rules: { 'client-secret-expiri': 'off' } },
        { 'redirect-uri-safer': 'note' },
      ),
    );
    expect(error.details).toEqual([
      ".auditrc.json: rules.client-secret-expiri: unknown rule 'client-secret-expiri'; did you mean 'client-secret-expiry'? (run 'apim-oauth-audit rules' for the list)",
      "--rule redirect-uri-safer: unknown rule 'redirect-uri-safer'; did you mean 'redirect-uri-safe'? (run 'apim-oauth-audit rules' for the list)",
    ]);
    expect(
      didYouMean(
        'zzzzzzzzzzzzzzzzzzzz',
        rules.map((r) => r.id),
      ),
    ).toBeUndefined();
  });

  it('validates rule options against the rule schema', () => {
    const { rules } = builtinRegistry();
    const error = auditErrorOf(() =>
      resolveRuleSettings(
        rules,
        { rules: { 'client-secret-expiry': { options: { warnDays: 'soon' } } } },
        {},
      ),
    );
    expect(error.details.join('\n')).toMatch(
      /rules\.client-secret-expiry\.options\.warnDays: must be integer/,
    );
  });

  it('keyPath renders pointers the way users write keys', () => {
    expect(keyPath('/suppressions/0/expires')).toBe('suppressions[0].expires');
    expect(keyPath('')).toBe('(root)');
  });

  it('plugins must honour the rule contract', () => {
    expect(
      ruleContractProblems({
        id: 'Bad Id',
        meta: { title: 1, severity: 'fatal', tags: [], requires: ['x'] },
      }),
    ).toEqual([
      'id must be a kebab-case string',
      'check must be a function (model, context) => Iterable',
      'meta.title must be a string',
      'meta.severity must be one of error, warning, note',
      "meta.requires must be an array of 'entra' | 'apim'",
    ]);
    const error = auditErrorOf(() =>
      prepareAudit({ cwd: path.join(REPO_ROOT, 'test/engine/fixtures/bad-plugin'), plugins: true }),
    );
    expect(error.code).toBe('plugin-invalid');
    expect(error.details).toEqual(["plugin './not-a-rule.js': meta is missing"]);
  });
});
