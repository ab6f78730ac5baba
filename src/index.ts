/**
 * The library entry point (`require('apim-oauth-audit')`): run an audit programmatically, write custom rules
 * with the same contract as the built-in ones, and format results with the bundled reporters.
 */
export { abstainedFor, audit, failsAt, loadInventory, prepareAudit, runPreparedAudit } from './audit';
export type { AuditRequest, PreparedAudit } from './audit';
export { checked, defineRule, notEvaluated, violation } from './engine/types';
export type {
  AuditResult,
  Checked,
  CollectionEvidence,
  CollectionName,
  Evidence,
  Finding,
  RuleContext,
  RuleDefinition,
  RuleMeta,
  RuleOutput,
  Severity,
  ValueEvidence,
  Violation,
} from './engine/types';
export { unknownAt } from './model/unknown';
export { AuditError, EXIT } from './engine/errors';
export type { Model } from './model/types';
export { effectivePolicies } from './policy/effective';
export { parsePolicy } from './policy/parser';
export { reporters, REPORTER_NAMES } from '../reporters';
export type { ReporterName, ReporterOptions } from '../reporters';
export { BUILTIN_RULE_IDS, builtinRules } from '../rules';
