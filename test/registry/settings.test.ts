/**
 * What the configuration says about rules, resolved against the registry: levels and options, unknown ids with a
 * "did you mean", tags, failOnNotEvaluated, rule sets and the failOn precedence; every problem reported together.
 */
import {
  builtinRegistry,
  describeConfiguration,
  didYouMean,
  resolveAuditSettings,
  resolveRuleSettings,
  type Registry,
} from '../../src/registry';
import type { AnyRule } from '../../rules/support/contract';
import { DATED_RULE_SETS } from '../../src/registry/rule-sets';
import { auditErrorOf } from '../helpers/errors';

/** The built-in registry plus a plugin-like rule outside every dated set. */
function withRule(id: string): Registry {
  const base = builtinRegistry();
  const rule: AnyRule = {
    id,
    meta: { title: 'A rule', severity: 'error', tags: ['extra'], requires: [] },
    check: () => [],
  };
  return { rules: [...base.rules, rule], docs: base.docs };
}

describe('rule settings', () => {
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
});

describe('resolveAuditSettings: every problem at once', () => {
  it('reports unknown rules, options, tags, failOnNotEvaluated and the rule set together', () => {
    const error = auditErrorOf(() =>
      resolveAuditSettings(
        builtinRegistry(),
        {
          ruleSet: 'recomended',
          rules: { 'client-secret-expiry': { options: { warnDays: 'soon' } } },
          failOnNotEvaluated: ['api-validate-jw'],
        },
        { shown: 'ci/.auditrc.json', ruleOverrides: { typo: 'off' }, tags: ['secuirty'] },
      ),
    );
    expect(error.code).toBe('config-invalid');
    expect(error.details).toEqual([
      "ci/.auditrc.json: ruleSet: unknown rule set 'recomended'; did you mean 'recommended'? (sets: recommended, all, 2026-12)",
      "--rule typo: unknown rule 'typo' (run 'apim-oauth-audit rules' for the list)",
      'ci/.auditrc.json: rules.client-secret-expiry.options.warnDays: must be integer',
      expect.stringMatching(
        /^--tag secuirty: no rule has this tag; did you mean 'security'\? \(tags: .*security/,
      ),
      "ci/.auditrc.json: failOnNotEvaluated: unknown rule 'api-validate-jw'; did you mean 'api-validate-jwt'? (run 'apim-oauth-audit rules' for the list); or use security, all or none",
    ]);
  });

  it('--tag narrows the rules; every rule keeps a setting', () => {
    const resolved = resolveAuditSettings(builtinRegistry(), {}, { tags: ['security'] });
    expect(resolved.rules.length).toBeGreaterThan(0);
    expect(resolved.rules.every((r) => r.meta.tags.includes('security'))).toBe(true);
    expect(Object.keys(resolved.settings)).toHaveLength(builtinRegistry().rules.length);
  });

  it.each([
    [{}, {}, 'error'],
    [{ failOn: 'warning' as const }, {}, 'warning'],
    [{ failOn: 'warning' as const }, { failOn: 'none' as const }, 'none'],
    [{}, { failOn: 'note' as const }, 'note'],
  ])('failOn: --fail-on over config over error (config %j, --fail-on %j)', (config, request, expected) => {
    expect(resolveAuditSettings(builtinRegistry(), config, request).failOn).toBe(expected);
  });
});

describe('rule sets', () => {
  it('without a ruleSet every rule is on at its own severity (the behaviour before rule sets)', () => {
    const resolved = resolveAuditSettings(withRule('brand-new-rule'), {});
    expect(resolved.ruleSet).toBeUndefined();
    expect(Object.values(resolved.settings).every((s) => s.level === undefined)).toBe(true);
  });

  it.each(['2026-12', 'recommended'])(
    '%s: a built-in rule outside the set is off unless rules or --rule give it a level',
    (ruleSet) => {
      // The set without two of today's rules stands in for a release that adds them after 2026-12.
      const without = DATED_RULE_SETS['2026-12'].filter(
        (id) => id !== 'sources-consistent' && id !== 'policy-parse-error',
      );
      jest.replaceProperty(DATED_RULE_SETS, '2026-12', without as never);
      const config = { ruleSet, rules: { 'policy-parse-error': 'warning' as const } };
      const resolved = resolveAuditSettings(builtinRegistry(), config);
      expect(resolved.ruleSet).toBe(ruleSet);
      expect(resolved.settings['sources-consistent']?.level).toBe('off');
      expect(resolved.settings['policy-parse-error']?.level).toBe('warning');
      expect(resolved.settings['redirect-uri-safe']?.level).toBeUndefined();
      const overridden = resolveAuditSettings(builtinRegistry(), config, {
        ruleOverrides: { 'sources-consistent': 'error' },
      });
      expect(overridden.settings['sources-consistent']?.level).toBe('error');
      const all = resolveAuditSettings(builtinRegistry(), { ruleSet: 'all' });
      expect(all.settings['sources-consistent']?.level).toBeUndefined();
      // Off by the set is not "turned off" by the user: the gate header does not list it.
      const gate = describeConfiguration(
        null,
        'error',
        [],
        builtinRegistry().rules,
        resolved.settings,
        resolved.ruleSet,
      );
      expect(gate.rulesOff).toEqual([]);
    },
  );

  it('a plugin rule is on in every set; --rule-set replaces the config', () => {
    const registry = withRule('acme/extra');
    for (const ruleSet of ['2026-12', 'recommended', 'all']) {
      const resolved = resolveAuditSettings(registry, { ruleSet: 'all' }, { ruleSet });
      expect(resolved.ruleSet).toBe(ruleSet);
      expect(resolved.settings['acme/extra']?.level).toBeUndefined();
    }
  });

  it('an unknown --rule-set is named as the option', () => {
    const error = auditErrorOf(() => resolveAuditSettings(builtinRegistry(), {}, { ruleSet: '2026-11' }));
    expect(error.details).toEqual([
      "--rule-set 2026-11: unknown rule set '2026-11'; did you mean '2026-12'? (sets: recommended, all, 2026-12)",
    ]);
  });
});
