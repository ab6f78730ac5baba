/**
 * What the configuration in effect does to the gate, for the report header (issue 10: whatever weakens the gate is
 * stated in every format). Pure.
 */
import type { Suppression } from '../config/types';
import { isWildcardSuppression } from '../config/trust';
import type { RuleSetting } from '../engine/run';
import { compareSuppressions } from '../engine/order';
import type { GateConfiguration } from '../engine/types';
import { SEVERITY_RANK, type FailOn } from '../severity';
import type { AnyRule } from '../../rules/support/contract';
import { inRuleSet, type RuleSetName } from './rule-sets';

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rules turned off and rules lowered below their default severity, sorted by id. A rule off only because it lies
 * outside the rule set is not listed: the rule set says so. With `--only` (`only`: the registry's rule ids, and the
 * ones named), the rules it leaves out are listed as not run.
 */
export function describeConfiguration(
  file: string | null,
  failOn: FailOn,
  suppressions: readonly Suppression[],
  rules: readonly AnyRule[],
  settings: Readonly<Record<string, RuleSetting>>,
  ruleSet?: RuleSetName,
  only?: { registry: readonly string[]; named: readonly string[] },
  tagged?: { registry: readonly string[]; tags: readonly string[]; kept: readonly string[] },
): GateConfiguration {
  const rulesOff: string[] = [];
  const outside: string[] = [];
  const lowered: GateConfiguration['lowered'] = [];
  for (const rule of [...rules].sort((a, b) => compareIds(a.id, b.id))) {
    const level = settings[rule.id]?.level;
    if (level === 'off') {
      if (inRuleSet(rule.id, ruleSet)) rulesOff.push(rule.id);
      else outside.push(rule.id);
    } else if (level !== undefined && SEVERITY_RANK[level] < SEVERITY_RANK[rule.meta.severity]) {
      lowered.push({ ruleId: rule.id, from: rule.meta.severity, to: level });
    }
  }
  return {
    file,
    failOn,
    suppressions: {
      count: suppressions.length,
      wildcard: suppressions.filter(isWildcardSuppression).sort(compareSuppressions),
    },
    rulesOff,
    lowered,
    ...(ruleSet !== undefined ? { ruleSet: { name: ruleSet, outside } } : {}),
    ...(only !== undefined
      ? {
          only: {
            rules: [...only.named].sort(compareIds),
            notRun: only.registry.filter((id) => !only.named.includes(id)).sort(compareIds),
          },
        }
      : {}),
    ...(tagged !== undefined
      ? {
          tags: {
            tags: [...tagged.tags].sort(),
            notRun: tagged.registry.filter((id) => !tagged.kept.includes(id)).sort(compareIds),
          },
        }
      : {}),
  };
}
