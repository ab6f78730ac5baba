/**
 * The names of the rule sets and the rules each dated set holds: data only, so that the CLI can offer the names as
 * choices (`--rule-set`, `--help`) without loading the rules. What a set means is decided in ./rule-sets.ts.
 */
import type { BuiltinRuleId } from '../../rules';

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

export function isRuleSetName(name: string): name is RuleSetName {
  return (RULE_SET_NAMES as readonly string[]).includes(name);
}
