import { prepareAudit } from '../../src/audit';
import { keyPath, parseConfig } from '../../src/config/file';
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
    expect(prepared.registry.rules.map((r) => r.id)).toContain('acme/api-https-only');
    expect(prepared.ruleSet).toBe('2026-12');
    const { settings } = prepared;
    expect(settings['acme/api-https-only']?.level).toBe('error');
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

  it('keyPath renders pointers the way users write keys', () => {
    expect(keyPath('/suppressions/0/expires')).toBe('suppressions[0].expires');
    expect(keyPath('')).toBe('(root)');
  });

  it("rule ids in the config are kebab-case, a plugin's '<plugin>/<rule-id>'", () => {
    const valid = '{ "rules": { "acme/https-only": "off", "client-secret-expiry": "note" } }';
    expect(parseConfig(valid, '.auditrc.json').rules).toEqual({
      'acme/https-only': 'off',
      'client-secret-expiry': 'note',
    });
    const error = auditErrorOf(() => parseConfig('{ "rules": { "Acme/x/y": "off" } }', '.auditrc.json'));
    expect(error.details).toEqual([
      ".auditrc.json:1:26: rules.Acme/x/y: rule ids are kebab-case (lower-case words joined by -), a plugin's rules '<plugin>/<rule-id>'",
    ]);
  });
});
