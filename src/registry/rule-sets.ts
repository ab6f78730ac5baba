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
import { BUILTIN_RULE_IDS } from '../../rules';
import { suggestion } from './did-you-mean';
import {
  DATED_RULE_SETS,
  LATEST_RULE_SET,
  RULE_SET_NAMES,
  isRuleSetName,
  type RuleSetName,
} from './rule-set-names';

export {
  DATED_RULE_SETS,
  LATEST_RULE_SET,
  NOT_IN_LATEST_RULE_SET,
  RULE_SET_NAMES,
  isRuleSetName,
  type DatedRuleSet,
  type RuleSetName,
} from './rule-set-names';

const BUILTIN = new Set<string>(BUILTIN_RULE_IDS);

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
