/**
 * The registry: every rule an audit may run (the built-in ones, then the plugins' ones) and their docs.
 */
import { BUILTIN_RULE_IDS, builtinRules } from '../../rules';
import { type AnyRule } from '../../rules/support/contract';
import { builtinRuleDoc, type RuleDoc } from './docs';

export interface Registry {
  rules: AnyRule[];
  docs: Record<string, RuleDoc>;
}

export function builtinRegistry(): Registry {
  const rules = BUILTIN_RULE_IDS.map((id) => builtinRules[id]);
  const docs: Record<string, RuleDoc> = {};
  for (const id of BUILTIN_RULE_IDS) docs[id] = builtinRuleDoc(id);
  return { rules, docs };
}
