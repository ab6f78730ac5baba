/**
 * The rule registry: built-in rules plus plugins from `.auditrc.json` `plugins`, all with one contract, their docs,
 * the rule sets, and the resolution of what the configuration says about rules. The engine receives the resolved
 * rule list and settings; it never looks rules up itself.
 */
export { builtinRegistry, type Registry } from './builtin';
export { type RuleDoc } from './docs';
export { didYouMean, editDistance, unknownRuleMessage } from './did-you-mean';
export { describeConfiguration } from './gate';
export { definePlugin, pluginProblems, ruleContractProblems, withPlugins } from './plugins';
export type { Plugin, PluginMeta } from './plugins';
export { LATEST_RULE_SET, RULE_SET_NAMES, resolveRuleSet, type RuleSetName } from './rule-sets';
export {
  NOT_EVALUATED_SELECTORS,
  resolveAuditSettings,
  resolveFailOnNotEvaluated,
  resolveRuleSettings,
} from './settings';
export type { AuditSettings, SettingsRequest } from './settings';
