/**
 * Rule sets (`ruleSet` in .auditrc.json): which built-in rules are on, so that a gate can stay still while the tool
 * is upgraded (PSRule's baselines, tflint's presets).
 *
 * - a dated set (`2026-12`) is frozen: the built-in rules of that release, never more. A gate pinned to it does not
 *   see new error-level rules switch on after an upgrade.
 * - `recommended` is the latest dated set: it moves with upgrades.
 * - `all` is every rule, including rules not (yet) in a dated set.
 * - no `ruleSet` at all: every rule is on (the behaviour before rule sets existed; the same as `all`).
 *
 * A rule outside the selected set is off unless `rules` or `--rule` gives it a level. Plugin rules are on in every
 * set: the user chose them by listing the plugin.
 */
import { BUILTIN_RULE_IDS, type BuiltinRuleId } from '../../rules';
import { suggestion } from './did-you-mean';

/**
 * The dated sets, oldest first. Never edit a released set; add the next one (`YYYY-MM`) with the rules it adds.
 * The meta-test test/registry/rule-sets.test.ts holds every built-in rule to being in the latest set or in
 * `NOT_IN_LATEST_RULE_SET`.
 */
export const DATED_RULE_SETS = {
  '2026-12': [
    'auth-server-v2-endpoints',
    'app-access-token-version',
    'client-redirect-uri-matches-portal',
    'backend-scope-exposed',
    'api-oauth-enabled',
    'client-secret-expiry',
    'client-api-permission',
    'auth-server-grant-types',
    'redirect-uri-safe',
    'implicit-grant-disabled',
    'api-validate-jwt',
    'jwt-audience-matches-token-version',
    'jwt-issuer-matches-token-version',
    'jwt-required-scope',
    'jwt-validation-strict',
    'policy-base-inherited',
    'policy-parse-error',
    'policy-literal-secret',
    'sources-consistent',
  ],
} as const satisfies Record<string, readonly BuiltinRuleId[]>;

export type DatedRuleSet = keyof typeof DATED_RULE_SETS;

/** The set `recommended` stands for. */
export const LATEST_RULE_SET: DatedRuleSet = '2026-12';

/**
 * Built-in rules deliberately left out of the latest dated set (experimental, or waiting for the next set), each
 * with the reason. They run under `all` (and without a `ruleSet`), or when `rules` / `--rule` turns them on.
 */
export const NOT_IN_LATEST_RULE_SET: Readonly<Partial<Record<BuiltinRuleId, string>>> = {};

export const RULE_SET_NAMES = [
  'recommended',
  'all',
  ...(Object.keys(DATED_RULE_SETS) as DatedRuleSet[]),
] as const;

export type RuleSetName = 'recommended' | 'all' | DatedRuleSet;

const BUILTIN = new Set<string>(BUILTIN_RULE_IDS);

export function isRuleSetName(name: string): name is RuleSetName {
  return (RULE_SET_NAMES as readonly string[]).includes(name);
}

/**
 * True when `ruleSet` switches the rule on by default. Plugin rules (and any rule not built in) are in every set;
 * without a set, every rule is on.
 */
export function inRuleSet(ruleId: string, ruleSet: RuleSetName | undefined): boolean {
  if (ruleSet === undefined || ruleSet === 'all' || !BUILTIN.has(ruleId)) return true;
  const dated = ruleSet === 'recommended' ? LATEST_RULE_SET : ruleSet;
  return (DATED_RULE_SETS[dated] as readonly string[]).includes(ruleId);
}

/**
 * `ruleSet` / `--rule-set` checked: the set, or the problem (`where`: the config key or the option), with a
 * "did you mean" and the list of sets.
 */
export function resolveRuleSet(
  name: string | undefined,
  where: string,
): { ruleSet?: RuleSetName; problems: string[] } {
  if (name === undefined) return { problems: [] };
  if (isRuleSetName(name)) return { ruleSet: name, problems: [] };
  return {
    problems: [
      `${where}: unknown rule set '${name}'${suggestion(name, RULE_SET_NAMES)} (sets: ${RULE_SET_NAMES.join(', ')})`,
    ],
  };
}
